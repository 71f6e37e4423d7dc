"""One open deal's calibrated win probability, for the Opportunity-page widget: what the org's win model says
given the deal's stage, its flags today and its rep, beside the stage's Probability, with a line per flag."""

from datetime import date
from typing import Any

from coaching.backtest.flags import BY_KEY
from coaching.backtest.pricing import load_model, open_deal_states
from coaching.backtest.winmodel import MODEL_FLAGS
from coaching.backtest.wording import NOT_ENOUGH, flag_line
from coaching.models import FlagBacktest, WinModel
from crm.models import Opportunity


def deal_win_probability(deal: Opportunity, today: date) -> dict[str, Any]:
    org = deal.org
    fitted = WinModel.objects.filter(org=org).first()
    model = load_model(org)
    state = None if deal.is_closed else open_deal_states(org, today, [deal.sf_id]).get(deal.sf_id)
    rows = {row.flag: row for row in FlagBacktest.objects.filter(org=org)}
    flags = [key for key in MODEL_FLAGS if state and state[key]]
    probability = None
    if model is not None and state is not None:
        probability = model.probability(state["stage"], {key: int(state[key]) for key in MODEL_FLAGS}, state["owner"])
    if deal.is_closed:
        reason = "the deal is closed"
    elif model is None:
        reason = NOT_ENOUGH
    elif state is None:
        reason = "the deal has no stage history to read"
    else:
        reason = ""
    return {
        "probability": None if probability is None else round(probability, 3),
        "calibration_note": calibration_note(fitted, probability),
        "stage_probability": None if deal.probability is None else round(deal.probability / 100, 3),
        "why_none": reason,
        "flags": [
            {
                "flag": key,
                "muted": bool(rows.get(key) and rows[key].muted),
                "line": flag_line(rows[key]) if key in rows else flag_line(FlagBacktest(flag=key, as_of=today)),
                "plain": BY_KEY[key].plain,
            }
            for key in flags
        ],
        "model": None
        if fitted is None
        else {
            "as_of": fitted.as_of.isoformat(),
            "closed_deals": fitted.deals,
            "brier": fitted.brier,
            "stage_brier": fitted.stage_brier,
        },
    }


def calibration_note(fitted: WinModel | None, probability: float | None) -> str:
    """How far to trust the figure, in plain words: how the org's deals given about as much actually did, and
    the model's Brier score beside the stage's. The bins are those of the deals it was fitted on (in-sample)."""
    if fitted is None or probability is None:
        return ""
    bins = [row for row in fitted.calibration or [] if row.get("low") is not None and row.get("n")]
    near = next((row for row in bins if row["low"] <= probability < row["low"] + 0.1), None)
    if near is None and bins:
        near = min(bins, key=lambda row: abs(row["predicted"] - probability))
    said = ""
    if near is not None:
        said = (
            f"In your org's history, deals given {near['low'] * 100:.0f}-{(near['low'] + 0.1) * 100:.0f} % won"
            f" {near['observed'] * 100:.0f} % of the time ({near['n']:,.0f} deal-weeks). "
        )
    if fitted.brier is not None and fitted.stage_brier is not None:
        better = "better than" if fitted.brier < fitted.stage_brier else "no better than"
        said += (
            f"Learnt from {fitted.deals:,} closed deals; error {fitted.brier:.3f} against {fitted.stage_brier:.3f}"
            f" for the stage's probability ({better} the stage; lower is better)."
        )
    return said.strip()
