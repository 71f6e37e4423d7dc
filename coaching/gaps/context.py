"""The week the rules judge: every rep's snapshots, teams, peers, coverage and snoozed deals, in memory.

Loaded once per org and week with a few queries (``load_context``); every peer statistic is then computed
over these values in memory (about reps x metrics numbers), never with a query per rep.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from coaching.gaps.stats import Summary, percentile_rank, summarize
from coaching.models import MetricSnapshot
from crm.models import Org, Person


@dataclass(frozen=True)
class Snap:
    """One stored metric of one rep."""

    value: float | None
    n: int
    window_start: date | None
    window_end: date | None
    details: dict[str, Any]

    @property
    def window(self) -> list[str] | None:
        if self.window_start is None or self.window_end is None:
            return None
        return [self.window_start.isoformat(), self.window_end.isoformat()]

    @property
    def evidence_ids(self) -> list[str]:
        return [str(sf_id) for sf_id in self.details.get("evidence") or []]


@dataclass
class RepRow:
    sf_id: str
    manager_sf_id: str
    metrics: dict[str, Snap] = field(default_factory=dict)
    crm_user_since: date | None = None


@dataclass(frozen=True)
class Comparison:
    """A rep's value beside its peers: the team (leave-one-out) and the whole org."""

    team: Summary | None
    org: Summary | None
    reference: str | None  # "team", "org", or None when there are too few peers to judge
    org_percentile: float | None

    @property
    def reference_summary(self) -> Summary | None:
        return {"team": self.team, "org": self.org}.get(self.reference or "")

    @property
    def reference_value(self) -> float | None:
        summary = self.reference_summary
        return summary.median if summary else None

    def outside_org_band(self, value: float, fires_when: str) -> bool:
        """Past the org's middle half on the bad side (below its 25th percentile, or above its 75th): a gap
        is unusual in the org too, not only in a strong (or weak) team."""
        if self.org is None:
            return True
        return value < self.org.p25 if fires_when == "low" else value > self.org.p75

    def as_json(self) -> dict[str, Any]:
        return {
            "team": self.team.as_json() if self.team else None,
            "org": self.org.as_json() if self.org else None,
            "reference": self.reference,
            "org_percentile": None if self.org_percentile is None else round(self.org_percentile, 3),
        }


ValueOf = Callable[["Snap"], float | None]


def plain_value(snap: Snap) -> float | None:
    return snap.value


@dataclass
class RuleContext:
    org: Org
    week_start: date
    as_of: date
    reps: dict[str, RepRow]
    # person -> why activity-based rules are silent for them ("" key: the whole org)
    thin_activity: dict[str, str] = field(default_factory=dict)
    # (code, person) -> deals a manager snoozed for that gap
    snoozed_deals: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    _teams: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _org_cache: dict[tuple[Any, ...], tuple[list[float], Summary | None]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        teams: dict[str, list[str]] = defaultdict(list)
        for rep in self.reps.values():
            teams[rep.manager_sf_id].append(rep.sf_id)
        self._teams = dict(teams)

    def manager_of(self, rep: str) -> str:
        return self.reps[rep].manager_sf_id

    def teammates(self, rep: str) -> list[str]:
        return [other for other in self._teams.get(self.manager_of(rep), []) if other != rep]

    def snap(self, rep: str, metric: str) -> Snap | None:
        return self.reps[rep].metrics.get(metric)

    def activity_silence(self, rep: str) -> str | None:
        """Why activity can't be judged for ``rep`` this week, or None when it can."""
        return self.thin_activity.get("") or self.thin_activity.get(rep)

    def deals_snoozed(self, code: str, rep: str) -> set[str]:
        return self.snoozed_deals.get((code, rep), set())

    def _eligible(self, rep: str, metric: str, min_n: float, value_of: ValueOf, activity: bool) -> float | None:
        snap = self.snap(rep, metric)
        if snap is None or snap.n < min_n:
            return None
        if activity and self.activity_silence(rep):
            return None
        return value_of(snap)

    def peer_values(
        self, rep: str, metric: str, *, min_n: float = 0, value_of: ValueOf = plain_value, activity: bool = False
    ) -> list[float]:
        """The teammates' values (the rep left out), each resting on at least ``min_n``."""
        values = (self._eligible(other, metric, min_n, value_of, activity) for other in self.teammates(rep))
        return [value for value in values if value is not None]

    def org_values(
        self, metric: str, *, min_n: float = 0, value_of: ValueOf = plain_value, activity: bool = False
    ) -> tuple[list[float], Summary | None]:
        # Bound methods compare by their instance (an unhashable rule); the function is what matters.
        key = (metric, min_n, getattr(value_of, "__func__", value_of), activity)
        if key not in self._org_cache:
            values = (self._eligible(rep, metric, min_n, value_of, activity) for rep in self.reps)
            kept = sorted(value for value in values if value is not None)
            self._org_cache[key] = (kept, summarize(kept))
        return self._org_cache[key]

    def compare(
        self,
        rep: str,
        metric: str,
        value: float,
        *,
        min_n: float,
        min_peers: float,
        value_of: ValueOf = plain_value,
        activity: bool = False,
    ) -> Comparison:
        """The rep beside the team (when it has ``min_peers`` peers with a sample) or else the org."""
        team_values = self.peer_values(rep, metric, min_n=min_n, value_of=value_of, activity=activity)
        org_values, org_summary = self.org_values(metric, min_n=min_n, value_of=value_of, activity=activity)
        team_summary = summarize(team_values)
        if len(team_values) >= min_peers:
            reference = "team"
        elif org_summary is not None and org_summary.n - 1 >= min_peers:
            reference = "org"
        else:
            reference = None
        return Comparison(team_summary, org_summary, reference, percentile_rank(value, org_values))

    def compare_among(
        self, rep: str, value: float, values: dict[str, float], *, min_peers: float, cache_key: str
    ) -> Comparison:
        """Like ``compare``, over values a rule derived itself (``values``: every judged rep's, by sf_id)."""
        team_values = [values[other] for other in self.teammates(rep) if other in values]
        key = ("derived", cache_key)
        if key not in self._org_cache:
            kept = sorted(values.values())
            self._org_cache[key] = (kept, summarize(kept))
        org_values, org_summary = self._org_cache[key]
        team_summary = summarize(team_values)
        if len(team_values) >= min_peers:
            reference = "team"
        elif org_summary is not None and org_summary.n - 1 >= min_peers:
            reference = "org"
        else:
            reference = None
        return Comparison(team_summary, org_summary, reference, percentile_rank(value, org_values))

    def best_peer(
        self,
        rep: str,
        metric: str,
        *,
        min_n: float,
        higher_is_better: bool,
        value_of: ValueOf = plain_value,
        activity: bool = False,
    ) -> dict[str, Any] | None:
        """The teammate with the best value on the metric (with a sample): who the rep could learn from."""
        best: tuple[float, str] | None = None
        for other in self.teammates(rep):
            value = self._eligible(other, metric, min_n, value_of, activity)
            if value is None:
                continue
            key = value if higher_is_better else -value
            if best is None or (key, other) > (best[0], best[1]):
                best = (key, other)
        if best is None:
            return None
        return {"sf_id": best[1], "value": best[0] if higher_is_better else -best[0]}


def load_reps(org: Org, week_start: date, metrics: Iterable[str], *, with_tenure: bool = True) -> dict[str, RepRow]:
    """The week's snapshots of the given metrics for every rep, in one query; with CRM tenure (one more)."""
    reps: dict[str, RepRow] = {}
    rows = (
        MetricSnapshot.objects.filter(org=org, week_start=week_start, name__in=list(metrics))
        .order_by("person_sf_id", "name")
        .values_list("person_sf_id", "manager_sf_id", "name", "value", "n", "window_start", "window_end", "details")
    )
    for person, manager, name, value, n, start, end, details in rows:
        rep = reps.get(person)
        if rep is None:
            rep = reps[person] = RepRow(person, manager)
        rep.metrics[name] = Snap(value, n, start, end, details or {})
    if reps and with_tenure:
        since = Person.live.filter(org=org, created_date__isnull=False).values_list("sf_id", "created_date")
        for person, created in since:
            if person in reps:
                reps[person].crm_user_since = created.date() if isinstance(created, datetime) else created
    return reps
