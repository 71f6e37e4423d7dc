"""Rep-level gaps priced in expected revenue (``coaching.gaps.stakes``): each kind against a figure worked out
by hand, the reasons given when nothing can be priced, phantom pipeline kept apart, and the rank line's words."""

from datetime import date

import pytest

from coaching.agendas.items import rank_line
from coaching.agendas.ranking import Candidate
from coaching.gaps.context import RepRow, RuleContext, Snap
from coaching.gaps.rule import Finding
from coaching.gaps.stakes import EXPOSURE, NEW_WINS, NONE, SOONER, WIN_BACK, price_rep_gaps
from coaching.metrics import names
from coaching.models import Gap
from crm.models import Org


def context(avg_won: float | None = 20000.0) -> RuleContext:
    metrics = {} if avg_won is None else {names.AVG_WON_AMOUNT: Snap(avg_won, 8, None, None, {})}
    return RuleContext(
        org=Org(name="acme"),
        week_start=date(2024, 6, 24),
        as_of=date(2024, 6, 30),
        reps={"R1": RepRow("R1", "M1", metrics), "R2": RepRow("R2", "M1", {})},
    )


def finding(code: str, *, n: int = 0, rep: str = "R1", model: tuple[float, float] | None = None, **evidence) -> Finding:
    if model is not None:
        evidence["model"] = {"estimate": model[0], "peers_estimate": model[1]}
    return Finding(code, "where", rep, "M1", "metric", None, None, None, n, 0.5, 0.9, evidence=evidence)


def priced(item: Finding, ctx: RuleContext | None = None, **kwargs) -> Finding:
    price_rep_gaps(ctx or context(), [item], **kwargs)
    return item


def test_win_rate_is_closed_deals_times_a_typical_win_times_the_shrunk_gap():
    gap = priced(finding("WIN_RATE_LOW", n=25, model=(0.20, 0.40), shrunk_value=0.1, peer_median=0.5))
    # 25 closed deals x $20,000 a win x (40 % - 20 %): the model's estimates, not the rule's raw ones.
    assert gap.revenue_at_stake == pytest.approx(100000.0)
    stake = gap.evidence["stake"]
    assert stake["kind"] == WIN_BACK
    assert stake["explanation"] == (
        "About $100k of wins over 26 weeks: 25 closed deals at a typical win of $20k, won at 20 % against the"
        " team's 40 %."
    )
    assert stake["explanation"] in gap.evidence["notes"]


def test_win_rate_falls_back_on_the_rules_shrunk_rate_and_says_org_when_the_org_is_the_yardstick():
    gap = priced(finding("WIN_RATE_LOW", n=10, shrunk_value=0.25, peer_median=0.45, reference="org"))
    assert gap.revenue_at_stake == pytest.approx(10 * 20000 * 0.20)
    assert "against the org's 45 %" in gap.evidence["stake"]["explanation"]


def test_a_rep_better_than_the_model_says_puts_nothing_at_stake_rather_than_a_negative_figure():
    gap = priced(finding("WIN_RATE_LOW", n=10, model=(0.5, 0.4)))
    assert gap.revenue_at_stake == 0.0


def test_without_a_won_deal_a_win_rate_gap_says_why_it_is_not_priced():
    gap = priced(finding("WIN_RATE_LOW", n=25, model=(0.2, 0.4)), context(avg_won=None))
    assert gap.revenue_at_stake is None
    assert gap.evidence["stake"] == {
        "kind": NONE,
        "amount": None,
        "explanation": "Not priced: no won deal in the window to value a win at.",
    }


def test_product_win_rate_sums_deals_won_back_per_weak_product():
    products = [
        {"name": "Widget", "peer_median": 0.5, "shrunk": 0.3, "decided": 10},
        {"name": "Gadget", "peer_median": 0.6, "shrunk": 0.5, "decided": 10},
    ]
    gap = priced(finding("PRODUCT_WIN_RATE_LOW", products=products))
    # (0.2 x 10 + 0.1 x 10) = 3 deals x $20,000.
    assert gap.revenue_at_stake == pytest.approx(60000.0)
    assert "Widget: 30 % against 50 %" in gap.evidence["stake"]["explanation"]


def test_deal_size_is_the_wins_at_the_peers_typical_size():
    gap = priced(finding("DEAL_SIZE_SMALL", n=8, model=(10000.0, 20000.0)))
    assert gap.revenue_at_stake == pytest.approx(80000.0)
    assert gap.evidence["stake"]["explanation"] == (
        "About $80k more over 26 weeks had the 8 wins been the team's typical size ($20k against $10k)."
    )


def test_cycle_brings_wins_forward_by_the_days_saved_and_never_more_than_the_window():
    gap = priced(finding("CYCLE_LONG", n=8, model=(120.0, 60.0)))
    # 8 wins x $20,000 over 182 days = $879.12 a day, 60 days sooner.
    assert gap.revenue_at_stake == pytest.approx(8 * 20000 / 182 * 60)
    assert gap.evidence["stake"]["kind"] == SOONER
    assert "60 days sooner" in gap.evidence["stake"]["explanation"]
    assert "not extra" in gap.evidence["stake"]["explanation"]
    slow = priced(finding("CYCLE_LONG", n=8, model=(600.0, 60.0)))
    assert slow.revenue_at_stake == pytest.approx(160000.0)  # the whole window's wins, no more


def test_coverage_is_the_missing_pipeline_on_the_shrunk_coverages_won_at_the_reps_rate():
    gap = priced(
        finding(
            "PIPELINE_COVERAGE_LOW",
            model=(0.8, 3.5),
            remaining=60000.0,
            thresholds={"max_coverage": 3.0},
            missing_pipeline=1.0,
            expected_win_rate=0.4,
        )
    )
    # (min(3.5, cap 3.0) - 0.8) x $60,000 still to win x 40 %.
    assert gap.revenue_at_stake == pytest.approx(2.2 * 60000 * 0.4)
    assert gap.evidence["stake"]["kind"] == NEW_WINS


def test_new_pipeline_is_the_rules_missing_amount_won_at_the_reps_rate():
    gap = priced(finding("NEW_PIPELINE_LOW", missing_pipeline=100000.0, expected_win_rate=0.3))
    assert gap.revenue_at_stake == pytest.approx(30000.0)
    assert gap.evidence["stake"]["explanation"] == (
        "About $30k of wins: $100k more pipeline created than peers in 13 weeks, won at the rep's 30 %."
    )


def test_phantom_pipeline_is_named_beside_a_pipeline_gap_and_never_added_to_its_stake():
    flagged = finding("STALE_DEALS", stake={"kind": WIN_BACK})
    flagged.records = [
        {"sf_id": "D1", "amount": 5000.0, "phantom": True},
        {"sf_id": "D2", "amount": 7000.0, "stake": 700.0},
    ]
    also = finding("FORECAST_OVERDUE", stake={"kind": WIN_BACK})
    also.records = [{"sf_id": "D1", "amount": 5000.0, "phantom": True}]  # the same deal: counted once
    gap = finding("NEW_PIPELINE_LOW", missing_pipeline=100000.0, expected_win_rate=0.3)
    price_rep_gaps(context(), [flagged, also, gap])
    assert gap.revenue_at_stake == pytest.approx(30000.0)
    assert gap.evidence["stake"]["phantom_pipeline"] == 5000.0
    assert "$5k of the open pipeline is phantom" in gap.evidence["stake"]["explanation"]
    assert flagged.evidence["stake"] == {"kind": WIN_BACK}  # deal flags keep the backtest's price


def test_concentration_is_the_expected_revenue_riding_on_the_one_deal():
    gap = finding("PIPELINE_CONCENTRATED", expected_win_rate=0.4)
    gap.opportunity_sf_id = "D9"
    gap.records = [{"sf_id": "D9", "amount": 90000.0}]
    priced(gap, chances={"D9": 0.25})
    assert gap.revenue_at_stake == pytest.approx(22500.0)
    assert gap.evidence["stake"]["kind"] == EXPOSURE
    assert gap.evidence["stake"]["chance_from"] == "the org's win model"
    # No win model: the rep's own win rate stands in.
    again = finding("PIPELINE_CONCENTRATED", expected_win_rate=0.4)
    again.opportunity_sf_id, again.records = "D9", [{"sf_id": "D9", "amount": 90000.0}]
    assert priced(again).revenue_at_stake == pytest.approx(36000.0)


@pytest.mark.parametrize("code", ["ACTIVITY_LOW", "PRODUCT_MIX_NARROW"])
def test_gaps_without_a_price_say_why(code):
    gap = finding(code)
    gap.revenue_at_stake = 123.0
    priced(gap)
    assert gap.revenue_at_stake is None
    assert gap.evidence["stake"]["explanation"].startswith("Not priced: ")


def test_strengths_are_not_priced():
    strength = finding("WIN_RATE_LOW", n=25, model=(0.6, 0.4))
    strength.is_strength = True
    assert "stake" not in priced(strength).evidence


def test_the_rank_line_names_the_kind_of_money():
    lead = Gap(code="CYCLE_LONG", person_sf_id="R1", evidence={"stake": {"kind": SOONER}})
    candidate = Candidate(
        code="CYCLE_LONG", family="where", person_sf_id="R1", metric="m", is_strength=False, lead=lead,
        stake=52747.0, ranked_stake=52747.0, severity=0.5, confidence=0.9, score=23736.0, adjusted=23736.0,
    )  # fmt: skip
    assert rank_line(candidate) == ("Rank score $24k = $53k of wins to bring forward x severity 0.50 x confidence 0.90")
    lead.evidence = {"stake": {"kind": NONE}}
    candidate.stake = None
    assert "no revenue figure, so the team's typical $53k" in rank_line(candidate)
