"""The optimised weekly update gives what the update before it gave, on both databases.

``reference_run.json`` holds the earlier implementation's output (commit 3464376: separate history passes for
the closed and the open deals, COUNT(DISTINCT) per flag, a correlated EXISTS per deal-week for stored next
steps) on the seeded org of ``random_org``, for a Sunday and a mid-week ``as_of``: the overview, the stall
thresholds and lead times, every flag's counts, win rates, lift with its interval and verdict, the win
model, and this week's stored flags (all of them, by deal). To write it again from a given checkout, run this
file with BACKTEST_REFERENCE_WRITE=1 (the test then fails on purpose, saying it wrote the file).
"""

import json
import math
import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from coaching.backtest.states import STATES, StateSet, deal_states, week_ends
from coaching.backtest.update import LOOKBACK_WEEKS, STEP_WEEKS, update_backtest
from coaching.metrics.dialect import fetch
from coaching.models import DealFlagWeek, FlagBacktest, WinModel
from tests.backtest.random_org import build_org

REFERENCE = Path(__file__).with_name("reference_run.json")
END = date(2026, 3, 1)  # a Sunday
AS_OF = (END, END + timedelta(days=3))  # and a Wednesday: the open deals' cut is later than the last week end
STATE_COLUMNS = ("week_end", "opp", "owner", "stage", "won", "recorded", "stale", "overdue", "stall", "single",
                 "pushed", "regressed", "no_next_step")  # fmt: skip


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def fingerprint(org, as_of: date) -> dict[str, Any]:
    run = update_backtest(org, as_of)
    flags = {
        row["flag"]: row
        for row in FlagBacktest.objects.filter(org=org).values(
            "flag", "deals", "flagged_deals", "win_rate_flagged", "win_rate_unflagged", "lift", "lift_low",
            "lift_high", "lead_time_days", "verdict",
        )
    }  # fmt: skip
    model = WinModel.objects.filter(org=org).values("parameters", "deals", "brier", "stage_brier", "calibration")
    stored = sorted(
        f"{row.week_end} {row.opportunity_sf_id} {row.flag}"
        for row in DealFlagWeek.objects.filter(org=org).exclude(week_end__lt=as_of - timedelta(days=7))
    )
    # The closed deals' states as the (unchanged) point-in-time builder gives them, with the thresholds learnt.
    with deal_states(StateSet(org, week_ends(as_of, LOOKBACK_WEEKS, STEP_WEEKS), closed_by=as_of)):
        states = fetch(f"SELECT {', '.join(STATE_COLUMNS)} FROM {STATES} ORDER BY week_end, opp", [])
    return _plain(
        {
            "overview": run.seen.__dict__,
            "stall_days": run.stall_days,
            "results": flags,
            "model": list(model),
            "stored_flags": run.stored_flags,
            "stored": stored,
            "states": [" ".join(str(_plain(value))[:10] for value in row) for row in states],
        }
    )


def _same(found: Any, expected: Any, where: str = "") -> None:
    """Equal, floats to 1e-9 relative (the two databases sum in different orders)."""
    if isinstance(expected, float) and isinstance(found, int | float):
        assert found == pytest.approx(expected, rel=1e-9, abs=1e-12), where
    elif isinstance(expected, dict):
        assert isinstance(found, dict) and set(found) == set(expected), f"{where}: keys {set(found) ^ set(expected)}"
        for key in expected:
            _same(found[key], expected[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(found, list) and len(found) == len(expected), f"{where}: {len(found)} != {len(expected)}"
        for index, (mine, theirs) in enumerate(zip(found, expected, strict=True)):
            _same(mine, theirs, f"{where}[{index}]")
    else:
        assert found == expected, where


@pytest.mark.parametrize("as_of", AS_OF, ids=["sunday", "wednesday"])
def test_the_update_gives_the_earlier_implementations_results(db, as_of):
    org = build_org("same-results", END)
    found = fingerprint(org, as_of)
    # The seeded org exercises every flag both ways, and enough closed deals for verdicts and a model.
    assert found["overview"]["deals"] >= 150 and found["model"] and found["stored"]
    assert all(0 < count < found["overview"]["deals"] for count in found["overview"]["flagged_deals"].values())
    assert {row["verdict"] for row in found["results"].values()} != {FlagBacktest.Verdict.NOT_ENOUGH}
    key = f"{connection.vendor} {as_of.isoformat()}"
    if os.environ.get("BACKTEST_REFERENCE_WRITE"):
        written = json.loads(REFERENCE.read_text()) if REFERENCE.exists() else {}
        REFERENCE.write_text(json.dumps({**written, key: found}, indent=1, sort_keys=True) + "\n")
        pytest.fail(f"wrote {key} into {REFERENCE.name}; run again without BACKTEST_REFERENCE_WRITE to compare")
    expected = json.loads(REFERENCE.read_text())[key]
    _same(found, expected, key)


def test_a_changed_result_is_caught(db):
    org = build_org("same-results", END)
    found = fingerprint(org, END)
    expected = json.loads(REFERENCE.read_text())[f"{connection.vendor} {END.isoformat()}"]
    changed = json.loads(json.dumps(expected))
    changed["results"]["stale"]["lift"] *= 1.000001
    with pytest.raises(AssertionError, match=r"results\.stale\.lift"):
        _same(found, changed, "run")
    changed = {**expected, "stored": expected["stored"][1:]}
    with pytest.raises(AssertionError, match="stored"):
        _same(found, changed, "run")
