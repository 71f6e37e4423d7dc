"""The sync's timings against the broker's: checked when a worker starts and by `manage.py check`."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from integrations import tasks
from integrations.sync import timing

REDIS = "redis://127.0.0.1:6379/1"


def test_the_defaults_agree_and_redo_and_abandon_within_two_minutes(settings):
    settings.CELERY_BROKER_URL = REDIS
    assert timing.problems(settings) == []
    assert settings.SYNC_STEP_STALE_SECONDS + settings.SYNC_REAP_SECONDS <= 120  # a killed step queued again
    assert settings.SYNC_LOCK_SECONDS + settings.SYNC_REAP_SECONDS <= 120  # a dead run abandoned


@pytest.mark.parametrize(
    ("setting", "value", "what"),
    [
        ("SYNC_STEP_SECONDS", 7 * 3600, "a sync step"),
        ("CELERY_TASK_TIME_LIMIT", 8 * 3600, "CELERY_TASK_TIME_LIMIT"),
        ("AGENDA_REBUILD_INTERVAL_MINUTES", 8 * 60, "the agenda rebuild's wait"),
    ],
)
def test_a_visibility_timeout_below_running_or_waiting_work_is_refused(settings, setting, value, what):
    settings.CELERY_BROKER_URL = REDIS
    setattr(settings, setting, value)
    [problem] = timing.problems(settings)
    assert what in problem and "hands that work out again" in problem


def test_a_heartbeat_slower_than_the_stale_time_is_refused(settings):
    settings.SYNC_HEARTBEAT_SECONDS = 20
    assert any("twice SYNC_HEARTBEAT_SECONDS" in problem for problem in timing.problems(settings))


def test_a_worker_with_contradicting_timings_does_not_start(settings):
    settings.CELERY_BROKER_URL = REDIS
    settings.SYNC_LOCK_SECONDS = 600
    with pytest.raises(ImproperlyConfigured, match=r"within 120s"):
        tasks._check_timings()


def test_manage_py_check_reports_them(settings):
    from integrations.apps import check_sync_timings

    assert check_sync_timings() == []
    settings.SYNC_LOCK_SECONDS = 600
    [error] = check_sync_timings()
    assert error.id == "integrations.E001"
