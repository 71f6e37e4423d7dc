"""The "what" rules: deal size, product mix, discounting and per-product win rates."""

from decimal import Decimal

import pytest

from coaching.metrics import names
from tests.gaps.conftest import PRODUCT, codes, one

# DEAL_SIZE_SMALL


def test_deal_size_small_fires(week):
    manager, _ = week.team(5)
    rep = week.rep(manager, **{names.MEDIAN_WON_AMOUNT: {"value": 8000.0, "n": 8}})
    gap = one(week.evaluate(), rep, "DEAL_SIZE_SMALL")
    assert gap.family == "what"
    # The same 8 deals won at the team's typical 20,000.
    assert gap.revenue_at_stake == Decimal("96000.00")


def test_deal_size_small_needs_most_of_the_deals_small(week):
    manager, _ = week.team(5)
    small = {"n": 8, "p25": 6000.0, "median": 8000.0, "p75": 12000.0}
    rep = week.rep(manager, **{names.MEDIAN_WON_AMOUNT: {"value": 8000.0, "n": 8, "details": {"quartiles": small}}})
    spread = {"n": 8, "p25": 5000.0, "median": 8000.0, "p75": 30000.0}
    mixed = week.rep(manager, **{names.MEDIAN_WON_AMOUNT: {"value": 8000.0, "n": 8, "details": {"quartiles": spread}}})
    result = week.evaluate()
    assert one(result, rep, "DEAL_SIZE_SMALL").evidence["quartiles"]["p75"] == 12000.0
    assert "DEAL_SIZE_SMALL" not in codes(result, mixed)


def test_deal_size_a_little_small_does_not_fire(week):
    manager, _ = week.team(5)
    rep = week.rep(manager, **{names.MEDIAN_WON_AMOUNT: {"value": 15000.0, "n": 8}})
    assert "DEAL_SIZE_SMALL" not in codes(week.evaluate(), rep)


def test_deal_size_on_few_wins_does_not_fire(week):
    manager, _ = week.team(5)
    rep = week.rep(manager, **{names.MEDIAN_WON_AMOUNT: {"value": 5000.0, "n": 3}})
    assert "DEAL_SIZE_SMALL" not in codes(week.evaluate(), rep)


# PRODUCT_MIX_NARROW


def _narrow(products: int, top_share: float, n: int = 8) -> dict:
    breakdown = [{"product_sf_id": PRODUCT, "name": "Platform", "share": top_share}]
    return {
        names.PRODUCTS_WON_COUNT: {"value": products, "n": n},
        names.TOP_PRODUCT_SHARE: {"value": top_share, "n": n, "details": {"by_product": breakdown}},
    }


def test_product_mix_narrow_fires(week):
    manager, _ = week.team(5)
    rep = week.rep(manager, **_narrow(1, 1.0))
    gap = one(week.evaluate(), rep, "PRODUCT_MIX_NARROW")
    assert gap.evidence["top_product_share"] == 1.0
    assert gap.evidence["by_product"][0]["name"] == "Platform"


def test_a_slightly_narrower_mix_does_not_fire(week):
    manager, _ = week.team(5)
    rep = week.rep(manager, **_narrow(2, 0.6))
    assert "PRODUCT_MIX_NARROW" not in codes(week.evaluate(), rep)


def test_product_mix_on_few_wins_does_not_fire(week):
    manager, _ = week.team(5)
    rep = week.rep(manager, **_narrow(1, 1.0, n=3))
    assert "PRODUCT_MIX_NARROW" not in codes(week.evaluate(), rep)


# DISCOUNT_HIGH


def test_discount_high_fires_with_the_discounted_deals(week):
    manager, _ = week.team(5)
    rep = week.rep(manager, **{names.AVG_DISCOUNT: {"value": 20.0, "n": 20}})
    deals = week.deals(rep, 3, won=True)
    week.snapshot(rep, names.AVG_DISCOUNT).details["evidence"] = [deal.sf_id for deal in deals]
    gap = one(week.evaluate(), rep, "DISCOUNT_HIGH")
    # 160,000 won net at 20 % off, priced again at the team's 8 %.
    assert gap.revenue_at_stake == Decimal("24000.00")
    assert {deal["sf_id"] for deal in gap.evidence["deals"]} == {deal.sf_id for deal in deals}


def test_discount_a_little_high_does_not_fire(week):
    manager, _ = week.team(5)
    rep = week.rep(manager, **{names.AVG_DISCOUNT: {"value": 11.0, "n": 20}})
    assert "DISCOUNT_HIGH" not in codes(week.evaluate(), rep)


def test_discount_a_few_points_over_a_tiny_median_does_not_fire(week):
    manager, _ = week.team(5, **{names.AVG_DISCOUNT: {"value": 2.0, "n": 20}})
    rep = week.rep(manager, **{names.AVG_DISCOUNT: {"value": 5.0, "n": 20}})
    assert "DISCOUNT_HIGH" not in codes(week.evaluate(), rep)


def test_discount_on_few_line_items_does_not_fire(week):
    manager, _ = week.team(5)
    rep = week.rep(manager, **{names.AVG_DISCOUNT: {"value": 30.0, "n": 4}})
    assert "DISCOUNT_HIGH" not in codes(week.evaluate(), rep)


# PRODUCT_WIN_RATE_LOW


def _product(won: int, lost: int) -> dict:
    row = {"product_sf_id": PRODUCT, "name": "Platform", "won": won, "lost": lost, "win_rate": won / (won + lost)}
    return {names.PRODUCT_WIN_RATE: {"value": row["win_rate"], "details": {"by_product": [row]}}}


def test_product_win_rate_low_fires(week):
    manager, _ = week.team(5)
    rep = week.rep(manager, **_product(1, 11))
    gap = one(week.evaluate(), rep, "PRODUCT_WIN_RATE_LOW")
    assert gap.value == pytest.approx(1 / 12, abs=1e-4)
    assert gap.team_value == pytest.approx(0.5)
    product = gap.evidence["products"][0]
    assert (product["product_sf_id"], product["won"], product["lost"]) == (PRODUCT, 1, 11)
    assert product["interval"][1] < 0.5
    # (50 % - (1 + 5) / 22) x 12 deals x 20,000 average won deal.
    assert float(gap.revenue_at_stake) == pytest.approx((0.5 - 6 / 22) * 12 * 20000, abs=1)


def test_product_win_rate_a_little_low_does_not_fire(week):
    manager, _ = week.team(5)
    rep = week.rep(manager, **_product(4, 6))
    assert "PRODUCT_WIN_RATE_LOW" not in codes(week.evaluate(), rep)


def test_product_win_rate_on_few_deals_does_not_fire(week):
    manager, _ = week.team(5)
    rep = week.rep(manager, **_product(0, 5))
    assert "PRODUCT_WIN_RATE_LOW" not in codes(week.evaluate(), rep)
