import os

import pytest

from tests import services


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``make test``'s SQLite pass, when a PostgreSQL pass follows (``COACHAPP_TEST_DATABASE_TESTS_ONLY``),
    leaves out the tests that never open the database: they would run the same code twice, and the other pass
    runs them. A test opens the database through pytest-django's marker or fixtures, nothing else."""
    if os.environ.get("COACHAPP_TEST_DATABASE_TESTS_ONLY") != "true":
        return
    kept, left = [], []
    for item in items:
        uses_database = item.get_closest_marker("django_db") is not None or bool(
            {"_django_db_helper", "live_server"} & set(getattr(item, "fixturenames", ()))
        )
        (kept if uses_database else left).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


@pytest.fixture(autouse=True)
def _celery_stays_eager():
    """Celery's current app and configuration live for the whole process: a test that leaves another app current
    (shared tasks bind to it) or tasks un-eager breaks whichever test runs after it, which depends on the order
    pytest-xdist deals them out; so name the culprit."""
    from celery import current_app

    from coachapp.celery import app

    eager = app.conf.task_always_eager
    yield
    assert current_app._get_current_object() is app, "this test left another Celery app current"
    assert app.conf.task_always_eager == eager, "this test left Celery's task_always_eager changed"


@pytest.fixture
def postgres() -> None:
    services.require_postgres()


@pytest.fixture
def redis_url() -> str:
    return services.require_redis()


@pytest.fixture(autouse=True)
def _no_pipeline_cache(settings) -> None:
    """The agenda page's pipeline cache is keyed by the agenda's build (id and built_at), which tests under a
    frozen clock repeat across tests sharing one process's cache: off unless a test turns it on."""
    settings.PIPELINE_CACHE_SECONDS = 0
