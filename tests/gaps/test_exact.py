"""The exact likelihoods behind shares and counts (``coaching.gaps.model.exact``), the per-deal counts that
narrow-mix and single-threading are judged on (``coaching.gaps.counts``), and the book line of the levels a
rep's book moves (``coaching.gaps.mix.by_book``): numbers alone, no database."""

import math
from datetime import date

import numpy as np
import pytest

from coaching.gaps.context import RepRow, RuleContext, Snap
from coaching.gaps.counts import counted_rows, per_deal_counts
from coaching.gaps.how import HOW_RULES
from coaching.gaps.mix import by_book
from coaching.gaps.model import MIN_CONFIDENCE, Measured, judge
from coaching.gaps.what import WHAT_RULES
from coaching.metrics import names

RULE = {rule.code: rule for rule in (*HOW_RULES, *WHAT_RULES)}


def shares(counts: list[tuple[int, int]], exact: bool = True, teams: list[str] | None = None) -> Measured:
    """Shares as ``coaching.gaps.measure`` states them, with (or without) the counts behind them."""
    centre = sum(k for k, _ in counts) / sum(n for _, n in counts)
    y = [math.log((k + 0.5) / (n - k + 0.5)) for k, n in counts]
    se2 = [1 / (n * centre * (1 - centre)) for _, n in counts]
    k, n = (np.array([float(c[0]) for c in counts]), np.array([float(c[1]) for c in counts])) if exact else (None, None)
    return Measured(
        "rate",
        [f"r{index}" for index in range(len(counts))],
        teams or ["t"] * len(counts),
        np.array(y),
        np.array(se2),
        np.full(len(counts), math.log(centre / (1 - centre))),
        k,
        n,
    )


def levels(counts: list[int], exposure: float, teams: list[str] | None = None) -> Measured:
    rows = [(f"r{index}", teams[index] if teams else "t", count, exposure) for index, count in enumerate(counts)]
    ys = [math.log((count + 0.5) / exposure) for _, _, count, exposure in rows]
    middle = sorted(ys)[len(ys) // 2]
    return Measured(
        "log",
        [row[0] for row in rows],
        [row[1] for row in rows],
        np.array(ys),
        np.array([1 / (count + 0.5) for count in counts]),
        np.full(len(rows), middle),
        np.array(counts, dtype=float),
        np.full(len(rows), exposure),
    )


def test_a_rare_event_far_above_the_org_is_believed_with_the_exact_binomial():
    # Deals moving back: the org at about 1.5 % of 120 stage moves, one rep at 12 of 120 (10 %): 8.5 points
    # beyond, over twice the 4-point margin. The normal approximation, its variance taken at the org's
    # 1.5 %, reads the rep's 10 % as six times noisier than it is.
    counts = [(2, 120)] * 20 + [(1, 120)] * 10 + [(3, 120)] * 9 + [(12, 120)]
    exact = judge(shares(counts), margin=0.04, fires_when="high", min_peers=3)
    normal = judge(shares(counts, exact=False), margin=0.04, fires_when="high", min_peers=3)
    assert exact.confidence[-1] > MIN_CONFIDENCE > normal.confidence[-1]
    assert exact.confidence[:-1].max() < 0.05


def test_none_of_a_few_is_not_certain_with_the_exact_binomial():
    # 0 won of 3 where the org wins 30 %: happens a third of the time by chance.
    counts = [(12, 40)] * 12 + [(0, 3)]
    assert judge(shares(counts), margin=0.1, fires_when="low", min_peers=3).confidence[-1] < 0.5


def test_null_orgs_almost_never_reach_the_bar_with_the_exact_likelihoods():
    # As the normal model's null test: 60 orgs of 40 identical reps, shares and counts, both directions.
    rng = np.random.default_rng(11)
    reached, judged = 0, 0
    teams = [f"t{index // 7}" for index in range(40)]
    for _ in range(60):
        share = shares([(int(rng.binomial(25, 0.3)), 25) for _ in range(40)], teams=teams)
        count = levels([int(rng.poisson(12)) for _ in range(40)], 1.0, teams=teams)
        for measured, margin in ((share, 0.1), (count, math.log(2))):
            for direction in ("low", "high"):
                verdict = judge(measured, margin=margin, fires_when=direction, min_peers=3)
                reached += int((verdict.confidence >= MIN_CONFIDENCE).sum())
                judged += 40
    assert reached / judged < 1 / 290


def test_a_count_of_none_where_many_were_due_is_believed_with_the_exact_poisson():
    # Contact roles on 8 late-stage deals: the peers about 9 (1.1 a deal), the rep none.
    rng = np.random.default_rng(3)
    counts = [int(rng.poisson(9)) for _ in range(39)] + [0]
    verdict = judge(levels(counts, 8.0), margin=math.log(2), fires_when="low", min_peers=3)
    assert verdict.confidence[-1] > MIN_CONFIDENCE
    # Half the peers' roles on the same deals is about the margin itself: not sure.
    halved = judge(levels([*counts[:-1], 4], 8.0), margin=math.log(2), fires_when="low", min_peers=3)
    assert halved.confidence[-1] < MIN_CONFIDENCE


def context(metrics: dict[str, dict[str, Snap]], manager: str = "m") -> RuleContext:
    reps = {rep: RepRow(rep, manager, dict(snaps)) for rep, snaps in metrics.items()}
    return RuleContext(org=None, week_start=date(2026, 11, 16), as_of=date(2026, 11, 22), reps=reps)  # type: ignore[arg-type]


def snap(value: float, n: int, **details: object) -> Snap:
    return Snap(value, n, None, None, dict(details))


def test_a_narrow_mix_is_counted_by_the_further_products_on_each_won_deal():
    sold = [
        {"product_sf_id": "p1", "deals": 6},
        {"product_sf_id": "p2", "deals": 4},
        {"product_sf_id": "p3", "deals": 3},
    ]
    only_core = [{"product_sf_id": "p1", "deals": 6}]
    found = context(
        {
            "broad": {names.TOP_PRODUCT_SHARE: snap(0.5, 6, by_product=sold)},
            "narrow": {names.TOP_PRODUCT_SHARE: snap(1.0, 6, by_product=only_core)},
            # Products without their deal counts (or fewer lines than deals): no per-deal count to read.
            "unknown": {names.TOP_PRODUCT_SHARE: snap(1.0, 6, by_product=[{"product_sf_id": "p1"}])},
        }
    )
    rule = RULE["PRODUCT_MIX_NARROW"]
    assert per_deal_counts(found, rule, "broad") == (7.0, 6.0)
    assert per_deal_counts(found, rule, "narrow") == (0.0, 6.0)
    assert per_deal_counts(found, rule, "unknown") is None
    assert per_deal_counts(found, RULE["DEAL_SIZE_SMALL"], "broad") is None


def test_single_threading_is_counted_by_the_contact_roles_on_late_stage_deals():
    found = context(
        {
            "a": {names.CONTACT_ROLES_PER_DEAL: snap(1.5, 6, contact_roles=9)},
            "b": {names.CONTACT_ROLES_PER_DEAL: snap(None, 0)},  # type: ignore[arg-type]
            "c": {names.CONTACT_ROLES_PER_DEAL: snap(1.0, 4)},  # no count stored: nothing to judge on
        }
    )
    rule = RULE["SINGLE_THREADED"]
    assert per_deal_counts(found, rule, "a") == (9.0, 6.0)
    assert per_deal_counts(found, rule, "b") is None
    assert per_deal_counts(found, rule, "c") is None
    rows = counted_rows(found, ["a", "c"], {"a": (9.0, 6.0), "c": (0.0, 4.0)})
    assert [row[0] for row in rows] == ["a", "c"]
    assert rows[0][2] == pytest.approx(math.log(9.5 / 6)) and rows[0][5:] == (9.0, 6.0)


def book_context(books: list[float]) -> RuleContext:
    """Reps whose won deals all sit in one mix cell; each cell's mean log size is the rep's ``book``."""
    metrics = {}
    for index, book in enumerate(books):
        # Cell figures: won, lost, amounts, log amount sum, cycles, log cycle sum, won amount, largest.
        cell = [5.0, 5.0, 5.0, 5.0 * book, 5.0, 5.0 * 4.0, 100.0, 30.0]
        metrics[f"r{index}"] = {names.WIN_RATE: snap(0.5, 10, mix={f"cell{index}": cell})}
    return context(metrics)


def test_a_level_the_book_moves_is_expected_on_the_rep_s_book():
    # Enterprise books (+0.7 log deal size) carry 1.3 more log coverage on the same quota than SMB (-0.7).
    books = [0.7, -0.7] * 10
    rows = [(f"r{index}", "m", 1.5 + 0.65 * book, 0.2, 1.5) for index, book in enumerate(books)]
    adjusted = by_book(book_context(books), rows)
    for row, book in zip(adjusted, books, strict=True):
        assert row[4] == pytest.approx(1.5 + 0.65 * book, abs=1e-6)
    # An org whose books barely differ keeps the org's figure: a line through noise is no adjustment.
    flat = [0.01 * (index % 3) for index in range(20)]
    assert by_book(book_context(flat), rows) == rows


def test_a_gap_judged_on_a_count_per_deal_says_so_in_words():
    from coaching.gaps.wording import in_words

    model = {"scale": "log", "margin": 2.0, "estimate": 0.12, "peers_estimate": 1.1, "confidence": 0.97,
             "direction": "low"}  # fmt: skip
    words = in_words(model, "ratio", names.SINGLE_THREADED_COUNT)
    assert words.startswith("97% sure the true figure is below 50% of the peers' level")
    assert "0.1 contact roles per late-stage deal" in words and "1.1 contact roles" in words
    assert "0.1 further products per won deal" in in_words(model, "count", names.PRODUCTS_WON_COUNT)
