"""Query locators: the server-side cursors behind ``nextRecordsUrl`` (``01gD0000002HU6KIAW-2000``).

A cursor keeps its filtered, sorted rows, so every page is a slice; the same locator can be fetched again
(a client retrying a failed page). Like Salesforce, cursors expire after two idle days, and only so many
stay open: the oldest is closed first.
"""

import itertools
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from sfemulator.sfids import make_id
from sfemulator.soql_run import QueryResult

IDLE_SECONDS = 2 * 24 * 3600  # current orgs keep an idle query locator two days (once 15 minutes)
MAX_OPEN = 50


@dataclass
class Cursor:
    id: str
    result: QueryResult
    batch_size: int
    last_used: float = field(default_factory=time.monotonic)


class CursorBook:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cursors: OrderedDict[str, Cursor] = OrderedDict()
        self._numbers = itertools.count(1)

    def open(self, result: QueryResult, batch_size: int) -> Cursor:
        with self._lock:
            cursor = Cursor(make_id("01g", next(self._numbers) + 0x2000), result, batch_size)
            self._cursors[cursor.id] = cursor
            self._expire()
            while len(self._cursors) > MAX_OPEN:
                self._cursors.popitem(last=False)
            return cursor

    def find(self, locator: str) -> tuple[Cursor, int] | None:
        """The cursor and row offset a locator names, or None when unknown or expired."""
        cursor_id, _, offset_text = locator.partition("-")
        if not offset_text.isdigit():
            return None
        with self._lock:
            self._expire()
            cursor = self._cursors.get(cursor_id)
            if cursor is None or int(offset_text) > cursor.result.total_size:
                return None
            cursor.last_used = time.monotonic()
            self._cursors.move_to_end(cursor_id)
            return cursor, int(offset_text)

    def _expire(self) -> None:
        horizon = time.monotonic() - IDLE_SECONDS
        for cursor_id in [key for key, cursor in self._cursors.items() if cursor.last_used < horizon]:
            del self._cursors[cursor_id]
