"""Rotation: a rep is not coached on the same family of skills week after week.

A family is "on the agenda" in a week when one of the rep's one-on-one items of that family was discussed
(an item left open was never talked about, so it cannot have worn out the family; deferred and dismissed
items, and severe ones, which are exempt from rotation anyway, do not count either). Then:

- the family that led last week (focus 1) does not lead again: the best topic of another family goes first;
- on the agenda last week: its candidates' scores are halved, so a family absent last week moves up;
- on the agenda in each of the last two weeks: the family rests this week — its items are held back (and
  the agenda says so);
- a severe topic (severity >= 0.8) and one the manager deferred last week are exempt from all three;
- the rep's top-ranked topic is exempt too until it has been discussed: rotation spreads coaching over
  skills, it must not hide the one real problem before anybody talked about it;
- rotation never empties a 1:1: if every candidate rests, the best one is kept.

Team topics rotate by code the same way (two weeks running, then a rest unless severe), and the strength to
recognise prefers one that was not recognised last week.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from coaching.agendas.ranking import Candidate
from coaching.models import AgendaItem, Family

SEVERE = 0.8
HALVE_AFTER_WEEKS = 1
REST_AFTER_WEEKS = 2
LOOKBACK_WEEKS = 4
_COUNTED = {AgendaItem.Status.OPEN, AgendaItem.Status.DISCUSSED}
_TALKED_ABOUT = AgendaItem.Status.DISCUSSED


@dataclass(frozen=True)
class PastItem:
    """An item of an earlier agenda, as rotation, carry-over and dismissals read it."""

    id: int
    week_start: date
    manager_sf_id: str
    key: str
    kind: str
    code: str
    family: str
    person_sf_id: str
    status: str
    status_reason: str
    severity: float
    title: str
    metric: str
    is_current: bool
    position: int = 0


class History:
    """The earlier agendas' items of one org, indexed for the week being built."""

    def __init__(self, week_start: date, items: Iterable[PastItem]) -> None:
        self.week_start = week_start
        self.items = list(items)
        self._families: dict[str, dict[date, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._team_codes: dict[str, dict[date, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._strengths: dict[str, dict[date, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._leads: dict[str, dict[date, str]] = defaultdict(dict)
        self._discussed: dict[str, set[str]] = defaultdict(set)
        for item in self.items:
            if item.status not in _COUNTED or not item.is_current:
                continue
            if item.kind == AgendaItem.Kind.GAP:
                if item.status != _TALKED_ABOUT:
                    continue
                self._discussed[item.person_sf_id].add(item.key)
                # A severe topic is exempt from rotation and may return every week; it does not keep its
                # family "on the agenda", or its milder siblings would rest for as long as it lasts.
                if item.severity < SEVERE:
                    self._families[item.person_sf_id][item.week_start].add(item.family)
                if item.position == 1:
                    self._leads[item.person_sf_id][item.week_start] = item.family
            elif item.kind == AgendaItem.Kind.TEAM:
                self._team_codes[item.manager_sf_id][item.week_start].add(item.code)
            elif item.kind == AgendaItem.Kind.STRENGTH:
                self._strengths[item.person_sf_id][item.week_start].add(item.code)

    def family_streak(self, person_sf_id: str, family: str) -> int:
        """How many weeks in a row, ending last week, the family was on the rep's agenda."""
        return self._streak(self._families[person_sf_id], family)

    def discussed(self, person_sf_id: str, key: str) -> bool:
        """Whether the rep's topic with this key was discussed in the lookback."""
        return key in self._discussed[person_sf_id]

    def team_streak(self, manager_sf_id: str, code: str) -> int:
        return self._streak(self._team_codes[manager_sf_id], code)

    def lead_last_week(self, person_sf_id: str) -> str | None:
        """The family of the rep's first topic last week."""
        return self._leads[person_sf_id].get(self.week_start - timedelta(weeks=1))

    def strength_last_week(self, person_sf_id: str) -> set[str]:
        return self._strengths[person_sf_id].get(self.week_start - timedelta(weeks=1), set())

    def _streak(self, weeks: dict[date, set[str]], value: str) -> int:
        streak = 0
        while value in weeks.get(self.week_start - timedelta(weeks=streak + 1), set()):
            streak += 1
        return streak


def family_label(family: str) -> str:
    try:
        return Family(family).label
    except ValueError:
        return family


def rotate(candidates: list[Candidate], history: History, deferred_keys: set[str]) -> list[Candidate]:
    """Score one rep's candidates for rotation; returns them best first, rested ones (note set) last.

    A rested candidate keeps ``rotation_note`` saying why, so the agenda can show what was held back.
    """
    kept: list[Candidate] = []
    rested: list[Candidate] = []
    top = max(candidates, key=lambda c: (c.score, c.code), default=None)
    protected = top is not None and not any(history.discussed(top.person_sf_id, key) for key in top.keys)
    for candidate in candidates:
        streak = history.family_streak(candidate.person_sf_id, candidate.family)
        candidate.adjusted = candidate.score
        candidate.rested = False
        label = family_label(candidate.family)
        deferred = not deferred_keys.isdisjoint(candidate.keys)
        if (protected and candidate is top) or deferred or streak < HALVE_AFTER_WEEKS:
            kept.append(candidate)
        elif candidate.severity >= SEVERE:
            _note(candidate, f"kept although {label.lower()} was on the agenda last week: it is severe")
            kept.append(candidate)
        elif streak >= REST_AFTER_WEEKS:
            candidate.adjusted = 0.0
            candidate.rested = True
            _note(candidate, f"resting: {label.lower()} was on the agenda {streak} weeks running")
            rested.append(candidate)
        else:
            candidate.adjusted = candidate.score / 2
            kept.append(candidate)
    if not kept and rested:
        best = max(rested, key=lambda c: c.score)
        rested.remove(best)
        best.adjusted = best.score
        best.rested = False
        best.rotation_note = "kept: every topic for this rep is resting, and a 1:1 needs one"
        kept.append(best)
    # What the manager deferred last week comes first: they asked for it.
    kept.sort(key=lambda c: (deferred_keys.isdisjoint(c.keys), -c.adjusted, -c.score, c.code))
    _rotate_lead(kept, history, deferred_keys | (set(top.keys) if protected and top is not None else set()))
    rested.sort(key=lambda c: (-c.score, c.code))
    return kept + rested


def _note(candidate: Candidate, text: str) -> None:
    candidate.rotation_note = f"{candidate.rotation_note}; {text}" if candidate.rotation_note else text


def _rotate_lead(kept: list[Candidate], history: History, deferred_keys: set[str]) -> None:
    """Put the best topic of another family first when the first one's family led last week."""
    if not kept:
        return
    first = kept[0]
    last_lead = history.lead_last_week(first.person_sf_id)
    if first.family != last_lead or first.severity >= SEVERE or not deferred_keys.isdisjoint(first.keys):
        return
    for index, candidate in enumerate(kept[1:], start=1):
        if candidate.family != last_lead:
            kept.insert(0, kept.pop(index))
            _note(candidate, f"first this week: {family_label(last_lead).lower()} led last week")
            return
