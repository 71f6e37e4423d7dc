"""The one error shape for what no endpoint chose to raise: content negotiation, and a bug."""

import logging

import pytest

from coaching.api import queries
from tests.api.conftest import error_of

pytestmark = pytest.mark.django_db


def test_asking_for_anything_but_json_is_406(world):
    response = world.client("fsm").get(f"/api/v1/reps/{world.sf('a1')}/gaps", HTTP_ACCEPT="text/html")
    assert response.status_code == 406
    assert error_of(response)["code"] == "not_acceptable"


def test_a_bug_answers_500_in_the_error_shape_and_is_logged(world, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    # Fault injection: the flags query fails as a bug would.
    monkeypatch.setattr(queries, "deal_flags", broken)
    with caplog.at_level(logging.ERROR, logger="coaching.api.errors"):
        response = world.client("fsm").get(f"/api/v1/opportunities/{world.deals['a1'].sf_id}/flags")
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "server_error" and "secret internals" not in error["message"]
    assert "secret internals" in caplog.text and "DealFlagsView" in caplog.text
