"""Every driver of a sync announces the finished run (crm.signals.sync_finished) from the sync's own finish step."""

import pytest

from crm.signals import sync_finished
from integrations import tasks
from integrations.models import SyncRun
from integrations.sync.run import run_sync


@pytest.fixture
def heard():
    """The announcements made while the test runs, as the keyword arguments each carried."""
    calls: list[dict] = []

    def listen(sender, **kwargs):
        # The tree changes it carries are tested with what they drive (test_rebuilds, test_access_follows_crm).
        calls.append({key: value for key, value in kwargs.items() if key not in ("signal", "tree")})

    sync_finished.connect(listen, dispatch_uid="test-heard")
    yield calls
    sync_finished.disconnect(dispatch_uid="test-heard")


def test_the_celery_chain_announces_its_run_once(connected_org, heard):
    run_id = tasks.sync_org.delay(connected_org.pk).get()

    assert heard == [{"org_id": connected_org.pk, "run_id": run_id, "changed": True, "rebuild": True}]


def test_the_in_process_sync_announces_too_and_says_when_nothing_changed(connected_org, heard):
    first = run_sync(connected_org)
    second = run_sync(connected_org, rebuild=False)

    assert [call["run_id"] for call in heard] == [first.pk, second.pk]
    assert [call["changed"] for call in heard] == [True, False]  # the second run found nothing new
    assert [call["rebuild"] for call in heard] == [True, False]


def test_a_failed_run_is_announced_as_having_changed_nothing(connected_org, emulator, heard):
    emulator.faults.fail(503, times=None)

    run = run_sync(connected_org)

    assert run.status == SyncRun.Status.FAILED
    assert heard == [{"org_id": connected_org.pk, "run_id": run.pk, "changed": False, "rebuild": True}]
