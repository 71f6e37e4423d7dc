"""CLOSE_DATE_SLIPPAGE's rule: close dates pushed out, per 91 days of open deals (a where-rule: ``where.py``
lists it with the others)."""

from dataclasses import dataclass
from typing import Any

from coaching.gaps.context import RuleContext, Snap
from coaching.gaps.dispersion import pushes_per_deal_quarter
from coaching.gaps.kinds import LevelRule, rounded, trailing_window
from coaching.gaps.rule import Thresholds


@dataclass(frozen=True)
class CloseDateSlippage(LevelRule):
    """Close-date pushes per 91 days of open deals (a deal-quarter) over the trailing 182 days
    (``coaching.gaps.dispersion.pushes_per_deal_quarter``): the screen and the model read the same figure.
    Per deal open today, a rep who closed a lot of pushed deals lately looked like a slipper and one whose
    pushed deals were still open did not; twice the window gives the rare, bursty pushes twice the
    evidence. A snoozed deal leaves the pushed deals counted."""

    def value_of(self, snap: Snap) -> float | None:
        rate = pushes_per_deal_quarter(snap)
        return snap.value if rate is None else rate

    def _pushed(self, context: RuleContext, rep: str, snap: Snap) -> int:
        snoozed = context.deals_snoozed(self.code, rep) & set(snap.evidence_ids)
        long = snap.details.get("long") or {}
        pushed = long.get("deals_pushed") if pushes_per_deal_quarter(snap) is not None else None
        return int(snap.details.get("deals_pushed") or 0 if pushed is None else pushed) - len(snoozed)

    def extra_guard(self, context: RuleContext, rep: str, snap: Snap, t: Thresholds) -> bool:
        value = self.value_of(snap) or 0.0
        return value >= t["min_value"] and self._pushed(context, rep, snap) >= t["min_count"]

    def extra_evidence(self, context: RuleContext, rep: str, snap: Snap, t: Thresholds) -> dict[str, Any]:
        long = snap.details.get("long") or {}
        judged = {} if pushes_per_deal_quarter(snap) is None else {"window": trailing_window(snap, int(long["days"]))}
        return judged | {
            "pushes": snap.details.get("pushes"),
            "deals_pushed": self._pushed(context, rep, snap),
            "recent_per_deal_quarter": rounded(snap.value),
            "window_days": long.get("days"),
            "pushes_in_window": long.get("count"),
            "deal_quarters_open": long.get("exposure"),
            "deals_are": "deals whose close date moved later in the last 91 days, largest first",
        }

    def records_total(self, snap: Snap, records: list[dict[str, Any]], flagged: int | None) -> int:
        return max(len(records), int(snap.details.get("deals_pushed") or 0))
