"""What the backtest reads from the states table: one GROUP BY into covariate patterns, and lead times.

A pattern is (rep, stage, the flags, outcome) with its number of deal-weeks: at most a few per rep and stage
whatever the number of deals, which is all the statistics and the win model need.
"""

from dataclasses import dataclass

import pandas as pd

from coaching.backtest.flags import FLAGS
from coaching.backtest.states import STATES, median_by_group
from coaching.metrics.dialect import days_between, fetch

KEYS = tuple(flag.key for flag in FLAGS)


@dataclass(frozen=True)
class Overview:
    deal_weeks: int
    deals: int
    won_deals: int
    flagged_deals: dict[str, int]  # distinct deals that carried the flag at some week end
    recorded_deal_weeks: int  # deal-weeks of weeks whose flags were stored (no next step is known)

    @property
    def design_effect(self) -> float:
        return self.deal_weeks / self.deals if self.deals else 1.0


def overview() -> Overview:
    # Per deal first (one sort by opp), then plain sums: a COUNT(DISTINCT) per flag would sort the deal-weeks
    # once for each of the ten counts.
    per_deal = ", ".join(f"MAX({key}) AS {key}" for key in KEYS)
    flagged = ", ".join(f"SUM({key})" for key in KEYS)
    row = fetch(
        f"SELECT SUM(weeks), COUNT(*), SUM(won), SUM(recorded), {flagged} FROM (SELECT opp, COUNT(*) AS weeks,"
        f" MAX(won) AS won, SUM(recorded) AS recorded, {per_deal} FROM {STATES} GROUP BY opp) deals",
        [],
    )[0]
    weeks, deals, won, recorded, *flagged_deals = row
    return Overview(
        int(weeks or 0),
        int(deals),
        int(won or 0),
        dict(zip(KEYS, (int(count or 0) for count in flagged_deals), strict=True)),
        int(recorded or 0),
    )


def patterns() -> pd.DataFrame:
    """Columns owner, stage, probability (mean), each flag, recorded, won, n (deal-weeks)."""
    flags = ", ".join(KEYS)
    rows = fetch(
        f"SELECT owner, stage, AVG(probability), {flags}, recorded, won, COUNT(*) FROM {STATES}"
        f" GROUP BY owner, stage, {flags}, recorded, won",
        [],
    )
    frame = pd.DataFrame(rows, columns=["owner", "stage", "probability", *KEYS, "recorded", "won", "n"])
    for column in (*KEYS, "recorded", "won", "n"):
        frame[column] = frame[column].astype(int)
    frame["probability"] = frame["probability"].astype(float)
    return frame


def lead_times() -> dict[str, float]:
    """Per flag, the median days from the first week end a lost deal carried it to the day it was lost."""
    # One pass over the lost deal-weeks: each flag's first week end per deal (NULL where it never showed,
    # which the median leaves out), then one row per flag and deal.
    firsts = ", ".join(f"MIN(CASE WHEN {key} = 1 THEN week_end END) AS {key}" for key in KEYS)
    parts = " UNION ALL ".join(
        f"SELECT '{key}' AS g, {days_between(key, 'closed_on')} AS v FROM firsts" for key in KEYS
    )
    source = f"WITH firsts AS (SELECT closed_on, {firsts} FROM {STATES} WHERE won = 0 GROUP BY opp, closed_on) {parts}"
    return {str(key): value for key, value in median_by_group(source).items()}
