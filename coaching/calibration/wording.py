"""How one topic's coaching effect reads, everywhere it is shown (agenda, rep page, digest text, API): the
leading metric's label and values in its own unit, the matched controls' change, and a verdict — or "not
enough data yet" with why."""

from dataclasses import dataclass

from coaching.calibration.leading import LEADING, NOT_MEASURED
from coaching.models import CoachingEffect

SHARES = {"WIN_RATE_LOW", "STAGE_REGRESSION", "STAGE_STALL", "STALE_DEALS", "NO_NEXT_STEP", "SINGLE_THREADED",
          "FORECAST_OVERDUE", "PIPELINE_CONCENTRATED"}  # fmt: skip
MOVED_AT = 1.0  # control SDs better than the controls' mean change (``ItemEffect.moved``)


def leading_value(code: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    if code in SHARES:
        return f"{value:.0%}"
    if code == "NEW_PIPELINE_LOW":
        return f"{value:,.0f}"
    if code == "DISCOUNT_HIGH":
        return f"{value:.1f} %"
    if code == "PIPELINE_COVERAGE_LOW":
        return f"{value:.2f}x"
    return f"{value:.2f}" if code == "CLOSE_DATE_SLIPPAGE" else f"{value:.1f}"


@dataclass(frozen=True)
class EffectWords:
    label: str
    verdict: str  # moved / worse / flat / waiting
    text: str

    def as_json(self) -> dict:
        return {"leading_metric": self.label, "verdict": self.verdict, "text": self.text}


def effect_words(effect: CoachingEffect, code: str) -> EffectWords:
    leading = LEADING.get(code)
    if leading is None:
        return EffectWords("", "waiting", NOT_MEASURED.get(code, "This topic has no leading metric."))
    label = leading.label
    if effect.measured_on is None:
        return EffectWords(label, "waiting", f"not enough data yet: measured after the 28 days that end in the week "
                                             f"of {effect.target_week.isoformat()}")  # fmt: skip
    values = f"{leading_value(code, effect.before)} → {leading_value(code, effect.after)}"
    if effect.score is None:
        why = "no figure for this rep" if effect.before is None or effect.after is None else (
            f"{effect.controls} comparable topics not discussed, too few to compare with")  # fmt: skip
        return EffectWords(label, "waiting", f"{values}; not enough data yet ({why})")
    verdict = "moved" if effect.score >= MOVED_AT else "worse" if effect.score <= -MOVED_AT else "flat"
    words = {"moved": "better than", "worse": "worse than", "flat": "in line with"}[verdict]
    control = "a randomised hold-out" if effect.control_kind == "randomised" else "topics not discussed"
    change = leading_value(code, abs(effect.control_change or 0.0))
    sign = "better" if (effect.control_change or 0) >= 0 else "worse"
    return EffectWords(label, verdict, f"{values}, {words} the {effect.controls} comparable {control} "
                                       f"(they went {change} {sign} on average; {effect.score:+.1f} SD)")  # fmt: skip
