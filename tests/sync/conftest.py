"""Fixtures for the sync engine's tests."""

import pytest

from tests.factories import OrgFactory, SalesforceConnectionFactory


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
