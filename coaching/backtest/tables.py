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
    distinct = ", ".join(f"COUNT(DISTINCT CASE WHEN {key} = 1 THEN opp END)" for key in KEYS)
    row = fetch(
        f"SELECT COUNT(*), COUNT(DISTINCT opp), COUNT(DISTINCT CASE WHEN won = 1 THEN opp END),"
        f" SUM(recorded), {distinct} FROM {STATES}",
        [],
    )[0]
    weeks, deals, won, recorded, *flagged = row
    return Overview(
        int(weeks), int(deals), int(won), dict(zip(KEYS, map(int, flagged), strict=True)), int(recorded or 0)
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
    lead = days_between("MIN(week_end)", "closed_on")
    parts = [
        f"SELECT '{key}' AS g, {lead} AS v FROM {STATES} WHERE won = 0 AND {key} = 1 GROUP BY opp, closed_on"
        for key in KEYS
    ]
    return {str(key): value for key, value in median_by_group(" UNION ALL ".join(parts)).items()}
