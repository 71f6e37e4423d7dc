"""Sending failures: retried after a growing wait, recorded, and given up on after the last attempt."""

from datetime import timedelta

from coaching.digests.models import DigestDelivery
from coaching.digests.send import backoff, send_due
from tests.digests.conftest import DUE, WEEK, received_by

Status = DigestDelivery.Status


def maria_row(chart) -> DigestDelivery:
    return DigestDelivery.objects.get(org=chart.org, manager_sf_id=chart.maria.sf_id, week_start=WEEK)


def test_a_temporary_smtp_error_is_retried_with_back_off_then_recorded_failed(busy_week, smtp, settings):
    chart = busy_week
    smtp.fail_data["maria@acme.example"] = ["451 4.3.0 Mailbox busy, try again later"] * 5

    first = send_due(chart.org, DUE)
    row = maria_row(chart)
    assert row.status == Status.PENDING and row.attempts == 1
    assert row.next_attempt_at == DUE + timedelta(seconds=60)
    assert "451" in row.last_error and "maria@acme.example" in row.last_error
    [retrying] = first.retrying
    assert retrying.delivery_id == row.pk and retrying.retry_at == row.next_attempt_at
    assert len(received_by(smtp, "omar@acme.example")) == 1  # one failure does not hold the others back

    assert send_due(chart.org, DUE + timedelta(seconds=59)).outcomes == []  # still backing off

    send_due(chart.org, DUE + timedelta(seconds=60))
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.PENDING, 2)
    assert row.next_attempt_at == DUE + timedelta(seconds=60 + 120)  # the wait doubled

    last = send_due(chart.org, row.next_attempt_at)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, settings.DIGEST_MAX_ATTEMPTS)
    assert row.last_error.startswith("attempt 3 to maria@acme.example: SMTPDataError: (451")
    assert row.next_attempt_at is None
    assert [o.status for o in last.outcomes] == [Status.FAILED]

    assert send_due(chart.org, DUE + timedelta(hours=6)).outcomes == []  # failed stays failed
    assert received_by(smtp, "maria@acme.example") == []


def test_a_digest_that_failed_once_is_sent_on_the_next_attempt(busy_week, smtp):
    chart = busy_week
    smtp.fail_data["maria@acme.example"] = ["421 4.7.0 Too many connections, slow down"]

    send_due(chart.org, DUE)
    send_due(chart.org, DUE + timedelta(minutes=15))  # beat's next tick, past the 60 s back-off

    row = maria_row(chart)
    assert (row.status, row.attempts) == (Status.SENT, 2)
    assert len(received_by(smtp, "maria@acme.example")) == 1


def test_a_recipient_the_server_refuses_for_good_fails_at_once(busy_week, smtp):
    chart = busy_week
    smtp.refuse_rcpt["maria@acme.example"] = "550 5.1.1 No such user here"

    send_due(chart.org, DUE)

    row = maria_row(chart)
    assert (row.status, row.attempts) == (Status.FAILED, 1)
    assert "550" in row.last_error and "No such user" in row.last_error


def test_an_unreachable_mail_server_is_retried(busy_week, closed_smtp):
    report = send_due(busy_week.org, DUE)

    assert [o.status for o in report.outcomes] == ["retrying"] * 3
    row = maria_row(busy_week)
    assert row.status == Status.PENDING and "ConnectionRefusedError" in row.last_error


def test_the_back_off_doubles_and_stops_growing_at_six_hours(settings):
    settings.DIGEST_RETRY_BASE_SECONDS = 300
    assert [backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=5), timedelta(minutes=10), timedelta(minutes=20)]
    assert backoff(30) == timedelta(hours=6)


def test_an_unsent_digest_of_a_week_long_past_is_marked_failed_not_sent_late(busy_week, smtp):
    chart = busy_week
    DigestDelivery.objects.create(org=chart.org, manager_sf_id=chart.maria.sf_id, week_start=WEEK)

    report = send_due(chart.org, DUE + timedelta(days=9))

    row = maria_row(chart)
    assert row.status == Status.FAILED and "week ended" in row.last_error
    assert report.expired == 1
    assert smtp.messages == []


def test_a_digest_that_cannot_be_rendered_is_recorded_failed_and_the_run_goes_on(busy_week, smtp, settings, tmp_path):
    broken = tmp_path / "emails"
    broken.mkdir()
    (broken / "digest.html").write_text("{% if %}")  # a template error, shadowing the real HTML template
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]

    report = send_due(busy_week.org, DUE)

    assert [o.status for o in report.outcomes] == [Status.FAILED] * 3
    row = maria_row(busy_week)
    assert row.last_error.startswith("could not be rendered: TemplateSyntaxError")
    assert smtp.messages == []
