"""Writing one page of mapped rows into its table: insert new rows, update changed ones, never go back in time.

A row is written when its id is new, when its ``system_modstamp`` is newer than the stored one, or when the
stamp is the same but the values differ (a changed mapping, a ``--full`` re-sync). An older version never
overwrites a newer one, so replays after a crash and the look-back overlap are harmless.

Two paths, one rule:
- PostgreSQL: COPY the rows into a temporary staging table, then one ``INSERT … SELECT … ON CONFLICT
  (org_id, sf_id) DO UPDATE … WHERE <newer or different>``. No model instances, no per-row SQL.
- Other databases: read the stored stamps of the page's ids, keep what is newer or different, then
  ``bulk_create(update_conflicts=True)``.

Both must run inside the caller's transaction (the page's), which also advances the high-water mark.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import DataError, IntegrityError, connections, transaction

from integrations.salesforce.catalogue import SObjectSpec
from integrations.salesforce.mapping import RecordError

Row = tuple[Any, ...]
_ID, _STAMP, _DELETED, _EXTRA = 0, 2, 3, 5  # positions in a mapped row (see catalogue.BASE_COLUMNS)
_IN_CHUNK = 500  # ids per IN (...) list: under every backend's parameter limit


@dataclass
class Written:
    rows: int = 0  # inserted or changed
    deleted: int = 0  # of those, rows now tombstoned
    errors: list[RecordError] | None = None

    def __iadd__(self, other: "Written") -> "Written":
        self.rows += other.rows
        self.deleted += other.deleted
        return self


class Upserter(Protocol):
    def upsert(self, spec: SObjectSpec, org_id: int, rows: Sequence[Row]) -> Written: ...


class PostgresUpserter:
    """COPY into a staging table, then one set-based upsert."""

    def __init__(self, using: str = "default") -> None:
        self.using = using
        self._sql: dict[str, tuple[str, str, str, str]] = {}

    def _statements(self, spec: SObjectSpec) -> tuple[str, str, str, str]:
        cached = self._sql.get(spec.name)
        if cached:
            return cached
        quote = connections[self.using].ops.quote_name
        table, stage = quote(spec.table), quote(f"sync_stage_{spec.table}")
        columns = spec.columns()
        listed = ", ".join(quote(column) for column in columns)
        changing = [column for column in columns if column != "sf_id"]
        assignments = ", ".join(f"{quote(column)} = EXCLUDED.{quote(column)}" for column in changing)
        stored = ", ".join(f"t.{quote(column)}" for column in changing)
        incoming = ", ".join(f"EXCLUDED.{quote(column)}" for column in changing)
        create = (
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DROP AS SELECT {listed} FROM {table} WITH NO DATA"
        )
        truncate = f"TRUNCATE {stage}"
        copy = f"COPY {stage} ({listed}) FROM STDIN"
        upsert = (
            f"INSERT INTO {table} AS t ({quote('org_id')}, {listed}) SELECT %s, {listed} FROM {stage} "
            f"ON CONFLICT ({quote('org_id')}, {quote('sf_id')}) DO UPDATE SET {assignments} "
            f"WHERE t.system_modstamp IS NULL OR EXCLUDED.system_modstamp > t.system_modstamp "
            f"OR (EXCLUDED.system_modstamp = t.system_modstamp AND ({stored}) IS DISTINCT FROM ({incoming})) "
            f"RETURNING t.is_deleted"
        )
        self._sql[spec.name] = (create, truncate, copy, upsert)
        return self._sql[spec.name]

    def upsert(self, spec: SObjectSpec, org_id: int, rows: Sequence[Row]) -> Written:
        if not rows:
            return Written()
        connection = connections[self.using]
        if not connection.in_atomic_block:
            raise RuntimeError("upsert must run inside the page's transaction (the staging table lives in it)")
        create, truncate, copy_sql, upsert = self._statements(spec)
        dumps = json.dumps
        with connection.cursor() as cursor:
            cursor.execute(create)
            cursor.execute(truncate)
            with cursor.copy(copy_sql) as copy:
                write = copy.write_row
                for row in rows:
                    # extra is jsonb: COPY takes its JSON text.
                    write((*row[:_EXTRA], dumps(row[_EXTRA]), *row[_EXTRA + 1 :]))
            cursor.execute(upsert, [org_id])
            written = cursor.fetchall()
        return Written(rows=len(written), deleted=sum(1 for (deleted,) in written if deleted))


class BulkCreateUpserter:
    """The portable path: Django's ``bulk_create(update_conflicts=True)`` after a newer-or-different filter."""

    def __init__(self, using: str = "default") -> None:
        self.using = using

    def upsert(self, spec: SObjectSpec, org_id: int, rows: Sequence[Row]) -> Written:
        if not rows:
            return Written()
        model = spec.model
        columns = spec.columns()
        manager = model.objects.using(self.using)
        ids = [row[_ID] for row in rows]
        stamps: dict[str, Any] = {}
        for start in range(0, len(ids), _IN_CHUNK):
            chunk = ids[start : start + _IN_CHUNK]
            stamps.update(manager.filter(org_id=org_id, sf_id__in=chunk).values_list("sf_id", "system_modstamp"))
        keep: list[Row] = []
        same_stamp: dict[str, Row] = {}
        for row in rows:
            if row[_ID] not in stamps:
                keep.append(row)
                continue
            stored = stamps[row[_ID]]
            if stored is None or (row[_STAMP] is not None and row[_STAMP] > stored):
                keep.append(row)
            elif row[_STAMP] == stored:
                same_stamp[row[_ID]] = row
        if same_stamp:
            keep.extend(self._changed(manager, org_id, columns, same_stamp))
        if not keep:
            return Written()
        instances = [model(org_id=org_id, **dict(zip(columns, row, strict=True))) for row in keep]
        manager.bulk_create(
            instances,
            update_conflicts=True,
            unique_fields=["org", "sf_id"],
            update_fields=[column for column in columns if column != "sf_id"],
            batch_size=_IN_CHUNK,
        )
        return Written(rows=len(keep), deleted=sum(1 for row in keep if row[_DELETED]))

    @staticmethod
    def _changed(manager: Any, org_id: int, columns: tuple[str, ...], candidates: dict[str, Row]) -> list[Row]:
        changed = []
        ids = list(candidates)
        for start in range(0, len(ids), _IN_CHUNK):
            chunk = ids[start : start + _IN_CHUNK]
            for stored in manager.filter(org_id=org_id, sf_id__in=chunk).values_list(*columns):
                incoming = candidates[stored[_ID]]
                if tuple(stored) != incoming:
                    changed.append(incoming)
        return changed


def upserter_for(using: str = "default") -> Upserter:
    """The fastest correct path for the database behind ``using``."""
    if connections[using].vendor == "postgresql":
        return PostgresUpserter(using)
    return BulkCreateUpserter(using)


def upsert_page(upserter: Upserter, spec: SObjectSpec, org_id: int, rows: Sequence[Row]) -> Written:
    """Upsert ``rows``; if the database refuses the batch, retry row by row so one bad row is reported
    (with its id and the database's reason) and every other row is still saved."""
    using = getattr(upserter, "using", "default")
    try:
        with transaction.atomic(using=using):
            result = upserter.upsert(spec, org_id, rows)
        result.errors = []
        return result
    except (DataError, IntegrityError):
        pass
    total = Written(errors=[])
    for row in rows:
        try:
            with transaction.atomic(using=using):
                total += upserter.upsert(spec, org_id, [row])
        except (DataError, IntegrityError) as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            total.errors.append(RecordError(row[_ID], f"the database refused the row: {reason}"))
    return total
