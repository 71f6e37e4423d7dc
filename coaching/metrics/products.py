"""What the rep sells: product concentration, breadth, per-product win rates and discounting.

All from the line items (OpportunityLineItem) of the rep's deals closed in the trailing 182 days: their
TotalPrice for value, their Product2Id for the product, their Discount (percent; blank means none).

The discount's details also carry the won line items of the trailing 365 days (``long``: how many, their
mean discount and its sample variance, and the won deals they are on): a rep wins a dozen deals in 182
days, too few to tell a discounting habit from chance, and the gap judges the year with the spread the
line items show (``coaching.gaps.measure``), not an assumed one.
"""

from typing import Any

from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery

from coaching.metrics.dialect import fetch
from coaching.metrics.evidence import evidence_ids
from coaching.metrics.names import (
    AVG_DISCOUNT,
    LONG_CLOSED_DAYS,
    PRODUCT_WIN_RATE,
    PRODUCTS_WON_COUNT,
    TOP_PRODUCT_SHARE,
)
from coaching.metrics.reps import Scope
from coaching.metrics.result import MetricValue, count_value, number, ratio_value
from crm.models import LineItem, Opportunity, Product

Metrics = dict[str, dict[str, MetricValue]]

# A product's win rate on fewer closed deals than this says little; it still shows in the details.
MIN_PRODUCT_DEALS = 3


def product_metrics(scope: Scope) -> Metrics:
    window = scope.closed_window
    by_product = _by_rep_and_product(scope)
    names = dict(Product.live.filter(org=scope.org).values_list("sf_id", "name"))
    closed = Opportunity.live.filter(
        org=scope.org, is_closed=True, close_date__gte=window.start, close_date__lte=window.end
    )
    items = LineItem.live.filter(org=scope.org, opportunity_sf_id=OuterRef("sf_id"))
    with_items = closed.filter(Exists(items))
    deal_counts = {
        row["owner_sf_id"]: row
        for row in with_items.values("owner_sf_id")
        .order_by()
        .annotate(won=Count("id", filter=Q(is_won=True)), closed=Count("id"))
    }
    top_discount = Subquery(items.values("opportunity_sf_id").order_by().annotate(top=Max("discount")).values("top"))
    discounted_ids = evidence_ids(
        with_items.filter(is_won=True).annotate(top_discount=top_discount).filter(top_discount__gt=0),
        [F("top_discount").desc(), F("amount").desc(nulls_last=True)],
    )

    long_discounts = _won_discounts(scope)
    result: Metrics = {TOP_PRODUCT_SHARE: {}, PRODUCTS_WON_COUNT: {}, PRODUCT_WIN_RATE: {}, AVG_DISCOUNT: {}}
    for rep in scope.reps.values():
        products = by_product.get(rep.sf_id, [])
        counts = deal_counts.get(rep.sf_id, {})
        won_deals, closed_deals = counts.get("won", 0), counts.get("closed", 0)
        sold = sorted(
            (row for row in products if row["won_items"]), key=lambda row: (-row["won_value"], row["product"])
        )
        total = sum(row["won_value"] for row in sold)
        breakdown = [
            {
                "product_sf_id": row["product"],
                "name": names.get(row["product"], ""),
                "amount": row["won_value"],
                "share": row["won_value"] / total if total > 0 else None,
                "deals": row["won_deals"],
            }
            for row in sold
        ]
        result[TOP_PRODUCT_SHARE][rep.sf_id] = ratio_value(
            sold[0]["won_value"] if sold else None,
            total,
            window,
            won_deals,
            top_product_sf_id=sold[0]["product"] if sold else None,
            won_line_item_amount=total,
            by_product=breakdown,
        )
        result[PRODUCTS_WON_COUNT][rep.sf_id] = count_value(
            len(sold), window, n=won_deals, products=[row["product_sf_id"] for row in breakdown]
        )
        result[PRODUCT_WIN_RATE][rep.sf_id] = _product_win_rate(products, names, window, closed_deals)
        discount_sum = sum(row["won_discount_sum"] for row in products)
        won_items = sum(row["won_items"] for row in products)
        listed = sum(row["won_list_value"] for row in products)
        priced = sum(row["won_priced_value"] for row in products)
        result[AVG_DISCOUNT][rep.sf_id] = ratio_value(
            discount_sum,
            won_items,
            window,
            won_items,
            weighted_discount=100.0 * (1 - priced / listed) if listed > 0 else None,
            long=long_discounts.get(rep.sf_id, {"days": LONG_CLOSED_DAYS, "items": 0, "deals": 0}),
            evidence=discounted_ids.get(rep.sf_id, []),
        )
    return result


def _product_win_rate(products: list[dict[str, Any]], names: dict[str, str], window, closed_deals: int) -> MetricValue:
    rates = []
    for row in products:
        decided = row["won_deals"] + row["lost_deals"]
        if decided:
            rates.append(
                {
                    "product_sf_id": row["product"],
                    "name": names.get(row["product"], ""),
                    "won": row["won_deals"],
                    "lost": row["lost_deals"],
                    "win_rate": row["won_deals"] / decided,
                }
            )
    rates.sort(key=lambda rate: (rate["win_rate"], rate["product_sf_id"]))
    judged = [rate for rate in rates if rate["won"] + rate["lost"] >= MIN_PRODUCT_DEALS]
    weakest = judged[0] if judged else None
    return MetricValue(
        weakest["win_rate"] if weakest else None,
        closed_deals,
        window,
        {
            "weakest_product_sf_id": weakest["product_sf_id"] if weakest else None,
            "min_deals": MIN_PRODUCT_DEALS,
            "by_product": rates,
        },
    )


def _won_discounts(scope: Scope) -> dict[str, dict[str, Any]]:
    """Per rep, the won line items of deals closed in the trailing 365 days: their number, mean discount and
    its sample variance (a blank discount is 0), and the won deals they are on; one grouped statement."""
    item, opportunity = LineItem._meta.db_table, Opportunity._meta.db_table
    window = scope.long_closed_window
    sql = (
        "SELECT o.owner_sf_id, COUNT(li.id), SUM(COALESCE(li.discount, 0)),"
        " SUM(COALESCE(li.discount, 0) * COALESCE(li.discount, 0)), COUNT(DISTINCT o.sf_id)"
        f" FROM {item} li JOIN {opportunity} o ON o.org_id = li.org_id AND o.sf_id = li.opportunity_sf_id"
        " WHERE li.org_id = %s AND li.is_deleted = %s AND o.is_deleted = %s AND o.is_closed = %s AND o.is_won = %s"
        " AND o.close_date >= %s AND o.close_date <= %s"
        " GROUP BY o.owner_sf_id"
    )
    params = (scope.org.pk, False, False, True, True, window.start, window.end)
    found: dict[str, dict[str, Any]] = {}
    for owner, items, total, squares, deals in fetch(sql, params):
        total, squares = number(total) or 0.0, number(squares) or 0.0
        mean = total / items if items else None
        # The sample variance from the sums; a float's rounding can take a constant's a hair below 0.
        variance = max(0.0, (squares - items * mean * mean) / (items - 1)) if mean is not None and items > 1 else None
        found[owner] = {"days": LONG_CLOSED_DAYS, "items": items, "deals": deals, "mean": mean, "variance": variance}
    return found


def _by_rep_and_product(scope: Scope) -> dict[str, list[dict[str, Any]]]:
    """Per rep and product, over live line items of live deals closed in the window (one grouped query)."""
    item, opportunity = LineItem._meta.db_table, Opportunity._meta.db_table
    window = scope.closed_window
    sql = (
        "SELECT o.owner_sf_id, li.product_sf_id,"
        " SUM(CASE WHEN o.is_won = %s THEN li.total_price END),"
        " COUNT(CASE WHEN o.is_won = %s THEN li.id END),"
        " SUM(CASE WHEN o.is_won = %s THEN COALESCE(li.discount, 0) END),"
        " SUM(CASE WHEN o.is_won = %s AND li.list_price IS NOT NULL AND li.quantity IS NOT NULL"
        "  AND li.total_price IS NOT NULL THEN li.list_price * li.quantity END),"
        " SUM(CASE WHEN o.is_won = %s AND li.list_price IS NOT NULL AND li.quantity IS NOT NULL"
        "  AND li.total_price IS NOT NULL THEN li.total_price END),"
        " COUNT(DISTINCT CASE WHEN o.is_won = %s THEN o.sf_id END),"
        " COUNT(DISTINCT CASE WHEN o.is_won = %s THEN o.sf_id END)"
        f" FROM {item} li JOIN {opportunity} o ON o.org_id = li.org_id AND o.sf_id = li.opportunity_sf_id"
        " WHERE li.org_id = %s AND li.is_deleted = %s AND o.is_deleted = %s AND o.is_closed = %s"
        " AND o.close_date >= %s AND o.close_date <= %s"
        " GROUP BY o.owner_sf_id, li.product_sf_id"
    )
    params = (True, True, True, True, True, True, False, scope.org.pk, False, False, True, window.start, window.end)
    found: dict[str, list[dict[str, Any]]] = {}
    for owner, product, value, items, discounts, listed, priced, won, lost in fetch(sql, params):
        found.setdefault(owner, []).append(
            {
                "product": product,
                "won_value": number(value) or 0.0,
                "won_items": items,
                "won_discount_sum": number(discounts) or 0.0,
                "won_list_value": number(listed) or 0.0,
                "won_priced_value": number(priced) or 0.0,
                "won_deals": won,
                "lost_deals": lost,
            }
        )
    return found
