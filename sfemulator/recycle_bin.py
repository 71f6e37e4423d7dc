"""Which rows a query sees: the recycle bin, purging, and archived activities.

``IsDeleted`` rows sit in the recycle bin: ``query`` omits them, ``queryAll`` and getDeleted return them,
until they are purged (invisible everywhere) once their SystemModstamp is more than 15 days before the
emulator's clock. ``IsArchived`` activities (Tasks and Events older than a year) are seen by ``queryAll`` only.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sfemulator.temporal import dt_key, key_of

RECYCLE_BIN_DAYS = 15

Record = dict[str, Any]


def purge_cutoff(now: datetime) -> str:
    return key_of(now - timedelta(days=RECYCLE_BIN_DAYS))


def deleted_at(record: Record) -> str | None:
    """When a recycled row was deleted: its SystemModstamp (CreatedDate for rows without one)."""
    stamp = record.get("SystemModstamp") or record.get("CreatedDate")
    return stamp if isinstance(stamp, str) else None


def is_purged(record: Record, cutoff: str) -> bool:
    if not record.get("IsDeleted"):
        return False
    stamp = deleted_at(record)
    return stamp is not None and dt_key(stamp) < cutoff


def visibility(include_deleted: bool, now: datetime) -> Callable[[Record], bool]:
    if not include_deleted:
        return lambda record: not record.get("IsDeleted") and not record.get("IsArchived")
    cutoff = purge_cutoff(now)
    return lambda record: not record.get("IsDeleted") or not is_purged(record, cutoff)
