"""The replication resources: ``sobjects/{obj}/updated/`` (getUpdated) and ``sobjects/{obj}/deleted/`` (getDeleted).

Both round their window to whole minutes and cover [start, end). getUpdated reaches back 30 days; getDeleted
reaches back as far as the recycle bin keeps rows (15 days), older windows answer INVALID_REPLICATION_DATE.
"""

from datetime import datetime, timedelta
from typing import Any

from sfemulator.errors import ApiError
from sfemulator.recycle_bin import RECYCLE_BIN_DAYS, deleted_at, purge_cutoff
from sfemulator.store import Table
from sfemulator.temporal import dt_key, format_datetime, key_of, parse_datetime

UPDATED_REACH_DAYS = 30
MAX_IDS = 600_000


def _minute(value: datetime) -> datetime:
    return value.replace(second=0, microsecond=0)


def _bad_date(message: str) -> ApiError:
    return ApiError(400, "INVALID_REPLICATION_DATE", message)


def _window(start_text: str | None, end_text: str | None, now: datetime) -> tuple[datetime, datetime]:
    if not start_text or not end_text:
        raise ApiError(400, "MISSING_ARGUMENT", "Both start and end are required, as ISO-8601 datetimes.")
    start = parse_datetime(start_text)
    end = parse_datetime(end_text)
    if start is None or end is None:
        raise ApiError(
            400,
            "MALFORMED_QUERY",
            f"start and end must be ISO-8601 datetimes such as 2026-11-01T00:00:00+00:00 (got {start_text!r}, "
            f"{end_text!r}).",
        )
    start, end = _minute(start), _minute(end)
    if end <= start:
        raise _bad_date("startDate must chronologically precede endDate by more than one minute")
    if start > now:
        raise _bad_date("startDate cannot be in the future")
    return start, min(end, _minute(now))


def _stamp_key(record: dict[str, Any]) -> str | None:
    stamp = record.get("SystemModstamp") or record.get("CreatedDate")
    return dt_key(stamp) if isinstance(stamp, str) else None


def get_updated(table: Table, start_text: str | None, end_text: str | None, now: datetime) -> dict[str, Any]:
    start, end = _window(start_text, end_text, now)
    if start < now - timedelta(days=UPDATED_REACH_DAYS):
        raise _bad_date(f"startDate cannot be more than {UPDATED_REACH_DAYS} days before now; resync instead")
    low, high = key_of(start), key_of(end)
    ids = [
        record["Id"]
        for record in table.records
        if not record.get("IsDeleted") and (stamp := _stamp_key(record)) is not None and low <= stamp < high
    ]
    if len(ids) > MAX_IDS:
        raise ApiError(400, "EXCEEDED_ID_LIMIT", f"more than {MAX_IDS} ids; choose a shorter window")
    return {"ids": ids, "latestDateCovered": format_datetime(end)}


def get_deleted(table: Table, start_text: str | None, end_text: str | None, now: datetime) -> dict[str, Any]:
    start, end = _window(start_text, end_text, now)
    earliest = _minute(now - timedelta(days=RECYCLE_BIN_DAYS))
    if start < earliest:
        raise _bad_date(
            f"startDate is before earliestDateAvailable ({format_datetime(earliest)}): deleted records older "
            f"than {RECYCLE_BIN_DAYS} days are purged; reconcile ids instead"
        )
    low, high, cutoff = key_of(start), key_of(end), purge_cutoff(now)
    deleted = []
    for record in table.records:
        if not record.get("IsDeleted"):
            continue
        stamp = deleted_at(record)
        if not stamp:
            continue
        key = dt_key(stamp)
        if key >= cutoff and low <= key < high:
            deleted.append({"id": record["Id"], "deletedDate": format_datetime(parse_datetime(stamp) or start)})
    if len(deleted) > MAX_IDS:
        raise ApiError(400, "EXCEEDED_ID_LIMIT", f"more than {MAX_IDS} ids; choose a shorter window")
    return {
        "deletedRecords": deleted,
        "earliestDateAvailable": format_datetime(earliest),
        "latestDateCovered": format_datetime(end),
    }
