"""The statistics the rules lean on, checked against known values."""

import math

import pytest

from coaching.gaps.stats import (
    median,
    percentile,
    percentile_rank,
    poisson_cdf,
    poisson_high_tail,
    rate_confidence,
    sample_confidence,
    severity_from_distance,
    shrunk_rate,
    summarize,
    wilson_interval,
)


def test_percentiles_interpolate_like_numpy():
    values = [1, 2, 3, 4]
    assert median(values) == 2.5
    assert percentile(values, 25) == pytest.approx(1.75)
    assert percentile(values, 75) == pytest.approx(3.25)
    assert percentile([7], 90) == 7
    assert median([]) is None


def test_percentile_out_of_range_is_an_error():
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentile([1, 2], 101)


def test_median_resists_an_outlier():
    assert median([10, 11, 12, 13, 1000]) == 12


def test_summary_and_rank():
    summary = summarize([1, 2, 3, 4, 5])
    assert (summary.n, summary.p25, summary.median, summary.p75) == (5, 2, 3, 4)
    assert summarize([]) is None
    assert percentile_rank(1, [1, 2, 3, 4]) == pytest.approx(0.125)
    assert percentile_rank(5, [1, 2, 3, 4]) == 1.0


def test_wilson_interval_known_values():
    # 8 of 30 at z = 1.645 (hand-computed from the score-interval formula).
    low, high = wilson_interval(8, 30, 1.645)
    assert low == pytest.approx(0.1571, abs=1e-3)
    assert high == pytest.approx(0.4151, abs=1e-3)
    # It never leaves [0, 1], even at 0 or n successes.
    assert wilson_interval(0, 5)[0] == 0.0
    assert wilson_interval(5, 5)[1] == 1.0


def test_wilson_interval_is_wide_on_small_samples():
    small = wilson_interval(1, 3)
    large = wilson_interval(100, 300)
    assert small[1] - small[0] > 3 * (large[1] - large[0])


def test_wilson_interval_rejects_impossible_counts():
    with pytest.raises(ValueError, match="not a proportion"):
        wilson_interval(6, 5)
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_shrinkage_pulls_small_samples_toward_the_prior():
    assert shrunk_rate(2, 3, 0.3, 10) == pytest.approx(5 / 13)
    assert shrunk_rate(200, 300, 0.3, 10) == pytest.approx(203 / 310)


def test_poisson_cdf_matches_the_closed_form():
    lam = 4.0
    exact = sum(math.exp(-lam) * lam**i / math.factorial(i) for i in range(3))
    assert poisson_cdf(2, lam) == pytest.approx(exact)
    # Large means do not underflow.
    assert poisson_cdf(400, 400) == pytest.approx(0.513, abs=0.01)
    assert poisson_high_tail(0, 3.0) == pytest.approx(1.0)


def test_confidences_grow_with_the_evidence():
    assert rate_confidence(2, 20, 0.4) > rate_confidence(1, 5, 0.4)
    assert sample_confidence(5, 5, 3, 3) == pytest.approx(4 / 9)
    assert sample_confidence(500, 5, 300, 3) > 0.98
    assert sample_confidence(1, 5, 3, 3) < sample_confidence(10, 5, 3, 3)
    assert sample_confidence(0, 5, 3, 3) == 0.0


def test_severity_scale():
    assert severity_from_distance(0.1, 0.1, 0.3) == pytest.approx(0.1)
    assert severity_from_distance(0.2, 0.1, 0.3) == pytest.approx(0.55)
    assert severity_from_distance(0.9, 0.1, 0.3) == 1.0
