import os

import pytest

from tests import services


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        _heaviest_files_first(items)
    if os.environ.get("COACHAPP_TEST_DATABASE_TESTS_ONLY") == "true":
        _database_tests_only(config, items)


# pytest-xdist (``--dist loadfile``, as ``make test`` runs the PostgreSQL pass) deals whole files out in the
# order it is given them; by itself it puts the files with the most tests first, so the sync's fault suite (a few
# tests, over three minutes of real workers) went out late and could run alone while the other process idled. So
# ``make test`` turns that off (``--no-loadscope-reorder``) and the files come in this order: those whose tests
# start real workers or take long first, then by number of tests as xdist would, the order inside each file
# kept. Every process sorts the same way, as xdist requires. Without xdist the order stays pytest-django's
# (Django's: transactional tests last), which one process needs.
_WEIGHTS = {"faults": 3, "worker": 2, "browser": 1, "slow": 1}


def _heaviest_files_first(items: list[pytest.Item]) -> None:
    weights: dict[str, int] = {}
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for position, item in enumerate(items):
        path = item.nodeid.split("::", 1)[0]
        weight = max((_WEIGHTS.get(marker.name, 0) for marker in item.iter_markers()), default=0)
        weights[path] = max(weights.get(path, 0), weight)
        counts[path] = counts.get(path, 0) + 1
        first.setdefault(path, position)

    def order(item: pytest.Item) -> tuple[int, int, int]:
        path = item.nodeid.split("::", 1)[0]
        return (-weights[path], -counts[path], first[path])

    items.sort(key=order)  # stable: the tests of a file keep their order


def _database_tests_only(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``make test``'s SQLite pass, when a PostgreSQL pass follows (``COACHAPP_TEST_DATABASE_TESTS_ONLY``),
    leaves out the tests that never open the database: they would run the same code twice, and the other pass
    runs them. A test opens the database through pytest-django's marker or fixtures, nothing else."""
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
