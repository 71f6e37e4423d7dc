"""``backtest_flags``: runs the week's backtest, or records an admin's override; bad input is refused."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from coaching.models import FlagBacktest
from tests.factories import OpportunityChangeFactory, OpportunityFactory, OrgFactory, PersonFactory


def run(*args: str) -> str:
    out = StringIO()
    call_command("backtest_flags", *args, stdout=out)
    return out.getvalue()


def test_a_small_org_is_backtested_and_stays_silent(db):
    org = OrgFactory(name="tiny")
    deal = OpportunityFactory(org=org, owner=PersonFactory(org=org), lost=True, stage="Closed Lost")
    OpportunityChangeFactory(opportunity=deal, stage="Prospecting")
    text = run("tiny", "--as-of", "2026-03-01")
    assert "tiny as of 2026-03-01" in text and "Win probability: not enough closed deals yet." in text
    assert FlagBacktest.objects.filter(org=org).count() == 7
    assert set(FlagBacktest.objects.filter(org=org).values_list("verdict", flat=True)) == {"not_enough"}


def test_an_override_is_recorded(db):
    org = OrgFactory(name="acme")
    assert "stall: override off; muted." in run("acme", "--flag", "stall", "--override", "off")
    assert FlagBacktest.objects.get(org=org, flag="stall").override == "off"


def test_bad_input_is_refused(db):
    OrgFactory(name="acme")
    with pytest.raises(CommandError, match="go together"):
        run("acme", "--flag", "stall")
    with pytest.raises(CommandError, match="No org named"):
        run("nope")
    with pytest.raises(CommandError):
        run("acme", "--flag", "vibes", "--override", "on")
