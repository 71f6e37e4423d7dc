"""Sizing a 1:1 to the manager's time: minutes per rep against the 1:1 length the manager set.

The estimate is deliberately simple so a manager can check it: 5 minutes to open, 6 per focus topic plus
2 per deal to open in it (at most three), 2 for the strength, 2 per follow-up and 1 per open commitment.
When the estimate passes the 1:1 length, the lowest-ranked focus topics are held back — never the first
one — and the agenda says so. The team meeting gets 5 minutes for trends and 10 per team topic.
"""

from coaching.agendas.items import PlannedItem
from coaching.models import AgendaItem

CHECK_IN_MINUTES = 5
TOPIC_MINUTES = 6
DEAL_MINUTES = 2
DEALS_COUNTED = 3
STRENGTH_MINUTES = 2
FOLLOW_UP_MINUTES = 2
COMMITMENT_MINUTES = 1
TEAM_TRENDS_MINUTES = 5
TEAM_TOPIC_MINUTES = 10


def item_minutes(item: PlannedItem) -> int:
    if item.kind == AgendaItem.Kind.GAP:
        return TOPIC_MINUTES + DEAL_MINUTES * min(len(item.deals), DEALS_COUNTED)
    if item.kind == AgendaItem.Kind.STRENGTH:
        return STRENGTH_MINUTES
    if item.kind == AgendaItem.Kind.FOLLOW_UP:
        return FOLLOW_UP_MINUTES
    return TEAM_TOPIC_MINUTES


def fit_to_time(
    topics: list[PlannedItem], other: list[PlannedItem], commitments: int, limit: int
) -> tuple[list[PlannedItem], list[PlannedItem], int]:
    """Keep the best-ranked ``topics`` that fit ``limit`` minutes beside ``other`` items and commitments.

    Returns the kept topics, the held-back ones and the estimated minutes of what is kept.
    """
    for item in [*topics, *other]:
        item.minutes = item_minutes(item)
    fixed = CHECK_IN_MINUTES + sum(item.minutes for item in other) + COMMITMENT_MINUTES * commitments
    kept = list(topics)
    held: list[PlannedItem] = []
    while len(kept) > 1 and fixed + sum(item.minutes for item in kept) > limit:
        held.insert(0, kept.pop())
    return kept, held, fixed + sum(item.minutes for item in kept)


def team_minutes(topics: int, has_trends: bool) -> int:
    return (TEAM_TRENDS_MINUTES if has_trends else 0) + TEAM_TOPIC_MINUTES * topics
