"""``python manage.py reencrypt_credentials [--dry-run]``: re-encrypt every stored credential with the first key
of ``FIELD_ENCRYPTION_KEY`` (key rotation: new key first, old keys after it; run this; then drop the old ones).

Reads and writes the encrypted column directly (no model loading, so an unreadable row is reported instead of
loaded). Exits non-zero when a row cannot be decrypted with any configured key: that row is left as it is.
"""

from typing import Any

from cryptography.fernet import InvalidToken
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from integrations.crypto import fernet
from integrations.models import SalesforceConnection


class Command(BaseCommand):
    help = "Re-encrypt stored credentials with the first FIELD_ENCRYPTION_KEY (after a key rotation)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only say which rows each key can read.")

    def handle(self, *args: Any, **options: Any) -> None:
        keys = fernet()
        meta = SalesforceConnection._meta
        table, pk = connection.ops.quote_name(meta.db_table), connection.ops.quote_name(meta.pk.column)
        column = connection.ops.quote_name(meta.get_field("credentials").column)
        rotated, unreadable = 0, []
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT {pk}, {column} FROM {table} WHERE {column} IS NOT NULL AND {column} <> ''")
            for row_id, token in cursor.fetchall():
                try:
                    fresh = keys.rotate(token.encode()).decode()
                except InvalidToken:
                    unreadable.append(row_id)
                    continue
                if not options["dry_run"]:
                    cursor.execute(f"UPDATE {table} SET {column} = %s WHERE {pk} = %s", [fresh, row_id])
                rotated += 1
        verb = "can be re-encrypted" if options["dry_run"] else "re-encrypted with the first key"
        self.stdout.write(f"{rotated} connection(s) {verb}.")
        if unreadable:
            raise CommandError(
                f"{len(unreadable)} connection(s) (ids {', '.join(map(str, unreadable))}) cannot be decrypted with "
                "any key in FIELD_ENCRYPTION_KEY: add the key they were stored with, or store them again with add_org."
            )
