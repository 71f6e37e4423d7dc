"""The closed loop: for every item discussed, did its metric move 2 and 4 weeks later?

When an item is marked discussed, two ``CoachingEffect`` rows are due (not for a recognised strength:
recognition is not meant to move a number): the same metric for the same rep
(for a team topic: the average over the reps it named) in the week 2 weeks and 4 weeks after the item's
week. Each build measures the effects whose week has come from the metric snapshots; one whose week has
come but has no snapshot value yet stays "not yet measurable" and is measured by a later build.
``before`` is the snapshot of the item's own week (the item's stored value when there is none).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q

from coaching.agendas.movement import direction
from coaching.models import AgendaItem, CoachingEffect, MetricSnapshot
from crm.models import Org

EFFECT_WEEKS = (2, 4)
# Items discussed this long before the week being built are still measured; older ones are settled.
MEASURE_LOOKBACK_WEEKS = 8


@dataclass(frozen=True)
class _Discussed:
    id: int
    week_start: date
    kind: str
    person_sf_id: str
    metric: str
    value: float | None
    details: dict

    @property
    def people(self) -> list[str]:
        if self.kind == AgendaItem.Kind.TEAM:
            return list(self.details.get("reps") or [])
        return [self.person_sf_id] if self.person_sf_id else []


def due_effects(item: AgendaItem, week_start: date) -> list[CoachingEffect]:
    """The unsaved effect rows a discussed item is due (none when it names no metric, or is a strength)."""
    if not item.metric or item.kind == AgendaItem.Kind.STRENGTH:
        return []
    return [
        CoachingEffect(
            item=item,
            weeks_after=weeks,
            metric=item.metric,
            target_week=week_start + timedelta(weeks=weeks),
            before=item.value,
        )
        for weeks in EFFECT_WEEKS
    ]


def measure_effects(org: Org, week_start: date, today: date) -> int:
    """Create missing effect rows of recently discussed items and measure those whose week has come.

    Returns how many effects got a measurement. A fixed number of queries, whatever the number of items.
    """
    earliest = week_start - timedelta(weeks=MEASURE_LOOKBACK_WEEKS)
    discussed = [
        _Discussed(*row)
        for row in AgendaItem.objects.filter(
            agenda__org=org,
            agenda__week_start__gte=earliest,
            agenda__week_start__lte=week_start,
            status=AgendaItem.Status.DISCUSSED,
        )
        .exclude(metric="")
        .exclude(kind=AgendaItem.Kind.STRENGTH)
        .values_list("id", "agenda__week_start", "kind", "person_sf_id", "metric", "value", "details")
    ]
    if not discussed:
        return 0
    existing = {
        (effect.item_id, effect.weeks_after): effect
        for effect in CoachingEffect.objects.filter(
            item__agenda__org=org, item__agenda__week_start__gte=earliest, item__agenda__week_start__lte=week_start
        )
    }
    values = _snapshot_values(org, discussed, week_start)
    created, updated, measured = [], [], 0
    for item in discussed:
        for weeks in EFFECT_WEEKS:
            target = item.week_start + timedelta(weeks=weeks)
            effect = existing.get((item.id, weeks))
            if effect is None:
                effect = CoachingEffect(item_id=item.id, weeks_after=weeks, metric=item.metric, target_week=target)
                created.append(effect)
            elif effect.after is not None or target > week_start:
                continue
            else:
                updated.append(effect)
            effect.before = _mean(values, item.people, item.metric, item.week_start)
            if effect.before is None:
                effect.before = item.value
            if target <= week_start:
                effect.after = _mean(values, item.people, item.metric, target)
                if effect.after is not None:
                    effect.moved = direction(item.metric, effect.before, effect.after) == "better"
                    effect.measured_on = today
                    measured += 1
    CoachingEffect.objects.bulk_create(created)
    CoachingEffect.objects.bulk_update(updated, ["before", "after", "moved", "measured_on"])
    return measured


def _snapshot_values(org: Org, items: list[_Discussed], week_start: date) -> dict[tuple[str, str, date], float]:
    weeks = {item.week_start for item in items}
    weeks |= {item.week_start + timedelta(weeks=k) for item in items for k in EFFECT_WEEKS}
    weeks = {week for week in weeks if week <= week_start}
    people = {person for item in items for person in item.people}
    metrics = {item.metric for item in items}
    rows = MetricSnapshot.objects.filter(
        Q(org=org, week_start__in=weeks, name__in=metrics, person_sf_id__in=people), value__isnull=False
    ).values_list("person_sf_id", "name", "week_start", "value")
    return {(person, name, week): value for person, name, week, value in rows if value is not None}


def _mean(values: dict[tuple[str, str, date], float], people: list[str], metric: str, week: date) -> float | None:
    found = [values[(person, metric, week)] for person in people if (person, metric, week) in values]
    return sum(found) / len(found) if found else None


def effects_by_item(effects: list[CoachingEffect]) -> dict[int, dict[int, CoachingEffect]]:
    grouped: dict[int, dict[int, CoachingEffect]] = defaultdict(dict)
    for effect in effects:
        grouped[effect.item_id][effect.weeks_after] = effect
    return dict(grouped)
