"""The org's stage order, learned from its data: Salesforce gives each stage a default probability that
rises through the sales process, so open stages are ordered by their typical probability; stages that share
one (Prospecting and Qualification both at 10 %) are ordered by which way deals usually move between them.

Closed stages are the ones closed deals sit in, split into won and lost by IsWon; a stage seen only in the
history counts as won at 100 % and lost at 0 %.
"""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Q

from coaching.metrics.reps import Scope
from coaching.metrics.stage_history import DealHistory, Transition
from crm.models import Opportunity


@dataclass(frozen=True)
class StageOrder:
    ranks: dict[str, int]  # open stages, 0 = earliest
    won: frozenset[str]
    lost: frozenset[str]
    transitions: list[Transition]  # (owner, from, to, in the 91-day window?, count)

    def is_regression(self, before: str, after: str) -> bool:
        return before in self.ranks and after in self.ranks and self.ranks[after] < self.ranks[before]

    def rank_case(self, column: str) -> tuple[str, list[Any]]:
        """A SQL CASE giving an open stage's rank, null for any other stage."""
        if not self.ranks:
            return "CAST(NULL AS INTEGER)", []
        whens = " ".join("WHEN %s THEN %s" for _ in self.ranks)
        params: list[Any] = []
        for stage, rank in self.ranks.items():
            params.extend([stage, rank])
        return f"(CASE {column} {whens} END)", params

    def as_json(self) -> list[str]:
        return sorted(self.ranks, key=self.ranks.__getitem__)


def stage_order(scope: Scope, history: DealHistory) -> StageOrder:
    probabilities: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])  # stage -> [sum, n]
    closed_as: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # stage -> [open, won, lost]
    for row in (
        Opportunity.live.filter(org=scope.org)
        .values("stage")
        .order_by()
        .annotate(
            avg_probability=Avg("probability"),
            with_probability=Count("probability"),
            open=Count("id", filter=Q(is_closed=False)),
            won=Count("id", filter=Q(is_closed=True, is_won=True)),
            lost=Count("id", filter=Q(is_closed=True, is_won=False)),
        )
    ):
        _add(probabilities[row["stage"]], row["avg_probability"], row["with_probability"])
        closed_as[row["stage"]] = [row["open"], row["won"], row["lost"]]
    for stage, average, count in history.stage_probabilities():
        _add(probabilities[stage], average, count)

    won: set[str] = set()
    lost: set[str] = set()
    open_stages: dict[str, float] = {}
    for stage, (total, weight) in probabilities.items():
        if not stage:
            continue
        typical = total / weight if weight else None
        still_open, won_count, lost_count = closed_as.get(stage, (0, 0, 0))
        if won_count + lost_count > still_open:
            (won if won_count >= lost_count else lost).add(stage)
        elif not still_open and typical in (0.0, 100.0):
            (won if typical == 100.0 else lost).add(stage)
        elif typical is not None:
            open_stages[stage] = typical
    flows = history.transitions()
    ordered = _order(open_stages, flows)
    return StageOrder({stage: rank for rank, stage in enumerate(ordered)}, frozenset(won), frozenset(lost), flows)


def _add(accumulator: list[float], average: Any, count: int) -> None:
    if count:
        accumulator[0] += float(average) * count
        accumulator[1] += count


def _order(typical: dict[str, float], flows: list[Transition]) -> list[str]:
    moved: dict[tuple[str, str], int] = defaultdict(int)
    for _owner, before, after, _recent, count in flows:
        moved[before, after] += count

    def forward_flow(stage: str) -> int:
        # Among stages of equal probability, the one deals mostly leave for the others comes first.
        peers = [other for other in typical if other != stage and round(typical[other], 1) == round(typical[stage], 1)]
        return sum(moved[stage, peer] - moved[peer, stage] for peer in peers)

    return sorted(typical, key=lambda stage: (round(typical[stage], 1), -forward_flow(stage), stage))
