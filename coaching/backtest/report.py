"""The org's backtest as a table for people: one row per deal flag, in plain words, for the settings page."""

from dataclasses import dataclass

from coaching.backtest.flags import FLAGS
from coaching.backtest.wording import NOT_ENOUGH, flag_line
from coaching.models import FlagBacktest, WinModel
from crm.models import Org


@dataclass(frozen=True)
class FlagRow:
    flag: str
    plain: str
    line: str
    verdict: str
    verdict_label: str
    muted: bool
    override: str
    deals: int
    flagged_deals: int


@dataclass(frozen=True)
class BacktestReport:
    rows: list[FlagRow]
    as_of: str | None
    model_line: str


def org_report(org: Org) -> BacktestReport:
    stored = {row.flag: row for row in FlagBacktest.objects.filter(org=org)}
    rows = []
    for flag in FLAGS:
        row = stored.get(flag.key) or FlagBacktest(org=org, flag=flag.key, as_of=org.created_at.date())
        rows.append(
            FlagRow(
                flag=flag.key,
                plain=f"Deals {flag.plain}",
                line=flag_line(row),
                verdict=row.verdict,
                verdict_label=str(FlagBacktest.Verdict(row.verdict).label),
                muted=row.muted,
                override=row.override,
                deals=row.deals,
                flagged_deals=row.flagged_deals,
            )
        )
    model = WinModel.objects.filter(org=org).first()
    if model is None or model.brier is None or model.stage_brier is None:
        model_line = f"Deal win probability: {NOT_ENOUGH}."
    else:
        model_line = (
            f"Deal win probability (stage, flags and rep), learnt from {model.deals:,} closed deals: Brier score"
            f" {model.brier:.3f}, against {model.stage_brier:.3f} for the stage's Probability (lower is better)."
        )
    as_of = max((row.as_of for row in stored.values()), default=None)
    return BacktestReport(rows, as_of.isoformat() if as_of else None, model_line)
