"""Per-group quartiles (median included) computed in the database.

The values are first counted per group and distinct value (a hash aggregate: sales data repeats values a
lot - whole days, round amounts), then a running count over the distinct values says which ranks each
one covers. Only the values at the ranks the quartiles fall between come back (at most ten a group) and
the linear interpolation between them (the ``numpy.percentile`` default, and PostgreSQL's
``percentile_cont``) is done here: no row-by-row work in Python, and no sort of every row. Window
functions (SUM … OVER) run on PostgreSQL and on SQLite 3.25+.
"""

import math
from dataclasses import dataclass
from typing import Any

from coaching.metrics.dialect import fetch

# The ranks the quartiles fall between: floor and ceil of 1 + k/4 * (cnt - 1), k = 0..4, in integers.
_RANKS = [f"1 + ({k} * (cnt - 1)) / 4" for k in range(5)] + [f"1 + ({k} * (cnt - 1) + 3) / 4" for k in range(5)]
_COVERS_A_RANK = " OR ".join(f"(upto - c + 1 <= {rank} AND {rank} <= upto)" for rank in _RANKS)


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
        f"SELECT {keys}, v, upto - c + 1, upto, cnt FROM ("
        f" SELECT {keys}, v, c,"
        f" CAST(SUM(c) OVER (PARTITION BY {keys} ORDER BY v ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
        f" AS BIGINT) AS upto,"
        f" CAST(SUM(c) OVER (PARTITION BY {keys}) AS BIGINT) AS cnt"
        f" FROM (SELECT {keys}, v, COUNT(*) AS c FROM ({source_sql}) source WHERE v IS NOT NULL"
        f" GROUP BY {keys}, v) counted"
        f") ranked WHERE {_COVERS_A_RANK}"
    )
    at_rank: dict[tuple[Any, ...], dict[int, float]] = {}
    sizes: dict[tuple[Any, ...], int] = {}
    for row in fetch(sql, params):
        key = tuple(row[:groups])
        value, first, last, count = float(row[groups]), int(row[groups + 1]), int(row[groups + 2]), int(row[groups + 3])
        sizes[key] = count
        ranks = at_rank.setdefault(key, {})
        for rank in _needed_ranks(count):
            if first <= rank <= last:
                ranks[rank] = value
    return {key: _interpolate(sizes[key], ranks) for key, ranks in at_rank.items()}


def _needed_ranks(count: int) -> set[int]:
    return {1 + (k * (count - 1)) // 4 for k in range(5)} | {1 + (k * (count - 1) + 3) // 4 for k in range(5)}


def _interpolate(count: int, ranks: dict[int, float]) -> Quartiles:
    def at(fraction: float) -> float:
        position = 1 + fraction * (count - 1)
        low, high = math.floor(position), math.ceil(position)
        return ranks[low] + (position - low) * (ranks[high] - ranks[low])

    return Quartiles(count, at(0.0), at(0.25), at(0.5), at(0.75), at(1.0))
