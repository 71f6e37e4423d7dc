"""The Rep page: every metric's 13-week trend against the team and the org, the open gaps with the
reasons they fired, and the coaching history with its measured effect. A fixed handful of queries.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Avg, Prefetch, Q

from coaching.agendas.figures import peer_line, sample
from coaching.agendas.units import metric_value, money
from coaching.gaps.catalogue import RULES_BY_CODE
from coaching.metrics.names import METRIC_NAMES, METRICS
from coaching.models import AgendaItem, AgendaNote, CoachingEffect, Commitment, Gap, MetricSnapshot, Snooze
from coaching.portal.queries.weeks import trailing_weeks
from crm.models import Opportunity, Org, Person

HISTORY_WEEKS = 26


@dataclass
class MetricTrend:
    metric: str
    label: str
    description: str
    better: str | None
    rep: list[float | None]
    team: list[float | None]
    org: list[float | None]

    @property
    def latest(self) -> float | None:
        return self.rep[-1]

    @property
    def latest_team(self) -> float | None:
        return self.team[-1]

    @property
    def latest_org(self) -> float | None:
        return self.org[-1]

    @property
    def has_data(self) -> bool:
        return any(value is not None for value in self.rep)


@dataclass
class GapCard:
    gap: Gap
    title: str
    measures: str
    line: str
    why: list[str]
    deals: list[dict[str, Any]]
    more_deals: int
    snooze: Snooze | None = None

    @property
    def snoozable(self) -> bool:
        return self.gap.code in RULES_BY_CODE


@dataclass
class HistoryEntry:
    item: AgendaItem
    notes: list[AgendaNote]
    effects: list[CoachingEffect]


@dataclass
class RepPage:
    person: Person
    manager: Person | None
    week: date | None
    weeks: list[date]
    trends: list[MetricTrend]
    gaps: list[GapCard]
    strengths: list[GapCard]
    history: list[HistoryEntry]
    commitments: list[Commitment]
    snoozes: list[Snooze] = field(default_factory=list)

    @property
    def moved(self) -> int:
        return sum(1 for entry in self.history for effect in entry.effects if effect.moved)

    @property
    def measured(self) -> int:
        return sum(1 for entry in self.history for effect in entry.effects if effect.moved is not None)


def rep_page(
    person: Person, week: date | None, today: date, *, with_notes: bool = True, full_list: str = ""
) -> RepPage:
    """``full_list``: the gap code whose deal list is shown whole (where an agenda's "and N more" leads)."""
    org_id = person.org_id
    weeks = trailing_weeks(week) if week else []
    manager = Person.live.filter(org_id=org_id, sf_id=person.manager_sf_id).first() if person.manager_sf_id else None
    instance_url = Org.objects.filter(pk=org_id).values_list("crm_base_url", flat=True).first() or ""
    snoozes = list(Snooze.objects.filter(org_id=org_id, person_sf_id=person.sf_id, until__gte=today).order_by("until"))
    gaps = list(Gap.objects.filter(org_id=org_id, week_start=week, person_sf_id=person.sf_id)) if week else []
    cards = [
        _gap_card(gap, instance_url, snoozes, whole=gap.code == full_list)
        for gap in sorted(gaps, key=lambda g: (-g.severity, g.code))
    ]
    _fill_deals(org_id, cards)
    history = coaching_history(org_id, person.sf_id, week or today, with_notes=with_notes)
    if not with_notes:
        # The rep's own view: the manager's reasons (dismissing, snoozing) are as private as their notes. The
        # rows are read for this page only and never saved.
        for snooze in snoozes:
            snooze.reason = ""
        for entry in history:
            entry.item.status_reason = ""
    return RepPage(
        person=person,
        manager=manager,
        week=week,
        weeks=weeks,
        trends=metric_trends(org_id, person, weeks),
        gaps=[card for card in cards if not card.gap.is_strength],
        strengths=[card for card in cards if card.gap.is_strength],
        history=history,
        commitments=list(
            Commitment.objects.filter(agenda__org_id=org_id)
            .filter(Q(owner_sf_id=person.sf_id) | Q(item__person_sf_id=person.sf_id))
            .filter(Q(status=Commitment.Status.OPEN) | Q(closed_at__date__gte=today - timedelta(weeks=4)))
            .order_by("status", "due_date", "id")
        ),
        snoozes=snoozes,
    )


def metric_trends(org_id: int, person: Person, weeks: list[date]) -> list[MetricTrend]:
    """Each metric over ``weeks``: the rep's value, the team's average and the org's (three grouped queries)."""
    if not weeks:
        return []
    window = {"org_id": org_id, "week_start__gte": weeks[0], "week_start__lte": weeks[-1], "value__isnull": False}
    index = {week: position for position, week in enumerate(weeks)}

    def blank() -> dict[str, list[float | None]]:
        return {name: [None] * len(weeks) for name in METRIC_NAMES}

    rep, team, org = blank(), blank(), blank()
    for name, week, value in MetricSnapshot.objects.filter(person_sf_id=person.sf_id, **window).values_list(
        "name", "week_start", "value"
    ):
        if name in rep:
            rep[name][index[week]] = value
    if person.manager_sf_id:
        team_rows = (
            MetricSnapshot.objects.filter(manager_sf_id=person.manager_sf_id, **window)
            .values("name", "week_start")
            .annotate(mean=Avg("value"))
        )
        for row in team_rows:
            if row["name"] in team:
                team[row["name"]][index[row["week_start"]]] = row["mean"]
    org_rows = MetricSnapshot.objects.filter(**window).values("name", "week_start").annotate(mean=Avg("value"))
    for row in org_rows:
        if row["name"] in org:
            org[row["name"]][index[row["week_start"]]] = row["mean"]
    trends = [
        MetricTrend(name, METRICS[name].label, METRICS[name].description, METRICS[name].better, *series)
        for name, series in ((name, (rep[name], team[name], org[name])) for name in METRIC_NAMES)
    ]
    return [trend for trend in trends if trend.has_data]


def coaching_history(org_id: int, person_sf_id: str, until: date, *, with_notes: bool = True) -> list[HistoryEntry]:
    """The rep's agenda items the manager acted on (or noted) in the last weeks, newest first, with effects."""
    since = until - timedelta(weeks=HISTORY_WEEKS)
    items = (
        AgendaItem.objects.filter(
            agenda__org_id=org_id,
            person_sf_id=person_sf_id,
            agenda__week_start__gte=since,
            agenda__week_start__lte=until,
        )
        .filter(~Q(status=AgendaItem.Status.OPEN) | Q(notes__isnull=False))
        .distinct()
        .select_related("agenda", "status_changed_by")
        .prefetch_related(Prefetch("effects", queryset=CoachingEffect.objects.order_by("weeks_after")))
        .order_by("-agenda__week_start", "kind", "position")
    )
    if with_notes:
        items = items.prefetch_related(Prefetch("notes", queryset=AgendaNote.objects.select_related("created_by")))
    return [
        HistoryEntry(item, list(item.notes.all()) if with_notes else [], list(item.effects.all())) for item in items
    ]


def why_lines(gap: Gap) -> list[str]:
    """Why the rule fired, in words: the comparison, the statistics that guard it, the window and the stake."""
    evidence: dict[str, Any] = gap.evidence if isinstance(gap.evidence, dict) else {}
    lines = []
    if evidence.get("summary"):
        lines.append(str(evidence["summary"]))
    reference = evidence.get("reference")
    if reference == "team":
        lines.append("Compared with the median of teammates who have enough data of their own.")
    elif reference == "org":
        lines.append("Compared with the org's median: too few teammates have enough data to compare with the team.")
    interval = evidence.get("interval")
    z = (evidence.get("thresholds") or {}).get("z")
    if isinstance(interval, list) and len(interval) == 2 and evidence.get("peer_median") is not None:
        level = {1.645: "90%", 1.96: "95%", 1.282: "80%"}.get(round(float(z), 3), "") if z else ""
        lines.append(
            f"The rep's {level + ' ' if level else ''}range is {interval[0] * 100:.0f}% to {interval[1] * 100:.0f}%: "
            f"all of it on the wrong side of the peers' {evidence['peer_median'] * 100:.0f}%, so it is not chance."
        )
    if evidence.get("chance") is not None:
        lines.append(
            f"A count this far from the peers' would happen by chance {float(evidence['chance']):.1%} of the time."
        )
    if evidence.get("org_percentile") is not None:
        rank = round(float(evidence["org_percentile"]) * 100)
        lines.append(f"Ranks at the {_ordinal(rank)} percentile of the org's reps on this figure (100th: the highest).")
    window = _window(evidence.get("window"))
    if window:
        basis = sample(gap.metric, gap.n)
        lines.append(f"Measured over {window}" + (f", from {basis}." if basis else "."))
    if gap.weeks_open > 1:
        lines.append(f"Open for {gap.weeks_open} weeks (since the week of {gap.first_week.day} {gap.first_week:%b}).")
    if gap.revenue_at_stake:
        stake = money(gap.revenue_at_stake)
        lines.append(f"About {stake} of business depends on it.")
    return lines


def _fill_deals(org_id: int, cards: list[GapCard]) -> None:
    """Name, amount, stage and close date for deals a rule listed by id only (one query for the page)."""
    missing = {deal["sf_id"] for card in cards for deal in card.deals if not deal.get("name")}
    if not missing:
        return
    found = {
        row["sf_id"]: row
        for row in Opportunity.objects.filter(org_id=org_id, sf_id__in=missing).values(
            "sf_id", "name", "amount", "stage", "close_date"
        )
    }
    for card in cards:
        for deal in card.deals:
            if not deal.get("name") and deal["sf_id"] in found:
                deal.update({key: value for key, value in found[deal["sf_id"]].items() if value is not None})


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _window(window: object) -> str:
    """ "1 Jun to 29 Nov 2026" from the rule's [start, end]; "" for a point in time or bad data."""
    if not (isinstance(window, list) and len(window) == 2 and window[0] != window[1]):
        return ""
    try:
        start, end = date.fromisoformat(window[0]), date.fromisoformat(window[1])
    except (TypeError, ValueError):
        return ""
    first = f"{start.day} {start:%b}" + (f" {start.year}" if start.year != end.year else "")
    return f"{first} to {end.day} {end:%b %Y}"


def _gap_card(gap: Gap, instance_url: str, snoozes: list[Snooze], *, whole: bool = False) -> GapCard:
    rule = RULES_BY_CODE.get(gap.code)
    evidence: dict[str, Any] = gap.evidence if isinstance(gap.evidence, dict) else {}
    deals = [deal for deal in evidence.get("deals") or [] if isinstance(deal, dict) and deal.get("sf_id")]
    shown = [
        {**deal, "url": f"{instance_url.rstrip('/')}/{deal['sf_id']}" if instance_url else ""}
        for deal in (deals if whole else deals[:5])
    ]
    total = int(evidence.get("deals_total") or len(deals))
    snooze = next(
        (s for s in snoozes if s.code == gap.code and s.opportunity_sf_id in ("", gap.opportunity_sf_id)), None
    )
    return GapCard(
        gap=gap,
        title=rule.title if rule else gap.code,
        measures=rule.measures if rule else "",
        line=peer_line(gap) or (metric_value(gap.metric, gap.value) if gap.metric else ""),
        why=why_lines(gap),
        deals=shown,
        more_deals=max(total - len(shown), 0),
        snooze=snooze,
    )
