"""The deal flags the backtest judges, the gap rule each one stands behind, and how to say them plainly.

The definitions follow the live rules (coaching/gaps/how.py, where.py) as closely as a past week allows:
stale = no task or event on the deal in the 14 days up to the week end; overdue = the close date had passed;
stall = in its stage for 30+ days and over three times the org's median stay there; single-threaded = at
probability 50 %+ with at most one contact role; pushed / regression = a close date moved later / a move
back to an earlier stage in the 91 days up to the week end. No next step has no history in the CRM: it is
judged only from the weeks stored in ``DealFlagWeek`` from now on.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class DealFlag:
    key: str  # column name in the states table and value of DealFlagWeek.flag
    gap_code: str  # the gap rule whose deals carry this flag
    plain: str  # "deals <plain>" reads as a sentence
    # (win rate flagged, unflagged) in generated orgs: the prior before enough data; None: no prior (unpriced)
    prior: tuple[float, float] | None
    from_history: bool = True


FLAGS = (
    DealFlag("stale", "STALE_DEALS", "without a task or event in 14 days", (0.129, 0.298)),
    DealFlag("overdue", "FORECAST_OVERDUE", "past their close date", (0.110, 0.287)),
    DealFlag("stall", "STAGE_STALL", "stuck in a stage three times longer than usual", (0.220, 0.318)),
    DealFlag("single", "SINGLE_THREADED", "in late stage with one contact or none", (0.387, 0.380)),
    DealFlag("pushed", "CLOSE_DATE_SLIPPAGE", "whose close date was pushed in the last 91 days", (0.328, 0.242)),
    DealFlag("regressed", "STAGE_REGRESSION", "that went back a stage in the last 91 days", (0.457, 0.258)),
    DealFlag("no_next_step", "NO_NEXT_STEP", "without a next step", None, from_history=False),
)
HISTORY_FLAGS = tuple(flag for flag in FLAGS if flag.from_history)
BY_KEY = {flag.key: flag for flag in FLAGS}
BY_GAP_CODE = {flag.gap_code: flag for flag in FLAGS}
