"""The weekly backtest of one org: store this week's flags, re-judge every flag, refit the win probability.

Run before the week's gaps are judged (``coaching.agendas.weekly.refresh_week``), so that muting and pricing
use this week's figures. ``backtest(org, as_of)`` computes without writing (the benchmark replays past
quarters with it); ``update_backtest`` writes.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection, transaction
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]  # no py.typed marker

from coaching.backtest.flags import FLAGS
from coaching.backtest.states import FLAG_COLUMNS, STATES, StateSet, built_states, deal_states, week_ends
from coaching.backtest.tables import Overview, lead_times, overview, patterns
from coaching.backtest.verdicts import MIN_CLOSED_DEALS, FlagResult, judge_all
from coaching.backtest.winmodel import Calibration, WinParameters, calibration, fit_win_model, predict
from coaching.metrics.dialect import sql_date
from coaching.models import DealFlagWeek, FlagBacktest, WinModel
from crm.models import Org

LOOKBACK_WEEKS = 52
# Every second Sunday: consecutive weeks of a deal are near copies (the design effect in ``lift`` accounts for
# the repeats either way), and half the deal-weeks halve the cost of the states.
STEP_WEEKS = 2


@dataclass
class BacktestRun:
    org: Org
    as_of: date
    seen: Overview
    results: list[FlagResult]
    model: WinParameters | None
    fit: Calibration | None
    stage_brier: float | None
    stored_flags: int = 0
    stall_days: dict[str, float] = field(default_factory=dict)  # learnt from the closed deals' finished stays
    notes: list[str] = field(default_factory=list)


def backtest(org: Org, as_of: date, *, weeks: int = LOOKBACK_WEEKS, step: int = STEP_WEEKS) -> BacktestRun:
    """Judge every flag on the deals closed by ``as_of``, from their states at the week ends before."""
    with deal_states(StateSet(org, week_ends(as_of, weeks, step), closed_by=as_of)) as stall_days:
        return _judge(org, as_of, stall_days)


def _judge(org: Org, as_of: date, stall_days: dict[str, float]) -> BacktestRun:
    """The run from the closed deals' states table (built by the caller)."""
    seen = overview()
    frame = patterns()
    lead = lead_times()
    # One BLAS thread: the fits are small (k ~ 15 columns), and BLAS's own threads on a machine whose cores are
    # busy with the worker's neighbours spin against each other (the GLM's least squares took 2.5 s instead
    # of 0.4 s on 5,700 patterns, measured on the loaded benchmark machine).
    with threadpool_limits(limits=1):
        results = judge_all(frame, seen, lead)
        # A small org stays silent: no verdict and no win probability before enough closed deals.
        model = fit_win_model(frame) if seen.deals >= MIN_CLOSED_DEALS else None
        fit = calibration(predict(model, frame), frame) if model is not None else None
    stage_brier = None
    if not frame.empty and frame["n"].sum():
        stage_p = (frame["probability"].fillna(0.0) / 100.0).clip(0.0, 1.0)
        stage_brier = float((frame["n"] * (stage_p - frame["won"]) ** 2).sum() / frame["n"].sum())
    return BacktestRun(org, as_of, seen, results, model, fit, stage_brier, stall_days=stall_days)


def _week_end(as_of: date) -> date:
    return as_of + timedelta(days=(6 - as_of.weekday()))


def _insert_week_flags(org: Org, week_end: date) -> int:
    """The states table's flags (open deals, one week) into DealFlagWeek, replacing that week's."""
    parts = " UNION ALL ".join(
        f"SELECT %s, %s, opp, '{column}' FROM {STATES} WHERE {column} = 1" for column in FLAG_COLUMNS
    )
    DealFlagWeek.objects.filter(org=org, week_end=week_end).delete()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {DealFlagWeek._meta.db_table} (org_id, week_end, opportunity_sf_id, flag) {parts}",
            [value for _ in FLAG_COLUMNS for value in (org.pk, sql_date(week_end))],
        )
        return cursor.rowcount


def store_week_flags(org: Org, as_of: date, stall_days: dict[str, float] | None = None) -> int:
    """Keep the flags every open deal carries as of ``as_of``, under the Sunday that ends its week.
    ``stall_days``: the backtest's stall thresholds (None: learnt from the open deals' own history)."""
    with transaction.atomic(), deal_states(StateSet(org, (as_of,), stall_days=stall_days or None)):
        return _insert_week_flags(org, _week_end(as_of))


def update_backtest(org: Org, as_of: date) -> BacktestRun:
    """``backtest`` then ``store_week_flags`` with its stall thresholds, from one read of the history: the
    closed deals' states are judged, then the same history gives the open deals' states of today."""
    states = StateSet(org, week_ends(as_of, LOOKBACK_WEEKS, STEP_WEEKS), closed_by=as_of, with_open=True)
    with built_states(states) as built:
        run = _judge(org, as_of, built.stall_days)
        built.open_now()
        run.stored_flags = _insert_week_flags(org, _week_end(as_of))
    save_run(run)
    return run


@transaction.atomic
def save_run(run: BacktestRun) -> None:
    overrides = dict(FlagBacktest.objects.filter(org=run.org).values_list("flag", "override"))
    for result in run.results:
        FlagBacktest.objects.update_or_create(
            org=run.org,
            flag=result.flag.key,
            defaults={
                "as_of": run.as_of,
                "deals": result.deals,
                "flagged_deals": result.flagged_deals,
                "win_rate_flagged": result.win_rate_flagged,
                "win_rate_unflagged": result.win_rate_unflagged,
                "lift": result.lift.ratio,
                "lift_low": result.lift.low,
                "lift_high": result.lift.high,
                "lead_time_days": result.lead_time_days,
                "verdict": result.verdict,
                "override": overrides.get(result.flag.key, FlagBacktest.Override.AUTO),
            },
        )
    if run.model is None:
        WinModel.objects.filter(org=run.org).delete()
        return
    WinModel.objects.update_or_create(
        org=run.org,
        defaults={
            "as_of": run.as_of,
            "parameters": {**run.model.as_json(), "stall_days": run.stall_days},
            "deals": run.seen.deals,
            "brier": run.fit.brier if run.fit else None,
            "stage_brier": run.stage_brier,
            "calibration": run.fit.bins if run.fit else [],
        },
    )


__all__ = ["FLAGS", "BacktestRun", "backtest", "save_run", "store_week_flags", "update_backtest"]
