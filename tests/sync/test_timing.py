"""The sync's timings against the broker's: checked when a worker starts and by `manage.py check`."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from integrations import tasks
from integrations.sync import timing

REDIS = "redis://127.0.0.1:6379/1"


def test_the_defaults_agree_and_abandon_within_two_minutes(settings):
    settings.CELERY_BROKER_URL = REDIS
    assert timing.problems(settings) == []
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    sweep = timing.restore_sweep_seconds(settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    assert visibility + sweep <= 120  # a killed step comes back within two minutes
    assert settings.SYNC_LOCK_SECONDS + settings.SYNC_REAP_SECONDS <= 120


def test_the_seven_hour_visibility_timeout_is_refused(settings):
    settings.CELERY_BROKER_URL = REDIS
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        "visibility_timeout": 7 * 3600,
    }
    [problem] = timing.problems(settings)
    assert "killed steps are given up instead of redone" in problem


def test_a_step_longer_than_the_visibility_timeout_is_refused(settings):
    settings.CELERY_BROKER_URL = REDIS
    settings.SYNC_STEP_SECONDS = 120
    assert any("hands out running steps again" in problem for problem in timing.problems(settings))


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
