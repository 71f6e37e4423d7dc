"""A wrong or rotated FIELD_ENCRYPTION_KEY: the sync page still opens and says what is wrong (an error is
logged), a sync fails with the same words instead of crashing, nothing overwrites the stored token, and
``reencrypt_credentials`` moves every credential to a new key."""

import logging

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from crm.models import Org
from integrations.models import SalesforceConnection, SyncRun
from integrations.sync.run import run_sync
from tests.portal.conftest import World

pytestmark = pytest.mark.django_db

SECRET = {"login": "password", "password": "s3cret-pass"}


@pytest.fixture
def stored(world: World, settings) -> SalesforceConnection:
    """The org's connection with credentials stored under the installation's key."""
    connection = SalesforceConnection.objects.get(org=world.org)
    connection.credentials = SECRET
    connection.save()
    return connection


def _raw(pk: int) -> str:
    """The stored token itself, read past the field (which would decrypt it)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT credentials FROM {SalesforceConnection._meta.db_table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_a_changed_key_is_a_clear_logged_error_not_a_500(world, stored, settings, caplog):
    before = _raw(stored.pk)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the old key is gone
    with caplog.at_level(logging.ERROR, logger="integrations.crypto"):
        page = world.client("admin").get(reverse("portal:sync"))
    assert page.status_code == 200
    assert b"cannot be decrypted" in page.content and b"reencrypt_credentials" in page.content
    assert any("cannot be decrypted with FIELD_ENCRYPTION_KEY" in record.getMessage() for record in caplog.records)
    # Every other page and user carries on.
    assert world.client("fsm_a").get(reverse("portal:week")).status_code == 200

    run = run_sync(Org.objects.get(pk=world.org.pk))  # loaded afresh, as a worker does
    assert run.status == SyncRun.Status.FAILED
    assert "cannot be decrypted with FIELD_ENCRYPTION_KEY" in run.errors[-1]["message"]
    # Loading and saving the row (an admin edit) keeps the token the right key can still read.
    SalesforceConnection.objects.get(pk=stored.pk).save()
    assert _raw(stored.pk) == before


def test_reencrypt_moves_credentials_to_the_new_key(world, stored, settings, capsys):
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    new = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    call_command("reencrypt_credentials", "--dry-run")
    assert "1 connection(s) can be re-encrypted" in capsys.readouterr().out
    assert Fernet(old.encode()).decrypt(_raw(stored.pk).encode())  # a dry run changes nothing
    call_command("reencrypt_credentials")
    assert "1 connection(s) re-encrypted" in capsys.readouterr().out
    settings.FIELD_ENCRYPTION_KEYS = [new]  # the old key dropped: still readable
    assert SalesforceConnection.objects.get(pk=stored.pk).credentials == SECRET


def test_reencrypt_says_which_rows_no_key_reads(world, stored, settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match=rf"ids {stored.pk}\) cannot be decrypted"):
        call_command("reencrypt_credentials")
