"""Production error pages (issue 13): a mistyped week, a page that is not there and a crash each get the
portal's styled page with the reason in words and a way back — never Django's bare page or an empty 400."""

import pytest
from django.test import Client, override_settings
from django.urls import path

from coachapp import urls as site_urls
from coaching.portal import errors


def boom(request):
    raise RuntimeError("kaboom")


urlpatterns = [*site_urls.urlpatterns, path("boom/", boom)]
handler400, handler403, handler404, handler500 = (
    site_urls.handler400,
    site_urls.handler403,
    site_urls.handler404,
    site_urls.handler500,
)

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False)
def test_a_mistyped_week_is_a_styled_400_that_says_what_to_send(world):
    response = world.client("fsm_a").get("/week/", {"week": "next tuesday"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "That request did not make sense" in html and "e.g. ?week=" in html
    assert 'href="/week/"' in html and "portal.css" in html


@override_settings(DEBUG=False)
def test_a_missing_page_is_a_styled_404_with_a_way_back(world):
    response = world.client("fsm_a").get("/agendas/999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Nothing here" in html and "Back to this week" in html
    assert "matches the given query" not in html


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_a_crash_is_a_styled_500_and_the_api_answers_json(world):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    api = Client().get("/api/v1/nothing-here")
    assert api.status_code == 404 and api["Content-Type"].startswith("application/json")


def test_internal_messages_are_replaced_by_words():
    assert errors._message(404, Exception("No Agenda matches the given query.")) == errors.DEFAULT_MESSAGES[404]
    assert errors._message(400, Exception("")) == errors.DEFAULT_MESSAGES[400]
    assert errors._message(400, Exception("week must be a date")) == "week must be a date"
