"""The backtest in plain words: one line per flag, for the settings page, the agenda, the portal and the API."""

from coaching.backtest.flags import BY_KEY
from coaching.models import FlagBacktest

NOT_ENOUGH = "not enough closed deals yet"


def _pct(value: float | None) -> str:
    return "?" if value is None else f"{value * 100:.0f} %"


def flag_line(row: FlagBacktest) -> str:
    """E.g. "In your org, deals without a task or event in 14 days won 13 % against 30 %; lead time 5 weeks."."""
    flag = BY_KEY.get(row.flag)
    plain = flag.plain if flag else row.flag
    if row.verdict == FlagBacktest.Verdict.NOT_ENOUGH:
        return f"Deals {plain}: {NOT_ENOUGH} to say how they end in your org."
    line = (
        f"In your org, deals {plain} won {_pct(row.win_rate_flagged)} against {_pct(row.win_rate_unflagged)}"
        f" (same rep and stage: {row.lift:.2f}x, 95 % {row.lift_low:.2f}-{row.lift_high:.2f})"
    )
    if row.verdict == FlagBacktest.Verdict.PREDICTS_LOSS and row.lead_time_days:
        line += f"; lead time {row.lead_time_days / 7:.0f} weeks"
    if row.override == FlagBacktest.Override.OFF:
        return line + "; switched off by an admin."
    kept_by_admin = row.override == FlagBacktest.Override.ON
    if kept_by_admin and row.verdict != FlagBacktest.Verdict.PREDICTS_LOSS:
        return line + "; kept on by an admin."
    if row.verdict == FlagBacktest.Verdict.NO_SIGNAL:
        return line + ": no measurable effect, so it is muted."
    if row.verdict == FlagBacktest.Verdict.PREDICTS_WIN:
        return line + ": flagged deals win more often here, so it is muted."
    return line + "."
