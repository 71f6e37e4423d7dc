"""From the counts to a verdict per flag: enough data? which way does it point? how far ahead?"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from coaching.backtest.flags import FLAGS, DealFlag
from coaching.backtest.lift import Lift, stratified_lift
from coaching.backtest.tables import Overview
from coaching.models import FlagBacktest

# Before any verdict: closed deals in the org, and deals on each side of a flag.
MIN_CLOSED_DEALS = 150
MIN_DEALS_EACH_SIDE = 30
MIN_OUTCOMES = 10  # won and lost deals, each
Verdict = FlagBacktest.Verdict


@dataclass(frozen=True)
class FlagResult:
    flag: DealFlag
    deals: int
    flagged_deals: int
    win_rate_flagged: float | None
    win_rate_unflagged: float | None
    lift: Lift
    lead_time_days: float | None
    verdict: str


def judge(flag: DealFlag, frame: pd.DataFrame, seen: Overview, lead_time: float | None) -> FlagResult:
    rows = frame if flag.from_history else frame[frame["recorded"] == 1]
    flagged_deals = seen.flagged_deals.get(flag.key, 0)
    deals = seen.deals if flag.from_history else _deals_estimate(seen)
    on, off = rows[rows[flag.key] == 1], rows[rows[flag.key] == 0]
    rate_on = _rate(on)
    rate_off = _rate(off)
    tables = _tables(rows, flag.key)
    lift = stratified_lift(tables, seen.design_effect) if tables.size else Lift(None, None, None, 0)
    enough = (
        seen.deals >= MIN_CLOSED_DEALS
        and seen.won_deals >= MIN_OUTCOMES
        and seen.deals - seen.won_deals >= MIN_OUTCOMES
        and flagged_deals >= MIN_DEALS_EACH_SIDE
        and deals - flagged_deals >= MIN_DEALS_EACH_SIDE
        and lift.low is not None
    )
    if not enough:
        verdict = Verdict.NOT_ENOUGH
    elif lift.high is not None and lift.high < 1.0:
        verdict = Verdict.PREDICTS_LOSS
    elif lift.low is not None and lift.low > 1.0:
        verdict = Verdict.PREDICTS_WIN
    else:
        verdict = Verdict.NO_SIGNAL
    return FlagResult(flag, deals, flagged_deals, rate_on, rate_off, lift, lead_time, verdict)


def _deals_estimate(seen: Overview) -> int:
    # Deals seen in stored weeks only: scale the deal count by the stored share of deal-weeks.
    return round(seen.deals * seen.recorded_deal_weeks / seen.deal_weeks) if seen.deal_weeks else 0


def _rate(rows: pd.DataFrame) -> float | None:
    total = int(rows["n"].sum())
    return float((rows["n"] * rows["won"]).sum()) / total if total else None


def _tables(rows: pd.DataFrame, key: str) -> np.ndarray:
    """2 x 2 x strata (rep and stage): rows flagged / not, columns won / lost, in deal-weeks."""
    if rows.empty:
        return np.zeros((2, 2, 0))
    cells = rows.groupby(["owner", "stage", key, "won"])["n"].sum().unstack([2, 3], fill_value=0)
    for column in ((1, 1), (1, 0), (0, 1), (0, 0)):
        if column not in cells.columns:
            cells[column] = 0
    order = [cells[(1, 1)], cells[(1, 0)], cells[(0, 1)], cells[(0, 0)]]
    stacked = np.vstack([series.to_numpy(dtype=float) for series in order])
    return stacked.reshape(2, 2, -1)


def judge_all(frame: pd.DataFrame, seen: Overview, lead: dict[str, float]) -> list[FlagResult]:
    return [judge(flag, frame, seen, lead.get(flag.key)) for flag in FLAGS]
