"""The team section: gaps that several reps share become one team-session topic; the team's weekly trends.

A gap code open for three or more of a manager's reps (after snoozes and dismissals) is a pattern, not an
individual problem: it is taken out of those reps' 1:1s and becomes one topic of the team meeting, so the
manager says it once instead of three times. Two reps are still two 1:1 conversations. At most two topics
are put on a team meeting; others are listed as "also shared" for the next one. A topic on the team agenda
two weeks running rests a week, unless the reps' average severity is severe.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from coaching.agendas.movement import direction
from coaching.agendas.ranking import Candidate
from coaching.agendas.rotation import REST_AFTER_WEEKS, SEVERE, History
from coaching.metrics import names as m
from coaching.metrics.team_figures import team_figures
from crm.models import Org

TEAM_MIN_REPS = 3
TEAM_TOPICS_MAX = 2

# The trends a manager reads each week, in this order (how a team figure is made: coaching.metrics.team_figures).
TREND_METRICS = (
    m.QUOTA_ATTAINMENT,
    m.WIN_RATE,
    m.PIPELINE_COVERAGE,
    m.OPEN_PIPELINE_AMOUNT,
    m.NEW_PIPELINE_AMOUNT,
    m.STALE_OPEN_COUNT,
    m.FORECAST_OVERDUE_COUNT,
    m.ACTIVITIES_PER_WEEK,
)


@dataclass
class TeamTopic:
    code: str
    family: str
    metric: str
    members: list[Candidate]  # one per rep, most at stake first
    score: float
    severity: float
    rest_note: str = ""

    @property
    def person_ids(self) -> list[str]:
        return [member.person_sf_id for member in self.members]


@dataclass
class TeamTopics:
    shown: list[TeamTopic] = field(default_factory=list)
    also_shared: list[TeamTopic] = field(default_factory=list)  # beyond the cap, or resting

    @property
    def codes(self) -> set[str]:
        return {topic.code for topic in self.shown + self.also_shared}


def team_topics(candidates: list[Candidate], manager_sf_id: str, history: History) -> TeamTopics:
    """Which of a team's gap candidates (one per rep and code) become team topics."""
    by_code: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        by_code[shared_key(candidate)].append(candidate)
    topics = []
    taken: set[str] = set()
    for (code, _subject), members in sorted(by_code.items(), key=lambda pair: (-len(pair[1]), pair[0])):
        if len({member.person_sf_id for member in members}) < TEAM_MIN_REPS or code in taken:
            continue
        taken.add(code)
        members.sort(key=lambda c: (-c.score, c.person_sf_id))
        topics.append(
            TeamTopic(
                code=code,
                family=members[0].family,
                metric=members[0].metric,
                members=members,
                score=sum(member.score for member in members),
                severity=sum(member.severity for member in members) / len(members),
            )
        )
    topics.sort(key=lambda topic: (-topic.score, topic.code))
    result = TeamTopics()
    for topic in topics:
        streak = history.team_streak(manager_sf_id, topic.code)
        if streak >= REST_AFTER_WEEKS and topic.severity < SEVERE:
            topic.rest_note = f"resting: on the team agenda {streak} weeks running"
            result.also_shared.append(topic)
        elif len(result.shown) < TEAM_TOPICS_MAX:
            result.shown.append(topic)
        else:
            topic.rest_note = "for the next team meeting"
            result.also_shared.append(topic)
    return result


def shared_key(candidate: Candidate) -> tuple[str, str]:
    """What reps must have in common to share a gap: its code and, for a per-product gap, the product
    ("weakest product win rate" is no team topic when each rep's weakest product is a different one)."""
    evidence = candidate.lead.evidence if isinstance(candidate.lead.evidence, dict) else {}
    return candidate.code, str(evidence.get("product_sf_id") or evidence.get("product") or "")


@dataclass(frozen=True)
class Trend:
    metric: str
    this_week: float
    last_week: float
    reps: int
    direction: str | None  # better / worse / flat

    def as_json(self) -> dict:
        return {
            "metric": self.metric,
            "this_week": self.this_week,
            "last_week": self.last_week,
            "reps": self.reps,
            "direction": self.direction,
        }


def load_trends(org: Org, week_start: date) -> dict[str, list[Trend]]:
    """Each team's trend metrics this week against last week (``coaching.metrics.team_figures``: the one
    definition of a team figure, which the team page, the digest and the API read too). Teams are read
    from the snapshots' own manager (the rep's manager when the week was computed)."""
    last = week_start - timedelta(weeks=1)
    reps: dict[tuple[str, date, str], int] = {}
    figures = team_figures(org.pk, [week_start, last], TREND_METRICS, counts=reps)
    managers = sorted({manager for manager, _, _ in figures})
    trends: dict[str, list[Trend]] = defaultdict(list)
    for manager in managers:
        for metric in TREND_METRICS:
            now, before = figures.get((manager, week_start, metric)), figures.get((manager, last, metric))
            if now is None or before is None:
                continue
            trends[manager].append(
                Trend(metric, now, before, reps[(manager, week_start, metric)], direction(metric, before, now))
            )
    return dict(trends)
