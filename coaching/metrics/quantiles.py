"""Per-group quartiles (median included) computed in the database with window functions.

Only the rows at the ranks the quartiles fall between come back (at most ten a group), and the linear
interpolation between them (the ``numpy.percentile`` default) is done here: no row-by-row work in Python.
ROW_NUMBER and COUNT over a partition run on PostgreSQL and on SQLite 3.25+.
"""

import math
from dataclasses import dataclass
from typing import Any

from coaching.metrics.dialect import fetch

# floor and ceil of 1 + k/4 * (cnt - 1), k = 0..4, in integer arithmetic.
_RANKS = " OR ".join(f"rn = 1 + ({k} * (cnt - 1)) / 4 OR rn = 1 + ({k} * (cnt - 1) + 3) / 4" for k in range(5))


@dataclass(frozen=True)
class Quartiles:
    n: int
    minimum: float
    p25: float
    median: float
    p75: float
    maximum: float

    def as_json(self) -> dict[str, float | int]:
        return {
            "n": self.n,
            "min": self.minimum,
            "p25": self.p25,
            "median": self.median,
            "p75": self.p75,
            "max": self.maximum,
        }


def quartiles(source_sql: str, params: tuple[Any, ...], groups: int) -> dict[tuple[Any, ...], Quartiles]:
    """Quartiles of ``v`` per group for a source selecting columns ``g0 … g{groups-1}`` and ``v``.

    Rows whose ``v`` is null are left out, as SQL aggregates do.
    """
    keys = ", ".join(f"g{index}" for index in range(groups))
    sql = (
        f"SELECT {keys}, rn, cnt, v FROM ("
        f" SELECT {keys}, v, ROW_NUMBER() OVER (PARTITION BY {keys} ORDER BY v) AS rn,"
        f" COUNT(*) OVER (PARTITION BY {keys}) AS cnt"
        f" FROM ({source_sql}) source WHERE v IS NOT NULL"
        f") ranked WHERE {_RANKS}"
    )
    at_rank: dict[tuple[Any, ...], dict[int, float]] = {}
    sizes: dict[tuple[Any, ...], int] = {}
    for row in fetch(sql, params):
        key, rank, count, value = tuple(row[:groups]), int(row[groups]), int(row[groups + 1]), float(row[groups + 2])
        at_rank.setdefault(key, {})[rank] = value
        sizes[key] = count
    return {key: _interpolate(sizes[key], ranks) for key, ranks in at_rank.items()}


def _interpolate(count: int, ranks: dict[int, float]) -> Quartiles:
    def at(fraction: float) -> float:
        position = 1 + fraction * (count - 1)
        low, high = math.floor(position), math.ceil(position)
        return ranks[low] + (position - low) * (ranks[high] - ranks[low])

    return Quartiles(count, at(0.0), at(0.25), at(0.5), at(0.75), at(1.0))
