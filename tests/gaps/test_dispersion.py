"""Counted history judged on the 182-day window with its dispersion estimated from the peers
(``coaching.gaps.dispersion``), and the coverage first pass on the rep's book (``coaching.gaps.where``):
numbers alone, no database."""

import numpy as np
import pytest

from coaching.gaps.catalogue import RULES_BY_CODE
from coaching.gaps.dispersion import binomial_dispersion, dispersion, halves, long_evidence, poisson_dispersion
from coaching.gaps.measure import model_rule
from coaching.gaps.where import book_factors
from coaching.gaps.wording import judged_on_words
from coaching.metrics import names
from tests.gaps.test_exact import context, snap

SLIPPAGE = RULES_BY_CODE["CLOSE_DATE_SLIPPAGE"]
REGRESSION = RULES_BY_CODE["STAGE_REGRESSION"]
COVERAGE = RULES_BY_CODE["PIPELINE_COVERAGE_LOW"]


def pushes(recent: int, older: int, open_deals: int = 10) -> object:
    """A CLOSE_DATE_PUSHES snapshot: ``recent`` pushes in the last 91 days, ``older`` in the 91 before."""
    long = {"days": 182, "count": recent + older, "exposure": open_deals}
    return snap(recent / open_deals, open_deals, pushes=recent, deals_pushed=min(recent, open_deals), long=long)


def test_steady_poisson_counts_have_no_extra_dispersion():
    rng = np.random.default_rng(3)
    pairs = [(int(a), int(b)) for a, b in rng.poisson(4.0, size=(400, 2))]
    assert 1.0 <= poisson_dispersion(pairs) < 1.25


def test_bursty_counts_are_as_variable_as_their_bursts():
    # Every push comes in a burst of four on the same deal: four times the Poisson variance.
    rng = np.random.default_rng(4)
    pairs = [(4 * int(a), 4 * int(b)) for a, b in rng.poisson(1.0, size=(400, 2))]
    assert poisson_dispersion(pairs) == pytest.approx(4.0, rel=0.25)


def test_binomial_halves_measure_the_extra_binomial_spread():
    rng = np.random.default_rng(5)
    steady = [(int(rng.binomial(60, 0.1)), 60, int(rng.binomial(60, 0.1)), 60) for _ in range(300)]
    assert 1.0 <= binomial_dispersion(steady) < 1.3
    # Regressions in clumps of three (one deal bouncing back and forth): about three times as variable.
    clumped = [(3 * int(rng.binomial(20, 0.1)), 60, 3 * int(rng.binomial(20, 0.1)), 60) for _ in range(300)]
    assert binomial_dispersion(clumped) > 2.0


def test_without_counts_to_read_the_dispersion_is_one():
    assert poisson_dispersion([]) == 1.0
    assert binomial_dispersion([(0, 10, 0, 10), (2, 0, 3, 10)]) == 1.0  # no regressions, an empty half
    assert dispersion(names.CLOSE_DATE_PUSHES, [snap(0.5, 10, pushes=5), None]) == 1.0  # no long counts


def test_the_halves_of_each_metric():
    assert halves(names.CLOSE_DATE_PUSHES, pushes(5, 3)) == (5, 10, 3, 10)
    regressions = snap(2, 40, long={"days": 182, "count": 5, "exposure": 70})
    assert halves(names.STAGE_REGRESSIONS, regressions) == (2, 40, 3, 30)
    assert halves(names.STAGE_REGRESSIONS, snap(2, 40)) is None


def slippage_org(slipper: object, peer_pairs: list[tuple[int, int]]) -> dict:
    metrics = {f"p{index}": {names.CLOSE_DATE_PUSHES: pushes(*pair)} for index, pair in enumerate(peer_pairs)}
    metrics["slipper"] = {names.CLOSE_DATE_PUSHES: slipper}
    return metrics


STEADY_PEERS = [(5, 5), (4, 6), (6, 4), (5, 4), (4, 5), (6, 6), (5, 6), (6, 5), (5, 5), (4, 4)] * 2


def test_a_slipper_is_judged_on_182_days_and_the_words_say_so():
    # Five pushes per open deal over 182 days against the peers' one: sure on twice the 91-day evidence.
    org = context(slippage_org(pushes(25, 25), STEADY_PEERS))
    model = model_rule(org, SLIPPAGE, SLIPPAGE.thresholds())
    verdict = model.judged[""].of("slipper")
    assert verdict is not None and verdict["confidence"] >= 0.9
    assert model.dispersion == 1.0  # the steady peers' halves agree as chance would have them
    judged_on = long_evidence(names.CLOSE_DATE_PUSHES, org.snap("slipper", names.CLOSE_DATE_PUSHES), 1.0)
    assert judged_on == {"window_days": 182, "count": 50, "exposure": 10, "dispersion": 1.0}
    assert "Judged on the last 182 days: 50 close-date pushes on 10 open deals." in judged_on_words(
        judged_on, names.CLOSE_DATE_PUSHES
    )


def test_a_burst_in_the_last_91_days_over_an_ordinary_half_year_is_no_slipper():
    # 15 pushes in the last 91 days (three times the peers') but none before: 1.5 per deal over 182 days.
    org = context(slippage_org(pushes(15, 0), STEADY_PEERS))
    verdict = model_rule(org, SLIPPAGE, SLIPPAGE.thresholds()).judged[""].of("slipper")
    assert verdict is not None and verdict["confidence"] < 0.9


def test_peers_whose_pushes_come_in_bursts_make_the_model_less_sure():
    slipper = pushes(16, 16)
    steady = model_rule(context(slippage_org(slipper, STEADY_PEERS)), SLIPPAGE, SLIPPAGE.thresholds())
    bursty_peers = [(10, 0), (0, 10), (9, 1), (1, 9), (10, 0), (0, 10), (8, 2), (2, 8), (10, 0), (0, 10)] * 2
    bursty = model_rule(context(slippage_org(slipper, bursty_peers)), SLIPPAGE, SLIPPAGE.thresholds())
    assert bursty.dispersion > 3.0
    steady_sure = steady.judged[""].of("slipper")["confidence"]  # type: ignore[index]
    bursty_sure = bursty.judged[""].of("slipper")["confidence"]  # type: ignore[index]
    assert bursty_sure < steady_sure
    words = judged_on_words({"window_days": 182, "count": 32, "exposure": 10, "dispersion": 4.2}, "x")
    assert "4.2x as variable as chance" in words and "moves back" in words


def test_stage_regressions_are_judged_on_the_182_day_moves():
    def regressions(recent: int, older: int, moves: int = 35) -> object:
        return snap(recent, moves, long={"days": 182, "count": recent + older, "exposure": 2 * moves})

    metrics = {f"p{index}": {names.STAGE_REGRESSIONS: regressions(index % 2, (index + 1) % 2)} for index in range(20)}
    # Five back-moves in 35 (91 days) and five more before: 14 % against the org's 1.4 %.
    metrics["regressor"] = {names.STAGE_REGRESSIONS: regressions(5, 5)}
    long_model = model_rule(context(metrics), REGRESSION, REGRESSION.thresholds())
    for row in metrics.values():
        row[names.STAGE_REGRESSIONS].details.pop("long")
    short_model = model_rule(context(metrics), REGRESSION, REGRESSION.thresholds())
    long_sure = long_model.judged[""].of("regressor")["confidence"]  # type: ignore[index]
    short_sure = short_model.judged[""].of("regressor")["confidence"]  # type: ignore[index]
    assert long_sure >= 0.9 and long_sure > short_sure


def coverage_org(books: list[float], coverages: list[float]) -> object:
    """Reps on books of mean log deal size ``books`` (one mix cell each) with pipeline coverage."""
    metrics = {}
    quota = {"quota": 100000.0, "remaining": 60000.0, "open_amount": 1.0}
    for index, (book, coverage) in enumerate(zip(books, coverages, strict=True)):
        cell = [5.0, 5.0, 5.0, 5.0 * book, 5.0, 5.0 * 4.0, 100.0, 30.0]
        metrics[f"r{index}"] = {
            names.WIN_RATE: snap(0.5, 10, mix={f"cell{index}": cell}),
            names.PIPELINE_COVERAGE: snap(coverage, 5, **quota),
        }
    return context(metrics)


def test_the_coverage_first_pass_reads_the_rep_s_book():
    # Enterprise books (+0.7) carry 4x the coverage of SMB books (-0.7) on the same quota.
    books = [0.7, -0.7] * 6
    coverages = [2.4 if book > 0 else 0.6 for book in books]
    coverages[1] = 0.5  # an SMB rep a little under the SMB books: far under the team's raw median
    coverages[3] = 0.08  # an SMB rep far under even the SMB books
    org = coverage_org(books, coverages)
    factors = book_factors(org, COVERAGE)  # type: ignore[arg-type]
    assert factors["r0"] == pytest.approx(2.0, rel=0.05) and factors["r1"] == pytest.approx(0.5, rel=0.05)
    found = {finding.person_sf_id: finding for finding in COVERAGE.evaluate(org, COVERAGE.thresholds())}
    assert "r1" not in found  # raw coverage alone (0.5 against a median of 1.5) would have offered it
    assert found["r3"].value == pytest.approx(0.08)  # the rep's own coverage
    assert found["r3"].team_value == pytest.approx(0.6, rel=0.05)  # the peers' figure on an SMB book
    assert found["r3"].evidence["book_factor"] == pytest.approx(0.5, rel=0.05)
