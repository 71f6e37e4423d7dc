"""The model behind every rule (``coaching.gaps.model``), on numbers alone: shrinkage, the peers'
uncertainty, the margin, like-for-like expectations and the false-discovery control."""

import math

import numpy as np
import pytest

from coaching.gaps.model import MIN_CONFIDENCE, Measured, everyday_spread, fdr_keep, judge, measured


def rates(counts: list[tuple[int, int]], teams: list[str] | None = None, expected: list[float] | None = None):
    """Measured shares as the rules state them: logit of (k + 0.5) / (n + 1), binomial variance at the centre."""
    centre = sum(k for k, _ in counts) / sum(n for _, n in counts)
    ys, se2 = [], []
    for k, n in counts:
        share = (k + 0.5) / (n + 1)
        ys.append(math.log(share / (1 - share)))
        se2.append(1 / (n * centre * (1 - centre)))
    expect = expected or [centre] * len(counts)
    return Measured(
        "rate",
        [f"r{index}" for index in range(len(counts))],
        teams or ["t"] * len(counts),
        np.array(ys),
        np.array(se2),
        np.array([math.log(rate / (1 - rate)) for rate in expect]),
    )


def test_null_orgs_of_identical_reps_almost_never_reach_the_bar():
    # 100 orgs of 40 reps who all win 30 %, judged both ways: about 1 rep-rule in 800 reaches 0.9 (the
    # null benchmark's budget, 0.10 per rep over some 29 rules, is 1 in 290).
    rng = np.random.default_rng(7)
    reached, judged = 0, 0
    for _ in range(100):
        counts = [(int(rng.binomial(25, 0.3)), 25) for _ in range(40)]
        teams = [f"t{index // 7}" for index in range(40)]
        for direction in ("low", "high"):
            verdict = judge(rates(counts, teams), margin=0.1, fires_when=direction, min_peers=3)
            reached += int((verdict.confidence >= MIN_CONFIDENCE).sum())
            judged += 40
    assert reached / judged < 1 / 290


def test_a_real_standout_on_enough_deals_is_believed_and_the_same_share_on_few_is_not():
    many = [(12, 40)] * 6 + [(2, 40)]
    few = [(12, 40)] * 6 + [(0, 6)]
    sure = judge(rates(many), margin=0.1, fires_when="low", min_peers=3).of("r6")
    unsure = judge(rates(few), margin=0.1, fires_when="low", min_peers=3).of("r6")
    assert sure["confidence"] > MIN_CONFIDENCE
    assert unsure["confidence"] < MIN_CONFIDENCE
    # Shrunk toward the org: the estimate lies between the rep's own share and the peers'.
    assert 2 / 40 < 1 / (1 + math.exp(-sure["posterior"])) < 0.3


def test_the_margin_is_what_the_rep_must_truly_be_beyond():
    counts = [(12, 40)] * 6 + [(6, 40)]
    small = judge(rates(counts), margin=0.05, fires_when="low", min_peers=3).of("r6")
    large = judge(rates(counts), margin=0.25, fires_when="low", min_peers=3).of("r6")
    assert small["confidence"] > large["confidence"]
    assert large["confidence"] < 0.05  # the peers are at 30 %: 25 points below is nearly impossible


def test_fewer_peers_mean_a_less_certain_reference():
    rep = (3, 40)
    big_team = judge(rates([(12, 40)] * 9 + [rep]), margin=0.1, fires_when="low", min_peers=3)
    small_team = judge(rates([(12, 40)] * 3 + [rep]), margin=0.1, fires_when="low", min_peers=3)
    assert small_team.of("r3")["reference_sd"] > big_team.of("r9")["reference_sd"]
    assert small_team.of("r3")["confidence"] < big_team.of("r9")["confidence"]


def test_a_team_too_small_is_compared_with_the_org():
    counts = [(12, 40)] * 8 + [(12, 40), (3, 40)]
    teams = ["a"] * 8 + ["b", "b"]
    verdict = judge(rates(counts, teams), margin=0.1, fires_when="low", min_peers=3).of("r9")
    assert verdict["peers"] == 9


def test_like_for_like_a_book_expected_to_win_less_is_not_a_gap():
    # Eight reps at 30 %; one on a book the org wins 8 % of the time, winning 3 of 40.
    counts = [(12, 40)] * 8 + [(3, 40)]
    plain = judge(rates(counts), margin=0.1, fires_when="low", min_peers=3).of("r8")
    mixed = judge(rates(counts, expected=[0.3] * 8 + [0.08]), margin=0.1, fires_when="low", min_peers=3).of("r8")
    assert plain["confidence"] > MIN_CONFIDENCE
    assert mixed["confidence"] < 0.2


def test_strengths_are_judged_the_other_way():
    counts = [(12, 40)] * 8 + [(30, 40)]
    high = judge(rates(counts), margin=0.1, fires_when="high", min_peers=3).of("r8")
    low = judge(rates(counts), margin=0.1, fires_when="low", min_peers=3).of("r8")
    assert high["confidence"] > MIN_CONFIDENCE > low["confidence"]


def test_the_everyday_spread_ignores_a_few_standouts():
    y = np.array([0.0] * 18 + [3.0, -3.0])
    assert everyday_spread(y, np.full(20, 0.01), np.zeros(20)) == 0.0
    spread = np.linspace(-1, 1, 21)
    assert everyday_spread(spread, np.full(21, 0.01), np.zeros(21)) > 0.2


def test_levels_on_the_log_scale():
    values = [np.log(20.0)] * 8 + [np.log(5.0)]
    level = Measured("log", list("abcdefghi"), ["t"] * 9, np.array(values), np.full(9, 0.02), np.full(9, np.log(20.0)))
    verdict = judge(level, margin=np.log(1 / 0.6), fires_when="low", min_peers=3)
    assert verdict.of("i")["confidence"] > MIN_CONFIDENCE
    assert verdict.of("a")["confidence"] < 0.01


def test_too_few_reps_to_judge_is_none():
    assert measured("rate", [("a", "t", 0.1, 0.01, 0.0), ("b", "t", 0.2, 0.01, 0.0)]) is None
    assert measured("rate", [("a", "t", float("nan"), 0.01, 0.0)] * 5) is None


@pytest.mark.parametrize(
    ("confidences", "kept"),
    [
        ([], 0),
        ([0.95], 1),
        ([0.85], 0),  # alone, 15 % likely false: over the 10 % level
        ([1.0, 0.85], 2),  # together, 7.5 % expected false
        ([0.99, 0.95, 0.92, 0.7], 3),
        ([0.91, 0.91, 0.91], 3),
    ],
)
def test_bayesian_fdr_keeps_the_flags_whose_expected_false_share_is_at_most_ten_percent(confidences, kept):
    assert fdr_keep(confidences) == kept
