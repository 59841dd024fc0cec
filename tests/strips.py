"""Reading what a widget sends, for tests: strip payloads' tokens and the stream's deltas, decoded as the
view decodes them (tokviz/widgets/token_table_reader.py)."""

from __future__ import annotations

import copy
import json

from ipywidgets.widgets.widget import _remove_buffers

from tokviz.widgets.token_table_reader import read_chunk, strip_pieces, strip_tokens

__all__ = ["comm_bytes", "delta_tokens", "recorded", "streamed_tokens", "strip_pieces", "strip_tokens"]


def comm_bytes(content, buffers=()) -> int:
    """What a message costs at the comm: its JSON, with the binary buffers taken out of it as ipywidgets
    does, and those buffers and the message's own."""
    content, _, nested = _remove_buffers(content)
    return len(json.dumps(content, separators=(",", ":")).encode()) + sum(len(b) for b in [*nested, *buffers])


def recorded(content: dict, buffers=None) -> dict:
    """A message as widget.send(content, buffers) sent it, its binary chunk put back in place
    (message["chunk"]["data"]), so a test can keep it and hand it to the view harness."""
    message = copy.deepcopy(content)
    if buffers and isinstance(message.get("chunk"), dict):
        message["chunk"]["data"] = bytes(buffers[0])
    return message


def delta_tokens(message: dict, pieces: dict | None = None) -> list[dict]:
    """The tokens of one recorded stream delta. pieces: those of the deltas before it (updated)."""
    pieces = {} if pieces is None else pieces
    chunk = message.get("chunk")
    if not chunk:
        return []
    pieces.update(chunk["pieces"])
    return read_chunk(chunk, pieces)


def streamed_tokens(messages: list[dict]) -> list[dict]:
    """Every token the recorded stream deltas carried, in order."""
    pieces: dict = {}
    return [token for m in messages if m.get("kind") == "generation_delta" for token in delta_tokens(m, pieces)]
