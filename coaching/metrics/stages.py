"""How deals move through the stages: conversion from each stage, and time spent in them.

Conversion is read from the deals closed in the trailing 182 days: of those that reached an open stage,
the share that went on to a later stage or were won. Time in stage has two sides: completed stays (a move
into a stage until the next move) that ended in the trailing 182 days, per rep and per team, which give the
team's usual pace for each stage; and the days each open deal has spent in its current stage so far.
"""

from collections import defaultdict
from typing import Any, TypedDict

from coaching.metrics.calendar import Window
from coaching.metrics.dialect import days_between, fetch, sql_date, sql_datetime, utc_date
from coaching.metrics.names import STAGE_CONVERSION, TIME_IN_STAGE
from coaching.metrics.quantiles import Quartiles, quartiles
from coaching.metrics.reps import Scope
from coaching.metrics.result import EVIDENCE_LIMIT, MetricValue
from coaching.metrics.stage_history import OPPORTUNITY, PERSON, TABLE, DealHistory
from coaching.metrics.stage_order import StageOrder

Metrics = dict[str, dict[str, MetricValue]]

# A conversion rate on fewer deals than this says little; it still shows in the details.
MIN_STAGE_DEALS = 3
# Longest-sitting open deals kept per rep and stage, to compare with the team's pace.
STALLED_PER_STAGE = 5
ALL_STAGES = "*"


class StageConversion(TypedDict):
    reached: int
    advanced: int
    rate: float
    team_rate: float | None


class StalledDeal(TypedDict):
    sf_id: str
    days: int
    vs_team: float | None  # the deal's days over the team's median stay


def stage_metrics(scope: Scope, order: StageOrder, history: DealHistory) -> Metrics:
    return {
        STAGE_CONVERSION: _conversion(scope, order, history),
        TIME_IN_STAGE: _time_in_stage(scope, order, history),
    }


def _conversion(scope: Scope, order: StageOrder, history: DealHistory) -> dict[str, MetricValue]:
    window = scope.stage_window
    per_stage: dict[str, dict[str, list[int]]] = defaultdict(dict)
    with_history: dict[str, int] = {}
    closed, closed_params = history.closed_in_window("h")
    rank, rank_params = order.rank_case("h.stage")
    ordered = sorted(order.ranks, key=order.ranks.__getitem__)
    # One row per deal with a 0/1 column per stage reached, then sums per rep: two hash aggregates, where
    # counting distinct deals per stage would sort the whole history.
    reached_columns = "".join(
        f", MAX(CASE WHEN h.stage = %s THEN 1 ELSE 0 END) AS s{index}" for index in range(len(ordered))
    )
    sums = "".join(
        f", SUM(s{index}), SUM(CASE WHEN s{index} = 1 AND (won = 1 OR top_rank > {index}) THEN 1 ELSE 0 END)"
        for index in range(len(ordered))
    )
    sql = (
        f"SELECT owner, COUNT(*){sums} FROM (SELECT h.owner AS owner{reached_columns},"
        f" MAX(CASE WHEN h.deal_won = %s THEN 1 ELSE 0 END) AS won, MAX({rank}) AS top_rank"
        f" FROM {TABLE} h WHERE {closed} GROUP BY h.owner, h.opp) deals GROUP BY owner"
    )
    for owner, deals, *counts in history.fetch(sql, [*ordered, True, *rank_params, *closed_params]):
        with_history[owner] = int(deals)
        for index, stage in enumerate(ordered):
            reached_count, advanced = int(counts[2 * index]), int(counts[2 * index + 1])
            if reached_count:
                per_stage[owner][stage] = [reached_count, advanced]
    team: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for rep in scope.reps.values():
        for stage, (reached, advanced) in per_stage.get(rep.sf_id, {}).items():
            team[rep.manager_sf_id][stage][0] += reached
            team[rep.manager_sf_id][stage][1] += advanced

    values = {}
    for rep in scope.reps.values():
        stages = per_stage.get(rep.sf_id, {})
        by_stage: dict[str, StageConversion] = {}
        for stage in sorted(stages, key=order.ranks.__getitem__):
            reached, advanced = stages[stage]
            team_reached, team_advanced = team[rep.manager_sf_id][stage]
            by_stage[stage] = {
                "reached": reached,
                "advanced": advanced,
                "rate": advanced / reached,
                "team_rate": team_advanced / team_reached if team_reached else None,
            }
        judged = [
            (row["rate"], order.ranks[stage], stage)
            for stage, row in by_stage.items()
            if row["reached"] >= MIN_STAGE_DEALS
        ]
        weakest = min(judged) if judged else None
        values[rep.sf_id] = MetricValue(
            weakest[0] if weakest else None,
            with_history.get(rep.sf_id, 0),
            window,
            {
                "weakest_stage": weakest[2] if weakest else None,
                "min_deals": MIN_STAGE_DEALS,
                "by_stage": by_stage,
                "stage_order": order.as_json(),
            },
        )
    return values


def _time_in_stage(scope: Scope, order: StageOrder, history: DealHistory) -> dict[str, MetricValue]:
    stays = _stay_quartiles(scope, order, history)
    open_days = _open_day_quartiles(scope)
    stalled = _longest_open(scope)
    stages_of: dict[str, set[str]] = defaultdict(set)
    for owner, stage in open_days:
        if stage != ALL_STAGES:
            stages_of[owner].add(stage)
    for level, owner, stage in stays:
        if level == "rep":
            stages_of[owner].add(stage)
    values = {}
    for rep in scope.reps.values():
        overall = open_days.get((rep.sf_id, ALL_STAGES))
        stages = stages_of.get(rep.sf_id, set())
        by_stage: dict[str, dict[str, Any]] = {}
        evidence: list[StalledDeal] = []
        for stage in sorted(stages, key=lambda name: (order.ranks.get(name, len(order.ranks)), name)):
            team = stays.get(("team", rep.manager_sf_id, stage))
            over: list[StalledDeal] = [
                {"sf_id": opp, "days": days, "vs_team": days / team.median if team and team.median > 0 else None}
                for opp, days in stalled.get((rep.sf_id, stage), [])
                if team is not None and days > team.median
            ]
            evidence.extend(over)
            by_stage[stage] = {
                "open": _summary(open_days.get((rep.sf_id, stage))),
                "stays": _summary(stays.get(("rep", rep.sf_id, stage))),
                "team_stays": _summary(team),
                "stalled": over,
            }
        evidence.sort(key=lambda deal: (-(deal["vs_team"] or 0), deal["sf_id"]))
        values[rep.sf_id] = MetricValue(
            overall.median if overall else None,
            overall.n if overall else 0,
            Window(scope.stage_window.start, scope.as_of),
            {"by_stage": by_stage, "evidence": [deal["sf_id"] for deal in evidence[:EVIDENCE_LIMIT]]},
        )
    return values


def _summary(spread: Quartiles | None) -> dict[str, Any]:
    return {"median": spread.median, "n": spread.n} if spread else {"median": None, "n": 0}


def _stay_quartiles(scope: Scope, order: StageOrder, history: DealHistory) -> dict[tuple[Any, ...], Quartiles]:
    """Days per completed stay in an open stage, ended in the window: per (rep, stage) and (team, stage)."""
    if not order.ranks:
        return {}
    days = days_between(utc_date("h.at"), utc_date("h.next_at"))
    stages = ", ".join("%s" for _ in order.ranks)
    where = f"h.is_move = 1 AND h.next_at >= %s AND h.stage IN ({stages})"
    where_params = [sql_datetime(scope.stage_window.start_at), *order.ranks]
    team = f" LEFT JOIN {PERSON} p ON p.org_id = %s AND p.sf_id = h.owner AND p.is_deleted = %s"
    sql = (
        f"SELECT 'rep' AS g0, h.owner AS g1, h.stage AS g2, {days} AS v FROM {TABLE} h WHERE {where}"
        f" UNION ALL SELECT 'team' AS g0, p.manager_sf_id AS g1, h.stage AS g2, {days} AS v"
        f" FROM {TABLE} h{team} WHERE {where}"
    )
    return quartiles(sql, (*where_params, scope.org.pk, False, *where_params), groups=3)


def _open_days_sql(scope: Scope) -> tuple[str, list[Any]]:
    """Each open deal with the days since it entered its current stage (its last move, else its creation)."""
    entered = f"SELECT opp, MAX(at) AS entered FROM {TABLE} WHERE is_move = 1 AND deal_closed = %s GROUP BY opp"
    days = days_between(utc_date("COALESCE(e.entered, o.created_date)"), "%s")
    sql = (
        f"SELECT o.owner_sf_id AS owner, o.stage AS stage, o.sf_id AS opp, {days} AS v"
        f" FROM {OPPORTUNITY} o LEFT JOIN ({entered}) e ON e.opp = o.sf_id"
        f" WHERE o.org_id = %s AND o.is_deleted = %s AND o.is_closed = %s"
    )
    return sql, [sql_date(scope.as_of), False, scope.org.pk, False, False]


def _open_day_quartiles(scope: Scope) -> dict[tuple[Any, ...], Quartiles]:
    source, params = _open_days_sql(scope)
    sql = (
        f"SELECT owner AS g0, stage AS g1, v FROM ({source}) d"
        f" UNION ALL SELECT owner AS g0, '{ALL_STAGES}' AS g1, v FROM ({source}) d"
    )
    return quartiles(sql, (*params, *params), groups=2)


def _longest_open(scope: Scope) -> dict[tuple[str, str], list[tuple[str, int]]]:
    """The open deals sitting longest in their stage, a few per rep and stage."""
    source, params = _open_days_sql(scope)
    sql = (
        f"SELECT owner, stage, opp, v FROM (SELECT owner, stage, opp, v,"
        f" ROW_NUMBER() OVER (PARTITION BY owner, stage ORDER BY v DESC, opp) AS rn"
        f" FROM ({source}) d WHERE v IS NOT NULL) ranked WHERE rn <= %s"
    )
    found: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    for owner, stage, opp, days in fetch(sql, [*params, STALLED_PER_STAGE]):
        found[owner, stage].append((opp, int(days)))
    for deals in found.values():
        deals.sort(key=lambda deal: (-deal[1], deal[0]))
    return found
