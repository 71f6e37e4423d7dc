"""Digests delivered through a real SMTP server: what arrives, its parts, headers and links, and that they work."""

from datetime import timedelta
from urllib.parse import urlsplit

from django.test import Client

from coaching.digests.links import portal_url
from coaching.digests.models import DigestDelivery, DigestSettings
from coaching.digests.send import send_due
from tests.digests.conftest import DUE, WEEK, html_links, parts, path_of, received_by


def test_a_digest_arrives_as_text_and_html_alternatives_with_one_click_unsubscribe_headers(busy_week, smtp):
    report = send_due(busy_week.org, DUE)

    assert report.count("sent") == 3
    assert sorted(to for _, tos in smtp.envelopes for to in tos) == [
        "dana@acme.example",
        "maria@acme.example",
        "omar@acme.example",
    ]
    [message] = received_by(smtp, "maria@acme.example")
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["Subject"] == "Your coaching week of 2 Mar: 4 topics for 4 reps"
    assert message["From"] == "coachapp <digest@coach.example.com>"
    assert str(message["To"]) == "Maria Lopez <maria@acme.example>"
    assert message["Auto-Submitted"] == "auto-generated"
    unsubscribe = message["List-Unsubscribe"].strip()
    assert unsubscribe.startswith("<https://coach.example.com/digests/unsubscribe/") and unsubscribe.endswith("/>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    text, html = parts(message)
    unsubscribe_url = unsubscribe[1:-1]
    links = html_links(html)
    preferences_url = next(href for href in links.hrefs if "/digests/preferences/" in href)
    portal = portal_url(WEEK)
    assert portal.startswith("https://coach.example.com/")
    assert sorted(links.hrefs) == sorted([portal, preferences_url, unsubscribe_url])  # one link into the portal
    assert f"Open it in coachapp: {portal}\n" in text
    assert unsubscribe_url in text and preferences_url in text
    assert not links.tags & {"script", "style", "link", "iframe", "form"}
    assert "<table" in html and 'style="' in html

    delivery = DigestDelivery.objects.get(manager_sf_id=busy_week.maria.sf_id, week_start=WEEK)
    assert delivery.status == DigestDelivery.Status.SENT
    assert delivery.message_id == message["Message-ID"]
    assert delivery.recipient == "maria@acme.example"
    assert delivery.attempts == 1 and delivery.last_error == ""


def test_the_text_and_html_parts_name_the_same_reps_and_topics(busy_week, smtp):
    send_due(busy_week.org, DUE)
    text, html = parts(received_by(smtp, "maria@acme.example")[0])
    for words in (
        "Ana Ruiz",
        "Ben Okafor",
        "Carl Nystrom",
        "Dee Patel",
        "Deals take 95 days to close vs teammates' median 60 days",
        "Typical won deal $8k vs teammates' median $21k",
        "Win rate 45% vs teammates' median 30%",  # Dee's strength, to recognise
        "about 17 of 30 min",
    ):
        assert words in text
        assert words.replace("'", "&#x27;") in html


def test_the_unsubscribe_link_asks_on_get_unsubscribes_on_one_click_post_and_stops_the_next_digest(busy_week, smtp):
    chart = busy_week
    send_due(chart.org, DUE)
    [message] = received_by(smtp, "maria@acme.example")
    url = message["List-Unsubscribe"].strip()[1:-1]
    client = Client(enforce_csrf_checks=True)  # a mail provider's one-click POST carries no CSRF cookie

    page = client.get(path_of(url))
    assert page.status_code == 200
    assert b"Unsubscribe from the weekly digest?" in page.content
    assert not DigestSettings.objects.filter(manager_sf_id=chart.maria.sf_id).exists()  # a GET changes nothing

    done = client.post(
        path_of(url), data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert done.status_code == 200
    assert b"You are unsubscribed" in done.content
    settings_row = DigestSettings.objects.get(org=chart.org, manager_sf_id=chart.maria.sf_id)
    assert not settings_row.enabled and settings_row.unsubscribed_at is not None
    assert urlsplit(url).netloc == "coach.example.com"

    next_week = WEEK + timedelta(weeks=1)
    for rep in (*chart.reps, *chart.omar_reps):
        chart.gap(rep, "WIN_RATE_LOW", week_start=next_week)
    chart.build(next_week)
    smtp.messages.clear()
    send_due(chart.org, DUE + timedelta(weeks=1))

    assert received_by(smtp, "maria@acme.example") == []
    assert len(received_by(smtp, "omar@acme.example")) == 1
    assert not DigestDelivery.objects.filter(manager_sf_id=chart.maria.sf_id, week_start=next_week).exists()


def test_the_preferences_link_from_the_email_opens_the_digest_settings(busy_week, smtp):
    send_due(busy_week.org, DUE)
    _, html = parts(received_by(smtp, "maria@acme.example")[0])
    preferences_url = next(href for href in html_links(html).hrefs if "/digests/preferences/" in href)

    page = Client().get(path_of(preferences_url))

    assert page.status_code == 200
    assert b"Your weekly digest" in page.content
    assert b"Maria Lopez" in page.content
    assert b"America/New_York" in page.content  # her CRM time zone, the default


def test_a_flagged_deal_arrives_with_its_win_probability_beside_it(busy_week, smtp):
    from coaching.models import AgendaItem

    item = AgendaItem.objects.filter(agenda=busy_week.agenda(busy_week.maria), kind="gap").first()
    url = "https://acme.my.salesforce.com/0065g00000ABCDEFGH"
    item.deals = [
        {
            "sf_id": "0065g00000ABCDEFGH",
            "name": "Big renewal",
            "amount": 120000.0,
            "url": url,
            "win_probability": 0.123,
        },
        {"sf_id": "0065g00000ABCDEFGJ", "name": "No model yet", "amount": 5000.0, "url": ""},
    ]
    item.save(update_fields=["deals"])
    send_due(busy_week.org, DUE)
    text, html = parts(received_by(smtp, "maria@acme.example")[0])
    assert f"Big renewal ($120k, 12 % to win) <{url}>" in text
    assert f'<a href="{url}" style="color:#1d4ed8;">Big renewal ($120k, 12 % to win)</a>' in html
    # A deal the org's model has no figure for shows no made-up one.
    assert "No model yet ($5k)" in text and "No model yet ($5k," not in text
