"""Strengths: one to recognise per rep, and who on the team can teach what another rep is working on.

A rep's strength is the rules' STRENGTH_* gap with the largest severity x confidence; the one recognised
last week gives way to another when the rep has one, so recognition does not turn into a formula. Peers
are matched on the metric: a rep strong on win rate is named as the person to learn from on a teammate's
win-rate item, and the strength item names the teammates who would benefit.
"""

from collections import defaultdict

from coaching.agendas.ranking import Candidate
from coaching.agendas.rotation import History
from coaching.agendas.units import metric_value


def pick_strength(strengths: list[Candidate], history: History) -> Candidate | None:
    if not strengths:
        return None
    last_week = history.strength_last_week(strengths[0].person_sf_id)
    fresh = [candidate for candidate in strengths if candidate.code not in last_week]
    pool = fresh or strengths
    return max(pool, key=lambda c: (c.severity * c.confidence, c.code))


def strengths_by_metric(strengths: list[Candidate]) -> dict[str, list[Candidate]]:
    """The team's strengths per metric, strongest first (metric-less strengths cannot be matched)."""
    found: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in strengths:
        if candidate.metric:
            found[candidate.metric].append(candidate)
    for candidates in found.values():
        candidates.sort(key=lambda c: (-c.severity * c.confidence, c.person_sf_id))
    return dict(found)


def teacher_for(candidate: Candidate, by_metric: dict[str, list[Candidate]]) -> Candidate | None:
    for strength in by_metric.get(candidate.metric, []):
        if strength.person_sf_id != candidate.person_sf_id:
            return strength
    return None


def peer_hint(teacher: Candidate | None, teacher_name: str) -> str:
    if teacher is None:
        return ""
    value = metric_value(teacher.metric, teacher.lead.value) if teacher.lead.value is not None else "strong"
    return f" {teacher_name} does this well ({value}); suggest they compare notes on one deal."


def learners_for(strength: Candidate, gaps: list[Candidate]) -> list[str]:
    """Teammates with a gap on the strength's metric, in the order of their need."""
    people = []
    for candidate in sorted(gaps, key=lambda c: -c.score):
        if (
            candidate.metric
            and candidate.metric == strength.metric
            and candidate.person_sf_id != strength.person_sf_id
            and candidate.person_sf_id not in people
        ):
            people.append(candidate.person_sf_id)
    return people
