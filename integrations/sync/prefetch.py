"""Fetching and mapping the next page while the database saves the current one.

A page's save is mostly the database working (COPY, the upsert, the commit) with this process waiting; its
fetch is mostly waiting for Salesforce. ``prefetched`` runs the fetch (and the pure-Python mapping) in a
helper thread a page or two ahead, so the two waits overlap. The helper never touches the database; pages
and errors come out in order, so whatever the source raises surfaces exactly where it would have without
the helper, after the pages before it.
"""

import queue
import threading
from collections.abc import Callable, Generator, Iterable, Sequence
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


_FINISHED = object()


def prefetched_many(
    sources: Sequence[Callable[[], Iterable[Page]]], transform: Callable[[Page], Mapped], workers: int
) -> Generator[tuple[int, Mapped | None], None, None]:
    """Pages of several sources fetched by up to ``workers`` threads at once: ``(index, transform(page))`` as
    they come (interleaved; in order within one source), then ``(index, None)`` once that source is exhausted.
    A failure of any source is raised here after what came before it; the other threads are then stopped.
    At most ``workers`` pages wait here: each thread also holds the page it is working on, and the consumer
    (one database connection) is what they all wait for, so a deeper queue would only hold memory."""
    handoff: queue.Queue = queue.Queue(maxsize=max(1, workers))
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for index in range(len(sources)):
        todo.put(index)
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
            while not stop.is_set():
                try:
                    index = todo.get_nowait()
                except queue.Empty:
                    break
                for page in sources[index]():
                    if stop.is_set() or not offer((index, transform(page))):
                        return
                if not offer((index, None)):
                    return
        except BaseException as error:  # handed to the consumer, raised there
            offer(_Failure(error))
            return
        offer(_FINISHED)

    helpers = [
        threading.Thread(target=work, name=f"sync-window-{n}", daemon=True) for n in range(min(workers, len(sources)))
    ]
    for helper in helpers:
        helper.start()
    running = len(helpers)
    try:
        while running:
            item = handoff.get()
            if item is _FINISHED:
                running -= 1
                continue
            if isinstance(item, _Failure):
                raise item.error
            yield item
    finally:
        stop.set()
        for helper in helpers:
            helper.join()
