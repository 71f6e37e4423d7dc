"""What the request handlers need of an emulated org, as a protocol: the handlers (rest, control) depend on this,
not on the ``OrgEmulator`` that routes requests to them, so no module imports its own importer."""

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Protocol

from sfemulator.cursors import CursorBook
from sfemulator.faults import Faults
from sfemulator.sessions import SessionBook
from sfemulator.store import OrgStore
from sfemulator.usage import ApiUsage

Clock = Callable[[], datetime] | datetime | None


class EmulatedOrg(Protocol):
    store: OrgStore
    page_size: int
    clock: Clock
    sessions: SessionBook
    usage: ApiUsage
    cursors: CursorBook
    faults: Faults

    @property
    def directory(self) -> Path: ...

    def now(self) -> datetime: ...
