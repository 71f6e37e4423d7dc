"""The rules that judge longer evidence than their headline window (docs/gaps.md): single-threading with the
late-stage deals closed in the 182 days, discounts and the win rate over a year, slippage per 91 days of
open deals over 182 days, and the book line only where the org's reps show one. Numbers alone, no database.
"""

import math
from dataclasses import replace
from datetime import date, timedelta

import numpy as np

from coaching.gaps.catalogue import RULES_BY_CODE
from coaching.gaps.context import RepRow, RuleContext, Snap
from coaching.gaps.counts import per_deal_counts
from coaching.gaps.dispersion import exposed_poisson_dispersion, long_evidence, poisson_dispersion
from coaching.gaps.measure import _model_evidence, model_rule
from coaching.gaps.mix import BookLine, book_line, by_book
from coaching.gaps.wording import formatted, judged_on_words
from coaching.metrics import names
from tests.gaps.test_exact import snap

RULE = RULES_BY_CODE
AS_OF = date(2026, 11, 22)


def context(metrics: dict[str, dict], since: dict[str, date] | None = None) -> RuleContext:
    since = since or {}
    reps = {rep: RepRow(rep, "m", dict(snaps), since.get(rep)) for rep, snaps in metrics.items()}
    return RuleContext(org=None, week_start=AS_OF - timedelta(days=6), as_of=AS_OF, reps=reps)  # type: ignore[arg-type]


def test_single_threading_counts_the_late_stage_deals_closed_in_the_window():
    closed = {"days": 182, "deals": 12, "contact_roles": 0, "single": 12}
    found = context(
        {
            "lone": {
                names.CONTACT_ROLES_PER_DEAL: snap(0.0, 1, contact_roles=0, closed=closed),
                names.SINGLE_THREADED_COUNT: snap(1, 1, closed=closed, evidence=["006A"]),
            },
            "old": {names.CONTACT_ROLES_PER_DEAL: snap(2.0, 4, contact_roles=8)},  # no closed deals counted
        }
    )
    rule = RULE["SINGLE_THREADED"]
    assert per_deal_counts(found, rule, "lone") == (0.0, 13.0)
    assert per_deal_counts(found, rule, "old") == (8.0, 4.0)
    lone = found.snap("lone", names.SINGLE_THREADED_COUNT)
    # One open late-stage deal is under the rule's floor of 4; with the twelve closed ones it is judged.
    assert rule.counts(found, "lone", lone) == (13, 13)
    assert rule.share_of(lone) == 1.0


def single_threaded_org(lone_closed: dict) -> RuleContext:
    metrics = {}
    for index in range(12):
        closed = {"days": 182, "deals": 14, "contact_roles": 28 + index % 5, "single": 3}
        metrics[f"p{index}"] = {
            names.CONTACT_ROLES_PER_DEAL: snap(2.0, 4, contact_roles=8, closed=closed),
            names.SINGLE_THREADED_COUNT: snap(1, 4, closed=closed),
        }
    metrics["lone"] = {
        names.CONTACT_ROLES_PER_DEAL: snap(0.0, 1, contact_roles=0, closed=lone_closed),
        names.SINGLE_THREADED_COUNT: snap(1, 1, closed=lone_closed, evidence=["006A"]),
    }
    return context(metrics)


def test_a_rep_with_one_open_late_stage_deal_is_judged_on_the_closed_ones_too():
    rule = RULE["SINGLE_THREADED"]
    none_closed = single_threaded_org({"days": 182, "deals": 0, "contact_roles": 0, "single": 0})
    assert not [f for f in rule.evaluate(none_closed, rule.thresholds()) if f.person_sf_id == "lone"]
    bare = single_threaded_org({"days": 182, "deals": 12, "contact_roles": 0, "single": 12})
    findings = [f for f in rule.evaluate(bare, rule.thresholds()) if f.person_sf_id == "lone"]
    assert len(findings) == 1
    assert findings[0].evidence["closed_late_stage"] == 12 and findings[0].records_total == 1
    verdict = model_rule(bare, rule, rule.thresholds()).judged[""].of("lone")
    assert verdict is not None and verdict["confidence"] >= 0.9


def discounts(mean: float, items: int, variance: float, recent: float | None = None) -> object:
    year = {"days": 365, "items": items, "deals": items // 2, "mean": mean, "variance": variance}
    return snap(recent if recent is not None else mean, items // 2, weighted_discount=mean, long=year)


def discount_org(rep: object, peer_variance: float) -> RuleContext:
    rng = np.random.default_rng(2)
    metrics = {
        f"p{index}": {names.AVG_DISCOUNT: discounts(float(rng.normal(8.0, 0.4)), 30, peer_variance)}
        for index in range(15)
    }
    metrics["deep"] = {names.AVG_DISCOUNT: rep}
    return context(metrics)


def test_discounts_are_judged_on_the_year_with_the_spread_the_line_items_show():
    rule = RULE["DISCOUNT_HIGH"]
    # 14 % over 24 won line items in the year, but only 6 items (under the floor of 8) in the 182 days.
    deep = discounts(14.0, 24, 20.0, recent=13.0)
    steady = discount_org(deep, peer_variance=6.0)
    findings = [f for f in rule.evaluate(steady, rule.thresholds()) if f.person_sf_id == "deep"]
    assert len(findings) == 1
    assert findings[0].value == 14.0 and findings[0].n == 24
    assert findings[0].evidence["year"] == {"days": 365, "items": 24, "deals": 12}
    # The same rep where every rep's line items spread far wider: the mean says less, the model is less sure.
    spread = discount_org(deep, peer_variance=120.0)
    steady_sure = model_rule(steady, rule, rule.thresholds()).judged[""].of("deep")
    spread_sure = model_rule(spread, rule, rule.thresholds()).judged[""].of("deep")
    assert steady_sure is not None and spread_sure is not None
    assert spread_sure["confidence"] < steady_sure["confidence"]
    assert steady_sure["confidence"] >= 0.9


def win_rates(year: tuple[int, int], half: tuple[int, int]) -> Snap:
    won, lost = half
    details = {"won": won, "lost": lost, "long": {"days": 365, "won": year[0], "lost": year[1]}}
    return Snap(won / (won + lost), won + lost, AS_OF - timedelta(days=181), AS_OF, details)


def test_the_win_rate_of_a_rep_on_the_job_all_year_is_judged_on_the_year():
    rule = RULE["WIN_RATE_LOW"]
    metrics = {f"p{index}": {names.WIN_RATE: win_rates((24, 36), (12, 18))} for index in range(10)}
    metrics["settled"] = {names.WIN_RATE: win_rates((8, 52), (4, 26))}
    metrics["joined"] = {names.WIN_RATE: win_rates((8, 52), (4, 26))}
    found = context(metrics, since={"joined": AS_OF - timedelta(days=250), "settled": AS_OF - timedelta(days=400)})
    assert rule.counts(found, "settled", found.snap("settled", names.WIN_RATE)) == (8, 60)
    # Joined 250 days ago: the 182 days (the tenure guard keeps those under 182 out altogether).
    assert rule.counts(found, "joined", found.snap("joined", names.WIN_RATE)) == (4, 30)
    by_rep = {f.person_sf_id: f for f in rule.evaluate(found, rule.thresholds())}
    assert by_rep["settled"].n == 60 and by_rep["settled"].evidence["year"] == {"days": 365, "won": 8, "lost": 52}
    assert by_rep["joined"].n == 30 and by_rep["joined"].evidence["year"] is None
    # The evidence's window is the one judged, so that "measured over …, from 60 closed deals" holds.
    assert by_rep["settled"].evidence["window"] == ["2025-11-23", "2026-11-22"]
    assert by_rep["joined"].evidence["window"] == ["2026-05-25", "2026-11-22"]
    judged = model_rule(found, rule, rule.thresholds()).judged[""]
    settled, joined = judged.of("settled"), judged.of("joined")
    assert settled is not None and joined is not None
    assert settled["confidence"] > joined["confidence"]  # the same rate on twice the deals


def pushes(count: int, recent: int, exposure: float, recent_exposure: float, pushed: int) -> object:
    long = {
        "days": 182,
        "count": count,
        "deals_pushed": pushed,
        "exposure": exposure,
        "recent_exposure": recent_exposure,
        "unit": "deal_quarters",
    }
    return snap(recent / 10, 10, pushes=recent, deals_pushed=min(recent, pushed), long=long, evidence=["006A"])


def test_slippage_is_pushes_per_91_days_open_in_the_screen_the_model_and_the_words():
    rule = RULE["CLOSE_DATE_SLIPPAGE"]
    peers = {f"p{index}": {names.CLOSE_DATE_PUSHES: pushes(10 + index % 3, 5, 20.0, 10.0, 6)} for index in range(20)}
    # 48 pushes on 12 deals over 12 deal-quarters: 4 per 91 days open against the peers' half.
    found = context({**peers, "slipper": {names.CLOSE_DATE_PUSHES: pushes(48, 24, 12.0, 6.0, 12)}})
    findings = [f for f in rule.evaluate(found, rule.thresholds()) if f.person_sf_id == "slipper"]
    assert len(findings) == 1 and findings[0].value == 4.0
    model = model_rule(found, rule, rule.thresholds())
    verdict = model.judged[""].of("slipper")
    assert verdict is not None and verdict["confidence"] >= 0.9
    judged_on = long_evidence(names.CLOSE_DATE_PUSHES, found.snap("slipper", names.CLOSE_DATE_PUSHES), 1.0)
    assert judged_on is not None and judged_on["deals_pushed"] == 12 and judged_on["exposure_unit"] == "deal_quarters"
    words = judged_on_words(judged_on, names.CLOSE_DATE_PUSHES)
    assert "48 close-date pushes on 12 deals, over 12 times 91 days of open deals" in words
    assert formatted(4.0, "ratio", names.CLOSE_DATE_PUSHES) == "4.0 pushes per 91 days open"


def test_halves_of_unequal_exposure_are_weighed_by_their_time_open():
    rng = np.random.default_rng(8)
    # A steady rate over halves open 1 and 3 deal-quarters: chance alone, no extra dispersion.
    rows = [(float(a), 1.0, float(b), 3.0) for a, b in zip(rng.poisson(2.0, 400), rng.poisson(6.0, 400), strict=True)]
    assert 1.0 <= exposed_poisson_dispersion(rows) < 1.2
    # Read as if the halves were equal, the same counts look four times as variable as they are.
    assert poisson_dispersion((a, b) for a, _, b, _ in rows) > 1.5


def book_rows(slope: float, noise: float, seed: int) -> tuple[RuleContext, list[tuple]]:
    rng = np.random.default_rng(seed)
    metrics, rows = {}, []
    for index in range(30):
        large = index % 3  # a third each: small, mid, large books
        cells = {
            "small/new": [10.0, 10.0, 10.0, 10 * 9.0, 10.0, 40.0, 1.0, 1.0],
            "large/new": [10.0 * large, 10.0, 10.0 * large, 10 * large * 11.0, 10.0, 40.0, 1.0, 1.0],
        }
        rep = f"r{index}"
        metrics[rep] = {names.WIN_RATE: snap(0.5, 40, mix=cells, mix_long=cells)}
        book = 0.0 if large == 0 else float(large)
        rows.append((rep, "m", slope * book + float(rng.normal(0, noise)), 0.1, 0.0))
    return context(metrics), rows


def test_the_book_line_is_followed_only_where_the_org_shows_one():
    found, rows = book_rows(slope=0.8, noise=0.1, seed=1)
    _, line = book_line(found, rows)
    assert line is not None and line.low > 0
    assert by_book(found, rows) != rows
    flat, flat_rows = book_rows(slope=0.0, noise=0.5, seed=3)
    _, none = book_line(flat, flat_rows)
    assert none is None
    assert by_book(flat, flat_rows) == flat_rows


def test_the_evidence_names_the_book_line_only_when_it_was_followed():
    coverage = RULE["PIPELINE_COVERAGE_LOW"]
    model = model_rule(context({}), coverage, coverage.thresholds())
    verdict = {"posterior": 0.0, "reference": 0.0, "peers": 4, "confidence": 0.95, "tau": 0.1, "expected": 0.5}
    assert model.book is None and _model_evidence(model, verdict)["book"] is None
    followed = replace(model, book=BookLine(level=0.1, slope=0.6, low=0.2, high=0.9))
    assert _model_evidence(followed, verdict)["book"] == {
        "slope": 0.6,
        "interval": [0.2, 0.9],
        "expected_on_book": round(math.exp(0.5), 4),
    }
