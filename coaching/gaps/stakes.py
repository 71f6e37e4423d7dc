"""Rep-level gaps priced in the deal flags' currency: expected revenue, with one line a manager reads.

A deal flag's stake is amount x the drop in win probability it shows (``coaching.backtest.pricing``). A
rep-level gap gets the same logic: what closing the gap to the peers' level would be worth over the rule's
window, from the model's shrunk estimates (``evidence["model"]``: the rep's estimate and the peers', both
pulled toward the org as the evidence warrants), never from the raw figure of a few deals. Each kind says
what the money is, because they are not the same money:

- ``win_back``: wins the rep would have had at the peers' level (win rate, deal size, discount);
- ``new_wins``: wins the missing pipeline would bring at the rep's own win rate (coverage, new pipeline);
- ``sooner``: wins that arrive earlier at the peers' pace — revenue brought forward, not extra (cycle);
- ``exposure``: expected revenue riding on one deal — a forecast risk, not a loss (concentration);
- ``none``: not priced, and the line says why (activity, product mix).

Phantom pipeline (open deals under 10 % to win, named by the deal flags' pricing) is never in a stake: the
pipeline gaps count it apart, as the forecast's clean-up. The agenda ranks by the stake unchanged.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from coaching.agendas.units import money
from coaching.gaps.context import RuleContext
from coaching.gaps.rule import Finding
from coaching.metrics import names
from coaching.metrics.names import CLOSED_WINDOW_DAYS, NEW_PIPELINE_WINDOW_DAYS

WIN_BACK, NEW_WINS, SOONER, EXPOSURE, NONE = "win_back", "new_wins", "sooner", "exposure", "none"
# How the agenda's rank line names each kind of money ("$42k of wins to win back x severity …").
RANKED_AS = {
    WIN_BACK: "of wins to win back",
    NEW_WINS: "of wins from the missing pipeline",
    SOONER: "of wins to bring forward",
    EXPOSURE: "riding on one deal",
}
WEEKS = CLOSED_WINDOW_DAYS // 7


@dataclass(frozen=True)
class Stake:
    amount: float | None
    kind: str
    line: str  # one sentence in a manager's words
    inputs: dict[str, Any]


def _estimates(finding: Finding) -> tuple[float | None, float | None]:
    """(the rep's shrunk estimate, the peers') from the model; the rule's own figures when it gave none."""
    model = finding.evidence.get("model")
    if isinstance(model, dict) and model.get("estimate") is not None and model.get("peers_estimate") is not None:
        return float(model["estimate"]), float(model["peers_estimate"])
    rep = finding.evidence.get("shrunk_value", finding.value)
    peers = finding.evidence.get("peer_median", finding.team_value)
    return (None if rep is None else float(rep)), (None if peers is None else float(peers))


def _peers_word(finding: Finding) -> str:
    return "the org's" if finding.evidence.get("reference") == "org" else "the team's"


def _avg_win(context: RuleContext, rep: str) -> float | None:
    snap = context.snap(rep, names.AVG_WON_AMOUNT)
    return float(snap.value) if snap and snap.value else None


def _pct(share: float) -> str:
    return f"{share * 100:.0f} %"


def _none(why: str) -> Stake:
    return Stake(None, NONE, f"Not priced: {why}.", {})


def win_rate(context: RuleContext, finding: Finding) -> Stake:
    """Closed deals in the window x the rep's typical win x (peers' rate - the rep's), both shrunk."""
    rep_rate, peers_rate = _estimates(finding)
    average = _avg_win(context, finding.person_sf_id)
    decided = finding.n
    if rep_rate is None or peers_rate is None or not average or not decided:
        return _none("no won deal in the window to value a win at")
    amount = decided * average * max(0.0, peers_rate - rep_rate)
    line = (
        f"About {money(amount)} of wins over {WEEKS} weeks: {decided} closed deals at a typical win of"
        f" {money(average)}, won at {_pct(rep_rate)} against {_peers_word(finding)} {_pct(peers_rate)}."
    )
    return Stake(
        amount, WIN_BACK, line, {"deals": decided, "average_win": average, "rep": rep_rate, "peers": peers_rate}
    )


def product_win_rate(context: RuleContext, finding: Finding) -> Stake:
    """Per weak product, closed deals x (peers' rate - the rep's shrunk rate), at the rep's typical win."""
    average = _avg_win(context, finding.person_sf_id)
    products = [row for row in finding.evidence.get("products") or [] if row.get("shrunk") is not None]
    if not average or not products:
        return _none("no won deal in the window to value a win at")
    lost = sum(max(0.0, row["peer_median"] - row["shrunk"]) * row["decided"] for row in products)
    # The rule's own sum, unrounded where it gave one (the evidence rows are rounded for reading).
    amount = finding.revenue_at_stake if finding.revenue_at_stake is not None else lost * average
    worst = products[0]
    line = (
        f"About {money(amount)} of wins over {WEEKS} weeks: {lost:.1f} more deals won at the peers' rate"
        f" ({worst.get('name') or 'the product'}: {_pct(worst['shrunk'])} against {_pct(worst['peer_median'])}),"
        f" at a typical win of {money(average)}."
    )
    return Stake(amount, WIN_BACK, line, {"deals_won_back": round(lost, 2), "average_win": average})


def deal_size(context: RuleContext, finding: Finding) -> Stake:
    """The rep's wins in the window, each at the peers' typical size instead of the rep's (shrunk)."""
    rep_size, peers_size = _estimates(finding)
    if rep_size is None or peers_size is None or not finding.n:
        return _none("no won deals to resize")
    amount = finding.n * max(0.0, peers_size - rep_size)
    line = (
        f"About {money(amount)} more over {WEEKS} weeks had the {finding.n} wins been {_peers_word(finding)}"
        f" typical size ({money(peers_size)} against {money(rep_size)})."
    )
    return Stake(amount, WIN_BACK, line, {"wins": finding.n, "rep": rep_size, "peers": peers_size})


def discount(context: RuleContext, finding: Finding) -> Stake:
    """The won line-item value, priced again at the peers' discount (the rule's figure)."""
    if finding.revenue_at_stake is None:
        return _none("no won line items to price again")
    rep_level, peers_level = _estimates(finding)
    line = (
        f"About {money(finding.revenue_at_stake)} given away over {WEEKS} weeks beyond"
        f" {_peers_word(finding)} typical discount ({peers_level or 0:.0f} % against {rep_level or 0:.0f} %)."
    )
    return Stake(finding.revenue_at_stake, WIN_BACK, line, {"rep": rep_level, "peers": peers_level})


def cycle(context: RuleContext, finding: Finding) -> Stake:
    """Wins per day x the days saved at the peers' pace (at most the window): brought forward, not extra.

    At the same inflow of deals, a shorter cycle does not raise the steady rate of wins; it moves the
    pipeline's wins earlier once, by the days saved — that much of the window's wins arrives sooner."""
    rep_days, peers_days = _estimates(finding)
    average = _avg_win(context, finding.person_sf_id)
    if rep_days is None or peers_days is None or not average or not finding.n:
        return _none("no won deals in the window to time")
    saved = min(float(CLOSED_WINDOW_DAYS), max(0.0, rep_days - peers_days))
    per_day = finding.n * average / CLOSED_WINDOW_DAYS
    amount = per_day * saved
    line = (
        f"About {money(amount)} of wins would come {saved:.0f} days sooner at {_peers_word(finding)} pace"
        f" ({peers_days:.0f} days against {rep_days:.0f}): earlier revenue, not extra."
    )
    return Stake(amount, SOONER, line, {"days_saved": saved, "wins_per_day": per_day})


def missing_pipeline(context: RuleContext, finding: Finding) -> Stake:
    """The pipeline missing against the peers (the rule's figure) x the rep's win rate (shrunk)."""
    missing, rate = finding.evidence.get("missing_pipeline"), finding.evidence.get("expected_win_rate")
    if finding.code == "PIPELINE_COVERAGE_LOW":
        missing = _coverage_missing(finding, missing)
    if missing is None or rate is None:
        return _none("no win rate to turn the missing pipeline into wins")
    amount = float(missing) * float(rate)
    where = (
        "to reach the peers' coverage this quarter"
        if finding.code == "PIPELINE_COVERAGE_LOW"
        else f"created than peers in {NEW_PIPELINE_WINDOW_DAYS // 7} weeks"
    )
    line = f"About {money(amount)} of wins: {money(missing)} more pipeline {where}, won at the rep's {_pct(rate)}."
    return Stake(amount, NEW_WINS, line, {"missing_pipeline": missing, "win_rate": rate})


def _coverage_missing(finding: Finding, fallback: float | None) -> float | None:
    """(peers' coverage, capped - the rep's) x the quota still to win, on the model's shrunk coverages."""
    rep, peers = _estimates(finding) if isinstance(finding.evidence.get("model"), dict) else (None, None)
    remaining = finding.evidence.get("remaining")
    cap = (finding.evidence.get("thresholds") or {}).get("max_coverage")
    if rep is None or peers is None or not remaining:
        return fallback
    target = min(peers, float(cap)) if cap is not None else peers
    return max(0.0, target - rep) * float(remaining)


def concentration(context: RuleContext, finding: Finding, chances: dict[str, float]) -> Stake:
    """The one deal's amount x its chance to win: the expected revenue that rides on it."""
    record = finding.records[0] if finding.records else {}
    amount = record.get("amount")
    chance = chances.get(finding.opportunity_sf_id)
    source = "the org's win model"
    if chance is None:
        chance, source = finding.evidence.get("expected_win_rate"), "the rep's win rate"
    if not amount or chance is None:
        return _none("no amount or chance to win on the deal")
    stake = float(amount) * float(chance)
    line = (
        f"{money(stake)} of expected revenue rides on one deal ({money(amount)} at {_pct(chance)} to win):"
        " a forecast risk to spread, not revenue lost."
    )
    return Stake(stake, EXPOSURE, line, {"amount": amount, "chance": chance, "chance_from": source})


PRICERS: dict[str, Callable[[RuleContext, Finding], Stake]] = {
    "WIN_RATE_LOW": win_rate,
    "PRODUCT_WIN_RATE_LOW": product_win_rate,
    "DEAL_SIZE_SMALL": deal_size,
    "DISCOUNT_HIGH": discount,
    "CYCLE_LONG": cycle,
    "PIPELINE_COVERAGE_LOW": missing_pipeline,
    "NEW_PIPELINE_LOW": missing_pipeline,
}
NOT_PRICED = {
    "ACTIVITY_LOW": "activity is an input; what it costs shows in the deal flags (stale deals) and the win rate,"
    " priced there",
    "PRODUCT_MIX_NARROW": "no attach rates per product yet to say what a broader mix would add",
}


def price_rep_gaps(context: RuleContext, findings: list[Finding], chances: dict[str, float] | None = None) -> None:
    """Set each rep-level gap's stake (expected revenue, or None with the reason), after the deal flags were
    priced: their phantom pipeline is named apart on the rep's pipeline gaps. ``chances``: open deals' win
    probabilities from the org's win model, where it has one."""
    phantom = phantom_by_rep(findings)
    for finding in findings:
        if finding.is_strength or "stake" in finding.evidence:  # deal flags: priced by the backtest
            continue
        if finding.code == "PIPELINE_CONCENTRATED":
            stake = concentration(context, finding, chances or {})
        elif finding.code in PRICERS:
            stake = PRICERS[finding.code](context, finding)
        elif finding.code in NOT_PRICED:
            stake = _none(NOT_PRICED[finding.code])
        else:
            continue
        apply(finding, stake, phantom.get(finding.person_sf_id, 0.0))


def apply(finding: Finding, stake: Stake, phantom: float = 0.0) -> None:
    finding.revenue_at_stake = stake.amount
    line = stake.line
    block: dict[str, Any] = {"kind": stake.kind, "amount": _round(stake.amount), **stake.inputs}
    if stake.kind == NEW_WINS and phantom > 0:
        # The pipeline the rep has is smaller than it looks: deals the win model gives under 10 %.
        block["phantom_pipeline"] = round(phantom, 2)
        line += f" Besides, {money(phantom)} of the open pipeline is phantom (under 10 % to win): clean it up."
    block["explanation"] = line
    finding.evidence["stake"] = block
    notes = finding.evidence.get("notes")
    finding.evidence["notes"] = [*(notes if isinstance(notes, list) else [notes] if notes else []), line]


def phantom_by_rep(findings: list[Finding]) -> dict[str, float]:
    """Each rep's phantom pipeline among the deals the deal flags priced (each deal counted once)."""
    seen: dict[str, dict[str, float]] = defaultdict(dict)
    for finding in findings:
        for record in finding.records:
            if record.get("phantom"):
                seen[finding.person_sf_id][record["sf_id"]] = float(record.get("amount") or 0.0)
    return {rep: sum(deals.values()) for rep, deals in seen.items()}


def concentrated_deals(findings: list[Finding]) -> list[str]:
    return sorted({f.opportunity_sf_id for f in findings if f.code == "PIPELINE_CONCENTRATED" and f.opportunity_sf_id})


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
