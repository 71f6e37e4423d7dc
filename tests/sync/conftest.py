"""Fixtures for the sync engine's tests."""

from datetime import timedelta

import pytest

from tests.factories import OrgFactory, SalesforceConnectionFactory
from tests.sync.org_files import add_records, record, sf_id


@pytest.fixture
def org(db):
    return SalesforceConnectionFactory(org=OrgFactory(name="acme")).org


@pytest.fixture(params=["bulk_create", "postgres_copy"])
def upserter(request, db):
    """Each upsert path: bulk_create runs on any database, COPY only on PostgreSQL."""
    from integrations.sync.upsert import BulkCreateUpserter, PostgresUpserter

    if request.param == "postgres_copy":
        request.getfixturevalue("postgres")
        return PostgresUpserter()
    return BulkCreateUpserter()


@pytest.fixture(autouse=True)
def _fresh_emulators():
    from sfemulator.registry import reset_emulators

    reset_emulators()
    yield
    reset_emulators()


@pytest.fixture(autouse=True)
def _quick_retries(settings):
    """The client's back-off and the sync's retry waits, shrunk so fault tests take milliseconds."""
    settings.SALESFORCE_BACKOFF_BASE_SECONDS = 0.001
    settings.SALESFORCE_BACKOFF_MAX_SECONDS = 0.005
    settings.SALESFORCE_TIMEOUT_SECONDS = 5.0
    settings.SYNC_RETRY_BASE_SECONDS = 0.0


@pytest.fixture
def org_dir(tmp_path):
    from tests.sync.org_files import sample_objects, write_org

    return write_org(tmp_path / "org", sample_objects())


@pytest.fixture
def connected_org(db, org_dir):
    """The org ``acme``, connected (as add_org does) to the emulator serving ``org_dir`` in-process."""
    from integrations.salesforce.connect import register_org

    return register_org("acme", method="emulator", emulator_dir=str(org_dir), emulator_login="password")


@pytest.fixture
def emulator(org_dir):
    """The in-process emulator the connected org talks to: for faults, request counts and API usage."""
    from sfemulator.registry import emulator_for

    return emulator_for(org_dir)


@pytest.fixture
def private_broker(postgres, redis_url, transactional_db, tmp_path):
    """Real worker processes on the suite's Redis under a key prefix of this test's own (see tests.sync.workers)."""
    from tests.processes import PrivateBroker
    from tests.sync.workers import Broker

    box = Broker(redis_url, PrivateBroker.new(redis_url).prefix, tmp_path)
    try:
        yield box
    finally:
        box.close()


TASKS = 40  # spread over 40 days: several windows each hold several pages


@pytest.fixture
def windowed(settings, org_dir, emulator):
    """Parallel windows (tests/sync/test_parallel_windows.py, test_bulk_windows.py): Task's rows over 40 days."""
    settings.SYNC_PARALLEL_WINDOWS = 3
    settings.SYNC_PARALLEL_MIN_RECORDS = 10  # Task (and only Task) is large enough to be cut into windows
    settings.SALESFORCE_BULK_POLL_SECONDS = 0.01
    settings.SALESFORCE_BULK_MAX_RECORDS = 3
    settings.SALESFORCE_BULK_MIN_RECORDS = 10**9  # REST unless a test forces Bulk
    emulator.page_size = 2
    add_records(org_dir, "Task", [
        record("Task", 100 + n, age=timedelta(days=n, minutes=n), Subject=f"Call {n}", OwnerId=sf_id("User", 2),
               IsArchived=False, Status="Completed", IsClosed=True)
        for n in range(TASKS)
    ])  # fmt: skip
    return emulator
