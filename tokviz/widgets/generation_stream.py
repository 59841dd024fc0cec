"""A generation streamed to the view by deltas, so what travels grows linearly with its length.

Each message carries only the tokens generated since the previous one, as one binary chunk
(token_table.py) with the pieces (token display forms) the view has not yet been sent, and the summaries
of the whole run so far (rank bands, the sampling effect, the branch point), which are a few numbers. The
finished run is then set once as the `generation_data` trait, the view's state of record; the deltas
never change a trait, so a run that fails leaves the trait (and so what the view shows once the stream
ends) as it was.
"""

from __future__ import annotations

from collections.abc import Callable

from ..core.token_info import TokenInfo
from ..core.tokens import Vocabulary
from .payload import Pieces, generation_summary, token_entry
from .token_table import pack_chunk

# The message kinds the view listens for (js/src/tokenviz/state.js).
DELTA = "generation_delta"
END = "generation_end"


class GenerationStream:
    """Sends a growing list of generated tokens to the view, each token once."""

    def __init__(self, send: Callable[..., None], vocabulary: Vocabulary, *, alternatives: int,
                 max_new_tokens: int, sampled: bool, decoding=None):
        self._send = send
        self._vocabulary = vocabulary
        self._alternatives = alternatives
        self._sampled = sampled
        self._decoding = decoding
        self._header = {"alternatives": alternatives, "max_new_tokens": max_new_tokens, "sampled": sampled,
                        "stopped_by": None}
        self._sent_tokens = 0
        self._carried: set[str] = set()  # the pieces sent so far

    def send(self, tokens: list[TokenInfo]) -> None:
        """Send the tokens of `tokens` not sent yet (none at the start: the view then empties its strip)."""
        pieces = Pieces(self._vocabulary)
        entries = [token_entry(t, pieces, self._alternatives, self._sampled) for t in tokens[self._sent_tokens:]]
        chunk = pack_chunk(entries, self._sent_tokens, pieces.table, self._carried)
        data = chunk.pop("data")
        summary = generation_summary(tokens, alternatives=self._alternatives, sampled=self._sampled,
                                     decoding=self._decoding)
        self._send({"kind": DELTA, "from": self._sent_tokens, "chunk": chunk, **self._header, **summary}, [data])
        self._sent_tokens = len(tokens)

    def end(self) -> None:
        """The stream is over: the view shows the `generation_data` trait again (the result, or what was
        there before a failed run)."""
        self._send({"kind": END}, None)
