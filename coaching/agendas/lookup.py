"""Reading agendas back: one manager's week, and everything a rendering of it shows, in a few queries."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from django.db.models import Q

from coachapp.errors import InvalidInput
from coaching.agendas.effects import MEASURE_LOOKBACK_WEEKS
from coaching.agendas.inputs import recently_closed
from coaching.models import Agenda, AgendaItem, AgendaNote, CoachingEffect, Commitment
from coaching.weeks import require_monday
from crm.models import Org, Person

# Effects still shown while "not yet measurable", this many weeks after their week came.
PENDING_EFFECT_WEEKS = 4


def agenda_for(org: Org, manager_sf_id: str, week_start: date) -> Agenda | None:
    """The manager's agenda of the ISO week starting on ``week_start`` (a Monday), or None if not built."""
    if not isinstance(org, Org):
        raise InvalidInput(f"org must be an Org, got {org!r}")
    if not isinstance(manager_sf_id, str) or not manager_sf_id.strip():
        raise InvalidInput(f"manager_sf_id must be a CRM user id, got {manager_sf_id!r}")
    require_monday(week_start)
    return Agenda.objects.filter(org=org, manager_sf_id=manager_sf_id.strip(), week_start=week_start).first()


@dataclass
class AgendaView:
    """An agenda with what it shows: items, notes, commitments (its own and carried), coaching effects."""

    agenda: Agenda
    items: list[AgendaItem]
    notes: list[AgendaNote]
    commitments: list[Commitment]
    effects: list[CoachingEffect]
    names: dict[str, str] = field(default_factory=dict)

    @cached_property
    def discussions(self) -> dict[tuple[str, str], list[date]]:
        """(rep, metric) -> the weeks the manager discussed it, within the effect lookback, oldest first.

        Read on first use: the rendered agenda needs it, the API's agenda does not.
        """
        return discussed_weeks(self.agenda)

    def effects_shown(self) -> list[CoachingEffect]:
        """One check per rep (or team topic) and metric: a measured one before a pending one, then the
        latest week, then the longest span — a topic discussed every week is not reported every time."""
        best: dict[tuple[str, str], CoachingEffect] = {}
        for effect in self.effects:
            key = (effect.item.person_sf_id or f"team:{effect.item.code}", effect.metric)
            rank = (effect.after is not None, effect.target_week, effect.weeks_after)
            current = best.get(key)
            if current is None or rank > (current.after is not None, current.target_week, current.weeks_after):
                best[key] = effect
        return sorted(
            best.values(), key=lambda e: (e.item.person_sf_id == "", self.name(e.item.person_sf_id), e.metric)
        )

    def name(self, sf_id: str) -> str:
        return self.names.get(sf_id) or sf_id

    def first_name(self, sf_id: str) -> str:
        name = self.names.get(sf_id, "")
        return name.split()[0] if name.strip() else sf_id

    def items_of(self, kind: str, person_sf_id: str | None = None) -> list[AgendaItem]:
        return sorted(
            (
                item
                for item in self.items
                if item.kind == kind and (person_sf_id is None or item.person_sf_id == person_sf_id)
            ),
            key=lambda item: (not item.is_current, item.position, item.key),
        )

    def notes_of(self, item: AgendaItem | None) -> list[AgendaNote]:
        item_id = item.pk if item else None
        return [note for note in self.notes if note.item_id == item_id]

    def commitments_of(self, person_sf_id: str | None) -> list[Commitment]:
        """Commitments about a rep (their item's rep, else their owner); None: the rest (the manager's)."""
        reps = {rep["sf_id"] for rep in self.agenda.content.get("reps", [])}

        def about(commitment: Commitment) -> str:
            return (
                commitment.item.person_sf_id
                if commitment.item is not None and commitment.item.person_sf_id
                else commitment.owner_sf_id
            )

        if person_sf_id is None:
            return [c for c in self.commitments if about(c) not in reps]
        return [c for c in self.commitments if about(c) == person_sf_id]


def load_view(agenda: Agenda) -> AgendaView:
    week = agenda.week_start
    items = list(AgendaItem.objects.filter(agenda=agenda))
    notes = list(AgendaNote.objects.filter(agenda=agenda).select_related("created_by"))
    commitments = list(
        Commitment.objects.filter(agenda__org_id=agenda.org_id, agenda__manager_sf_id=agenda.manager_sf_id)
        .filter(
            Q(agenda=agenda)
            | Q(agenda__week_start__lt=week, status=Commitment.Status.OPEN)
            | (Q(agenda__week_start__lt=week) & recently_closed(week))
        )
        # Prefetched, not joined: most weeks have none, and then the query stays small and the prefetches never run.
        .prefetch_related("item", "agenda")
        .order_by("due_date", "id")
    )
    effects = list(
        CoachingEffect.objects.filter(
            item__agenda__org_id=agenda.org_id, item__agenda__manager_sf_id=agenda.manager_sf_id
        )
        .filter(
            Q(target_week=week)
            | Q(measured_on__gte=week, target_week__lte=week)
            | Q(after__isnull=True, target_week__lt=week, target_week__gte=week - timedelta(weeks=PENDING_EFFECT_WEEKS))
        )
        .prefetch_related("item__agenda")
        .order_by("item__agenda__week_start", "item__person_sf_id", "weeks_after")
    )
    names = {rep["sf_id"]: rep["name"] for rep in agenda.content.get("reps", [])}
    manager = agenda.content.get("manager") or {}
    names[agenda.manager_sf_id] = manager.get("name") or agenda.manager_sf_id
    wanted = {c.owner_sf_id for c in commitments} | {e.item.person_sf_id for e in effects}
    missing = {sf_id for sf_id in wanted if sf_id and sf_id not in names}
    if missing:
        names.update(Person.objects.filter(org_id=agenda.org_id, sf_id__in=missing).values_list("sf_id", "name"))
    return AgendaView(agenda, items, notes, commitments, effects, names)


def discussed_weeks(agenda: Agenda) -> dict[tuple[str, str], list[date]]:
    """(rep, metric) -> the earlier weeks (within the effect lookback) the agenda's manager discussed it."""
    week = agenda.week_start
    discussions: dict[tuple[str, str], list[date]] = {}
    for person, metric, discussed_week in (
        AgendaItem.objects.filter(
            agenda__org_id=agenda.org_id,
            agenda__manager_sf_id=agenda.manager_sf_id,
            agenda__week_start__gte=week - timedelta(weeks=MEASURE_LOOKBACK_WEEKS),
            agenda__week_start__lt=week,
            status=AgendaItem.Status.DISCUSSED,
        )
        .exclude(metric="")
        .exclude(kind=AgendaItem.Kind.STRENGTH)
        .values_list("person_sf_id", "metric", "agenda__week_start")
        .order_by("agenda__week_start")
    ):
        weeks = discussions.setdefault((person, metric), [])
        if discussed_week not in weeks:
            weeks.append(discussed_week)
    return discussions
