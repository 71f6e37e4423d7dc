"""Records that did not land whole: kept as ``SyncPendingRecord`` and re-fetched by id on every run.

A record the database refused, or one saved with a field that could not be converted, is not fetched again
by the incremental query once its stamp falls behind the mark. So it is remembered here with its field and
reason, read again by id at the start of each run of its object, and forgotten when it lands whole or the
org no longer has it.
"""

from collections.abc import Iterable

from django.db.models import F
from django.utils import timezone

from integrations.models import SyncPendingRecord
from integrations.salesforce.mapping import FieldPlan, RecordError

# Ids per retry query: 100 ids of 18 characters keep the query string far below any URL limit.
IDS_PER_QUERY = 100


def remember(org_id: int, sobject: str, errors: Iterable[RecordError]) -> None:
    """Keep (or refresh) a pending entry for every record in ``errors`` that has an id."""
    entries = {
        error.sf_id: SyncPendingRecord(
            org_id=org_id, sobject=sobject, sf_id=error.sf_id[:18], field=error.field[:80], reason=error.reason
        )
        for error in errors
        if error.sf_id
    }
    if not entries:
        return
    SyncPendingRecord.objects.bulk_create(
        list(entries.values()),
        update_conflicts=True,
        unique_fields=["org", "sobject", "sf_id"],
        update_fields=["field", "reason", "last_tried_at"],
    )


def forget(org_id: int, sobject: str, sf_ids: Iterable[str]) -> int:
    """Drop the entries of records that landed whole (or that the org no longer has)."""
    ids = list(sf_ids)
    if not ids:
        return 0
    deleted, _ = SyncPendingRecord.objects.filter(org_id=org_id, sobject=sobject, sf_id__in=ids).delete()
    return deleted


def pending_ids(org_id: int, sobject: str) -> list[str]:
    return list(
        SyncPendingRecord.objects.filter(org_id=org_id, sobject=sobject).order_by("id").values_list("sf_id", flat=True)
    )


def tried_again(org_id: int, sobject: str, sf_ids: Iterable[str]) -> None:
    SyncPendingRecord.objects.filter(org_id=org_id, sobject=sobject, sf_id__in=list(sf_ids)).update(
        attempts=F("attempts") + 1, last_tried_at=timezone.now()
    )


def by_id_queries(plan: FieldPlan, sf_ids: list[str]) -> list[tuple[str, list[str]]]:
    """(SOQL, ids) reading the given records whole, a chunk of ids at a time."""
    fields = ", ".join(plan.select_list())
    queries = []
    for start in range(0, len(sf_ids), IDS_PER_QUERY):
        chunk = sf_ids[start : start + IDS_PER_QUERY]
        listed = ", ".join(f"'{sf_id}'" for sf_id in chunk if sf_id.isalnum())
        queries.append((f"SELECT {fields} FROM {plan.spec.name} WHERE Id IN ({listed})", chunk))
    return queries
