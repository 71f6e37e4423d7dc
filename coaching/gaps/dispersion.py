"""Counted history judged on the longer window, with its overdispersion estimated from the peers.

Close-date pushes and stage regressions are rare and come in bursts (a stuck deal is pushed every week
for a month; one deal bounces between two stages), so a 91-day window holds few of them and a Poisson or
binomial model of those few is too sure. The metrics also count them over 182 days (``details["long"]``:
``coaching.metrics.history``); the model reads those, with the counts' dispersion ``phi`` estimated from
the org's own reps: the window's two halves (the last 91 days and the 91 before) of a rep whose habits
are steady differ by chance alone, and by how much says how bursty the counts are. Under a Poisson count
(equal exposures) ``E[(recent - older)^2] = E[recent + older]``, so ``phi = sum (r - o)^2 / sum (r + o)``
(quasi-Poisson); under a binomial, each rep's Pearson X^2 of the two halves has mean 1, so ``phi`` is their
mean (quasi-binomial). A real change in a rep's habits between halves only makes ``phi`` larger, never
smaller: the model is then less sure, not more. ``phi`` is at least 1.

Pushes are counted per deal-quarter open (91 days of one open deal: ``pushes_per_deal_quarter``), so the
halves' exposures differ (deals opened and closed); given a rep's pushes over the window, the recent half
holds a share ``p = e_recent / e`` of them by chance, and ``phi = sum (r - N p)^2 / (p (1 - p)) / sum N``
(N = r + o; with equal halves, ``p = 1/2``, this is the formula above).
"""

from collections.abc import Iterable
from typing import Any

from coaching.gaps.context import Snap
from coaching.metrics import names

# The metrics whose long-window counts the model judges, and the recent (91-day) count in their details.
LONG_METRICS = frozenset({names.CLOSE_DATE_PUSHES, names.STAGE_REGRESSIONS})


def long_counts(snap: Snap | None) -> tuple[float, float, int] | None:
    """(count, exposure, days) over the long window, or None when the snapshot has none (older metrics)."""
    long = snap.details.get("long") if snap is not None else None
    if not isinstance(long, dict) or long.get("count") is None or long.get("exposure") is None:
        return None
    return float(long["count"]), float(long["exposure"]), int(long.get("days") or 0)


def pushes_per_deal_quarter(snap: Snap | None) -> float | None:
    """Close-date pushes per 91 days of open deals over the long window (182 days): the pushes over the
    deal-quarters the rep's deals were open (``coaching.metrics.history.deal_quarters_open``). None without
    the time open (older snapshots, or no deal open in the window)."""
    long = snap.details.get("long") if snap is not None else None
    if not isinstance(long, dict) or long.get("unit") != "deal_quarters" or long.get("count") is None:
        return None
    exposure = float(long.get("exposure") or 0.0)
    return float(long["count"]) / exposure if exposure > 0 else None


def halves(metric: str, snap: Snap) -> tuple[float, float, float, float] | None:
    """(recent count, recent exposure, older count, older exposure) of the long window's two halves."""
    counted = long_counts(snap)
    if counted is None:
        return None
    count, exposure, _days = counted
    if metric == names.CLOSE_DATE_PUSHES:
        recent = float(snap.details.get("pushes") or 0)
        long = snap.details["long"]
        if long.get("unit") == "deal_quarters":
            recent_exposure = float(long.get("recent_exposure") or 0.0)
            return recent, recent_exposure, count - recent, exposure - recent_exposure
        # Older snapshots: both halves counted on the deals the rep holds now.
        return recent, exposure, count - recent, exposure
    recent, recent_n = float(snap.value or 0), float(snap.n)
    return recent, recent_n, count - recent, exposure - recent_n


def poisson_dispersion(pairs: Iterable[tuple[float, float]]) -> float:
    """phi of counts over equal exposures, from (recent, older) per rep: quasi-Poisson, at least 1."""
    return exposed_poisson_dispersion((recent, 1.0, older, 1.0) for recent, older in pairs)


def exposed_poisson_dispersion(rows: Iterable[tuple[float, float, float, float]]) -> float:
    """phi of counts over the halves' own exposures, from (recent, its exposure, older, its exposure) per
    rep: each rep's recent count is binomial on the rep's total with p = the recent half's share of the
    exposure under a steady rate; quasi-Poisson, at least 1. Halves without exposure say nothing."""
    spread = total = 0.0
    for recent, recent_exposure, older, older_exposure in rows:
        if recent_exposure <= 0 or older_exposure <= 0:
            continue
        count = recent + older
        share = recent_exposure / (recent_exposure + older_exposure)
        spread += (recent - count * share) ** 2 / (share * (1 - share))
        total += count
    return max(1.0, spread / total) if total > 0 else 1.0


def binomial_dispersion(rows: Iterable[tuple[float, float, float, float]]) -> float:
    """phi of shares, from (k recent, n recent, k older, n older) per rep: the mean Pearson X^2 of the two
    halves against the rep's own pooled share (1 degree of freedom each), at least 1."""
    statistics = []
    for k1, n1, k2, n2 in rows:
        n, k = n1 + n2, k1 + k2
        if n1 <= 0 or n2 <= 0 or k <= 0 or k >= n:
            continue  # no information on the spread: no moves in a half, or no regressions at all
        share = k / n
        statistics.append(sum((kh - nh * share) ** 2 / (nh * share * (1 - share)) for kh, nh in ((k1, n1), (k2, n2))))
    return max(1.0, sum(statistics) / len(statistics)) if statistics else 1.0


def dispersion(metric: str, snaps: Iterable[Snap | None]) -> float:
    """phi of the metric's long-window counts over the org's reps (1 when no rep has them)."""
    found = [pair for snap in snaps if snap is not None and (pair := halves(metric, snap)) is not None]
    if metric == names.CLOSE_DATE_PUSHES:
        return exposed_poisson_dispersion(found)
    return binomial_dispersion(found)


def long_evidence(metric: str, snap: Snap | None, phi: float) -> dict[str, Any] | None:
    """What the model judged, for the evidence: the window and the counts, and the dispersion."""
    counted = long_counts(snap) if metric in LONG_METRICS else None
    if counted is None:
        return None
    count, exposure, days = counted
    long = snap.details["long"] if snap is not None else {}
    if long.get("unit") == "deal_quarters":
        return {
            "window_days": days,
            "count": int(count),
            "exposure": round(exposure, 2),
            "exposure_unit": "deal_quarters",
            "deals_pushed": int(long.get("deals_pushed") or 0),
            "dispersion": round(phi, 2),
        }
    return {"window_days": days, "count": int(count), "exposure": int(exposure), "dispersion": round(phi, 2)}
