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
from statistics import median

from coaching.agendas.movement import direction
from coaching.agendas.ranking import Candidate
from coaching.agendas.rotation import REST_AFTER_WEEKS, SEVERE, History
from coaching.metrics import names as m
from coaching.models import MetricSnapshot
from crm.models import Org

TEAM_MIN_REPS = 3
TEAM_TOPICS_MAX = 2

# The trends a manager reads each week, in this order; counts and amounts add up over the team, rates and
# per-rep figures take the median of the reps who have one.
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
_SUMMED_UNITS = {"count", "amount"}


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
    by_code: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        by_code[candidate.code].append(candidate)
    topics = []
    for code, members in by_code.items():
        if len({member.person_sf_id for member in members}) < TEAM_MIN_REPS:
            continue
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
    """Each team's trend metrics this week against last week, from the metric snapshots (one query).

    Counts and amounts add up over the team; rates and other per-rep figures take the team's median, which
    one rep with a tiny quota and a 40x coverage cannot drag. Teams are read from the snapshots' own
    manager (the rep's manager when the week was computed).
    """
    last = week_start - timedelta(weeks=1)
    rows = (
        MetricSnapshot.objects.filter(
            org=org, week_start__in=[week_start, last], name__in=TREND_METRICS, value__isnull=False
        )
        .exclude(manager_sf_id="")
        .values_list("manager_sf_id", "week_start", "name", "value")
    )
    values: dict[tuple[str, str], dict[date, list[float]]] = defaultdict(lambda: defaultdict(list))
    for manager, week, name, value in rows:
        if value is not None:  # value__isnull=False above; the row type cannot say so
            values[(manager, name)][week].append(value)
    trends: dict[str, list[Trend]] = defaultdict(list)
    order = {metric: index for index, metric in enumerate(TREND_METRICS)}
    for (manager, metric), weeks in sorted(values.items(), key=lambda item: (item[0][0], order[item[0][1]])):
        if week_start in weeks and last in weeks:
            now, before = _team_figure(metric, weeks[week_start]), _team_figure(metric, weeks[last])
            trends[manager].append(Trend(metric, now, before, len(weeks[week_start]), direction(metric, before, now)))
    return dict(trends)


def _team_figure(metric: str, values: list[float]) -> float:
    if m.METRICS[metric].unit in _SUMMED_UNITS:
        return float(sum(values))
    return float(median(values))
