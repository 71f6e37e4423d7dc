"""Never twice: one delivery row per manager and week, claimed before anything is sent."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from coaching.digests.models import DigestDelivery
from coaching.digests.send import claim, send_due, send_week
from tests.digests.conftest import DUE, WEEK, received_by

Status = DigestDelivery.Status


def test_running_the_send_twice_sends_each_digest_once(busy_week, smtp):
    first = send_due(busy_week.org, DUE)
    second = send_due(busy_week.org, DUE + timedelta(minutes=15))
    on_demand = send_week(busy_week.org, WEEK, DUE + timedelta(minutes=20))

    assert first.count(Status.SENT) == 3
    assert second.outcomes == []  # nothing left to claim
    assert [o.status for o in on_demand.outcomes] == ["already sent"] * 3
    assert len(smtp.messages) == 3
    assert DigestDelivery.objects.filter(week_start=WEEK).count() == 3
    assert set(DigestDelivery.objects.values_list("attempts", flat=True)) == {1}


def test_a_claim_abandoned_by_a_dead_worker_is_taken_over_once_after_the_timeout(busy_week, smtp, settings):
    chart = busy_week
    row = DigestDelivery.objects.create(org=chart.org, manager_sf_id=chart.maria.sf_id, week_start=WEEK)
    assert claim(row, DUE)  # a worker claimed Maria's digest, then died before sending

    send_due(chart.org, DUE + timedelta(minutes=5))  # within the claim timeout: left alone
    assert received_by(smtp, "maria@acme.example") == []
    assert len(received_by(smtp, "omar@acme.example")) == 1

    late = DUE + timedelta(seconds=settings.DIGEST_CLAIM_TIMEOUT_SECONDS + 1)
    takeover = send_due(chart.org, late)
    again = send_due(chart.org, late + timedelta(minutes=15))

    assert [(o.manager_sf_id, o.status) for o in takeover.outcomes] == [(chart.maria.sf_id, Status.SENT)]
    assert again.outcomes == []
    assert len(received_by(smtp, "maria@acme.example")) == 1
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 2


def test_a_claim_is_won_by_one_sender_only(busy_week):
    row = DigestDelivery.objects.create(org=busy_week.org, manager_sf_id=busy_week.maria.sf_id, week_start=WEEK)
    other = DigestDelivery.objects.get(pk=row.pk)  # a second sender's copy of the same row

    assert claim(row, DUE) is True
    assert claim(other, DUE) is False
    assert claim(other, DUE + timedelta(minutes=1)) is False
    assert DigestDelivery.objects.get(pk=row.pk).attempts == 1


def test_a_dead_worker_on_every_attempt_ends_in_failed_not_a_loop(busy_week, smtp, settings):
    chart = busy_week
    row = DigestDelivery.objects.create(org=chart.org, manager_sf_id=chart.maria.sf_id, week_start=WEEK)
    timeout = timedelta(seconds=settings.DIGEST_CLAIM_TIMEOUT_SECONDS + 1)
    now = DUE
    for _ in range(settings.DIGEST_MAX_ATTEMPTS):
        assert claim(row, now)
        now += timeout

    send_due(chart.org, now)

    row.refresh_from_db()
    assert row.status == Status.FAILED
    assert "stopped mid-send" in row.last_error
    assert received_by(smtp, "maria@acme.example") == []


def test_the_message_id_is_the_same_on_every_attempt_at_one_digest(busy_week, smtp, settings):
    chart = busy_week
    row = DigestDelivery.objects.create(org=chart.org, manager_sf_id=chart.maria.sf_id, week_start=WEEK)
    claim(row, DUE)
    send_due(chart.org, DUE + timedelta(seconds=settings.DIGEST_CLAIM_TIMEOUT_SECONDS + 1))
    [message] = received_by(smtp, "maria@acme.example")

    assert message["Message-ID"] == f"<digest.{chart.org.pk}.{chart.maria.sf_id}.2026-03-02@coach.example.com>"


@pytest.mark.django_db(transaction=True)
def test_four_schedulers_racing_on_postgresql_send_each_digest_once(postgres, busy_week, smtp):
    errors = []
    start = threading.Barrier(4)

    def run() -> None:
        try:
            start.wait()
            send_due(busy_week.org, DUE)
        except Exception as error:  # reported below: a thread's exception would otherwise vanish
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(to for _, tos in smtp.envelopes for to in tos) == [
        "dana@acme.example",
        "maria@acme.example",
        "omar@acme.example",
    ]
    assert set(DigestDelivery.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}


def test_sweeps_after_the_weeks_digests_went_out_only_read(busy_week, smtp):
    from django.test.utils import CaptureQueriesContext

    send_due(busy_week.org, DUE)
    with CaptureQueriesContext(connection) as later:
        send_due(busy_week.org, DUE + timedelta(hours=2))

    writes = [q["sql"] for q in later.captured_queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(writes) == 1 and "the week ended" in writes[0]  # only the (empty) expiry of past weeks' rows
    assert len(later.captured_queries) <= 7
