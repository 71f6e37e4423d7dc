"""What the request handlers need of an emulated org, as a protocol: the handlers (rest, control) depend on this,
not on the ``OrgEmulator`` that routes requests to them, so no module imports its own importer."""

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Protocol

from sfemulator.cursors import CursorBook
from sfemulator.faults import Faults
from sfemulator.latency import Latency
from sfemulator.replies import Reply
from sfemulator.sessions import SessionBook
from sfemulator.store import OrgStore
from sfemulator.usage import ApiUsage


class QueryJobs(Protocol):
    """The org's Bulk API 2.0 query jobs (``sfemulator.bulk.BulkJobs``), as the REST resources reach them."""

    @property
    def daily_remaining(self) -> int: ...

    def daily_limit(self) -> int: ...

    def handle(
        self, kind: str, method: str, version: str, segments: list[str], params: dict[str, list[str]], body: bytes,
        *, queue_seconds: float = 0.0, failure: str | None = None,
    ) -> Reply: ...  # fmt: skip


Clock = Callable[[], datetime] | datetime | None


class EmulatedOrg(Protocol):
    store: OrgStore
    page_size: int
    clock: Clock
    sessions: SessionBook
    usage: ApiUsage
    cursors: CursorBook
    faults: Faults
    latency: Latency
    bulk: QueryJobs

    @property
    def directory(self) -> Path: ...

    def now(self) -> datetime: ...
