"""top_product_share, products_won_count, product_win_rate and avg_discount, from line items."""

from decimal import Decimal

import pytest

from coaching.metrics import names
from coaching.metrics.compute import compute_metrics
from tests.factories import LineItemFactory, OpportunityFactory, ProductFactory
from tests.metrics.conftest import AS_OF, days_before, metric


@pytest.fixture
def products(org):
    return [ProductFactory(org=org, name=name) for name in ("Core", "Analytics", "Support")]


def item(deal, product, total: str, **fields):
    return LineItemFactory(opportunity=deal, product=product, unit_price=Decimal(total), **fields)


def test_top_product_share_is_the_largest_products_share_of_won_line_item_value(org, rep, products):
    core, analytics, support = products
    won = OpportunityFactory(org=org, owner=rep, won=True, close_date=days_before(10))
    item(won, core, "600")
    item(won, analytics, "100")
    second = OpportunityFactory(org=org, owner=rep, won=True, close_date=days_before(20))
    item(second, analytics, "200")
    item(second, support, "100")
    lost = OpportunityFactory(org=org, owner=rep, lost=True, close_date=days_before(5))
    item(lost, support, "5000")  # lost deals do not count
    old = OpportunityFactory(org=org, owner=rep, won=True, close_date=days_before(182))
    item(old, support, "5000")  # out of the window
    item(won, support, "5000", is_deleted=True)  # deleted line item
    deleted = OpportunityFactory(org=org, owner=rep, won=True, close_date=days_before(3), is_deleted=True)
    item(deleted, support, "5000")  # on a deleted deal
    share = metric(org, rep, names.TOP_PRODUCT_SHARE)
    assert share.value == pytest.approx(600 / 1000)
    assert share.n == 2
    assert share.details["top_product_sf_id"] == core.sf_id
    assert share.details["won_line_item_amount"] == 1000.0
    assert [row["name"] for row in share.details["by_product"]] == ["Core", "Analytics", "Support"]
    assert [row["amount"] for row in share.details["by_product"]] == [600.0, 300.0, 100.0]
    assert share.details["by_product"][1]["deals"] == 2
    count = metric(org, rep, names.PRODUCTS_WON_COUNT)
    assert (count.value, count.n) == (3, 2)


def test_total_price_is_what_counts(org, rep, products):
    core, analytics, _ = products
    won = OpportunityFactory(org=org, owner=rep, won=True, close_date=days_before(1))
    LineItemFactory(opportunity=won, product=core, quantity=10, unit_price=Decimal("10"), total_price=Decimal("100"))
    LineItemFactory(
        opportunity=won, product=analytics, quantity=1, unit_price=Decimal("300"), total_price=Decimal("300")
    )
    assert metric(org, rep, names.TOP_PRODUCT_SHARE).value == pytest.approx(0.75)


def test_without_won_line_items_there_is_no_product_share(org, rep, products):
    OpportunityFactory(org=org, owner=rep, won=True, close_date=days_before(1))  # no line items
    result = compute_metrics(org, AS_OF).rep(rep.sf_id).metrics
    assert (result[names.TOP_PRODUCT_SHARE].value, result[names.TOP_PRODUCT_SHARE].n) == (None, 0)
    assert result[names.TOP_PRODUCT_SHARE].details["by_product"] == []
    assert result[names.PRODUCTS_WON_COUNT].value == 0
    assert result[names.AVG_DISCOUNT].value is None
    assert result[names.PRODUCT_WIN_RATE].value is None


def test_avg_discount_over_won_line_items(org, rep, products):
    core, analytics, _ = products
    won = OpportunityFactory(org=org, owner=rep, won=True, close_date=days_before(1))
    item(won, core, "100", discount=20.0, list_price=Decimal("125"))
    item(won, analytics, "100", discount=None, list_price=Decimal("100"))  # no discount
    deep = OpportunityFactory(org=org, owner=rep, won=True, close_date=days_before(2))
    item(deep, core, "50", discount=40.0, list_price=Decimal("50"))
    lost = OpportunityFactory(org=org, owner=rep, lost=True, close_date=days_before(1))
    item(lost, core, "100", discount=90.0)
    discount = metric(org, rep, names.AVG_DISCOUNT)
    assert discount.value == pytest.approx(20.0)  # (20 + 0 + 40) / 3
    assert discount.n == 3
    assert discount.details["weighted_discount"] == pytest.approx(100 * (1 - 250 / 275))
    assert discount.details["evidence"] == [deep.sf_id, won.sf_id]


def test_product_win_rate_is_the_weakest_product_with_enough_deals(org, rep, products):
    core, analytics, support = products
    for outcome in ("won", "won", "lost", "lost"):
        deal = OpportunityFactory(org=org, owner=rep, close_date=days_before(3), **{outcome: True})
        item(deal, core, "100")
        item(deal, core, "100")  # two lines of one product on one deal: one deal
    for outcome in ("won", "lost", "lost"):
        deal = OpportunityFactory(org=org, owner=rep, close_date=days_before(3), **{outcome: True})
        item(deal, analytics, "100")
    deal = OpportunityFactory(org=org, owner=rep, lost=True, close_date=days_before(3))
    item(deal, support, "100")  # 0 % on one deal: too few to judge
    rate = metric(org, rep, names.PRODUCT_WIN_RATE)
    assert rate.value == pytest.approx(1 / 3)
    assert rate.n == 8
    assert rate.details["weakest_product_sf_id"] == analytics.sf_id
    by_product = {row["name"]: (row["won"], row["lost"]) for row in rate.details["by_product"]}
    assert by_product == {"Core": (2, 2), "Analytics": (1, 2), "Support": (0, 1)}
