"""The signed links: one-click unsubscribe (RFC 8058), the settings page, and links that do not work."""

from datetime import UTC, datetime, time

import pytest
from django.test import Client

from coaching.digests.links import PREFERENCES, UNSUBSCRIBE, link_for, make_token, read_token
from coaching.digests.models import DigestSettings
from coaching.digests.preferences import save_digest_settings, unsubscribe
from tests.digests.conftest import path_of

pytestmark = pytest.mark.django_db


def one_click(client: Client, url: str):
    return client.post(
        path_of(url), data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )


def test_a_one_click_post_unsubscribes_without_a_cookie_and_a_second_click_keeps_the_first_time(chart):
    url = link_for(UNSUBSCRIBE, chart.org.pk, chart.maria.sf_id)
    client = Client(enforce_csrf_checks=True)

    assert one_click(client, url).status_code == 200
    first = DigestSettings.objects.get(manager_sf_id=chart.maria.sf_id)
    assert one_click(client, url).status_code == 200

    again = DigestSettings.objects.get(manager_sf_id=chart.maria.sf_id)
    assert not again.enabled and again.unsubscribed_at == first.unsubscribed_at
    assert not DigestSettings.objects.filter(manager_sf_id=chart.omar.sf_id).exists()


def test_the_confirmation_page_posts_back_to_the_same_link(chart):
    url = link_for(UNSUBSCRIBE, chart.org.pk, chart.maria.sf_id)
    page = Client().get(path_of(url))

    assert page.status_code == 200
    assert f'action="{url}"'.encode() in page.content
    assert b"Maria Lopez" in page.content
    assert not DigestSettings.objects.exists()


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-3],  # cut short by a mail program
        lambda token: token.replace(token[2], "x" if token[2] != "x" else "y", 1),  # changed
        lambda token: "nonsense",
    ],
)
def test_a_broken_link_answers_404_with_what_to_do(chart, mangle):
    token = make_token(UNSUBSCRIBE, chart.org.pk, chart.maria.sf_id)

    response = Client().post(f"/digests/unsubscribe/{mangle(token)}/")

    assert response.status_code == 404
    assert b"This link does not work" in response.content
    assert not DigestSettings.objects.exists()


def test_a_token_works_only_for_what_it_was_made_for(chart):
    unsubscribe_token = make_token(UNSUBSCRIBE, chart.org.pk, chart.maria.sf_id)

    assert read_token(unsubscribe_token, UNSUBSCRIBE) == (chart.org.pk, chart.maria.sf_id)
    assert read_token(unsubscribe_token, PREFERENCES) is None
    assert Client().get(f"/digests/preferences/{unsubscribe_token}/").status_code == 404


def test_a_link_to_a_deleted_org_answers_404(chart):
    url = link_for(UNSUBSCRIBE, chart.org.pk, chart.maria.sf_id)
    chart.org.delete()

    assert one_click(Client(), url).status_code == 404


def test_the_settings_page_saves_a_new_time_and_turning_it_back_on_clears_the_unsubscribe(chart):
    unsubscribe(chart.org, chart.maria.sf_id)
    url = link_for(PREFERENCES, chart.org.pk, chart.maria.sf_id)
    client = Client(enforce_csrf_checks=True)
    client.get(path_of(url))  # sets the CSRF cookie, as a browser would

    response = client.post(
        path_of(url),
        {
            "enabled": "on",
            "send_weekday": "4",
            "send_time": "08:30",
            "time_zone": "Europe/Lisbon",
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )

    assert response.status_code == 200
    assert b"Saved. Your digest arrives Fridays at 08:30 (Europe/Lisbon)." in response.content
    row = DigestSettings.objects.get(manager_sf_id=chart.maria.sf_id)
    assert (row.enabled, row.send_weekday, row.send_time, row.time_zone) == (True, 4, time(8, 30), "Europe/Lisbon")
    assert row.unsubscribed_at is None


def test_the_settings_page_refuses_an_unknown_time_zone_and_keeps_the_old_settings(chart):
    url = link_for(PREFERENCES, chart.org.pk, chart.maria.sf_id)

    response = Client().post(
        path_of(url), {"enabled": "on", "send_weekday": "0", "send_time": "07:00", "time_zone": "Europe/Atlantis"}
    )

    assert response.status_code == 200
    assert b"is not a time zone name; use one like Europe/Berlin" in response.content
    assert not DigestSettings.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"send_weekday": 7}, "send_weekday must be 0 \\(Monday\\) to 6"),
        ({"send_time": "7am"}, "send_time must be a time of day"),
        ({"time_zone": "CEST"}, "time_zone must be an IANA time zone"),
    ],
)
def test_save_digest_settings_says_what_was_wrong(chart, fields, message):
    values = {"enabled": True, "send_weekday": 0, "send_time": time(7), "time_zone": "", **fields}
    with pytest.raises(ValueError, match=message):
        save_digest_settings(chart.org, chart.maria.sf_id, **values)


def test_unsubscribe_keeps_the_time_of_the_first_unsubscribe(chart):
    first = unsubscribe(chart.org, chart.maria.sf_id, datetime(2026, 3, 2, 8, tzinfo=UTC))
    second = unsubscribe(chart.org, chart.maria.sf_id, datetime(2026, 3, 9, 8, tzinfo=UTC))

    assert second.pk == first.pk and second.unsubscribed_at == datetime(2026, 3, 2, 8, tzinfo=UTC)
