"""The Celery side: the worker finds the digest tasks, beat runs them every 15 minutes, a retry is queued with
its back-off — checked in-process (eager) and with a real worker process on PostgreSQL and Redis."""

import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings

from coachapp.celery import app
from coaching.digests.models import DigestDelivery
from coaching.digests.tasks import send_due_digests
from coaching.weeks import monday_of
from tests.digests.conftest import DUE, received_by, set_digest_time
from tests.processes import PrivateBroker, child_database_url, stop

ROOT = Path(__file__).resolve().parents[2]


def test_the_worker_knows_the_digest_tasks_and_beat_runs_the_sweep_every_15_minutes():
    app.loader.import_default_modules()  # what a worker does at start: CELERY_IMPORTS included

    assert {
        "coaching.digests.tasks.send_due_digests",
        "coaching.digests.tasks.send_org_digests",
        "coaching.digests.tasks.retry_digest",
    } <= set(app.tasks)
    entry = django_settings.CELERY_BEAT_SCHEDULE["weekly-digests"]
    assert entry["task"] == "coaching.digests.tasks.send_due_digests"
    assert entry["schedule"].minute == {0, 15, 30, 45}
    assert entry["schedule"].hour == set(range(24)) and entry["schedule"].day_of_week == set(range(7))


def test_the_beat_task_sends_every_orgs_due_digests(busy_week, smtp):
    with time_machine.travel(DUE, tick=False):
        org_ids = send_due_digests.delay().get()

    assert org_ids == [busy_week.org.pk]
    assert len(smtp.messages) == 3


@pytest.mark.worker
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_through_smtp_and_retries_a_failure_after_its_back_off(
    postgres, redis_url, chart, smtp, settings, tmp_path
):
    # This week by the real clock, for Maria only, due from Monday 00:00 UTC: the worker runs on real time.
    week = monday_of(datetime.now(UTC).date())
    for rep in chart.reps:
        chart.gap(rep, week_start=week)
    chart.build(week)
    set_digest_time(chart, chart.maria, at=clock(0, 0), zone="UTC")
    for other in (chart.omar, chart.director):
        DigestDelivery.objects.create(org=chart.org, manager_sf_id=other.sf_id, week_start=week, status="skipped")
    # Omar's and Dana's digests of the week are decided already: the worker has Maria's alone to send.
    smtp.fail_data["maria@acme.example"] = ["451 4.3.0 Try again later"]

    broker = PrivateBroker.new(redis_url)
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_DEBUG": "true",
        "PYTHONPATH": str(ROOT),
        "REDIS_URL": "",
        **broker.env(),
        "DATABASE_URL": child_database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{settings.EMAIL_PORT}",
        "DEFAULT_FROM_EMAIL": settings.DEFAULT_FROM_EMAIL,
        "SITE_URL": settings.SITE_URL,
        "DIGEST_RETRY_BASE_SECONDS": "2",
        "LOG_LEVEL": "INFO",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "coachapp", "worker", "--pool", "solo", "--loglevel", "INFO",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"digest-test-{uuid.uuid4().hex[:8]}@%h"],
        cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    sender = broker.sender("digest-worker-test")
    try:
        sender.send_task("coaching.digests.tasks.send_org_digests", args=[chart.org.pk])
        deadline = time.monotonic() + 90
        row = None
        while time.monotonic() < deadline:
            assert process.poll() is None, f"the worker exited:\n{log.read_text()[-3000:]}"
            row = DigestDelivery.objects.filter(manager_sf_id=chart.maria.sf_id, week_start=week).first()
            if row is not None and row.status == DigestDelivery.Status.SENT:
                break
            time.sleep(0.5)
        output = log.read_text()[-3000:]
        assert row is not None and row.status == DigestDelivery.Status.SENT, output
        assert row.attempts == 2, output
        assert row.sent_at - row.created_at >= timedelta(seconds=2)  # the retry waited for its back-off
        assert "coaching.digests.tasks.retry_digest" in output  # queued with its eta, not by beat
        assert len(received_by(smtp, "maria@acme.example")) == 1
    finally:
        stop(process)
        sender.close()
        broker.clear()
