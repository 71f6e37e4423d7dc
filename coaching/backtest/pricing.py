"""Revenue at stake for the deal flags, in one currency: expected revenue, not the gross amount.

For a flagged open deal, the stake is what the flag costs in expected revenue: amount x (win probability
without the flag - with it), both from the org's win model (same deal, same stage, same rep, the other
flags as they are). Until the org's backtest has a verdict, the generated orgs' win rates stand in as a
prior (amount x (unflagged - flagged rate)), and the line says so. A deal the model gives less than
``PHANTOM_BELOW`` to win is *phantom pipeline*: a forecast to clean up, not revenue to win back, so it is
counted apart and not in the stake the agenda ranks by. The rank arithmetic stays one line:
rank = revenue to win back x severity x confidence.
"""

from datetime import date
from typing import Any

from django.db import connection

from coaching.backtest.flags import BY_GAP_CODE, DealFlag
from coaching.backtest.states import STATES, StateSet, deal_states
from coaching.backtest.winmodel import MODEL_FLAGS, WinParameters
from coaching.backtest.wording import flag_line
from coaching.gaps.rule import Finding
from coaching.metrics.dialect import fetch
from coaching.models import FlagBacktest, WinModel
from crm.models import Org

PHANTOM_BELOW = 0.10
_COLUMNS = ("opp", "owner", "stage", *MODEL_FLAGS)


def load_model(org: Org) -> WinParameters | None:
    row = WinModel.objects.filter(org=org).values_list("parameters", flat=True).first()
    return WinParameters.from_json(row) if row else None


def open_deal_states(org: Org, as_of: date, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The named open deals as they stand on ``as_of``: stage, owner and flags (one build, chunked reads)."""
    if not ids:
        return {}
    found: dict[str, dict[str, Any]] = {}
    size = max(100, min(5000, (connection.features.max_query_params or 10000) - 10))
    stored = WinModel.objects.filter(org=org).values_list("parameters", flat=True).first() or {}
    with deal_states(StateSet(org, (as_of,), stall_days=stored.get("stall_days") or None)):
        for start in range(0, len(ids), size):
            chunk = ids[start : start + size]
            rows = fetch(
                f"SELECT {', '.join(_COLUMNS)} FROM {STATES} WHERE opp IN ({', '.join('%s' for _ in chunk)})", chunk
            )
            for row in rows:
                found[row[0]] = dict(zip(_COLUMNS, row, strict=True))
    return found


def win_chances(org: Org, as_of: date, ids: list[str]) -> dict[str, float]:
    """The named open deals' win probabilities from the org's win model (empty when it has none)."""
    model = load_model(org)
    if model is None or not ids:
        return {}
    states = open_deal_states(org, as_of, ids)
    return {
        sf_id: model.probability(state["stage"], {key: int(state[key]) for key in MODEL_FLAGS}, state["owner"])
        for sf_id, state in states.items()
    }


OWN, PRIOR = "your org's closed deals", "generated orgs (a prior: not enough closed deals yet)"


def learnt(flag: DealFlag, row: FlagBacktest | None, model: WinParameters | None) -> bool:
    """Whether the org's own figures price this flag (else the prior does, or nothing)."""
    verdict_known = row is not None and row.verdict != FlagBacktest.Verdict.NOT_ENOUGH
    return model is not None and verdict_known and flag.key in MODEL_FLAGS


def prior_loss(flag: DealFlag) -> bool:
    """Whether the prior says flagged deals win less (else it cannot price the flag)."""
    return flag.prior is not None and flag.prior[1] > flag.prior[0]


def deal_stake(
    flag: DealFlag, row: FlagBacktest | None, model: WinParameters | None, state: dict[str, Any] | None, amount: float
) -> tuple[float | None, float | None, str]:
    """(expected revenue the flag costs or None, the deal's win probability or None, where the figures come from)."""
    if model is not None and learnt(flag, row, model) and state is not None:
        flags = {key: int(state[key]) for key in MODEL_FLAGS}
        now = model.probability(state["stage"], flags, state["owner"])
        without = model.probability(state["stage"], {**flags, flag.key: 0}, state["owner"])
        return amount * max(0.0, without - now), now, OWN
    if flag.prior is None or not prior_loss(flag):
        return None, None, ""
    flagged, unflagged = flag.prior
    return amount * max(0.0, unflagged - flagged), None, PRIOR


def price_findings(org: Org, findings: list[Finding], as_of: date) -> None:
    """Re-price the deal-flag gaps' stakes as expected revenue to win back; name the phantom pipeline apart."""
    priced = [finding for finding in findings if finding.code in BY_GAP_CODE and finding.records]
    if not priced:
        return
    rows = {row.flag: row for row in FlagBacktest.objects.filter(org=org)}
    model = load_model(org)
    # The deals' states are rebuilt only where the org's own figures price a flag: a constant few statements.
    own = [
        finding
        for finding in priced
        if learnt(BY_GAP_CODE[finding.code], rows.get(BY_GAP_CODE[finding.code].key), model)
    ]
    ids = sorted({record["sf_id"] for finding in own for record in finding.records if not record.get("is_closed")})
    states = open_deal_states(org, as_of, ids)
    for finding in priced:
        flag = BY_GAP_CODE[finding.code]
        row = rows.get(flag.key)
        win_back = phantom = gross = 0.0
        source = ""
        finding.evidence["backtest_line"] = flag_line(row or FlagBacktest(flag=flag.key, as_of=as_of))
        if not learnt(flag, row, model) and not prior_loss(flag):
            _note(finding, finding.evidence["backtest_line"])
            # Nothing to price it with yet: unpriced, like any gap without a figure (ranked at the typical stake).
            finding.revenue_at_stake = None
            finding.evidence["stake"] = {
                "kind": "none",
                "explanation": "Not priced yet: neither your org's closed deals nor the prior show it costs wins.",
            }
            continue
        for record in finding.records:
            amount = record.get("amount") or 0.0
            if record.get("is_closed") or not amount:
                continue
            gross += amount
            stake, probability, source = deal_stake(flag, row, model, states.get(record["sf_id"]), amount)
            record["win_probability"] = None if probability is None else round(probability, 3)
            if probability is not None and probability < PHANTOM_BELOW:
                phantom += amount
                record["phantom"] = True
                record["flag_line"] = f"{probability * 100:.0f} % to win: phantom pipeline, clean up the forecast."
                continue
            if stake is None:  # no stage history to read the deal from, and no prior to fall back on
                record["flag_line"] = "Not priced: no stage history on this deal."
                continue
            win_back += stake
            record["stake"] = round(stake, 2)
            chance = "" if probability is None else f"{probability * 100:.0f} % to win; "
            record["flag_line"] = f"{chance}{stake:,.0f} of expected revenue to win back."
        finding.revenue_at_stake = win_back
        finding.evidence["stake"] = {
            "kind": "win_back",
            "win_back": round(win_back, 2),
            "phantom_pipeline": round(phantom, 2),
            "gross_open_amount": round(gross, 2),
            "source": source,
            "explanation": (
                f"Ranked by {win_back:,.0f} of revenue to win back (amount x the drop in win probability this flag"
                f" shows, from {source}) x severity x confidence; {phantom:,.0f} more is phantom pipeline."
            ),
        }
        _note(finding, finding.evidence["backtest_line"])
        _note(finding, finding.evidence["stake"]["explanation"])


def _note(finding: Finding, line: str) -> None:
    """Add a sentence the agenda item shows among its evidence lines ("notes")."""
    notes = finding.evidence.get("notes")
    notes = list(notes) if isinstance(notes, list) else ([notes] if isinstance(notes, str) and notes else [])
    finding.evidence["notes"] = [*notes, line]
