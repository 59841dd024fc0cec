"""Token ids and display for a served model's token texts.

A server names tokens by their text. With the model's tokenizer loaded locally, a text that is exactly one
local token gets that token's id, bytes and display, as for a local model. Any other text (no tokenizer,
a text shared by several tokens, a text the server wrote lossily) gets a negative id of its own, registered
on first sight, whose bytes are the text's UTF-8: the payload and the view treat it like any token.
"""

from __future__ import annotations

from ...core.tokens import Vocabulary


class ServedVocabulary:
    """The Vocabulary interface (bytes_of, is_special, is_partial, piece_text, texts, len) over the local
    tokenizer's ids (>= 0) and the server's unmatched texts (ids -2, -3, ...; -1 stays "no id")."""

    def __init__(self, tokenizer=None):
        self.local = Vocabulary(tokenizer) if tokenizer is not None else None
        self._texts: list[str] = []
        self._ids: dict[str, int] = {}
        self._by_text: dict[str, int | None] | None = None
        self._shared: set[str] | None = None

    def __len__(self) -> int:
        return len(self.local) if self.local is not None else 0

    def id_of_text(self, text: str) -> int:
        """The local token whose text on its own is `text`, else the text's own negative id.

        Servers write a token's text with invalid UTF-8 dropped (llama-cpp-python: errors="ignore"), so a
        piece like b" \\xe2" is written " " too. The token whose bytes are exactly the text wins; only when
        none is, a single token matching after the drop does. "" (every partial piece) matches nothing."""
        local = self._local_ids().get(text)
        if local is not None:
            return local
        if text not in self._ids:
            self._texts.append(text)
            self._ids[text] = -1 - len(self._texts)
        return self._ids[text]

    def lossy_text(self, token_id: int) -> str:
        """How a server writes this token's text: its bytes with invalid UTF-8 dropped (llama-cpp-python)."""
        return self.bytes_of(token_id).decode("utf-8", errors="ignore")

    def shared_text(self, text: str) -> bool:
        """Whether several tokens are written as this text by a server that drops invalid UTF-8 (" " is the
        text of the space token and of every space + partial character). Without a local tokenizer the
        tokens are unknown: only a blank text (what is left when a partial character is dropped after a
        space, newline or nothing) is taken as shared."""
        if self.local is None:
            return text.strip() == ""
        if self._shared is None:
            seen: set[str] = set()
            shared: set[str] = set()
            for i in range(len(self.local)):
                piece = self.lossy_text(i)
                (shared if piece in seen else seen).add(piece)
            self._shared = shared
        return text in self._shared

    def local_id(self, text: str) -> int | None:
        """The local token id of a server text, or None when there is no single one."""
        return self._local_ids().get(text)

    def _local_ids(self) -> dict[str, int | None]:
        if self._by_text is None:
            exact: dict[str, int | None] = {}
            lossy: dict[str, int | None] = {}
            for i in range(len(self.local) if self.local is not None else 0):
                raw = self.local.bytes_of(i)
                try:
                    piece, table = raw.decode("utf-8"), exact
                except UnicodeDecodeError:
                    piece, table = raw.decode("utf-8", errors="ignore"), lossy
                table[piece] = None if piece in table else i
            self._by_text = {**{t: i for t, i in lossy.items() if t not in exact}, **exact}
            self._by_text.pop("", None)
        return self._by_text

    def _registered_text(self, token_id: int) -> str:
        return self._texts[-1 - token_id - 1]

    def bytes_of(self, token_id: int) -> bytes:
        return self.local.bytes_of(token_id) if token_id >= 0 else self._registered_text(token_id).encode("utf-8")

    def is_special(self, token_id: int) -> bool:
        return token_id >= 0 and self.local.is_special(token_id)

    def is_partial(self, token_id: int) -> bool:
        return token_id >= 0 and self.local.is_partial(token_id)

    def piece_text(self, token_id: int) -> str:
        return self.local.piece_text(token_id) if token_id >= 0 else self._registered_text(token_id)

    def texts(self, token_ids: list[int]) -> list[str]:
        if all(i >= 0 for i in token_ids) and self.local is not None:
            return self.local.texts(token_ids)
        return [self.piece_text(i) for i in token_ids]
