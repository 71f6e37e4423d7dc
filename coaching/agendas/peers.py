"""Strengths: one to recognise per rep, and who on the team can teach what another rep is working on.

A rep's strength is the rules' STRENGTH_* gap with the largest severity x confidence; the one recognised
last week gives way to another when the rep has one, so recognition does not turn into a formula. Peers are
the rules' own pairing when they made one (a gap's ``learn_from``, a strength's ``can_help``: teammates
strong, or weak, in the same skill), else a teammate with a strength on the same metric, else the teammate
the rules name as best on the team for it.
"""

from collections import defaultdict

from coaching.agendas.ranking import Candidate
from coaching.agendas.rotation import History


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


def _listed(candidate: Candidate, key: str, team: frozenset[str]) -> list[str]:
    evidence = candidate.lead.evidence if isinstance(candidate.lead.evidence, dict) else {}
    people = evidence.get(key) or []
    return [p for p in people if isinstance(p, str) and p in team and p != candidate.person_sf_id]


def teacher_for(candidate: Candidate, by_metric: dict[str, list[Candidate]], team: frozenset[str]) -> str | None:
    """The teammate a rep could learn this from, or None."""
    listed = _listed(candidate, "learn_from", team)
    if listed:
        return listed[0]
    for strength in by_metric.get(candidate.metric, []):
        if strength.person_sf_id != candidate.person_sf_id:
            return strength.person_sf_id
    evidence = candidate.lead.evidence if isinstance(candidate.lead.evidence, dict) else {}
    best = evidence.get("best_on_team")
    if isinstance(best, dict) and best.get("sf_id") in team and best["sf_id"] != candidate.person_sf_id:
        return best["sf_id"]
    return None


def peer_hint(teacher_name: str) -> str:
    if not teacher_name:
        return ""
    return f" {teacher_name} does this well on the team; suggest they compare notes on one deal."


def learners_for(strength: Candidate, gaps: list[Candidate], team: frozenset[str]) -> list[str]:
    """Teammates who could learn from this strength: the rules' pairing, then gaps on the same metric."""
    people = _listed(strength, "can_help", team)
    for candidate in sorted(gaps, key=lambda c: -c.score):
        if (
            candidate.metric
            and candidate.metric == strength.metric
            and candidate.person_sf_id != strength.person_sf_id
            and candidate.person_sf_id not in people
        ):
            people.append(candidate.person_sf_id)
    return people
