"""Moving the CRM mirror, API keys and digest settings into their own apps changes no table and loses no row.

A database is migrated back to the schema of before the move (coaching 0009, integrations 0002), filled through
the historical models, then migrated forward again: its schema and rows must come out as they went in.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("crm", None), ("integrations", "0002_syncobjectrun_related_name")]


def schema() -> dict[str, tuple]:
    """Every coaching_ table's definition: on SQLite its DDL and indexes as stored; elsewhere its columns (name,
    type, nullability) and constraints (columns, unique, index, foreign key) as introspected."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT type, name, sql FROM sqlite_master WHERE tbl_name LIKE 'coaching_%' ORDER BY name")
            return {name: (kind, sql) for kind, name, sql in cursor.fetchall()}
        tables = sorted(name for name in connection.introspection.table_names(cursor) if name.startswith("coaching_"))
        described = {}
        for table in tables:
            columns = tuple(
                (c.name, c.type_code, c.null_ok) for c in connection.introspection.get_table_description(cursor, table)
            )
            constraints = sorted(
                (tuple(c["columns"]), c["unique"], c["index"], c["foreign_key"])
                for c in connection.introspection.get_constraints(cursor, table).values()
            )
            described[table] = (columns, tuple(constraints))
    return described


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_the_move_keeps_every_table_and_row() -> None:
    after = schema()
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()

    before = migrate(BEFORE)
    old_nodes = [node for node in latest if node[0] not in ("crm", "api", "digests", "coaching", "integrations")]
    old_nodes += [("coaching", "0009_org_agenda_rebuild_at"), ("integrations", "0002_syncobjectrun_related_name")]
    old = before.loader.project_state(old_nodes).apps
    Org = old.get_model("coaching", "Org")
    org = Org.objects.create(name="acme", display_name="Acme", crm_base_url="https://acme.example.com")
    old.get_model("coaching", "Person").objects.create(org=org, sf_id="005000000000001AAA", name="Ann", email="a@x.io")
    old.get_model("coaching", "Opportunity").objects.create(
        org=org, sf_id="006000000000001AAA", name="Big deal", amount=Decimal("1234.56"), close_date=date(2026, 3, 1)
    )
    user = old.get_model("auth", "User").objects.create(username="ann")
    old.get_model("coaching", "ApiKey").objects.create(org=org, user=user, name="widget", prefix="abcd1234")
    old.get_model("coaching", "DigestSettings").objects.create(org=org, manager_sf_id="005000000000001AAA")
    old.get_model("integrations", "SalesforceConnection").objects.create(
        org=org, auth_method="emulator", emulator_dir="/orgs/acme", emulator_url="http://127.0.0.1:8765", credentials={}
    )
    ContentType = old.get_model("contenttypes", "ContentType")
    org_type = ContentType.objects.get_or_create(app_label="coaching", model="org")[0]

    new = migrate(latest).loader.project_state(latest).apps

    assert schema() == after
    moved_org = new.get_model("crm", "Org").objects.get()
    assert (moved_org.pk, moved_org.name, moved_org.crm_base_url) == (org.pk, "acme", "https://acme.example.com")
    assert new.get_model("crm", "Person").objects.get().email == "a@x.io"
    deal = new.get_model("crm", "Opportunity").objects.get()
    assert (deal.amount, deal.close_date, deal.org_id) == (Decimal("1234.56"), date(2026, 3, 1), org.pk)
    assert new.get_model("api", "ApiKey").objects.get().prefix == "abcd1234"
    assert new.get_model("digests", "DigestSettings").objects.get().manager_sf_id == "005000000000001AAA"
    stored = new.get_model("integrations", "SalesforceConnection").objects.get()
    assert stored.credentials == {"emulator_dir": "/orgs/acme", "emulator_url": "http://127.0.0.1:8765"}
    # The content type (and so every permission on it) moved with its model instead of being made anew.
    assert new.get_model("contenttypes", "ContentType").objects.get(pk=org_type.pk).app_label == "crm"
