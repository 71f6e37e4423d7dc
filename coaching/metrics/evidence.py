"""The records behind a metric, a few per rep: what a manager opens when a gap names the metric."""

from collections.abc import Sequence
from typing import Any

from django.db.models import F, OrderBy, QuerySet, Window
from django.db.models.functions import RowNumber

from coaching.metrics.result import EVIDENCE_LIMIT


def evidence_ids(
    queryset: QuerySet,
    order_by: Sequence[OrderBy | F | str],
    owner: str = "owner_sf_id",
    record: str = "sf_id",
    limit: int = EVIDENCE_LIMIT,
) -> dict[str, list[str]]:
    """Up to ``limit`` record ids per owner, first by ``order_by``: one query, whatever the number of reps."""
    ranking = [F(item[1:]).desc() if isinstance(item, str) and item.startswith("-") else item for item in order_by]
    ranking = [F(item).asc() if isinstance(item, str) else item for item in ranking]
    ranked = (
        queryset.annotate(evidence_rank=Window(RowNumber(), partition_by=[F(owner)], order_by=[*ranking, F(record)]))
        .filter(evidence_rank__lte=limit)
        .values_list(owner, record, "evidence_rank")
    )
    found: dict[str, list[tuple[int, str]]] = {}
    for owner_id, record_id, rank in ranked:
        found.setdefault(owner_id, []).append((rank, record_id))
    return {owner_id: [record_id for _, record_id in sorted(rows)] for owner_id, rows in found.items()}


def ids_for(found: dict[str, list[str]], owner: str) -> list[Any]:
    return found.get(owner, [])
