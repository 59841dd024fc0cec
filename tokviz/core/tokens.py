"""Token ids -> raw bytes and display text, for byte-level BPE, SentencePiece and special tokens.

The invariant: joining the texts of a token sequence gives the decoded text. A token
holding only part of a UTF-8 character has text "" and the token completing it carries the character;
every token keeps its raw bytes.
"""

from __future__ import annotations

import codecs
import json
import re

_BYTE_FALLBACK = re.compile(r"^<0x([0-9A-Fa-f]{2})>$")
_METASPACE = "\u2581"  # SentencePiece's visible space


def _byte_level_alphabet() -> dict[str, int]:
    """The character -> byte table of byte-level BPE vocabularies.

    Printable Latin-1 bytes stand for themselves; the other 68 bytes are shifted to code points from
    256 upward, in byte order, so that every byte has a visible, non-space character.
    """
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    table = {chr(b): b for b in printable}
    shifted = 0
    for b in range(256):
        if b not in printable:
            table[chr(256 + shifted)] = b
            shifted += 1
    return table


_BYTE_LEVEL = _byte_level_alphabet()


def _decoder_types(tokenizer) -> set[str]:
    """Names of the decoder steps of a fast tokenizer ("ByteLevel", "Metaspace", "ByteFallback", ...)."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        return set()
    decoder = json.loads(backend.to_str()).get("decoder") or {}
    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            if "type" in node:
                found.add(node["type"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(decoder)
    return found


class Vocabulary:
    """Raw bytes of every token id of one tokenizer, computed once."""

    def __init__(self, tokenizer, size: int | None = None):
        self.tokenizer = tokenizer
        decoders = _decoder_types(tokenizer)
        self.byte_level = "ByteLevel" in decoders
        tokenizer_size = len(tokenizer)
        size = max(size or 0, tokenizer_size)
        added = {i for i in getattr(tokenizer, "added_tokens_decoder", {})}
        self.special_ids = frozenset(int(i) for i in tokenizer.all_special_ids) | frozenset(
            i for i, t in getattr(tokenizer, "added_tokens_decoder", {}).items() if getattr(t, "special", False)
        )
        pieces = tokenizer.convert_ids_to_tokens(list(range(tokenizer_size)))
        self._bytes: list[bytes] = [
            self._piece_bytes(piece, literal=i in added) for i, piece in enumerate(pieces)
        ]
        # Ids past the tokenizer (padding rows of the embedding matrix) decode to nothing.
        self._bytes.extend(b"" for _ in range(size - tokenizer_size))

    def _piece_bytes(self, piece: str | None, literal: bool) -> bytes:
        if piece is None:
            return b""
        if literal:
            return piece.encode("utf-8")
        fallback = _BYTE_FALLBACK.match(piece)
        if fallback:
            return bytes([int(fallback.group(1), 16)])
        if self.byte_level:
            try:
                return bytes(_BYTE_LEVEL[ch] for ch in piece)
            except KeyError:  # a piece outside the byte alphabet: take it literally
                return piece.encode("utf-8")
        return piece.replace(_METASPACE, " ").encode("utf-8")

    def __len__(self) -> int:
        return len(self._bytes)

    def bytes_of(self, token_id: int) -> bytes:
        return self._bytes[token_id]

    def is_special(self, token_id: int) -> bool:
        return token_id in self.special_ids

    def is_partial(self, token_id: int) -> bool:
        """True when the token's bytes are not valid UTF-8 on their own (part of a character)."""
        try:
            self._bytes[token_id].decode("utf-8")
        except UnicodeDecodeError:
            return True
        return False

    def piece_text(self, token_id: int) -> str:
        """The token's text on its own; "" for a partial-UTF-8 piece (its bytes say what it is)."""
        try:
            return self._bytes[token_id].decode("utf-8")
        except UnicodeDecodeError:
            return ""

    def texts(self, token_ids: list[int]) -> list[str]:
        """Per-token texts of a whole sequence, aligned with the tokenizer's own decoding."""
        assembler = TextAssembler(self)
        texts = [assembler.push(i) for i in token_ids]
        tail = assembler.finish()
        if tail and texts:
            texts[-1] += tail
        decoded = self.tokenizer.decode(
            token_ids, skip_special_tokens=False, clean_up_tokenization_spaces=False
        )
        joined = "".join(texts)
        # SentencePiece decoders drop the space they prepended to the first word.
        if joined != decoded and joined.startswith(" ") and joined[1:] == decoded:
            first = next(i for i, t in enumerate(texts) if t)
            texts[first] = texts[first][1:]
        return texts


class TextAssembler:
    """Turns a stream of token ids into per-token text, holding back incomplete UTF-8 characters."""

    def __init__(self, vocabulary: Vocabulary):
        self.vocabulary = vocabulary
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def push(self, token_id: int) -> str:
        return self._decoder.decode(self.vocabulary.bytes_of(token_id))

    def finish(self) -> str:
        """Text still held back (an unfinished character shows as U+FFFD, as tokenizers decode it)."""
        return self._decoder.decode(b"", final=True)
