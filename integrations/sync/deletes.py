"""Reconciling ids: rows we hold that the org no longer has are tombstoned, never dropped.

Incremental syncs see deletions through queryAll (``IsDeleted`` rows in the recycle bin), but the bin
keeps them only 15 days, and hard deletes or purges never show there. A reconcile fetches every live id
of the object and compares: rows here but gone there become ``is_deleted`` (``deleted_at`` = now, since
the org no longer says when); rows we had tombstoned that the org shows alive again are restored.

The comparison happens in the database on PostgreSQL (ids COPied into a staging table); elsewhere the
two id sets are compared in Python, which is fine at the sizes SQLite is used for.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from django.db import connections, transaction

from integrations.salesforce.catalogue import SObjectSpec

_CHUNK = 500


@dataclass(frozen=True)
class Reconciled:
    tombstoned: int
    restored: int


def _scoped(spec: SObjectSpec, org_id: int, using: str):
    # Task and Event share Activity, CRM and manual quotas share Quota: reconcile only this object's rows.
    return spec.model.objects.using(using).filter(org_id=org_id, **spec.constants)


def reconcile_ids(
    spec: SObjectSpec, org_id: int, alive: Collection[str], now: datetime, using: str = "default"
) -> Reconciled:
    """Tombstone this object's rows whose ids are not in ``alive`` (every live id in the org), restore the
    tombstoned ones that are. ``alive`` must be complete: a partial list would tombstone live rows."""
    with transaction.atomic(using=using):
        if connections[using].vendor == "postgresql":
            return _reconcile_in_postgres(spec, org_id, alive, now, using)
        return _reconcile_in_python(spec, org_id, alive, now, using)


def _reconcile_in_postgres(
    spec: SObjectSpec, org_id: int, alive: Collection[str], now: datetime, using: str
) -> Reconciled:
    quote = connections[using].ops.quote_name
    table = quote(spec.table)
    scope = "".join(f" AND t.{quote(column)} = %s" for column in spec.constants)
    scope_values = list(spec.constants.values())
    with connections[using].cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE IF NOT EXISTS sync_alive_ids (sf_id varchar(18)) ON COMMIT DROP")
        cursor.execute("TRUNCATE sync_alive_ids")
        with cursor.copy("COPY sync_alive_ids (sf_id) FROM STDIN") as copy:
            for sf_id in alive:
                copy.write_row((sf_id,))
        cursor.execute("CREATE INDEX ON sync_alive_ids (sf_id)")
        cursor.execute("ANALYZE sync_alive_ids")
        cursor.execute(
            f"UPDATE {table} AS t SET is_deleted = true, deleted_at = %s "
            f"WHERE t.org_id = %s AND NOT t.is_deleted{scope} "
            "AND NOT EXISTS (SELECT 1 FROM sync_alive_ids a WHERE a.sf_id = t.sf_id)",
            [now, org_id, *scope_values],
        )
        tombstoned = cursor.rowcount
        cursor.execute(
            f"UPDATE {table} AS t SET is_deleted = false, deleted_at = NULL "
            f"WHERE t.org_id = %s AND t.is_deleted{scope} "
            "AND EXISTS (SELECT 1 FROM sync_alive_ids a WHERE a.sf_id = t.sf_id)",
            [org_id, *scope_values],
        )
        restored = cursor.rowcount
        cursor.execute("DROP TABLE sync_alive_ids")
    return Reconciled(tombstoned, restored)


def _reconcile_in_python(
    spec: SObjectSpec, org_id: int, alive: Collection[str], now: datetime, using: str
) -> Reconciled:
    alive_set = alive if isinstance(alive, set | frozenset) else set(alive)
    rows = _scoped(spec, org_id, using)
    gone = [sf_id for sf_id in rows.filter(is_deleted=False).values_list("sf_id", flat=True) if sf_id not in alive_set]
    back = [sf_id for sf_id in rows.filter(is_deleted=True).values_list("sf_id", flat=True) if sf_id in alive_set]
    tombstoned = restored = 0
    for start in range(0, len(gone), _CHUNK):
        chunk = gone[start : start + _CHUNK]
        tombstoned += rows.filter(sf_id__in=chunk, is_deleted=False).update(is_deleted=True, deleted_at=now)
    for start in range(0, len(back), _CHUNK):
        chunk = back[start : start + _CHUNK]
        restored += rows.filter(sf_id__in=chunk, is_deleted=True).update(is_deleted=False, deleted_at=None)
    return Reconciled(tombstoned, restored)
