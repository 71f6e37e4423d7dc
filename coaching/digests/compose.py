"""What each manager's digest says: the week's agendas they may see, cut to what fits in an email.

All digests of an org and week are composed together: the week's agendas, their items and the open
commitments are read once (three queries); each recipient then costs the visibility rule's own queries.
Every recipient goes through ``coaching.visibility`` — ``Scope.filter_agendas`` picks the agendas (an FSM's
own; a director's subtree), and ``Scope.allows`` every rep and commitment owner named — so a digest shows
exactly what its reader could open in the portal.

An FSM's digest is their own agenda: the top topics per rep, the team topics and the follow-ups due. A
director's is a summary per team below them: counts, a bar, and the team's three highest-ranked topics.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from coaching.agendas.causes import diagnose
from coaching.agendas.units import metric_value, money
from coaching.digests.calibration import director_section
from coaching.digests.links import portal_url
from coaching.digests.schedule import Recipient
from coaching.metrics.names import METRICS
from coaching.metrics.team_figures import team_label
from coaching.models import Agenda, AgendaItem, Commitment, Membership, Snooze
from coaching.visibility import Scope, scope_for
from crm.models import Org, Person

TOPICS_PER_REP = 3
TOP_TOPICS_PER_TEAM = 3
DEALS_NAMED = 2
# Every status is shown as such, as in the portal: a severe gap marked discussed is "discussed", never
# "no gap flagged" (issue 13). Handled topics come after the open ones.
SHOWN_STATUSES = tuple(AgendaItem.Status.values)
STATUS_WORDS = {"discussed": "discussed", "deferred": "deferred", "dismissed": "dismissed", "open": ""}


@dataclass(frozen=True)
class DealLink:
    name: str
    amount: str
    url: str  # into the CRM; "" when the org has no instance address
    chance: str = ""  # "12 % to win": the org's win model on a flagged deal (docs/backtest.md)

    @property
    def text(self) -> str:
        facts = ", ".join(fact for fact in (self.amount, self.chance) if fact)
        return f"{self.name} ({facts})" if facts else self.name


@dataclass
class Topic:
    title: str
    detail: str = ""
    question: str = ""
    deals: str = ""
    rep_name: str = ""
    deferred: bool = False
    score: float = 0.0
    status: str = "open"
    snoozed_until: date | None = None
    deal_links: list[DealLink] = field(default_factory=list)
    more_deals: int = 0

    @property
    def handled(self) -> bool:
        return self.status != AgendaItem.Status.OPEN

    @property
    def state(self) -> str:
        """What the portal shows for it: discussed, deferred, dismissed, snoozed until …, or nothing."""
        words = STATUS_WORDS.get(self.status, self.status)
        if self.snoozed_until is not None:
            snoozed = f"snoozed until {self.snoozed_until.day} {self.snoozed_until:%b}"
            return f"{words}, {snoozed}" if words else snoozed
        return words


@dataclass
class FollowUp:
    text: str
    who: str
    due_date: date
    overdue: bool


@dataclass
class RepDigest:
    sf_id: str
    name: str
    minutes: int
    limit: int
    topics: list[Topic] = field(default_factory=list)
    strength: Topic | None = None
    from_last_week: list[Topic] = field(default_factory=list)
    in_team_meeting: list[str] = field(default_factory=list)
    diagnosis: str = ""  # the cause several topics share (coaching.agendas.causes), as on the portal's list

    @property
    def bar_percent(self) -> int:
        """The 1:1 plan as a share of the meeting's length (the HTML bar), capped at a full bar."""
        return min(100, round(100 * self.minutes / self.limit)) if self.limit else 0

    @property
    def over_time(self) -> bool:
        return self.minutes > self.limit

    @property
    def has_content(self) -> bool:
        return bool(self.topics or self.strength or self.from_last_week)


@dataclass
class TeamDigest:
    manager_sf_id: str
    manager_name: str
    one_on_one_minutes: int
    reps: list[RepDigest] = field(default_factory=list)
    team_topics: list[Topic] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    bar_percent: int = 0
    # (metric, label, value) as the agenda's team table shows them: the agenda content's trends, written from
    # coaching.metrics.team_figures, under the same labels.
    figures: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def topic_count(self) -> int:
        return sum(len(rep.topics) for rep in self.reps) + len(self.team_topics)

    @property
    def overdue_count(self) -> int:
        return sum(1 for follow_up in self.follow_ups if follow_up.overdue)

    @property
    def top_topics(self) -> list[Topic]:
        topics = [*self.team_topics, *(topic for rep in self.reps for topic in rep.topics)]
        return sorted(topics, key=lambda topic: -topic.score)[:TOP_TOPICS_PER_TEAM]

    @property
    def has_content(self) -> bool:
        return bool(self.team_topics or self.follow_ups or any(rep.has_content for rep in self.reps))


@dataclass
class Digest:
    recipient: Recipient
    org_name: str
    week_start: date
    teams: list[TeamDigest]
    portal_url: str
    # A director's calibration section (coaching.calibration): None for a frontline manager.
    calibration: Any = None
    calibration_url: str = ""

    @property
    def is_director(self) -> bool:
        return self.recipient.role == Membership.Role.DIRECTOR

    @property
    def is_empty(self) -> bool:
        """Nothing to say: no topic, strength, follow-up or commitment due on any agenda it covers."""
        return not any(team.has_content for team in self.teams)

    @property
    def topic_count(self) -> int:
        return sum(team.topic_count for team in self.teams)

    @property
    def rep_count(self) -> int:
        return sum(len(team.reps) for team in self.teams)

    @property
    def follow_up_count(self) -> int:
        return sum(len(team.follow_ups) for team in self.teams)

    @property
    def overdue_count(self) -> int:
        return sum(team.overdue_count for team in self.teams)

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)

    @property
    def greeting(self) -> str:
        """By the local hour the manager chose to get it (an on-demand send keeps that wording)."""
        hour = self.recipient.send_time.hour
        part = "morning" if hour < 12 else "afternoon" if hour < 18 else "evening"
        return f"Good {part} {self.recipient.first_name}"

    @property
    def headline(self) -> str:
        """The week in one line, e.g. "7 topics for 4 reps, 2 follow-ups due (1 overdue)"."""
        parts = [f"{_count(self.topic_count, 'topic')} for {_count(self.rep_count, 'rep')}"]
        if self.is_director:
            parts[0] += f" in {_count(len(self.teams), 'team')}"
        if self.follow_up_count:
            overdue = f" ({self.overdue_count} overdue)" if self.overdue_count else ""
            parts.append(f"{_count(self.follow_up_count, 'follow-up')} due{overdue}")
        return ", ".join(parts)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@dataclass
class _Week:
    """One org's week, read once for all of its digests."""

    agendas: dict[int, Agenda]
    items: dict[int, list[AgendaItem]]
    commitments: dict[str, list[Commitment]]
    names: dict[str, str]
    snoozes: dict[tuple[str, str], date] = field(default_factory=dict)  # (rep, code) -> until


def compose_digests(org: Org, week_start: date, recipients: list[Recipient]) -> dict[str, Digest]:
    """Each recipient's digest of the week, by their CRM id; a digest may be empty (``Digest.is_empty``)."""
    week = _load_week(org, week_start)
    link = portal_url(week_start)
    digests = {}
    for recipient in recipients:
        scope = scope_for(recipient.user)
        teams = _teams(week, scope, week_start) if scope is not None and scope.org_id == org.pk else []
        digest = digests[recipient.manager_sf_id] = Digest(recipient, str(org), week_start, teams, link)
        if digest.is_director and scope is not None and teams:
            digest.calibration, digest.calibration_url = director_section(scope, week_start)
    return digests


def _load_week(org: Org, week_start: date) -> _Week:
    agendas = {agenda.pk: agenda for agenda in Agenda.objects.filter(org=org, week_start=week_start)}
    items: dict[int, list[AgendaItem]] = defaultdict(list)
    for item in AgendaItem.objects.filter(
        agenda__org=org, agenda__week_start=week_start, is_current=True, status__in=SHOWN_STATUSES
    ).order_by("agenda_id", "kind", "person_sf_id", "position", "key"):
        items[item.agenda_id].append(item)
    # Follow-ups due: every open commitment (they carry over until closed) due by the end of this week.
    commitments: dict[str, list[Commitment]] = defaultdict(list)
    for commitment in (
        Commitment.objects.filter(
            agenda__org=org,
            agenda__week_start__lte=week_start,
            status=Commitment.Status.OPEN,
            due_date__lte=week_start + timedelta(days=6),
        )
        .select_related("agenda", "item")
        .order_by("due_date", "id")
    ):
        commitments[commitment.agenda.manager_sf_id].append(commitment)
    names: dict[str, str] = {}
    for agenda in agendas.values():
        names.update({rep["sf_id"]: rep["name"] for rep in agenda.content.get("reps", [])})
        manager = agenda.content.get("manager") or {}
        names[agenda.manager_sf_id] = manager.get("name") or agenda.manager_sf_id
    owners = {c.owner_sf_id for rows in commitments.values() for c in rows} - names.keys()
    if owners:
        names.update(Person.objects.filter(org=org, sf_id__in=owners).values_list("sf_id", "name"))
    snoozes: dict[tuple[str, str], date] = {}
    for person, code, until in Snooze.objects.filter(org=org, until__gte=week_start, opportunity_sf_id="").values_list(
        "person_sf_id", "code", "until"
    ):
        snoozes[(person, code)] = max(until, snoozes.get((person, code), until))
    return _Week(agendas, items, commitments, names, snoozes)


def _teams(week: _Week, scope: Scope, week_start: date) -> list[TeamDigest]:
    visible = set(scope.filter_agendas(Agenda.objects.filter(week_start=week_start)).values_list("pk", flat=True))
    teams = [
        _team(week, agenda, scope, week_start)
        for agenda in sorted(week.agendas.values(), key=lambda a: week.names.get(a.manager_sf_id, ""))
        if agenda.pk in visible
    ]
    most = max((team.topic_count for team in teams), default=0)
    for team in teams:
        team.bar_percent = round(100 * team.topic_count / most) if most else 0
    return teams


def _team(week: _Week, agenda: Agenda, scope: Scope, week_start: date) -> TeamDigest:
    names = week.names
    team = TeamDigest(agenda.manager_sf_id, names.get(agenda.manager_sf_id, ""), agenda.one_on_one_minutes)
    team.figures = [
        (trend["metric"], team_label(trend["metric"]), metric_value(trend["metric"], trend["this_week"]))
        for trend in (agenda.content.get("team") or {}).get("trends", [])
        if trend.get("metric") in METRICS and trend.get("this_week") is not None
    ]
    items = [item for item in week.items.get(agenda.pk, []) if not item.person_sf_id or scope.allows(item.person_sf_id)]
    for rep in agenda.content.get("reps", []):
        if not scope.allows(rep["sf_id"]):
            continue
        mine = [item for item in items if item.person_sf_id == rep["sf_id"]]
        digest = RepDigest(rep["sf_id"], rep["name"], rep.get("minutes", 0), agenda.one_on_one_minutes)
        topics = [
            _topic(item, rep["name"], week.snoozes)
            for item in mine
            if item.kind == AgendaItem.Kind.GAP and item.is_current
        ]
        digest.topics = sorted(topics, key=lambda topic: topic.handled)[:TOPICS_PER_REP]
        found = diagnose([item for item in mine if item.kind == AgendaItem.Kind.GAP and item.is_current])
        digest.diagnosis = found.title if found is not None and found.cause else ""
        strengths = [_topic(item, rep["name"]) for item in mine if item.kind == AgendaItem.Kind.STRENGTH]
        digest.strength = strengths[0] if strengths else None
        digest.from_last_week = [_topic(item, rep["name"]) for item in mine if item.kind == AgendaItem.Kind.FOLLOW_UP]
        digest.in_team_meeting = list(rep.get("in_team_session", []))
        team.reps.append(digest)
    team.team_topics = [
        _topic(item, "Team")
        for item in items
        if item.kind in (AgendaItem.Kind.TEAM, AgendaItem.Kind.FOLLOW_UP) and not item.person_sf_id
    ]
    for commitment in week.commitments.get(agenda.manager_sf_id, []):
        about = commitment.item.person_sf_id if commitment.item is not None and commitment.item.person_sf_id else ""
        if not scope.allows(commitment.owner_sf_id) or (about and not scope.allows(about)):
            continue
        who = "You" if commitment.owner_sf_id == scope.person_sf_id else names.get(commitment.owner_sf_id, "")
        who = who or commitment.owner_sf_id
        team.follow_ups.append(FollowUp(commitment.text, who, commitment.due_date, commitment.due_date < week_start))
    return team


def _topic(item: AgendaItem, rep_name: str, snoozes: dict[tuple[str, str], date] | None = None) -> Topic:
    links = [
        DealLink(
            deal.get("name") or deal.get("sf_id", ""),
            money(deal["amount"]) if deal.get("amount") is not None else "",
            deal.get("url") or "",
            _chance(deal.get("win_probability")),
        )
        for deal in item.deals[:DEALS_NAMED]
    ]
    named = [link.text for link in links]
    more = len(item.deals) - len(named) + (item.details.get("more_deals") or 0)
    deals = ", ".join(named) + (f" and {more} more" if named and more else "")
    return Topic(
        title=item.title,
        detail=item.evidence[0] if item.evidence else "",
        question=item.question,
        deals=deals,
        rep_name=rep_name,
        deferred=item.status == AgendaItem.Status.DEFERRED,
        score=item.score,
        status=item.status,
        snoozed_until=(snoozes or {}).get((item.person_sf_id, item.code)) if item.person_sf_id else None,
        deal_links=links,
        more_deals=more if links else 0,
    )


def _chance(probability: object) -> str:
    return f"{float(probability) * 100:.0f} % to win" if isinstance(probability, int | float) else ""
