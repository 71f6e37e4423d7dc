"""``export_gaps`` and ``build_gaps``: the JSON document's shape, the text output and the errors."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from coaching.metrics import names
from coaching.models import Gap

WEAK = {names.WIN_RATE: {"value": 0.12, "n": 25, "details": {"won": 3, "lost": 22}}}


def export(*args: str) -> str:
    out = StringIO()
    call_command("export_gaps", *args, stdout=out)
    return out.getvalue()


def test_export_json_shape(week):
    manager, _ = week.team(5)
    rep = week.rep(manager, **WEAK)
    deal = week.flag(rep, names.STALE_OPEN_COUNT, 7, 10)[0]
    thin = week.rep(manager, **{names.ACTIVITIES_PER_WEEK: {"value": 0.2, "n": 1}})
    week.store()
    document = json.loads(export("acme", "--week", "2024-06-26", "--json"))
    assert (document["org"], document["week"], document["as_of"]) == ("acme", "2024-06-24", "2024-06-30")
    by_code = {gap["code"]: gap for gap in document["gaps"]}
    assert set(by_code) == {"WIN_RATE_LOW", "STALE_DEALS"}
    gap = by_code["WIN_RATE_LOW"]
    for key in (
        "code",
        "family",
        "rep_sf_user_id",
        "manager_sf_user_id",
        "severity",
        "revenue_at_stake",
        "weeks_open",
        "evidence",
    ):
        assert key in gap
    assert gap["family"] == "where"
    assert gap["rep_sf_user_id"] == rep.sf_id
    assert gap["manager_sf_user_id"] == manager.sf_id
    model = gap["evidence"]["model"]
    assert gap["revenue_at_stake"] == round(25 * 20000 * (model["peers_estimate"] - model["estimate"]), 2)
    assert gap["weeks_open"] == 1
    assert isinstance(gap["severity"], float)
    evidence = gap["evidence"]
    assert evidence["value"] == 0.12
    assert evidence["window"] == ["2024-01-01", "2024-06-30"]
    assert evidence["team"]["median"] == 0.4
    assert evidence["org"]["median"] == 0.4
    assert deal.sf_id in [named["sf_id"] for named in by_code["STALE_DEALS"]["evidence"]["deals"]]
    assert [silence["rep_sf_user_id"] for silence in document["silenced"]] == [thin.sf_id]
    assert Gap.objects.filter(org=week.org).count() == 2


def test_export_text(week):
    manager, _ = week.team(5)
    rep = week.rep(manager, **WEAK)
    week.store()
    text = export("acme", "--week", "2024-06-24")
    assert "acme, week of 2024-06-24 (as of 2024-06-30): 1 gaps, 0 strengths" in text
    assert f"{rep.sf_id} WIN_RATE_LOW (week 1" in text


def test_export_errors(week):
    with pytest.raises(CommandError, match="No org named 'nowhere'"):
        export("nowhere", "--json")
    with pytest.raises(CommandError, match="has not started"):
        export("acme", "--week", "2999-01-04", "--json")
    with pytest.raises(CommandError, match="not a date"):
        export("acme", "--week", "26/06/2024")


def test_build_gaps(week):
    manager, _ = week.team(5)
    rep = week.rep(manager, **WEAK)
    week.store()
    out = StringIO()
    call_command("build_gaps", "acme", "--week", "2024-06-30", stdout=out)
    assert "acme: 1 gaps and 0 strengths for the week of 2024-06-24 (as of 2024-06-30)" in out.getvalue()
    assert Gap.objects.get().person_sf_id == rep.sf_id
