"""Like-for-like: what the org would score on a rep's own book (indirect standardisation).

The dimensions: the account's size band (its employees) and new versus existing business, read from the
``mix`` cells the win-rate snapshot carries (``coaching.metrics.mix``). For a rep, the expected win rate is
the org's win rate in each cell weighted by the rep's closed deals there; the expected log deal size (or log
cycle) is the org's mean log in each cell weighted by the rep's won deals there, as an offset from the
org's overall mean log. An Enterprise-heavy book is then expected to win less often, with bigger deals and
slower cycles, and a rep is judged against that, not against an SMB book.

Levels with no cells of their own that the book still moves (pipeline coverage on a quota, concentration,
slippage, new deals created) follow the book through ``by_book``: the org's robust line of the measure
against the book's expected log deal size.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import theilslopes

from coaching.gaps.context import RuleContext, Snap
from coaching.metrics import names

MIN_BOOK_REPS = 5
WON, LOST, AMOUNTS, LOG_AMOUNT, CYCLES, LOG_CYCLE, WON_AMOUNT, LARGEST = range(8)
_LOG_FIELDS = {names.MEDIAN_WON_AMOUNT: (AMOUNTS, LOG_AMOUNT), names.MEDIAN_CYCLE_DAYS: (CYCLES, LOG_CYCLE)}


def _cells(context: RuleContext, rep: str, year: bool = False) -> dict[str, list[float]]:
    """The rep's cells of the 182 days, or of the 365 days (``year``; the 182 days' for snapshots from
    before the year was counted)."""
    snap = context.snap(rep, names.WIN_RATE)
    mix = snap.details.get("mix_long" if year else "mix") if snap else None
    if year and not isinstance(mix, dict) and snap:
        mix = snap.details.get("mix")
    return mix if isinstance(mix, dict) else {}


def _org(context: RuleContext, year: bool = False) -> dict[str, list[float]]:
    key = ("mix", "org-year" if year else "org")
    if key not in context._org_cache:
        totals: dict[str, list[float]] = {}
        for rep in context.reps:
            for cell, figures in _cells(context, rep, year).items():
                total = totals.setdefault(cell, [0.0] * 6)
                for index, value in enumerate(figures[:6]):
                    total[index] += value
        context._org_cache[key] = (totals, None)  # type: ignore[assignment]
    return context._org_cache[key][0]  # type: ignore[return-value]


def expected_rate(context: RuleContext, rep: str, snap: Snap, year: bool = False) -> float | None:
    """The org's win rate on the rep's mix of closed deals (of the 365 days with ``year``); None without mix
    data."""
    org, own = _org(context, year), _cells(context, rep, year)
    weighted, closed = 0.0, 0.0
    for cell, figures in own.items():
        total = org.get(cell)
        decided = figures[WON] + figures[LOST]
        if not total or total[WON] + total[LOST] <= 0 or decided <= 0:
            continue
        weighted += decided * total[WON] / (total[WON] + total[LOST])
        closed += decided
    return weighted / closed if closed else None


def expected_log(context: RuleContext, rep: str, metric: str, year: bool = False) -> float | None:
    """The offset of the org's mean log (deal size or cycle) on the rep's mix of won deals (of the 365 days
    with ``year``) from the org's overall mean log; None for other metrics or without mix data."""
    if metric not in _LOG_FIELDS:
        return None
    count_at, sum_at = _LOG_FIELDS[metric]
    org, own = _org(context, year), _cells(context, rep, year)
    all_count = sum(figures[count_at] for figures in org.values())
    if all_count <= 0:
        return None
    overall = sum(figures[sum_at] for figures in org.values()) / all_count
    weighted, count = 0.0, 0.0
    for cell, figures in own.items():
        total = org.get(cell)
        if not total or total[count_at] <= 0 or figures[count_at] <= 0:
            continue
        weighted += figures[count_at] * total[sum_at] / total[count_at]
        count += figures[count_at]
    return weighted / count - overall if count else None


def largest_share(context: RuleContext, rep: str) -> float | None:
    """The rep's largest won deal as a share of everything they won in the closed-deal window; None
    without won amounts."""
    cells = [figures for figures in _cells(context, rep).values() if len(figures) > LARGEST]
    total = sum(figures[WON_AMOUNT] for figures in cells)
    if total <= 0:
        return None
    return max(figures[LARGEST] for figures in cells) / total


def book_log(context: RuleContext, rep: str) -> float | None:
    """The rep's book: the org's expected log deal size on the rep's won deals of the trailing 365 days
    (``expected_log``). The book is how the rep's accounts split by size and new or existing business, which
    changes slowly; a year holds twice the won deals of 182 days, so the book is read with half the noise."""
    return expected_log(context, rep, names.MEDIAN_WON_AMOUNT, year=True)


# Where-rules on a level the rep's book moves (bigger Enterprise deals make more coverage and lumpier
# pipelines on the same quota; SMB books create more, smaller deals): their expected value follows the book.
BOOK_ADJUSTED = frozenset({"PIPELINE_COVERAGE_LOW", "PIPELINE_CONCENTRATED", "CLOSE_DATE_SLIPPAGE", "NEW_PIPELINE_LOW"})
MIN_BOOK_SPREAD = 0.1
# The line follows the book only when its slope's interval at this level excludes 0: a line the org's reps
# do not show is noise that would move every rep's expected value.
BOOK_SLOPE_LEVEL = 0.90


@dataclass(frozen=True)
class BookLine:
    """The org's robust line of a measure against the book: level + slope x book, with the slope's
    interval (Theil-Sen, ``BOOK_SLOPE_LEVEL``)."""

    level: float
    slope: float
    low: float
    high: float

    def at(self, book: float) -> float:
        return self.level + self.slope * book

    def as_json(self) -> dict[str, Any]:
        return {"slope": round(self.slope, 4), "interval": [round(self.low, 4), round(self.high, 4)]}


def book_line(context: RuleContext, rows: list[tuple]) -> tuple[list[float | None], BookLine | None]:
    """Each row's book (``book_log``), and the org's line of the rows' measure (``row[2]``) against it; no
    line where too few reps have a book, the books barely differ, or the slope's interval holds 0."""
    books = [book_log(context, row[0]) for row in rows]
    pairs = [(book, row[2]) for book, row in zip(books, rows, strict=True) if book is not None]
    if len(pairs) < MIN_BOOK_REPS:
        return books, None
    xs = np.array([pair[0] for pair in pairs])
    if float(np.subtract(*np.percentile(xs, [75, 25]))) < MIN_BOOK_SPREAD:
        return books, None
    fitted = theilslopes([pair[1] for pair in pairs], xs, alpha=BOOK_SLOPE_LEVEL)
    low, high = float(fitted.low_slope), float(fitted.high_slope)
    if low <= 0 <= high:
        return books, None
    slope = float(fitted.slope)
    level = float(np.median([y - slope * x for x, y in pairs]))
    return books, BookLine(level, slope, low, high)


def by_book(context: RuleContext, rows: list[tuple]) -> list[tuple]:
    """The rows with their expected value on the rep's book: the org's robust line (Theil-Sen) of the
    measure against the book's expected log deal size (``book_log``), read at the rep's book. Unchanged when
    there is no line (``book_line``: too few books, books that barely differ, a slope that may be 0)."""
    books, line = book_line(context, rows)
    if line is None:
        return rows
    return [
        (*row[:4], line.at(book), *row[5:]) if book is not None else row for book, row in zip(books, rows, strict=True)
    ]
