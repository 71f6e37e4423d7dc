"""The "what" rules: deal size, product mix, discounting and per-product win rates."""

import sys
from collections.abc import Callable
from decimal import Decimal
from types import FrameType
from unittest.mock import patch

import pytest

from coaching.gaps import what
from coaching.gaps.context import RuleContext, load_reps
from coaching.gaps.stats import summarize
from coaching.gaps.what import WHAT_RULES
from coaching.metrics import names
from tests.factories import OrgFactory
from tests.gaps.conftest import PRODUCT, OrgWeek, codes, one

# DEAL_SIZE_SMALL


def test_deal_size_small_fires(week):
    manager, _ = week.team(5)
    rep = week.rep(manager, **{names.MEDIAN_WON_AMOUNT: {"value": 8000.0, "n": 8}})
    gap = one(week.evaluate(), rep, "DEAL_SIZE_SMALL")
    assert gap.family == "what"
    # The same 8 deals won at the team's typical size, on the model's shrunk sizes: the rep's 8,000 pulled a
    # little toward the team's 20,000, so a little under 8 x 12,000.
    model = gap.evidence["model"]
    assert 8000 < model["estimate"] < 9000 and model["peers_estimate"] == pytest.approx(20000, rel=0.01)
    assert float(gap.revenue_at_stake) == pytest.approx(8 * (model["peers_estimate"] - model["estimate"]), abs=0.01)
    assert gap.evidence["stake"]["kind"] == "win_back"


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


ANALYTICS, SUPPORT = "01t000000000002AAA", "01t000000000003AAA"


def _sells(*rows: tuple[str, int, int]) -> dict:
    """The rep's PRODUCT_WIN_RATE snapshot: (product, won, lost) per product."""
    label = {PRODUCT: "Platform", ANALYTICS: "Analytics", SUPPORT: "Support"}
    by_product = [
        {"product_sf_id": product, "name": label[product], "won": won, "lost": lost, "win_rate": won / (won + lost)}
        for product, won, lost in rows
    ]
    return {names.PRODUCT_WIN_RATE: {"details": {"by_product": by_product}}}


def test_product_win_rate_low_across_teams_and_products(week):
    # Team A sells Platform at 50 % and Analytics at 60 %; one rep of it loses both.
    a = week.manager()
    week.rep(a, **_sells((PRODUCT, 5, 5), (ANALYTICS, 6, 4), (SUPPORT, 6, 6)))
    for _ in range(3):
        week.rep(a, **_sells((PRODUCT, 5, 5), (ANALYTICS, 6, 4)))
    two_weak = week.rep(a, **_sells((PRODUCT, 2, 10), (ANALYTICS, 3, 7)))
    # Team B: two teammates sell Analytics, too few to compare with, so the org's median is the yardstick.
    b = week.manager()
    for _ in range(2):
        week.rep(b, **_sells((ANALYTICS, 7, 3)))
    org_ref = week.rep(b, **_sells((ANALYTICS, 0, 10)))
    # Team C sells Platform at 90 %: a rep at 50 % is far below the team but not below the org's middle half.
    c = week.manager()
    for _ in range(3):
        week.rep(c, **_sells((PRODUCT, 9, 1)))
    floored = week.rep(c, **_sells((PRODUCT, 5, 5)))
    # Support: one other rep in the org sells it, no yardstick at all.
    lonely = week.rep(c, **_sells((SUPPORT, 0, 12)))

    result = week.evaluate()
    fired = {gap.person_sf_id for gap in result.gaps if gap.code == "PRODUCT_WIN_RATE_LOW"}
    assert fired == {two_weak.sf_id, org_ref.sf_id}
    assert "PRODUCT_WIN_RATE_LOW" not in codes(result, floored) | codes(result, lonely)

    # Both products below the team; the worst (Platform, 33 points below) leads.
    gap = one(result, two_weak, "PRODUCT_WIN_RATE_LOW")
    assert (gap.value, gap.team_value, gap.org_value, gap.n) == (0.1667, 0.5, 0.5, 12)
    assert gap.severity == 0.76
    # The model's probability that the rep is truly 15 points or more below the team on Platform.
    assert gap.confidence == gap.evidence["model"]["confidence"]
    assert 0.5 <= gap.confidence < 0.99
    # ((50 % - (2 + 5) / 22) x 12 + (60 % - (3 + 6) / 20) x 10) deals x 20,000.
    assert gap.revenue_at_stake == Decimal("73636.36")
    assert (gap.evidence["product_sf_id"], gap.evidence["reference"], gap.evidence["peer_median"]) == (
        PRODUCT,
        "team",
        0.5,
    )
    assert gap.evidence["products"] == [
        {
            "product_sf_id": PRODUCT,
            "name": "Platform",
            "won": 2,
            "lost": 10,
            "decided": 12,
            "win_rate": 0.1667,
            "interval": [0.0568, 0.3992],
            "shrunk": 0.3182,
            "peer_median": 0.5,
            "reference": "team",
            "team_median": 0.5,
            "org_median": 0.5,
            "diff": 0.3333,
            "confidence": 0.99,
        },
        {
            "product_sf_id": ANALYTICS,
            "name": "Analytics",
            "won": 3,
            "lost": 7,
            "decided": 10,
            "win_rate": 0.3,
            "interval": [0.1269, 0.5583],
            "shrunk": 0.45,
            "peer_median": 0.6,
            "reference": "team",
            "team_median": 0.6,
            "org_median": 0.6,
            "diff": 0.3,
            "confidence": 0.974,
        },
    ]

    # Judged against the org's median (60 %) though the team's two are at 70 %.
    gap = one(result, org_ref, "PRODUCT_WIN_RATE_LOW")
    assert (gap.value, gap.team_value, gap.org_value, gap.n) == (0.0, 0.7, 0.6, 10)
    # 0 of 10 against peers at 60-70 %: near certain, but the exact binomial leaves the few peers' own
    # uncertainty in (a normal approximation at the peers' rate read 1.0).
    assert gap.severity == 1.0 and 0.95 < gap.confidence < 1.0
    assert gap.revenue_at_stake == Decimal("60000.00")
    assert gap.evidence["products"] == [
        {
            "product_sf_id": ANALYTICS,
            "name": "Analytics",
            "won": 0,
            "lost": 10,
            "decided": 10,
            "win_rate": 0.0,
            "interval": [0.0, 0.213],
            "shrunk": 0.3,
            "peer_median": 0.6,
            "reference": "org",
            "team_median": 0.7,
            "org_median": 0.6,
            "diff": 0.6,
            "confidence": 1.0,
        }
    ]


def _rule_work(teams: int) -> tuple[int, int, int, int]:
    """PRODUCT_WIN_RATE_LOW over an org of ``teams`` teams of five (one weak rep in each) selling two products:
    (findings, summaries of the whole org's rates, rates fed to ``summarize`` in all, lines run in what.py)."""
    org_week = OrgWeek(OrgFactory(name=f"scale-{teams}"))
    for _ in range(teams):
        manager = org_week.manager()
        for _ in range(4):
            org_week.rep(manager, **_sells((PRODUCT, 5, 5), (ANALYTICS, 6, 4)))
        org_week.rep(manager, **_sells((PRODUCT, 1, 11), (ANALYTICS, 6, 4)))
    org_week.store()
    rule = next(rule for rule in WHAT_RULES if rule.code == "PRODUCT_WIN_RATE_LOW")
    reps = load_reps(org_week.org, org_week.week_start, {rule.metric, names.AVG_WON_AMOUNT}, with_tenure=False)
    context = RuleContext(org=org_week.org, week_start=org_week.week_start, as_of=org_week.as_of, reps=reps)

    lines = 0

    def trace(frame: FrameType, event: str, arg: object) -> Callable | None:
        # Only the rule's own module: its loops over reps and rates, comprehensions included.
        if frame.f_code.co_filename != what.__file__:
            return None

        def count(frame: FrameType, event: str, arg: object) -> Callable:
            nonlocal lines
            lines += event == "line"
            return count

        return count

    previous = sys.gettrace()  # a debugger's or coverage's, given back afterwards
    with patch.object(what, "summarize", wraps=summarize) as summaries:
        sys.settrace(trace)
        try:
            findings = rule.evaluate(context, rule.thresholds())
        finally:
            sys.settrace(previous)
    sizes = [len(call.args[0]) for call in summaries.call_args_list]
    return len(findings), sizes.count(len(reps)), sum(sizes), lines


def test_product_win_rate_low_work_grows_linearly_with_reps(db):
    # Counted, not timed: each team added must cost the same as the one before. Summarizing the org's rates
    # for every rep, or scanning every rep's rate for teammates, makes each added team cost more than the last.
    (f2, o2, s2, l2), (f3, o3, s3, l3), (f4, o4, s4, l4) = (_rule_work(teams) for teams in (2, 3, 4))
    assert (f2, f3, f4) == (2, 3, 4)
    # The org's rates on each of the two products are summarized once, not once per rep.
    assert (o2, o3, o4) == (2, 2, 2)
    assert s4 - s3 == s3 - s2
    assert l4 - l3 == l3 - l2
