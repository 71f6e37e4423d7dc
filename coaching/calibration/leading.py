"""Each gap code's leading metric: the quantity its flag is about, re-measured so that a change after a
conversation shows within four weeks instead of being diluted in a 91- or 182-day window.

Two kinds (``docs/calibration.md`` lists every code):

- a **flow** over a 28-day window of CRM records (activities, new pipeline, wins, pushes, stage moves,
  discounts): *before* is the 28 days up to the gap week's Monday, *after* the 28 days from it
  (``leading_sql``);
- a **state** of the rep's open deals (stale, overdue, stalled …): *before* is the weekly snapshot the flag
  judged, *after* the snapshot four weeks later (``leading_state``).

A code whose quantity cannot be re-measured in 28 days is in ``NOT_MEASURED`` with the reason, and is left
out of every effect rather than measured on something else.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from coaching.calibration import leading_sql as flows
from coaching.calibration.leading_state import level, share, stalled_share, state_values
from coaching.metrics import names
from coaching.metrics.calendar import Window
from coaching.metrics.dialect import fetch, is_postgres, sql_date, sql_datetime
from coaching.pipeline.stages import org_stages

WINDOW_DAYS = 28
WEEKS = WINDOW_DAYS // 7


@dataclass(frozen=True)
class Leading:
    code: str
    label: str  # what is measured, for people
    higher_is_better: bool
    statement: flows.Statement | None = None  # a flow: SELECT rep, monday, numerator, denominator … GROUP BY
    rate: bool = False  # a flow: numerator / denominator; otherwise numerator / per
    per: float = 1.0
    denominator_at_start: bool = False  # a flow: the denominator is the first week's (a state: open deals)
    metric: str = ""  # a state: the snapshot metric read
    reading: Any = None  # a state: (value, n, details, thresholds) -> the flag's quantity

    @property
    def kind(self) -> str:
        return "flow" if self.statement is not None else "state"


LEADING: dict[str, Leading] = {
    item.code: item
    for item in (
        Leading("ACTIVITY_LOW", "activities per week (completed tasks and meetings)", True, flows.activity,
                per=WEEKS),
        Leading("NEW_PIPELINE_LOW", "new pipeline created in 28 days (amount)", True, flows.new_pipeline),
        Leading("WIN_RATE_LOW", "win rate of the deals closed in 28 days", True, flows.win_rate, rate=True),
        Leading("CLOSE_DATE_SLIPPAGE", "close dates pushed in 28 days, per deal open at the start", False,
                flows.pushes, rate=True, denominator_at_start=True),
        Leading("STAGE_REGRESSION", "share of the stage moves in 28 days that went backwards", False,
                flows.regressions, rate=True),
        Leading("DISCOUNT_HIGH", "mean line-item discount on the deals won in 28 days", False, flows.discount,
                rate=True),
        Leading("STAGE_STALL", "share of open deals stalled in their stage, 4 weeks on", False,
                metric=names.TIME_IN_STAGE, reading=stalled_share),
        Leading("STALE_DEALS", "share of open deals untouched for 14 days, 4 weeks on", False,
                metric=names.STALE_OPEN_COUNT, reading=share),
        Leading("NO_NEXT_STEP", "share of open deals without a next step, 4 weeks on", False,
                metric=names.NO_NEXT_STEP_COUNT, reading=share),
        Leading("SINGLE_THREADED", "share of late-stage deals with one contact, 4 weeks on", False,
                metric=names.SINGLE_THREADED_COUNT, reading=share),
        Leading("FORECAST_OVERDUE", "share of open deals past their close date, 4 weeks on", False,
                metric=names.FORECAST_OVERDUE_COUNT, reading=share),
        Leading("PIPELINE_CONCENTRATED", "largest open deal's share of the open amount, 4 weeks on", False,
                metric=names.PIPELINE_CONCENTRATION, reading=level),
        Leading("PIPELINE_COVERAGE_LOW", "pipeline coverage of the quarter's remaining quota, 4 weeks on", True,
                metric=names.PIPELINE_COVERAGE, reading=level),
    )
}  # fmt: skip

NOT_MEASURED: dict[str, str] = {
    "CYCLE_LONG": "Cycle length is read on deals won, and the deals won in any 28 days were created months "
    "before the conversation: a 28-day window measures old work, not a change.",
    "DEAL_SIZE_SMALL": "A deal's amount is set long before it is won, and a rep wins a handful of deals in 28 "
    "days: the median of so few says nothing about a change.",
    "PRODUCT_MIX_NARROW": "The number of distinct products won is bounded by the few deals won in 28 days, so "
    "it would measure how many deals closed, not the mix sold.",
    "PRODUCT_WIN_RATE_LOW": "A single product's win rate needs that product's closed deals; a rep closes far "
    "too few of one product in 28 days.",
}


def measured(code: str) -> bool:
    return code in LEADING


def before_after(org_id: int, code: str, cases: Sequence[tuple[str, date]]) -> list[tuple[float | None, float | None]]:
    """(before, after) of the code's leading metric for each (rep, gap week Monday), in case order."""
    if any(week.weekday() != 0 for _rep, week in cases):
        raise ValueError("a gap week starts on a Monday")
    leading = LEADING[code]
    if leading.statement is None:
        later = [(rep, week + timedelta(weeks=WEEKS)) for rep, week in cases]
        values = state_values(org_id, code, leading.metric, leading.reading, [*cases, *later])
    else:
        earlier = [(rep, week - timedelta(days=WINDOW_DAYS)) for rep, week in cases]
        values = window_values(org_id, code, [*earlier, *cases])
    return list(zip(values[: len(cases)], values[len(cases) :], strict=True))


def window_values(org_id: int, code: str, cases: Sequence[tuple[str, date]]) -> list[float | None]:
    """A flow's value over the 28 days from each (rep, Monday), in case order: one grouped statement over the
    span that holds every window."""
    if not cases:
        return []
    leading = LEADING[code]
    assert leading.statement is not None
    span = Window(min(start for _rep, start in cases),
                  max(start for _rep, start in cases) + timedelta(days=WINDOW_DAYS - 1))  # fmt: skip
    params: dict[str, Any] = {
        "org": org_id, "no": False, "yes": True,
        "d0": sql_date(span.start), "d1": sql_date(span.end + timedelta(days=1)),
        "t0": sql_datetime(span.start_at), "t1": sql_datetime(span.end_before),
    }  # fmt: skip
    sql, extra = leading.statement(org_stages(org_id) if code == "STAGE_REGRESSION" else None)
    params.update(extra)
    reps = sorted({rep for rep, _start in cases})
    params.update({f"r{index}": rep for index, rep in enumerate(reps)})
    sql = sql.replace("IN %(reps)s", "IN (" + ", ".join(f"%(r{i})s" for i in range(len(reps))) + ")")
    if "%(mondays)s" in sql:
        sql = sql.replace("%(mondays)s", _mondays(sorted({start for _rep, start in cases}), params))
    sums: dict[tuple[str, date], tuple[float, float | None]] = {}
    for rep, monday, numerator, denominator in fetch(sql, params):  # type: ignore[arg-type]
        week = monday if isinstance(monday, date) else date.fromisoformat(str(monday)[:10])
        held = sums.get((rep, week), (0.0, None))
        more = None if denominator is None else float(denominator) + (held[1] or 0.0)
        sums[rep, week] = (held[0] + float(numerator or 0), more if more is not None else held[1])
    values: list[float | None] = []
    for rep, start in cases:
        weeks = [sums.get((rep, start + timedelta(weeks=offset))) for offset in range(WEEKS)]
        numerator = sum(week[0] for week in weeks if week)
        if not leading.rate:
            values.append(numerator / leading.per)
            continue
        counted = weeks[:1] if leading.denominator_at_start else weeks
        denominator = sum(week[1] or 0 for week in counted if week)
        values.append(numerator / denominator if denominator else None)
    return values


def _mondays(mondays: list[date], params: dict[str, Any]) -> str:
    """A derived table of the Mondays asked for, as a date (d) and as the datetime of its midnight UTC (t)."""
    rows = []
    for index, monday in enumerate(mondays):
        params[f"m{index}d"] = sql_date(monday)
        params[f"m{index}t"] = sql_datetime(Window(monday, monday).start_at)
        if is_postgres():
            rows.append(f"SELECT CAST(%(m{index}d)s AS DATE) AS d, CAST(%(m{index}t)s AS TIMESTAMPTZ) AS t")
        else:
            rows.append(f"SELECT %(m{index}d)s AS d, %(m{index}t)s AS t")
    return " UNION ALL ".join(rows)
