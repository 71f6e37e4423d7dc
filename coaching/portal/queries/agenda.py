"""The This-week page: one manager's agenda arranged as the 1:1s and the team meeting run, in a few queries.

Reads the agenda through ``coaching.agendas.lookup.load_view`` (items, notes, commitments, effects and the
names they mention), then adds what the page alone needs: the snoozes in force on the agenda's reps, the
effects scheduled for this week's discussed items, and the manager's other weeks for navigation.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache

from django.urls import reverse

from coaching.agendas.lookup import AgendaView, load_view
from coaching.agendas.units import difference, metric_value
from coaching.calibration.wording import effect_words
from coaching.gaps.catalogue import RULES_BY_CODE
from coaching.metrics.team_figures import team_label
from coaching.models import Agenda, AgendaItem, AgendaNote, CoachingEffect, Commitment, OneOnOneShare, Snooze

KIND = AgendaItem.Kind


@dataclass
class ItemCard:
    item: AgendaItem
    label: str
    notes: list[AgendaNote] = field(default_factory=list)
    commitments: list[Commitment] = field(default_factory=list)
    effects: list[CoachingEffect] = field(default_factory=list)
    snooze: Snooze | None = None

    @property
    def snoozable(self) -> bool:
        """A rep's gap (or a follow-up of one) can be snoozed; a strength or a team topic cannot."""
        item = self.item
        return bool(item.person_sf_id) and item.kind in (KIND.GAP, KIND.FOLLOW_UP) and item.code in RULES_BY_CODE

    @property
    def anchor(self) -> str:
        return f"item-{self.item.pk}"

    @cached_property
    def urls(self) -> dict[str, str]:
        """The card's action URLs (a card has ten forms: reversed once per name, not once per form)."""
        return {name: item_url(name, self.item.pk) for name in ("status", "note", "commitment", "snooze")}


@dataclass(frozen=True)
class TrendRow:
    metric: str
    label: str
    last_week: str
    this_week: str
    change: str
    direction: str  # better / worse / flat / ""


@dataclass(frozen=True)
class EffectRow:
    effect: CoachingEffect
    who: str
    label: str
    verdict: str  # moved / worse / flat / waiting

    text: str


@dataclass
class RepSection:
    sf_id: str
    name: str
    minutes: int
    limit: int
    strengths: list[ItemCard]
    follow_ups: list[ItemCard]
    topics: list[ItemCard]
    commitments: list[Commitment]
    held_back: list[dict]
    in_team_session: list[str]
    shares: list[OneOnOneShare] = field(default_factory=list)  # links to this 1:1 still working

    @property
    def over(self) -> bool:
        return self.minutes > self.limit

    @property
    def cards(self) -> list[ItemCard]:
        return [*self.strengths, *self.follow_ups, *self.topics]


@dataclass
class AgendaPage:
    agenda: Agenda
    view: AgendaView
    reps: list[RepSection]
    team_topics: list[ItemCard]
    team_follow_ups: list[ItemCard]
    commitments: list[Commitment]  # the manager's own, and any not about one rep
    notes: list[AgendaNote]  # on the agenda as a whole
    weeks: list[tuple[date, int]]  # the manager's agendas: (week, id), oldest first

    @property
    def manager_name(self) -> str:
        return self.view.name(self.agenda.manager_sf_id)

    @property
    def content(self) -> dict:
        return self.agenda.content

    @property
    def owners(self) -> list[tuple[str, str]]:
        """Who a commitment can be for: the manager, then the agenda's reps."""
        return owners_of(self.agenda)

    @property
    def previous_week(self) -> tuple[date, int] | None:
        earlier = [week for week in self.weeks if week[0] < self.agenda.week_start]
        return earlier[-1] if earlier else None

    @property
    def next_week(self) -> tuple[date, int] | None:
        later = [week for week in self.weeks if week[0] > self.agenda.week_start]
        return later[0] if later else None

    @property
    def cards(self) -> list[ItemCard]:
        return [*self.team_topics, *self.team_follow_ups, *(card for rep in self.reps for card in rep.cards)]

    @property
    def handled(self) -> int:
        return sum(1 for card in self.cards if card.item.status != AgendaItem.Status.OPEN)

    @property
    def trends(self) -> list[TrendRow]:
        rows = []
        for trend in self.agenda.content.get("team", {}).get("trends", []):
            metric, before, now = trend["metric"], trend["last_week"], trend["this_week"]
            rows.append(
                TrendRow(
                    metric=metric,
                    label=team_label(metric),
                    last_week=metric_value(metric, before),
                    this_week=metric_value(metric, now),
                    change=difference(metric, before, now),
                    direction=trend.get("direction") or "",
                )
            )
        return rows

    @property
    def effects(self) -> list[EffectRow]:
        rows = []
        for effect in self.view.effects:
            person = effect.item.person_sf_id
            words = effect_words(effect, effect.item.code)
            who = self.view.first_name(person) if person else "Team"
            rows.append(EffectRow(effect, who, words.label, words.verdict, words.text))
        return rows


_SENTINEL = 987654321


@lru_cache(maxsize=32)
def _url_shape(name: str) -> str:
    return reverse(f"portal:{name}", args=[_SENTINEL])


def item_url(name: str, pk: int) -> str:
    """``reverse("portal:item_<name>", args=[pk])`` for the item routes, without reversing each time: a
    week page has a few hundred of them, and each reverse costs more than the rest of the card."""
    return _url_shape(f"item_{name}").replace(str(_SENTINEL), str(pk))


def owners_of(agenda: Agenda) -> list[tuple[str, str]]:
    manager = (agenda.content.get("manager") or {}).get("name") or agenda.manager_sf_id
    reps = [(rep["sf_id"], rep["name"]) for rep in agenda.content.get("reps", [])]
    return [(agenda.manager_sf_id, f"{manager} (manager)"), *reps]


def names_of(agenda: Agenda) -> dict[str, str]:
    """The names the agenda itself carries: its manager and reps (commitment owners, item people)."""
    names = {rep["sf_id"]: rep["name"] for rep in agenda.content.get("reps", [])}
    names[agenda.manager_sf_id] = (agenda.content.get("manager") or {}).get("name") or agenda.manager_sf_id
    return names


def label_for(item: AgendaItem) -> str:
    if item.kind == KIND.STRENGTH:
        return "Recognise"
    if item.kind == KIND.FOLLOW_UP:
        return "From last week"
    if item.kind == KIND.TEAM:
        return f"Team topic {item.position}"
    return f"Focus {item.position}" if item.is_current else "No longer flagged (kept: you worked on it)"


def agenda_page(agenda: Agenda, today: date) -> AgendaPage:
    view = load_view(agenda)
    item_ids = {item.pk for item in view.items}
    rep_ids = [rep["sf_id"] for rep in agenda.content.get("reps", [])]
    snoozes = _snoozes(agenda.org_id, rep_ids, today)
    effects: dict[int, list[CoachingEffect]] = defaultdict(list)
    for effect in CoachingEffect.objects.filter(item__agenda=agenda).order_by("weeks_after"):
        effects[effect.item_id].append(effect)

    def cards(kind: str, person: str | None) -> list[ItemCard]:
        return [
            ItemCard(
                item=item,
                label=label_for(item),
                notes=view.notes_of(item),
                commitments=[c for c in view.commitments if c.item_id == item.pk],
                effects=effects.get(item.pk, []),
                snooze=_snooze_for(item, snoozes),
            )
            for item in view.items_of(kind, person)
        ]

    def loose(commitments: list[Commitment]) -> list[Commitment]:
        """Commitments not already shown under one of this agenda's items."""
        return [c for c in commitments if c.item_id not in item_ids]

    shares: dict[str, list[OneOnOneShare]] = defaultdict(list)
    for share in OneOnOneShare.objects.filter(agenda=agenda, revoked_at__isnull=True).order_by("created_at"):
        shares[share.person_sf_id].append(share)
    reps = [
        RepSection(
            sf_id=rep["sf_id"],
            name=rep["name"],
            minutes=rep.get("minutes", 0),
            limit=agenda.one_on_one_minutes,
            strengths=cards(KIND.STRENGTH, rep["sf_id"]),
            follow_ups=cards(KIND.FOLLOW_UP, rep["sf_id"]),
            topics=cards(KIND.GAP, rep["sf_id"]),
            commitments=loose(view.commitments_of(rep["sf_id"])),
            held_back=rep.get("held_back", []),
            in_team_session=rep.get("in_team_session", []),
            shares=shares.get(rep["sf_id"], []),
        )
        for rep in agenda.content.get("reps", [])
    ]
    weeks = list(
        Agenda.objects.filter(org_id=agenda.org_id, manager_sf_id=agenda.manager_sf_id)
        .order_by("week_start")
        .values_list("week_start", "pk")
    )
    return AgendaPage(
        agenda=agenda,
        view=view,
        reps=reps,
        team_topics=cards(KIND.TEAM, None),
        team_follow_ups=cards(KIND.FOLLOW_UP, ""),
        commitments=loose(view.commitments_of(None)),
        notes=view.notes_of(None),
        weeks=weeks,
    )


def item_card(item: AgendaItem, today: date) -> ItemCard:
    """One item with its notes, commitments, effects and snooze: what an in-place update re-renders."""
    return ItemCard(
        item=item,
        label=label_for(item),
        notes=list(AgendaNote.objects.filter(item=item).select_related("created_by")),
        commitments=list(Commitment.objects.filter(item=item, agenda_id=item.agenda_id).select_related("agenda")),
        effects=list(CoachingEffect.objects.filter(item=item).order_by("weeks_after")),
        snooze=_snooze_for(item, _snoozes(item.agenda.org_id, [item.person_sf_id], today))
        if item.person_sf_id
        else None,
    )


def _snoozes(org_id: int, people: list[str], today: date) -> dict[tuple[str, str], list[Snooze]]:
    found: dict[tuple[str, str], list[Snooze]] = defaultdict(list)
    for snooze in Snooze.objects.filter(org_id=org_id, person_sf_id__in=people, until__gte=today).order_by("-until"):
        found[(snooze.code, snooze.person_sf_id)].append(snooze)
    return found


def _snooze_for(item: AgendaItem, snoozes: dict[tuple[str, str], list[Snooze]]) -> Snooze | None:
    for snooze in snoozes.get((item.code, item.person_sf_id), ()):
        if snooze.opportunity_sf_id in ("", item.opportunity_sf_id):
            return snooze
    return None
