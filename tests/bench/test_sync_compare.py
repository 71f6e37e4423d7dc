"""The strategy comparison's verdicts: judged on each strategy's median run, and its COPY baseline repeated."""

import pytest

from bench.sync_compare import _copy_baselines, _verdict, compare
from tests.factories import AccountFactory, OpportunityFactory


def _run(seconds: float, fetched: int = 1_000, peak_mb: float = 300.0) -> dict:
    return {"seconds": seconds, "fetched": fetched, "peak_mb": peak_mb}


def test_the_goals_are_judged_on_the_median_run_not_the_best_or_the_last(capsys):
    results = {
        # Bulk: its best run (30 s) would make it 10x REST and its last (200 s) 1.5x; its median (40 s) 7.5x.
        "realistic": {"rest": [_run(300), _run(310), _run(290)], "bulk": [_run(30), _run(40), _run(200)]},
        # 1,000 rows against a COPY of 300 rows/s: the best run (10 s) would be 33 %, the last (30 s) 11 %; the
        # median (12 s) is 28 %.
        "off": {"rest": [_run(10), _run(12), _run(30)]},
    }

    assert _verdict(results, copy_rate=300.0, temporary_rate=400.0) == 1

    out = capsys.readouterr().out
    assert "Bulk initial sync <= 180 s at realistic latency: 40 s, met" in out
    assert "Bulk >= 5x faster than REST serial: 7.5x, met" in out
    assert "latency off, rest >= 30% of COPY into the same tables: 28%, NOT met (21% of COPY into temporary" in out


def test_a_peak_over_the_limit_in_any_run_fails_the_memory_goal(capsys):
    results = {"off": {"rest": [_run(1), _run(1, peak_mb=501), _run(1)]}}

    assert _verdict(results, copy_rate=100.0, temporary_rate=100.0) == 1
    assert "peak memory of the sync < 500 MB: 501 MB, NOT met" in capsys.readouterr().out


@pytest.mark.parametrize("runs", [0, -1])
def test_fewer_than_one_run_is_refused(runs, tmp_path):
    with pytest.raises(SystemExit, match="--runs must be at least 1"):
        compare(tmp_path, ["off"], ["rest"], runs)


def test_the_baseline_is_repeated_and_its_medians_returned(postgres, transactional_db, capsys):
    # As the bench runs it: each COPY commits (and drops its temporary copies), no test transaction around them.
    for number in range(4):
        OpportunityFactory(name=f"Deal {number}")
    AccountFactory()

    same_rate, temporary_rate = _copy_baselines(3)

    out = capsys.readouterr().out
    assert [f"(run {n} of 3)" in out for n in (1, 2, 3)] == [True, True, True]
    assert "PostgreSQL COPY: median" in out and "of 3 runs" in out
    assert same_rate > 0 and temporary_rate > 0
