"""The synced tables' org is checked by statement triggers instead of a foreign key's check of each row
(crm/migrations/0003_org_checked_per_statement.py): what the foreign key refused, they refuse."""

from datetime import UTC, datetime

import psycopg
import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction

from crm.models import Opportunity, Org
from crm.models.base import SyncedRecord
from integrations.salesforce.catalogue import OPPORTUNITY
from integrations.sync.upsert import PostgresUpserter, upsert_page
from tests.factories import OrgFactory
from tests.sync.test_upsert import opp

T0 = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
MISSING = 987_654_321


@pytest.fixture
def pg(postgres, db):
    return None


def test_every_synced_table_has_the_org_triggers(pg):
    tables = sorted(model._meta.db_table for model in apps.get_models() if issubclass(model, SyncedRecord))
    assert "coaching_activity" in tables
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, array_agg(t.tgname ORDER BY t.tgname) FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal GROUP BY c.relname"
        )
        triggers = dict(cursor.fetchall())
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])", [tables]
        )
        foreign_keys = cursor.fetchone()[0]
    for table in tables:
        # A new synced model needs the triggers too, and its table in the org's trigger arguments: a migration
        # as crm/migrations/0003_org_checked_per_statement.py does.
        assert triggers.get(table) == ["org_checked_on_insert", "org_checked_on_update"], table
    assert triggers["coaching_org"] == ["org_keeps_no_rows_on_delete", "org_keeps_no_rows_on_update"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.tgargs FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE c.relname = 'coaching_org' AND NOT t.tgisinternal"
        )
        arguments = [bytes(row[0]).decode().rstrip("\x00").split("\x00") for row in cursor.fetchall()]
    assert [sorted(names) for names in arguments] == [tables, tables]  # every synced table, in both triggers
    assert foreign_keys == 0


def test_a_row_of_a_missing_org_is_refused_as_a_foreign_key_would_refuse_it(pg):
    with pytest.raises(IntegrityError, match="names an org that does not exist") as caught, transaction.atomic():
        Opportunity.objects.create(org_id=MISSING, sf_id="006A", name="x", stage="Prospecting")
    assert isinstance(caught.value.__cause__, psycopg.errors.ForeignKeyViolation)
    assert caught.value.__cause__.diag.column_name == "org_id"
    assert not Opportunity.objects.filter(sf_id="006A").exists()


def test_a_row_moved_to_a_missing_org_is_refused(pg):
    org = OrgFactory(name="acme")
    Opportunity.objects.create(org=org, sf_id="006A", name="x", stage="Prospecting")
    with pytest.raises(IntegrityError, match="names an org that does not exist"), transaction.atomic():
        Opportunity.objects.filter(sf_id="006A").update(org_id=MISSING)
    assert Opportunity.objects.get(sf_id="006A").org_id == org.pk


@pytest.mark.parametrize("new", [True, False], ids=["copied-in", "upserted"])
def test_a_synced_page_of_a_missing_org_saves_nothing_and_says_why(pg, new):
    with transaction.atomic():
        written = upsert_page(PostgresUpserter(), OPPORTUNITY, MISSING, [opp("006A", T0), opp("006B", T0)], new=new)
    assert written.rows == 0
    assert [(error.sf_id, error.field) for error in written.errors] == [("006A", "org_id"), ("006B", "org_id")]
    assert all("names an org that does not exist" in error.reason for error in written.errors)
    assert not Opportunity.objects.exists()


def test_a_statement_naming_two_orgs_is_refused_when_one_is_missing(pg):
    org = OrgFactory(name="acme")
    rows = [Opportunity(org_id=org_id, sf_id=sf_id, name="x", stage="Prospecting")
            for org_id, sf_id in ((org.pk, "006A"), (MISSING, "006B"), (org.pk, "006C"))]  # fmt: skip
    with pytest.raises(IntegrityError, match="names an org that does not exist"), transaction.atomic():
        Opportunity.objects.bulk_create(rows)  # one INSERT
    assert not Opportunity.objects.exists()


def test_an_org_with_rows_cannot_be_deleted_or_renumbered_behind_the_orm(pg):
    org = OrgFactory(name="acme")
    Opportunity.objects.create(org=org, sf_id="006A", name="x", stage="Prospecting")
    deleted = pytest.raises(IntegrityError, match='table "coaching_opportunity" still holds rows of org')
    with deleted, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM coaching_org WHERE id = %s", [org.pk])
    renumbered = pytest.raises(IntegrityError, match="still holds rows of org")
    with renumbered, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE coaching_org SET id = %s WHERE id = %s", [MISSING, org.pk])
    # An update that keeps the id (as every save does) passes, and the ORM's delete cascades as before.
    Org.objects.filter(pk=org.pk).update(display_name="Acme")
    other = OrgFactory(name="globex")
    Opportunity.objects.create(org=other, sf_id="006A", name="y", stage="Prospecting")
    org.delete()
    assert list(Opportunity.objects.values_list("org_id", flat=True)) == [other.pk]


@pytest.mark.django_db(transaction=True)
def test_an_org_whose_rows_are_being_written_cannot_be_deleted_until_they_commit(postgres):
    """The trigger locks the org as a foreign key's check does (FOR KEY SHARE): a delete from another
    connection waits for the writing transaction instead of leaving its rows without an org."""
    org = OrgFactory(name="acme")
    settings = connection.settings_dict
    other = psycopg.connect(
        host=settings["HOST"] or None, port=settings["PORT"] or None, user=settings["USER"],
        password=settings["PASSWORD"] or None, dbname=settings["NAME"], autocommit=True,
    )  # fmt: skip
    try:
        with transaction.atomic():
            Opportunity.objects.create(org=org, sf_id="006A", name="x", stage="Prospecting")
            other.execute("SET lock_timeout = '300ms'")
            with pytest.raises(psycopg.errors.LockNotAvailable):
                other.execute("DELETE FROM coaching_org WHERE id = %s", [org.pk])
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            other.execute("DELETE FROM coaching_org WHERE id = %s", [org.pk])
    finally:
        other.close()
    assert Opportunity.objects.filter(org=org).count() == 1
