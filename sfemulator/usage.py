"""The org's daily API allowance: every data request counts one call, as ``Sforce-Limit-Info`` reports."""

import threading
from collections.abc import Callable


class ApiUsage:
    def __init__(self, daily_limit: Callable[[], int]) -> None:
        self._daily_limit = daily_limit  # read from org.json on each use, so an edit there applies
        self._lock = threading.Lock()
        self._used = 0
        self._max_override: int | None = None

    @property
    def max(self) -> int:
        return self._max_override if self._max_override is not None else self._daily_limit()

    def consume(self) -> tuple[bool, int, int]:
        """Count one call if the allowance has room: (allowed, used, max) after the attempt."""
        with self._lock:
            limit = self.max
            if self._used >= limit:
                return False, self._used, limit
            self._used += 1
            return True, self._used, limit

    def snapshot(self) -> tuple[int, int]:
        with self._lock:
            return self._used, self.max

    def set(self, used: int, maximum: int | None = None) -> None:
        with self._lock:
            self._used = max(0, int(used))
            if maximum is not None:
                self._max_override = int(maximum)


def limit_header(used: int, maximum: int) -> str:
    return f"api-usage={used}/{maximum}"
