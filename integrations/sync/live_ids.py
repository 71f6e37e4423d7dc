"""The id reconcile, streamed: the org's live ids compared with ours without holding an object's ids.

Incremental syncs see deletions through queryAll (``IsDeleted`` rows in the recycle bin), but the bin keeps
them about 15 days and hard deletes or purges never show there. A reconcile lists every id the org has and
compares: our rows it no longer has are tombstoned (``is_deleted``, ``deleted_at`` = now, since the org no
longer says when); tombstoned rows it shows alive again are restored. Two ways, neither holding a whole
object's ids in Python:

- **REST, merge-join.** ``SELECT Id, IsDeleted FROM X ORDER BY Id`` through queryAll (recycle-bin rows come
  flagged, archived activities too) is read page by page and merged with our rows read in the same order,
  ``CHUNK`` at a time: a server-side cursor ``ORDER BY sf_id COLLATE "C"`` on PostgreSQL, keyset pages on
  SQLite (whose default collation is byte order too). Salesforce orders ids by their bytes; should an answer
  come out of order anyway, ``OutOfOrder`` stops the reconcile and nothing is changed, since a merge over a
  wrong order would tombstone live rows.
- **Bulk, staged.** A Bulk API 2.0 ``queryAll`` of the ids, each page staged into a temporary table (one
  short COPY per page on PostgreSQL, never left open while the next page is downloaded: a backend held in
  COPY-in blocks DROP/CREATE DATABASE across the cluster; an ``executemany`` INSERT elsewhere), then compared
  in two UPDATE statements.

Either way the changes commit together with the step's fence; any failure (Bulk or REST) rolls them back.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connections, transaction

from integrations.salesforce.bulk import BulkQuery
from integrations.salesforce.catalogue import SObjectSpec
from integrations.salesforce.converters import reference
from integrations.salesforce.errors import QueryError
from integrations.sync import lease
from integrations.sync.job import ObjectJob

CHUNK = 500  # our rows read, and ids updated, at a time
_CURSOR = "sync_held_ids"
_STAGE = "sync_live_ids"


@dataclass(frozen=True)
class Reconciled:
    tombstoned: int
    restored: int


class OutOfOrder(QueryError):
    """The org's ids did not come in ascending byte order, so they cannot be merged with ours."""

    default_code = "OUT_OF_ORDER"


def reconcile(job: ObjectJob, now: datetime, *, bulk: bool, using: str = "default") -> Reconciled:
    """Reconcile ``job.spec``'s ids through Bulk (``bulk``) or REST pages, in one transaction with the fence."""
    spec, run = job.spec, job.run
    with transaction.atomic(using=using):
        if bulk:
            result = stage_and_compare(spec, run.org_id, bulk_live_pages(job), now, using)
        else:
            result = merge(spec, run.org_id, ordered_live_ids(rest_id_pages(job), spec.name), now, using)
        lease.fence(run.pk, run.org_id, job.token, job.lease)
    return result


# --- What the org has ------------------------------------------------------------------------------------


def rest_id_pages(job: ObjectJob) -> Iterator[list[dict[str, Any]]]:
    return job.client.query_pages(f"SELECT Id, IsDeleted FROM {job.spec.name} ORDER BY Id", include_deleted=True)


def ordered_live_ids(pages: Iterable[list[dict[str, Any]]], sobject: str) -> Iterator[str]:
    """The live ids of ``pages`` (recycle-bin rows left out), checked to ascend strictly: ``OutOfOrder`` if not."""
    to_id = reference()
    last = ""
    for records in pages:
        for record in records:
            sf_id = _id_of(record, to_id)
            if sf_id is None:
                continue
            if sf_id <= last:
                raise OutOfOrder(
                    f"Salesforce listed {sobject} id {sf_id} after {last}: the ids did not come in ascending order, "
                    "so the reconcile of ids stopped without changing anything (it is tried again next run)"
                )
            last = sf_id
            if not record.get("IsDeleted"):
                yield sf_id


def bulk_live_pages(job: ObjectJob) -> Iterator[list[str]]:
    """The live ids through a Bulk API 2.0 ``queryAll`` job, a results page at a time (no order needed)."""
    to_id = reference()
    query = BulkQuery(job.client, job.spec.name)
    types = {"Id": "id", "IsDeleted": "boolean"}
    for records in query.pages(f"SELECT Id, IsDeleted FROM {job.spec.name}", types, include_deleted=True):
        yield [
            sf_id for record in records if not record.get("IsDeleted") and (sf_id := _id_of(record, to_id)) is not None
        ]


def _id_of(record: dict[str, Any], to_id: Callable[[Any], str | None]) -> str | None:
    """The record's 18-character id, or None when it has none or a malformed one (it is skipped, not fatal)."""
    try:
        return to_id(record.get("Id")) or None
    except ValueError:
        return None


# --- What we hold ----------------------------------------------------------------------------------------


def _scope(spec: SObjectSpec, using: str) -> tuple[str, list[Any]]:
    # Task and Event share Activity, CRM and manual quotas share Quota: only this object's rows are compared.
    quote = connections[using].ops.quote_name
    table = quote(spec.table)
    where = "".join(f" AND {table}.{quote(column)} = %s" for column in spec.constants)
    return where, list(spec.constants.values())


def held_ids(spec: SObjectSpec, org_id: int, using: str = "default", chunk: int = CHUNK) -> Iterator[tuple[str, bool]]:
    """Our rows of the object as ``(sf_id, is_deleted)`` in byte order of ``sf_id``, read ``chunk`` at a time.
    On PostgreSQL a server-side cursor, which needs the caller's transaction."""
    connection = connections[using]
    table = connection.ops.quote_name(spec.table)
    scope, values = _scope(spec, using)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if not connection.in_atomic_block:
                raise RuntimeError("held_ids reads through a cursor that lives in a transaction: call it in one")
            cursor.execute(
                f"DECLARE {_CURSOR} NO SCROLL CURSOR FOR SELECT sf_id, is_deleted FROM {table} "
                f'WHERE {table}.org_id = %s{scope} ORDER BY sf_id COLLATE "C"',
                [org_id, *values],
            )
            while rows := _fetch(cursor, f"FETCH FORWARD {int(chunk)} FROM {_CURSOR}", []):
                yield from rows
            cursor.execute(f"CLOSE {_CURSOR}")
            return
        # Keyset pages: no statement stays open while the caller updates the same table.
        last = ""
        while rows := _fetch(
            cursor,
            f"SELECT sf_id, is_deleted FROM {table} WHERE {table}.org_id = %s{scope} AND sf_id > %s "
            f"ORDER BY sf_id LIMIT {int(chunk)}",
            [org_id, *values, last],
        ):
            yield from rows
            last = rows[-1][0]


def _fetch(cursor: Any, sql: str, params: list[Any]) -> list[tuple[str, bool]]:
    cursor.execute(sql, params)
    return [(sf_id, bool(deleted)) for sf_id, deleted in cursor.fetchall()]


# --- Comparing -------------------------------------------------------------------------------------------


class _Changes:
    """Ids to tombstone and to restore, written ``chunk`` at a time."""

    def __init__(self, spec: SObjectSpec, org_id: int, now: datetime, using: str, chunk: int) -> None:
        self.rows = spec.model.objects.using(using).filter(org_id=org_id, **spec.constants)
        self.now, self.chunk = now, chunk
        self.gone: list[str] = []
        self.back: list[str] = []
        self.tombstoned = self.restored = 0

    def tombstone(self, sf_id: str) -> None:
        self.gone.append(sf_id)
        if len(self.gone) >= self.chunk:
            self.flush()

    def restore(self, sf_id: str) -> None:
        self.back.append(sf_id)
        if len(self.back) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        if self.gone:
            self.tombstoned += self.rows.filter(sf_id__in=self.gone, is_deleted=False).update(
                is_deleted=True, deleted_at=self.now
            )
            self.gone = []
        if self.back:
            self.restored += self.rows.filter(sf_id__in=self.back, is_deleted=True).update(
                is_deleted=False, deleted_at=None
            )
            self.back = []


def merge(
    spec: SObjectSpec, org_id: int, alive: Iterable[str], now: datetime, using: str = "default", chunk: int = CHUNK
) -> Reconciled:
    """Merge-join ``alive`` (the org's live ids, ascending) with our rows in the same order. Call it in a
    transaction: an ``OutOfOrder`` raised by ``alive``, even after its last id we hold, must undo every change."""
    live = iter(alive)
    changes = _Changes(spec, org_id, now, using, chunk)
    current = next(live, None)
    for sf_id, deleted in held_ids(spec, org_id, using, chunk):
        while current is not None and current < sf_id:
            current = next(live, None)  # alive there, never landed here (or not this object's kind)
        if current == sf_id:
            if deleted:
                changes.restore(sf_id)
            current = next(live, None)
        elif not deleted:
            changes.tombstone(sf_id)
    for _ in live:
        pass  # the rest of the answer is read too: its order is checked before anything commits
    changes.flush()
    return Reconciled(changes.tombstoned, changes.restored)


def stage_and_compare(
    spec: SObjectSpec, org_id: int, pages: Iterable[list[str]], now: datetime, using: str = "default"
) -> Reconciled:
    """Stage every live id of ``pages`` (in any order) in a temporary table, then tombstone and restore in two
    UPDATE statements. Call it in a transaction (the table goes with it)."""
    connection = connections[using]
    postgres = connection.vendor == "postgresql"
    quote = connection.ops.quote_name
    table = quote(spec.table)
    scope, values = _scope(spec, using)
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute(f"CREATE TEMPORARY TABLE {_STAGE} (sf_id varchar(18)) ON COMMIT DROP")
        else:
            cursor.execute(f"CREATE TEMPORARY TABLE {_STAGE} (sf_id varchar(18))")
        for page in pages:  # the page is downloaded before its COPY begins, and the COPY ends before the next
            if not page:
                continue
            if postgres:
                with cursor.copy(f"COPY {_STAGE} (sf_id) FROM STDIN") as copy:
                    for sf_id in page:
                        copy.write_row((sf_id,))
            else:
                cursor.executemany(f"INSERT INTO {_STAGE} (sf_id) VALUES (%s)", [(sf_id,) for sf_id in page])
        cursor.execute(f"CREATE INDEX {_STAGE}_sf_id ON {_STAGE} (sf_id)")
        if postgres:
            cursor.execute(f"ANALYZE {_STAGE}")
        found = f"EXISTS (SELECT 1 FROM {_STAGE} a WHERE a.sf_id = {table}.sf_id)"
        cursor.execute(
            f"UPDATE {table} SET is_deleted = %s, deleted_at = %s "
            f"WHERE {table}.org_id = %s AND {table}.is_deleted = %s{scope} AND NOT {found}",
            [True, connection.ops.adapt_datetimefield_value(now), org_id, False, *values],
        )
        tombstoned = cursor.rowcount
        cursor.execute(
            f"UPDATE {table} SET is_deleted = %s, deleted_at = NULL "
            f"WHERE {table}.org_id = %s AND {table}.is_deleted = %s{scope} AND {found}",
            [False, org_id, True, *values],
        )
        restored = cursor.rowcount
        cursor.execute(f"DROP TABLE {_STAGE}")
    return Reconciled(tombstoned, restored)
