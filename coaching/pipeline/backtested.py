"""The backtested deal risk for the inspection, where the org has one: 1 - the win probability of the org's
own win model (``coaching.backtest``: fit on its closed deals, with the deal flags its backtest judged), given
each open deal's stage, flags and rep as they stand at the end of the week reviewed. None where the org has
no model yet: the inspection then ranks by the plain heuristic of ``risk.py`` and says so."""

from datetime import date, timedelta
from typing import Any

from django.db import connection

from coaching.backtest.flags import BY_KEY
from coaching.backtest.pricing import load_model
from coaching.backtest.states import STATES, StateSet, deal_states
from coaching.backtest.winmodel import MODEL_FLAGS
from coaching.metrics.dialect import fetch
from coaching.models import WinModel
from crm.models import Org

BACKTESTED, HEURISTIC = "backtested", "heuristic"
_COLUMNS = ("opp", "owner", "stage", *MODEL_FLAGS)


def backtested_risks(
    org: Org, deals: list[tuple[str, str, str]], week_start: date
) -> dict[str, tuple[float, tuple[str, ...]]] | None:
    """Per (sf_id, stage, owner) deal, (risk, reasons) from the org's win model, or None when it has none. A
    deal without stage history to read is priced on its current stage with no flag raised, and says so."""
    model = load_model(org)
    if model is None:
        return None
    if not deals:
        return {}
    deal_ids = [sf_id for sf_id, _stage, _owner in deals]
    stored = WinModel.objects.filter(org=org).values_list("parameters", flat=True).first() or {}
    limit = (connection.features.max_query_params or 10000) - 20
    # A named set of deals when it fits one statement; otherwise every open deal, read in chunks.
    named = tuple(deal_ids) if len(deal_ids) < limit else None
    as_of = week_start - timedelta(days=1)
    states: dict[str, dict[str, Any]] = {}
    with deal_states(StateSet(org, (as_of,), opportunity_ids=named, stall_days=stored.get("stall_days") or None)):
        for start in range(0, len(deal_ids), max(100, min(limit, 5000))):
            chunk = deal_ids[start : start + max(100, min(limit, 5000))]
            marks = ", ".join("%s" for _ in chunk)
            for row in fetch(f"SELECT {', '.join(_COLUMNS)} FROM {STATES} WHERE opp IN ({marks})", chunk):
                states[row[0]] = dict(zip(_COLUMNS, row, strict=True))
    risks = {}
    for sf_id, stage, owner in deals:
        state = states.get(sf_id)
        flags = {key: int(state[key] or 0) for key in MODEL_FLAGS} if state else {}
        win = model.probability(state["stage"] if state else stage, flags, state["owner"] if state else owner)
        reasons = [f"{win:.0%} to win by the org's win model"]
        reasons += [f"deal {BY_KEY[key].plain}" for key in MODEL_FLAGS if flags.get(key)]
        if state is None:
            reasons.append("no stage history: priced on its stage alone")
        risks[sf_id] = (1.0 - win, tuple(reasons))
    return risks
