"""export_metrics (JSON on stdout) and compute_metrics (stored snapshots)."""

import json
import re
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from coaching.metrics import names
from coaching.models import MetricSnapshot
from tests.factories import OpportunityFactory, TaskFactory
from tests.metrics.conftest import days_before


def export(*args: str) -> str:
    out, err = StringIO(), StringIO()
    call_command("export_metrics", *args, stdout=out, stderr=err)
    assert err.getvalue() == ""
    return out.getvalue()


def test_json_export_shape(org, manager, rep, other_rep):
    for outcome in ("won", "won", "lost"):
        OpportunityFactory(org=org, owner=rep, close_date=days_before(3), amount=Decimal("100"), **{outcome: True})
    TaskFactory(org=org, owner=other_rep, activity_date=days_before(1))

    document = json.loads(export("acme", "--as-of", "2024-06-30", "--json"))

    assert set(document) == {"org", "as_of", "reps"}
    assert (document["org"], document["as_of"]) == ("acme", "2024-06-30")
    assert [entry["sf_user_id"] for entry in document["reps"]] == sorted([rep.sf_id, other_rep.sf_id])
    for entry in document["reps"]:
        assert set(entry) == {"sf_user_id", "manager_sf_user_id", "metrics"}
        assert entry["manager_sf_user_id"] == manager.sf_id
        assert list(entry["metrics"]) == list(names.METRIC_NAMES)
        for value in entry["metrics"].values():
            assert set(value) == {"value", "n", "window"}
            assert isinstance(value["n"], int)
            assert [date.fromisoformat(day) for day in value["window"]] and len(value["window"]) == 2
    mine = next(entry for entry in document["reps"] if entry["sf_user_id"] == rep.sf_id)["metrics"]
    assert mine["win_rate"] == {"value": pytest.approx(2 / 3), "n": 3, "window": ["2024-01-01", "2024-06-30"]}
    assert mine["won_count"]["value"] == 2
    theirs = next(entry for entry in document["reps"] if entry["sf_user_id"] == other_rep.sf_id)["metrics"]
    # A rep with no data: null rates, zero counts.
    assert theirs["win_rate"] == {"value": None, "n": 0, "window": ["2024-01-01", "2024-06-30"]}
    assert theirs["won_count"]["value"] == 0
    assert theirs["stale_open_count"]["value"] == 0
    assert theirs["activities_per_week"] == {"value": 0.25, "n": 1, "window": ["2024-06-03", "2024-06-30"]}


def test_json_export_with_details(org, rep):
    deal = OpportunityFactory(org=org, owner=rep)
    document = json.loads(export("acme", "--as-of", "2024-06-30", "--json", "--details"))
    stale = document["reps"][0]["metrics"]["stale_open_count"]
    assert stale["details"] == {"evidence": [deal.sf_id]}


def test_readable_export(org, rep):
    OpportunityFactory(org=org, owner=rep, won=True, close_date=days_before(3))
    text = export("acme", "--as-of", "2024-06-30")
    assert "acme: 1 active reps, as of 2024-06-30" in text
    assert rep.sf_id in text and "Win rate" in text


def test_unknown_org_and_bad_date_are_clear_errors(org):
    with pytest.raises(CommandError, match=re.escape("No org named 'nope'. Known orgs: acme.")):
        export("nope", "--json")
    with pytest.raises(CommandError, match=re.escape("'30/06/2024' is not a date; write it as YYYY-MM-DD")):
        export("acme", "--as-of", "30/06/2024", "--json")


def test_compute_metrics_stores_the_week(org, rep):
    OpportunityFactory(org=org, owner=rep, won=True, close_date=days_before(3))
    out = StringIO()
    call_command("compute_metrics", "acme", "--as-of", "2024-06-27", stdout=out)
    count = len(names.METRIC_NAMES)
    assert out.getvalue().strip() == (
        f"acme: stored {count} snapshots for 1 reps, week of 2024-06-24 (as of 2024-06-27)."
    )
    assert (
        MetricSnapshot.objects.filter(org=org, week_start=date(2024, 6, 24), as_of=date(2024, 6, 27)).count() == count
    )
