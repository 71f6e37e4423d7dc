"""A stop request (the worker's warm shutdown on SIGTERM) that a step reads at every page boundary.

A step that sees it ends its window after the page it is saving and queues its successor, so a container
stop finishes well inside its grace period (``stop_grace_period`` in docker-compose.yml) and nothing is
redone but the page in flight.
"""

import threading

_requested = threading.Event()


def request() -> None:
    _requested.set()


def requested() -> bool:
    return _requested.is_set()


def reset() -> None:
    _requested.clear()
