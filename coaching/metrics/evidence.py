"""The records behind a metric, a few per rep: what a manager opens when a gap names the metric."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import BooleanField, Expression, ExpressionWrapper, F, OrderBy, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from coaching.metrics.result import EVIDENCE_LIMIT

Ordering = Sequence[OrderBy | F]


@dataclass(frozen=True)
class EvidenceSet:
    """The records of a queryset that meet ``where`` (all of them when None), first by ``order_by``."""

    order_by: Ordering
    where: Q | Expression | None = None  # a condition: Q, a lookup, Exists


def evidence_sets(
    queryset: QuerySet,
    sets: dict[str, EvidenceSet],
    owner: str = "owner_sf_id",
    record: str = "sf_id",
    limit: int = EVIDENCE_LIMIT,
) -> dict[str, dict[str, list[str]]]:
    """Up to ``limit`` record ids per set and owner, in one query (one scan, a ranking per set)."""
    annotations: dict[str, Expression] = {}
    keep = Q()
    for index, chosen in enumerate(sets.values()):
        ranking = [*chosen.order_by, F(record).asc()]
        if chosen.where is None:
            annotations[f"evidence_rank_{index}"] = Window(RowNumber(), partition_by=[F(owner)], order_by=ranking)
            keep |= Q(**{f"evidence_rank_{index}__lte": limit})
            continue
        flag = ExpressionWrapper(chosen.where, output_field=BooleanField())
        annotations[f"evidence_in_{index}"] = flag
        annotations[f"evidence_rank_{index}"] = Window(RowNumber(), partition_by=[F(owner), flag], order_by=ranking)
        keep |= Q(**{f"evidence_in_{index}": True, f"evidence_rank_{index}__lte": limit})
    columns = [f"evidence_rank_{index}" for index in range(len(sets))]
    flags = [f"evidence_in_{index}" if sets[name].where is not None else None for index, name in enumerate(sets)]
    rows = queryset.annotate(**annotations).filter(keep).values_list(owner, record, *columns, *filter(None, flags))
    found: dict[str, dict[str, list[tuple[int, str]]]] = {name: {} for name in sets}
    for row in rows:
        owner_id, record_id, ranks, in_sets = row[0], row[1], row[2 : 2 + len(columns)], iter(row[2 + len(columns) :])
        for name, rank, flag_column in zip(sets, ranks, flags, strict=True):
            member = next(in_sets) if flag_column else True
            if member and rank <= limit:
                found[name].setdefault(owner_id, []).append((rank, record_id))
    return {
        name: {owner_id: [record_id for _, record_id in sorted(ids)] for owner_id, ids in by_owner.items()}
        for name, by_owner in found.items()
    }


def evidence_ids(
    queryset: QuerySet,
    order_by: Ordering,
    owner: str = "owner_sf_id",
    record: str = "sf_id",
    limit: int = EVIDENCE_LIMIT,
) -> dict[str, list[str]]:
    """Up to ``limit`` record ids per owner, first by ``order_by``: one query, whatever the number of reps."""
    return evidence_sets(queryset, {"ids": EvidenceSet(order_by)}, owner, record, limit)["ids"]
