"""Progress bars for the analyses that take minutes: tqdm.auto, as transformers and datasets show theirs (a
widget bar in a notebook, text on a terminal), switched off with progress=False."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from ..checks import check_bool

T = TypeVar("T")


def progress_bar(items: Iterable[T], what: str, *, enabled: bool, total: int | None = None) -> Iterator[T]:
    """items, with a progress bar titled `what` while they are consumed (none when not enabled)."""
    check_bool(enabled, "progress")
    if not enabled:
        yield from items
        return
    from tqdm.auto import tqdm

    with tqdm(items, desc=what, total=total, leave=True, dynamic_ncols=True) as bar:
        yield from bar
