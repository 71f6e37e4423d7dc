"""The closed loop: for every topic discussed, did the metric it was about move, against the topics that
were not discussed?

When a rep-level gap topic whose code has a leading metric (``coaching.calibration.leading``) is marked
discussed, one ``CoachingEffect`` row is due, for 4 weeks after (a recognised strength, a team topic, a deal
topic or a code that cannot be re-measured in 28 days gets none). Each build measures the rows whose 28 days
are over with the one definition the director's page uses (``coaching.calibration.effect``): the topic's
leading metric before and after, against its matched controls over the 13 gap weeks the page reads that
week. Too few controls stays "not enough data yet" (``moved`` None) and is tried again by later builds.
"""

from collections import defaultdict
from datetime import date, timedelta

from coaching.calibration.effect import Case, control_pools, gap_cases, item_effect
from coaching.calibration.leading import LEADING, WEEKS
from coaching.calibration.measure import measurable_weeks
from coaching.models import AgendaItem, CoachingEffect, LeadingMeasure
from crm.models import Org

EFFECT_WEEKS = (WEEKS,)
# Topics discussed this long before the week being built are still measured; older ones are settled.
MEASURE_LOOKBACK_WEEKS = 13 + WEEKS


def has_effect(item: AgendaItem) -> bool:
    return (
        item.kind == AgendaItem.Kind.GAP
        and not item.opportunity_sf_id
        and bool(item.person_sf_id)
        and item.code in LEADING
    )


def due_effects(item: AgendaItem, week_start: date) -> list[CoachingEffect]:
    """The unsaved effect row a discussed topic is due (none when its code has no leading metric)."""
    if not has_effect(item):
        return []
    return [
        CoachingEffect(
            item=item, weeks_after=weeks, metric=item.metric, target_week=week_start + timedelta(weeks=weeks)
        )
        for weeks in EFFECT_WEEKS
    ]


def measure_effects(org: Org, week_start: date, today: date) -> int:
    """Measure the due effect rows of recently discussed topics whose 28 days are over; returns how many got
    an answer (an effect, or a settled "not enough data yet"). A fixed number of queries."""
    earliest = week_start - timedelta(weeks=MEASURE_LOOKBACK_WEEKS)
    latest = week_start - timedelta(weeks=WEEKS)
    items = [
        item
        for item in AgendaItem.objects.filter(
            agenda__org=org, agenda__week_start__gte=earliest, agenda__week_start__lte=latest,
            status=AgendaItem.Status.DISCUSSED, kind=AgendaItem.Kind.GAP, opportunity_sf_id="", code__in=list(LEADING),
        ).select_related("agenda")
        if has_effect(item)
    ]  # fmt: skip
    if not items:
        return 0
    existing = {
        effect.item_id: effect
        for effect in CoachingEffect.objects.filter(item__in=items, weeks_after=WEEKS).exclude(moved__isnull=False)
    }
    settled = set(CoachingEffect.objects.filter(item__in=items, moved__isnull=False).values_list("item_id", flat=True))
    measures = {
        (row.person_sf_id, row.code, row.week_start): row
        for row in LeadingMeasure.objects.filter(
            org=org, week_start__gte=earliest, person_sf_id__in={item.person_sf_id for item in items}
        )
    }
    pools = control_pools(gap_cases(org.pk, *measurable_weeks(week_start)))
    created, updated = [], []
    for item in items:
        if item.id in settled:
            continue
        row = measures.get((item.person_sf_id, item.code, item.agenda.week_start))
        if row is None:
            continue  # the gap week is not measured (yet)
        case = Case(row.manager_sf_id, row.person_sf_id, row.code, row.week_start, row.severity, True, row.before,
                    row.after)  # fmt: skip
        found = item_effect(case, pools)
        effect = existing.get(item.id)
        if effect is None:
            effect = due_effects(item, item.agenda.week_start)[0]
            created.append(effect)
        else:
            updated.append(effect)
        effect.before, effect.after, effect.moved = found.before, found.after, found.moved
        effect.control_change, effect.controls = found.control_change, found.controls
        effect.control_kind, effect.score, effect.measured_on = found.control_kind, found.score, today
    CoachingEffect.objects.bulk_create(created)
    fields = ["before", "after", "moved", "control_change", "controls", "control_kind", "score", "measured_on"]
    CoachingEffect.objects.bulk_update(updated, fields)
    return sum(1 for effect in created + updated if effect.moved is not None)


def effects_by_item(effects: list[CoachingEffect]) -> dict[int, dict[int, CoachingEffect]]:
    grouped: dict[int, dict[int, CoachingEffect]] = defaultdict(dict)
    for effect in effects:
        grouped[effect.item_id][effect.weeks_after] = effect
    return dict(grouped)
