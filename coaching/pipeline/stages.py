"""Which stages are won, lost or open, and how far along each open stage is, from the org's deals (one
GROUP BY over the opportunities, one over their history).

A stage is closed when most deals in it are closed (won or lost by IsWon); an open stage's position is its
typical probability over the history rows (every stage a deal passed through, not only where deals are
now), so stages the org gives the same probability (Prospecting and Qualification at 10 %) share a position
and a move between them is neither forward nor back.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Q

from crm.models import Opportunity, OpportunityChange, Org


@dataclass(frozen=True)
class Stages:
    won: frozenset[str]
    lost: frozenset[str]
    ranks: dict[str, float]  # open stage -> typical probability

    def rank_case(self, column: str) -> tuple[str, list[Any]]:
        """A SQL expression giving an open stage's position, null for any other stage."""
        if not self.ranks:
            return "CAST(NULL AS FLOAT)", []
        whens = " ".join("WHEN %s THEN %s" for _ in self.ranks)
        params: list[Any] = []
        for stage, rank in sorted(self.ranks.items()):
            params.extend([stage, rank])
        return f"(CASE {column} {whens} END)", params

    @staticmethod
    def member(column: str, stages: frozenset[str]) -> tuple[str, list[Any]]:
        if not stages:
            return "(1 = 0)", []
        return f"({column} IN ({', '.join('%s' for _ in stages)}))", sorted(stages)


def org_stages(org: Org | int) -> Stages:
    org_id = org if isinstance(org, int) else org.pk
    won: set[str] = set()
    lost: set[str] = set()
    ranks: dict[str, float] = {}
    rows = (
        Opportunity.live.filter(org_id=org_id)
        .exclude(stage="")
        .values("stage")
        .order_by()
        .annotate(
            open=Count("id", filter=Q(is_closed=False)),
            won=Count("id", filter=Q(is_closed=True, is_won=True)),
            lost=Count("id", filter=Q(is_closed=True, is_won=False)),
        )
    )
    for row in rows:
        if row["won"] + row["lost"] > row["open"]:
            (won if row["won"] >= row["lost"] else lost).add(row["stage"])
    typical = (
        OpportunityChange.live.filter(org_id=org_id, probability__isnull=False)
        .exclude(stage="")
        .values("stage")
        .order_by()
        .annotate(probability=Avg("probability"))
    )
    for row in typical:
        if row["stage"] not in won and row["stage"] not in lost:
            ranks[row["stage"]] = round(float(row["probability"]), 1)
    return Stages(frozenset(won), frozenset(lost), ranks)
