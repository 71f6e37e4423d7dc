"""``python manage.py create_api_key ORG USERNAME --name NAME``: issue an API key and print it, once.

The key sees what its user sees (their membership's role and team). Only its hash is stored: lose it and
issue another (revoke the old one in the admin).
"""

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from coaching.api.models import ApiKey
from coaching.metrics.command_line import org_named
from coaching.models import Membership


class Command(BaseCommand):
    help = "Issue an API key for a user of an org and print it once (it is stored hashed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("org", help="The org's short name.")
        parser.add_argument("username", help="The portal user the key acts as; it sees what they see.")
        parser.add_argument("--name", required=True, help="What the key is for, e.g. 'Salesforce widget'.")
        life = parser.add_mutually_exclusive_group()
        life.add_argument(
            "--expires-days", type=int, help="Days until the key is refused (default: API_KEY_LIFETIME_DAYS, 365)."
        )
        life.add_argument("--no-expiry", action="store_true", help="A key that never expires (revoke it by hand).")

    def handle(self, *args: Any, **options: Any) -> None:
        org = org_named(options["org"])
        name = options["name"].strip()
        if not name or len(name) > 100:
            raise CommandError("--name must be 1 to 100 characters, saying what the key is for.")
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        if not user.is_active:
            raise CommandError(f"{user} is deactivated; a key for them would be refused.")
        if not Membership.objects.filter(user=user, org=org).exists():
            raise CommandError(
                f"{user} is not a member of {org.name}: link them to the org first (admin: Memberships)."
            )
        days = options.get("expires_days")
        if days is not None and days < 1:
            raise CommandError("--expires-days must be at least 1 (or --no-expiry for a key that never expires).")
        lifetime = None if options.get("no_expiry") else (timedelta(days=days) if days else "default")
        key, plaintext = ApiKey.issue(org, user, name, lifetime=lifetime)
        expiry = f"expires {key.expires_at:%Y-%m-%d %H:%M} UTC" if key.expires_at else "never expires"
        self.stderr.write(
            f"API key {key.name!r} for {user} in {org.name} (starts coach_{key.prefix}; {expiry}); shown once:"
        )
        self.stdout.write(plaintext)
