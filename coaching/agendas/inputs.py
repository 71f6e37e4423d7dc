"""Everything one week's agendas of one org are built from, read in a fixed handful of queries.

The build never queries per manager or per rep: people, the week's gaps, the snoozes in force, earlier
agenda items (rotation, carry-over, dismissals), open commitments, the deals the gaps point at, 1:1 lengths
and the team trends are each one query for the whole org, then planned in memory.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q

from coaching.agendas.rotation import LOOKBACK_WEEKS, History, PastItem
from coaching.agendas.team import Trend, load_trends
from coaching.agendas.teams import OrgChart, PersonRow, org_chart
from coaching.calibration.holdout import split as holdout_split
from coaching.gaps.catalogue import HOLDOUT
from coaching.gaps.org_settings import OrgRuleSettings
from coaching.models import AgendaItem, Commitment, Gap, HeldOutItem, ManagerPreference, Snooze
from crm.models import Opportunity, Org, Person

DEFAULT_ONE_ON_ONE_MINUTES = 30
# How long a dismissal is remembered: a gap dismissed within this many weeks stays out while it is the same
# episode (open without a break since before the dismissal) and has not grown clearly worse.
DISMISS_MEMORY_WEEKS = 8
# Keys in a gap's evidence that list the deals behind it (ids, or records with an "sf_id"); the rules write
# "deals" (records with name, amount, stage and close date).
_EVIDENCE_DEAL_KEYS = ("deals", "opportunity_sf_ids")


@dataclass(frozen=True)
class DealRow:
    sf_id: str
    name: str
    amount: Decimal | None
    stage: str
    close_date: date | None
    owner_sf_id: str
    is_closed: bool


@dataclass(frozen=True)
class CommitmentRow:
    id: int
    manager_sf_id: str
    person_sf_id: str  # the rep it concerns: its item's rep, else its owner
    owner_sf_id: str
    text: str
    due_date: date
    status: str
    week_start: date


@dataclass
class WeekInputs:
    org: Org
    week_start: date
    chart: OrgChart
    gaps_by_person: dict[str, list[Gap]]
    snoozed: list[tuple[Gap, Snooze]]
    history: History
    dismissed: dict[tuple[str, str], PastItem]  # (manager, key) -> the latest dismissal
    deals: dict[str, DealRow]
    minutes: dict[str, int]
    commitments: list[CommitmentRow]
    trends: dict[str, list[Trend]]
    instance_url: str = ""
    unassigned_gaps: int = 0  # gaps of people who are on no frontline team
    held_out: list[HeldOutItem] = field(default_factory=list)  # randomised hold-out (coaching.calibration.holdout)
    _open_commitments: Counter = field(default_factory=Counter, init=False, repr=False)

    def __post_init__(self) -> None:
        self._open_commitments = Counter(
            (row.manager_sf_id, row.person_sf_id) for row in self.commitments if row.status == Commitment.Status.OPEN
        )

    def open_commitments(self, manager_sf_id: str, person_sf_id: str) -> int:
        return self._open_commitments[(manager_sf_id, person_sf_id)]

    def one_on_one_minutes(self, manager_sf_id: str) -> int:
        return self.minutes.get(manager_sf_id, DEFAULT_ONE_ON_ONE_MINUTES)

    def deal_url(self, sf_id: str) -> str:
        # The CRM's short record URL redirects to the record in whichever UI the user has.
        return f"{self.instance_url.rstrip('/')}/{sf_id}" if self.instance_url else ""


def load_week(org: Org, week_start: date) -> WeekInputs:
    people = [
        PersonRow(sf_id, name or sf_id, manager or "", active)
        for sf_id, name, manager, active in Person.live.filter(org=org).values_list(
            "sf_id", "name", "manager_sf_id", "is_active"
        )
    ]
    chart = org_chart(people)
    gaps = list(Gap.objects.filter(org=org, week_start=week_start).order_by("person_sf_id", "code", "id"))
    holdout = OrgRuleSettings.load(org).guard(HOLDOUT.code)
    gaps, held_out = holdout_split(org.pk, week_start, gaps, holdout["share"] if holdout else 0.0)
    snoozes: dict[tuple[str, str], list[Snooze]] = defaultdict(list)
    for active in Snooze.objects.filter(org=org, until__gte=week_start):
        snoozes[(active.code, active.person_sf_id)].append(active)
    gaps_by_person: dict[str, list[Gap]] = defaultdict(list)
    snoozed: list[tuple[Gap, Snooze]] = []
    unassigned = 0
    for gap in gaps:
        snooze = _snooze_for(gap, snoozes)
        if snooze is not None:
            snoozed.append((gap, snooze))
        elif chart.team_of(gap.person_sf_id) is None:
            unassigned += 1
        else:
            gaps_by_person[gap.person_sf_id].append(gap)
    return WeekInputs(
        org=org,
        week_start=week_start,
        chart=chart,
        gaps_by_person=dict(gaps_by_person),
        snoozed=snoozed,
        history=History(week_start, _past_items(org, week_start, LOOKBACK_WEEKS)),
        dismissed=_dismissals(org, week_start),
        deals=_deals(org, week_start, gaps),
        minutes=dict(ManagerPreference.objects.filter(org=org).values_list("manager_sf_id", "one_on_one_minutes")),
        commitments=_commitments(org, week_start),
        trends=load_trends(org, week_start),
        instance_url=org.crm_base_url,
        unassigned_gaps=unassigned,
        held_out=held_out,
    )


def _snooze_for(gap: Gap, snoozes: dict[tuple[str, str], list[Snooze]]) -> Snooze | None:
    """The snooze in force for a gap: one on its code and rep, for every deal (blank) or for its deal."""
    for snooze in snoozes.get((gap.code, gap.person_sf_id), ()):
        if snooze.opportunity_sf_id in ("", gap.opportunity_sf_id):
            return snooze
    return None


_PAST_FIELDS = (
    "id",
    "agenda__week_start",
    "agenda__manager_sf_id",
    "key",
    "kind",
    "code",
    "family",
    "person_sf_id",
    "status",
    "status_reason",
    "severity",
    "title",
    "metric",
    "is_current",
    "position",
)


def _past_items(org: Org, week_start: date, weeks: int, **filters) -> list[PastItem]:
    rows = AgendaItem.objects.filter(
        agenda__org=org,
        agenda__week_start__gte=week_start - timedelta(weeks=weeks),
        agenda__week_start__lt=week_start,
        **filters,
    ).values_list(*_PAST_FIELDS)
    return [PastItem(*row) for row in rows]


def _dismissals(org: Org, week_start: date) -> dict[tuple[str, str], PastItem]:
    latest: dict[tuple[str, str], PastItem] = {}
    past = _past_items(org, week_start, DISMISS_MEMORY_WEEKS, status=AgendaItem.Status.DISMISSED)
    for item in sorted(past, key=lambda item: item.week_start):
        latest[(item.manager_sf_id, item.key)] = item
    return latest


def evidence_deals(evidence: object) -> list[dict]:
    """The deals a gap's evidence names, in its order, as records with at least an ``sf_id``."""
    if not isinstance(evidence, dict):
        return []
    found: list[dict] = []
    seen: set[str] = set()
    for key in _EVIDENCE_DEAL_KEYS:
        for entry in evidence.get(key) or []:
            record = entry if isinstance(entry, dict) else {"sf_id": entry}
            sf_id = record.get("sf_id") or record.get("id")
            if isinstance(sf_id, str) and sf_id and sf_id not in seen:
                seen.add(sf_id)
                found.append({**record, "sf_id": sf_id})
    return found


def deal_from_record(record: dict, owner_sf_id: str) -> DealRow | None:
    """A deal from the facts the rules stored with it (name, amount, stage, close date), if they did."""
    if not record.get("name"):
        return None
    close = record.get("close_date")
    if isinstance(close, str):
        try:
            close = date.fromisoformat(close[:10])
        except ValueError:
            close = None
    amount = record.get("amount")
    stage = str(record.get("stage") or "")
    # Rules store the stage, not always the closed flag: a "Closed Won" deal listed without it was shown as
    # something to act on this week.
    closed = record.get("is_closed")
    if closed is None:
        closed = record.get("is_won") is not None or stage.lower().startswith("closed")
    return DealRow(
        sf_id=record["sf_id"],
        name=str(record["name"]),
        amount=Decimal(str(amount)) if isinstance(amount, int | float) else None,
        stage=stage,
        close_date=close if isinstance(close, date) else None,
        owner_sf_id=owner_sf_id,
        is_closed=bool(closed),
    )


def _deals(org: Org, week_start: date, gaps: list[Gap]) -> dict[str, DealRow]:
    """The deals the week's gaps point at: flagged on a deal, or named in a gap's evidence.

    The rules store each named deal's facts with it; only deals without them are read from the database.
    """
    deals: dict[str, DealRow] = {}
    unknown: set[str] = set()
    for gap in gaps:
        for record in evidence_deals(gap.evidence):
            deal = deal_from_record(record, gap.person_sf_id)
            if deal is not None:
                deals.setdefault(deal.sf_id, deal)
            else:
                unknown.add(record["sf_id"])
    rows = Opportunity.objects.filter(org=org, is_deleted=False)
    if any(gap.opportunity_sf_id for gap in gaps):
        # A subquery rather than thousands of bound ids: the gaps name these deals themselves.
        flagged = Gap.objects.filter(org=org, week_start=week_start).exclude(opportunity_sf_id="")
        deals.update({row.sf_id: row for row in _deal_rows(rows.filter(sf_id__in=flagged.values("opportunity_sf_id")))})
    ids = sorted(unknown - set(deals))
    for start in range(0, len(ids), 500):
        deals.update({row.sf_id: row for row in _deal_rows(rows.filter(sf_id__in=ids[start : start + 500]))})
    return deals


def _deal_rows(queryset) -> list[DealRow]:
    return [
        DealRow(*row)
        for row in queryset.values_list("sf_id", "name", "amount", "stage", "close_date", "owner_sf_id", "is_closed")
    ]


def recently_closed(week_start: date) -> Q:
    """Commitments closed last week or this week: shown once as done / dropped, then no more."""
    return Q(closed_at__date__gte=week_start - timedelta(weeks=1), closed_at__date__lt=week_start + timedelta(weeks=1))


def _commitments(org: Org, week_start: date) -> list[CommitmentRow]:
    """Open commitments made before this week, and those closed recently (``recently_closed``)."""
    rows = (
        Commitment.objects.filter(agenda__org=org, agenda__week_start__lt=week_start)
        .filter(Q(status=Commitment.Status.OPEN) | recently_closed(week_start))
        .values_list(
            "id",
            "agenda__manager_sf_id",
            "item__person_sf_id",
            "owner_sf_id",
            "text",
            "due_date",
            "status",
            "agenda__week_start",
        )
        .order_by("due_date", "id")
    )
    return [
        CommitmentRow(id_, manager, person or owner, owner, text, due, status, week)
        for id_, manager, person, owner, text, due, status, week in rows
    ]
