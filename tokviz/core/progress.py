"""Progress bars for the analyses that take minutes: tqdm.auto, as transformers and datasets show theirs (a
widget bar in a notebook, text on a terminal), switched off with progress=False. And progress for whoever
watches a computation in this thread (the widget's busy line): the computation reports as it goes, which
costs nothing when nobody watches."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterable, Iterator
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


_watcher: contextvars.ContextVar[Callable[[int, int], None] | None] = contextvars.ContextVar("tokviz_progress",
                                                                                        default=None)


def report(done: int, total: int) -> None:
    """`done` of `total` units of the current computation are finished (a no-op when nobody watches)."""
    watcher = _watcher.get()
    if watcher is not None:
        watcher(done, total)


@contextlib.contextmanager
def watching(callback: Callable[[int, int], None]) -> Iterator[None]:
    """Within the block, computations in this thread report their progress to callback(done, total)."""
    token = _watcher.set(callback)
    try:
        yield
    finally:
        _watcher.reset(token)
