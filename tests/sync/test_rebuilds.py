"""The rebuild of the week after a sync that changed data: at most one per AGENDA_REBUILD_INTERVAL_MINUTES.

These tests publish tasks for real, to kombu's in-memory broker, and read the messages a worker would get
(task, arguments, ETA); the other sync tests run tasks in-process, where nothing can wait.
"""

import socket
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from kombu.exceptions import OperationalError

from coachapp.celery import app
from coaching.agendas.rebuilds import queue_rebuild
from coaching.tasks import build_all_agendas
from crm.models import Org
from integrations import tasks
from integrations.models import SyncRun
from integrations.salesforce.catalogue import SOBJECT_NAMES
from integrations.sync import people
from integrations.sync.run import begin_run, run_object
from tests.factories import OrgFactory

REBUILD = "coaching.tasks.build_agendas_for_org"
MEMORY_BROKER = "memory://localhost/"
T0 = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # a Wednesday
LATER = "2030-01-01T00:00:00.000+0000"  # a CRM change newer than every record of the sample org


@pytest.fixture
def broker(monkeypatch):
    """Tasks go to an in-memory broker instead of running in-process; yields ``take()``: the messages sent
    since the last call, as (task, args, eta)."""
    conf = {"task_always_eager": False, "broker_url": MEMORY_BROKER, "task_publish_retry": False}
    saved = {name: app.conf[name] for name in conf}
    app.conf.update(conf)
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)

    def take() -> list[tuple[str, list, datetime | None]]:
        sent = []
        with app.connection_for_read() as conn:
            queue = conn.SimpleQueue(app.conf.task_default_queue)
            while True:
                try:
                    message = queue.get(block=False)
                except queue.Empty:
                    break
                eta = message.headers.get("eta")
                sent.append((message.headers["task"], list(message.payload[0]), eta and datetime.fromisoformat(eta)))
                message.ack()
            queue.close()
        return sent

    take()  # nothing left over from another test
    yield take
    take()
    app.conf.update(saved)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def interval(settings):
    settings.AGENDA_REBUILD_INTERVAL_MINUTES = 60
    return timedelta(minutes=60)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def synced(org: Org) -> tuple[SyncRun, str]:
    """A sync of ``org`` whose objects all ran, as the chain runs them, up to its finishing task."""
    run, token = begin_run(org)
    for sobject in SOBJECT_NAMES:
        run_object(run.pk, sobject, token)
    return run, token


def rebuild_at(org: Org) -> datetime | None:
    return Org.objects.values_list("agenda_rebuild_at", flat=True).get(pk=org.pk)


def test_a_sync_that_changed_data_queues_a_rebuild_of_its_org(connected_org, broker, clock, interval):
    run, token = synced(connected_org)

    assert tasks.finish_sync_run(run.pk, token) == SyncRun.Status.SUCCEEDED

    assert broker() == [(REBUILD, [connected_org.pk], None)]
    assert rebuild_at(connected_org) == T0


def test_a_sync_that_changed_nothing_queues_nothing(connected_org, broker, clock, interval):
    first, token = synced(connected_org)
    tasks.finish_sync_run(first.pk, token)
    assert len(broker()) == 1
    clock.shift(interval * 3)  # long past the interval: nothing holds a rebuild back but the lack of news

    run, token = synced(connected_org)

    assert tasks.finish_sync_run(run.pk, token) == SyncRun.Status.SUCCEEDED
    assert not run.object_runs.filter(upserted__gt=0).exists()
    assert broker() == []
    assert rebuild_at(connected_org) == T0


def test_changes_within_the_interval_wait_for_one_rebuild_at_its_end(db, broker, clock, interval):
    org = OrgFactory()
    assert queue_rebuild(org.pk) == T0
    clock.shift(timedelta(minutes=15))

    assert queue_rebuild(org.pk) == T0 + interval  # the rebuild at T0 may have read the data before these
    assert broker() == [(REBUILD, [org.pk], None), (REBUILD, [org.pk], T0 + interval)]

    for minutes in (30, 45, 59):  # the waiting rebuild runs after these changes landed: it covers them
        clock.move_to(T0 + timedelta(minutes=minutes), tick=False)
        assert queue_rebuild(org.pk) is None
    assert broker() == []
    assert rebuild_at(org) == T0 + interval


def test_a_busy_crm_gets_one_rebuild_per_interval(db, broker, clock, interval):
    org = OrgFactory()
    queue_rebuild(org.pk)
    clock.shift(timedelta(minutes=10))
    queue_rebuild(org.pk)  # waits for T0 + 60
    clock.move_to(T0 + timedelta(minutes=65), tick=False)  # after the waiting one ran, perhaps before it read

    assert queue_rebuild(org.pk) == T0 + 2 * interval
    assert broker()[-1] == (REBUILD, [org.pk], T0 + 2 * interval)


def test_after_a_quiet_interval_a_change_rebuilds_at_once_again(db, broker, clock, interval):
    org = OrgFactory()
    queue_rebuild(org.pk)
    clock.shift(interval + timedelta(seconds=1))

    assert queue_rebuild(org.pk) == T0 + interval + timedelta(seconds=1)
    assert broker() == [(REBUILD, [org.pk], None), (REBUILD, [org.pk], None)]


def test_the_debounce_holds_through_finish_sync_run(connected_org, broker, clock, interval):
    run, token = synced(connected_org)
    # Data changed but not the manager tree (a first sync changes it: everyone is new), so the debounce applies.
    SyncRun.objects.filter(pk=run.pk).update(people_before=people.snapshot(connected_org.pk))
    tasks.finish_sync_run(run.pk, token)
    clock.shift(timedelta(minutes=15))
    # The same finishing task redelivered counts as a changed sync again: it must not rebuild twice.
    tasks.finish_sync_run(run.pk, token)
    tasks.finish_sync_run(run.pk, token)

    assert broker() == [(REBUILD, [connected_org.pk], None), (REBUILD, [connected_org.pk], T0 + interval)]


def test_each_org_has_its_own_interval(db, broker, clock, interval):
    first, second = OrgFactory(), OrgFactory()
    queue_rebuild(first.pk)
    queue_rebuild(second.pk)

    assert broker() == [(REBUILD, [first.pk], None), (REBUILD, [second.pk], None)]


def test_interval_zero_rebuilds_after_every_changed_sync(db, broker, clock, settings):
    settings.AGENDA_REBUILD_INTERVAL_MINUTES = 0
    org = OrgFactory()
    for minutes in range(3):
        clock.move_to(T0 + timedelta(minutes=minutes), tick=False)
        assert queue_rebuild(org.pk) == T0 + timedelta(minutes=minutes)

    assert broker() == [(REBUILD, [org.pk], None)] * 3


def test_without_a_broker_every_changed_sync_rebuilds_at_once(db, broker, clock, interval):
    # In-process tasks (the demo) cannot wait for the interval's end: holding a change back would lose it.
    org = OrgFactory()
    queue_rebuild(org.pk, eager=True)
    queue_rebuild(org.pk, eager=True)

    assert broker() == [(REBUILD, [org.pk], None)] * 2


def test_the_monday_build_is_not_held_back(db, broker, clock, interval):
    org = OrgFactory()
    queue_rebuild(org.pk)
    broker()

    assert build_all_agendas() == [org.pk]
    assert broker() == [(REBUILD, [org.pk], None)]


def test_a_rebuild_the_broker_refused_frees_the_slot(db, broker, clock, interval, monkeypatch):
    org = OrgFactory()
    options = app.conf.broker_transport_options
    # Nothing listens there; one try only (the frozen clock would stop the connect timeout from ending retries).
    app.conf.update(broker_url=f"redis://127.0.0.1:{closed_port()}/0", broker_transport_options={"max_retries": 0})
    try:
        with pytest.raises(OperationalError):
            queue_rebuild(org.pk)
    finally:
        app.conf.update(broker_url=MEMORY_BROKER, broker_transport_options=options)
    assert rebuild_at(org) is None  # the next changed sync queues one at once

    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    assert queue_rebuild(org.pk) == T0
    assert broker() == [(REBUILD, [org.pk], None)]


def _race(org_id: int, now: datetime, workers: int = 6) -> list[datetime | None]:
    """``workers`` threads, each with its own database connection, finish a changed sync of the org at once."""
    start = threading.Barrier(workers)
    results: list[datetime | None] = []
    errors: list[BaseException] = []

    def finish() -> None:
        try:
            start.wait(timeout=30)
            results.append(queue_rebuild(org_id, now=now))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=finish) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(results) == workers
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_queue_one_rebuild_now_and_one_at_most_waiting(postgres, broker, interval):
    org = OrgFactory()

    results = _race(org.pk, T0)

    # One claims the free slot. The others cannot tell whether that rebuild started before their data
    # landed, so one of them (exactly one: the slot at the interval's end is claimed too) queues a waiting one.
    assert sorted(results, key=lambda due: (due is None, due)) == [T0, T0 + interval] + [None] * 4
    sent = sorted(broker(), key=lambda message: (message[2] is not None, message[2]))  # threads publish in any order
    assert sent == [(REBUILD, [org.pk], None), (REBUILD, [org.pk], T0 + interval)]
    assert rebuild_at(org) == T0 + interval


@pytest.mark.django_db(transaction=True)
def test_concurrent_changes_within_the_interval_queue_one_waiting_rebuild(postgres, broker, interval):
    org = OrgFactory()
    Org.objects.filter(pk=org.pk).update(agenda_rebuild_at=T0)
    now = T0 + timedelta(minutes=20)

    results = _race(org.pk, now)

    assert sorted(results, key=lambda due: due is None) == [T0 + interval] + [None] * 5
    assert broker() == [(REBUILD, [org.pk], T0 + interval)]
    assert rebuild_at(org) == T0 + interval


def test_a_manager_tree_change_rebuilds_at_once_within_the_interval(connected_org, org_dir, broker, clock, interval):
    from tests.sync.org_files import change_records, sf_id

    first, token = synced(connected_org)
    tasks.finish_sync_run(first.pk, token)
    assert broker() == [(REBUILD, [connected_org.pk], None)]  # a first sync: everyone is new to the tree
    clock.shift(timedelta(minutes=15))
    # Ana moves from Mia to a new manager: the old and the new team change, and nobody waits for the interval.
    # (Stamped by hand: the frozen clock is months before the records' own stamps.)
    change_records(org_dir, "User", {sf_id("User", 2): {"ManagerId": sf_id("User", 3)}}, when=LATER)

    run, token = synced(connected_org)
    tasks.finish_sync_run(run.pk, token)

    assert broker() == [(REBUILD, [connected_org.pk], None)]
    run.refresh_from_db()
    assert run.tree_changes["moved"] == [sf_id("User", 2)]
    assert run.tree_changes["managers"] == sorted([sf_id("User", 1), sf_id("User", 3)])
    assert rebuild_at(connected_org) == T0 + timedelta(minutes=15)
    # An ordinary change right after waits for the interval, counted from the tree's rebuild.
    clock.shift(timedelta(minutes=5))
    change_records(org_dir, "Opportunity", {sf_id("Opportunity", 1): {"Amount": 123.0}}, when=LATER)
    second, second_token = synced(connected_org)
    tasks.finish_sync_run(second.pk, second_token)
    assert broker() == [(REBUILD, [connected_org.pk], T0 + timedelta(minutes=15) + interval)]
    # The tree's finish redelivered announces no tree change again: that waiting rebuild covers it.
    tasks.finish_sync_run(run.pk, token)
    assert broker() == []


def test_a_failed_sync_rebuilds_nothing_even_if_people_changed(connected_org, broker, clock, interval):
    run, token = begin_run(connected_org)
    run_object(run.pk, "User", token)
    SyncRun.objects.filter(pk=run.pk).update(status=SyncRun.Status.FAILED)
    tasks.finish_sync_run(run.pk, token)
    assert broker() == []
