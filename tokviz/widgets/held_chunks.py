"""The chunks of a long token strip that its trait does not carry, sent when a view asks for them.

A trait is synced as one message, and Jupyter refuses messages of about 10 MB, so a strip trait carries
its first chunks up to INLINE_BYTES and a `key`; a view that holds that trait asks for the rest
(`{"action": "chunks", "trait": ..., "key": ..., "from": i}`) and gets each chunk in a message of its own.
A view opened later, or after the page reloads, asks the same way.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Callable

INLINE_BYTES = 4_000_000  # per trait; each chunk is about half a MB at 10 alternatives
KEPT = 4  # strips whose chunks stay held: the shown ones, and those a failed run may bring back
CHUNK = "strip_chunk"  # the message kind the view listens for (js/src/tokenviz/state.js)


class HeldChunks:
    def __init__(self, send: Callable[..., None]):
        self._send = send
        self._held: OrderedDict[str, list[dict]] = OrderedDict()

    def split(self, payload: dict) -> dict:
        """The payload as its trait carries it: the first chunks, and a key for the rest when there is more."""
        chunks = payload.get("chunks")
        if not chunks or "key" in payload:  # not a strip, or already split (a payload restored after a failure)
            return payload
        inline, size = 0, 0
        for chunk in chunks:
            size += len(chunk["data"])
            if inline and size > INLINE_BYTES:
                break
            inline += 1
        if inline == len(chunks):
            return payload
        key = uuid.uuid4().hex
        self._held[key] = chunks
        while len(self._held) > KEPT:
            self._held.popitem(last=False)
        return {**payload, "chunks": chunks[:inline], "key": key}

    def send(self, trait: str, key: str, start: int) -> None:
        """Send the chunks of strip `key` from index `start` (nothing for a strip no longer held)."""
        chunks = self._held.get(key, [])
        for index in range(max(0, int(start)), len(chunks)):
            chunk = dict(chunks[index])
            data = chunk.pop("data")
            self._send({"kind": CHUNK, "trait": trait, "key": key, "index": index, "chunk": chunk}, [data])

    def whole(self, payload: dict) -> dict:
        """The payload with every chunk (for the static snapshot, which has no kernel to ask)."""
        chunks = self._held.get(payload.get("key", ""))
        return {**payload, "chunks": chunks} if chunks else payload
