"""The Team page: reps x where/how/what (a heat grid of gap severity), 13 weeks of team trends, and the
team-session topics; plus the overview of teams a director or org admin sees. A fixed number of grouped
queries whatever the size of the team: never one per rep.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Avg, Count, Q, Sum

from coaching.agendas.figures import peer_line
from coaching.agendas.team import TREND_METRICS
from coaching.gaps.catalogue import RULES_BY_CODE
from coaching.metrics.names import METRICS
from coaching.models import Agenda, AgendaItem, Family, Gap, MetricSnapshot
from coaching.portal.queries.weeks import trailing_weeks
from coaching.visibility import Scope
from crm.models import Person

FAMILIES = [Family.WHERE, Family.HOW, Family.WHAT]
_SUMMED_UNITS = {"count", "amount"}  # as the agendas' team trends: counts and amounts add up over the team


@dataclass
class GridGap:
    pk: int
    code: str
    title: str
    line: str
    severity: float
    weeks_open: int


@dataclass
class GridCell:
    family: str
    gaps: list[GridGap] = field(default_factory=list)

    @property
    def severity(self) -> float:
        return max((gap.severity for gap in self.gaps), default=0.0)


@dataclass
class GridRow:
    sf_id: str
    name: str
    cells: list[GridCell]
    strengths: list[str]

    @property
    def total(self) -> float:
        return sum(cell.severity for cell in self.cells)


@dataclass
class TeamTrend:
    metric: str
    label: str
    values: list[float | None]  # one per week, oldest first

    @property
    def latest(self) -> float | None:
        return next((value for value in reversed(self.values) if value is not None), None)

    @property
    def earliest(self) -> float | None:
        return next((value for value in self.values if value is not None), None)


@dataclass
class TeamPage:
    manager: Person
    week: date | None
    rows: list[GridRow]
    weeks: list[date]
    trends: list[TeamTrend]
    agenda: Agenda | None
    topics: list[AgendaItem]

    @property
    def families(self) -> list[Family]:
        return FAMILIES


def team_page(scope: Scope, manager: Person, week: date | None) -> TeamPage:
    reps = list(
        scope.filter(Person.live.filter(manager_sf_id=manager.sf_id), field="sf_id")
        .exclude(sf_id=manager.sf_id)
        .filter(is_active=True)
        .order_by("name", "sf_id")
        .values_list("sf_id", "name")
    )
    rows = grid_rows(scope.org_id, reps, week)
    weeks = trailing_weeks(week) if week else []
    agenda = (
        scope.filter_agendas(Agenda.objects.filter(manager_sf_id=manager.sf_id, week_start=week)).first()
        if week
        else None
    )
    topics = list(agenda.items.filter(kind=AgendaItem.Kind.TEAM).order_by("position")) if agenda else []
    return TeamPage(manager, week, rows, weeks, team_trends(scope.org_id, manager.sf_id, weeks), agenda, topics)


def grid_rows(org_id: int, reps: list[tuple[str, str]], week: date | None) -> list[GridRow]:
    """One row per rep: the week's open gaps by family (deal-level flags folded into their rep); empty rows
    while no week has been judged yet."""
    by_rep: dict[str, dict[str, list[GridGap]]] = defaultdict(lambda: defaultdict(list))
    strengths: dict[str, list[str]] = defaultdict(list)
    people = [sf_id for sf_id, _ in reps]
    gaps = Gap.objects.filter(org_id=org_id, week_start=week, person_sf_id__in=people) if week else Gap.objects.none()
    for gap in gaps.order_by("-severity", "code"):
        rule = RULES_BY_CODE.get(gap.code)
        title = rule.title if rule else gap.code
        if gap.is_strength:
            # "Far ahead of the team: win rate" reads as just the metric in a narrow column.
            strengths[gap.person_sf_id].append(METRICS[gap.metric].label if gap.metric in METRICS else title)
            continue
        cell = by_rep[gap.person_sf_id][gap.family]
        if any(existing.code == gap.code for existing in cell):
            continue  # a rule flagging several deals shows once, at its most severe
        cell.append(GridGap(gap.pk, gap.code, title, peer_line(gap), gap.severity, gap.weeks_open))
    return [
        GridRow(
            sf_id=sf_id,
            name=name,
            cells=[GridCell(family, by_rep[sf_id][family]) for family in FAMILIES],
            strengths=strengths[sf_id],
        )
        for sf_id, name in reps
    ]


def team_trends(org_id: int, manager_sf_id: str, weeks: list[date]) -> list[TeamTrend]:
    """The agendas' trend metrics for the team over ``weeks``, from the snapshots (one grouped query)."""
    if not weeks:
        return []
    rows = (
        MetricSnapshot.objects.filter(
            org_id=org_id,
            manager_sf_id=manager_sf_id,
            week_start__gte=weeks[0],
            week_start__lte=weeks[-1],
            name__in=TREND_METRICS,
            value__isnull=False,
        )
        .values("week_start", "name")
        .annotate(total=Sum("value"), mean=Avg("value"))
    )
    index = {week: position for position, week in enumerate(weeks)}
    values: dict[str, list[float | None]] = {metric: [None] * len(weeks) for metric in TREND_METRICS}
    for row in rows:
        summed = METRICS[row["name"]].unit in _SUMMED_UNITS
        values[row["name"]][index[row["week_start"]]] = float(row["total"] if summed else row["mean"])
    return [
        TeamTrend(metric, METRICS[metric].label, values[metric])
        for metric in TREND_METRICS
        if any(value is not None for value in values[metric])
    ]


@dataclass
class TeamSummary:
    agenda: Agenda
    manager_name: str
    reps: int
    items: int
    handled: int
    team_topics: int


def teams_overview(scope: Scope, week: date | None) -> list[TeamSummary]:
    """The week's agendas the user may open, with how far each manager got (one query)."""
    if week is None:
        return []
    agendas = (
        scope.filter_agendas(Agenda.objects.filter(week_start=week))
        .annotate(
            item_count=Count("items", filter=Q(items__is_current=True)),
            handled=Count("items", filter=Q(items__is_current=True) & ~Q(items__status=AgendaItem.Status.OPEN)),
            topics=Count("items", filter=Q(items__kind=AgendaItem.Kind.TEAM)),
        )
        .order_by("manager_sf_id")
    )
    summaries = [
        TeamSummary(
            agenda=agenda,
            manager_name=(agenda.content.get("manager") or {}).get("name") or agenda.manager_sf_id,
            reps=len(agenda.content.get("reps", [])),
            items=agenda.item_count,
            handled=agenda.handled,
            team_topics=agenda.topics,
        )
        for agenda in agendas
    ]
    return sorted(summaries, key=lambda summary: summary.manager_name)
