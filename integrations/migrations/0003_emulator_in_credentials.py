"""The emulated org's directory and server address move from their own columns into the encrypted credentials,
so the production model no longer names the test double. Values are carried over, both ways."""

from django.db import migrations

_KEYS = ("emulator_dir", "emulator_url")


def into_credentials(apps, schema_editor) -> None:
    Connection = apps.get_model("integrations", "SalesforceConnection")
    for connection in Connection.objects.exclude(emulator_dir="", emulator_url=""):
        credentials = dict(connection.credentials or {})
        for key in _KEYS:
            if getattr(connection, key):
                credentials[key] = getattr(connection, key)
        connection.credentials = credentials
        connection.save(update_fields=["credentials"])


def out_of_credentials(apps, schema_editor) -> None:
    Connection = apps.get_model("integrations", "SalesforceConnection")
    for connection in Connection.objects.all():
        credentials = dict(connection.credentials or {})
        if not any(key in credentials for key in _KEYS):
            continue
        for key in _KEYS:
            setattr(connection, key, credentials.pop(key, ""))
        connection.credentials = credentials
        connection.save(update_fields=["credentials", *_KEYS])


class Migration(migrations.Migration):
    dependencies = [("integrations", "0002_syncobjectrun_related_name")]

    operations = [
        migrations.RunPython(into_credentials, out_of_credentials),
        migrations.RemoveField(model_name="salesforceconnection", name="emulator_dir"),
        migrations.RemoveField(model_name="salesforceconnection", name="emulator_url"),
    ]
