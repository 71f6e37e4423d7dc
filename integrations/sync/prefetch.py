"""Fetching and mapping the next page while the database saves the current one.

A page's save is mostly the database working (COPY, the upsert, the commit) with this process waiting; its
fetch is mostly waiting for Salesforce. ``prefetched`` runs the fetch (and the pure-Python mapping) in a
helper thread a page or two ahead, so the two waits overlap. The helper never touches the database; pages
and errors come out in order, so whatever the source raises surfaces exactly where it would have without
the helper, after the pages before it.
"""

import queue
import threading
from collections.abc import Callable, Generator, Iterable
from typing import TypeVar

Page = TypeVar("Page")
Mapped = TypeVar("Mapped")

_DONE = object()
_POLL_SECONDS = 0.5


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def prefetched(
    source: Callable[[], Iterable[Page]], transform: Callable[[Page], Mapped], depth: int = 2
) -> Generator[Mapped, None, None]:
    """``transform(page)`` for each page of ``source()``, computed up to ``depth`` pages ahead in a thread."""
    handoff: queue.Queue = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()

    def offer(item: object) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for page in source():
                if stop.is_set() or not offer(transform(page)):
                    return
            offer(_DONE)
        except BaseException as error:  # handed to the consumer, raised there
            offer(_Failure(error))

    helper = threading.Thread(target=work, name="sync-prefetch", daemon=True)
    helper.start()
    try:
        while True:
            item = handoff.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item
    finally:
        # The consumer is done (finished, failed or interrupted): the helper stops after its current fetch,
        # and is waited for, since the client it uses must not serve two threads at once.
        stop.set()
        helper.join()
