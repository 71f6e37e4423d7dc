"""``python manage.py portal_invite --org ORG --role ROLE [--person ID_OR_EMAIL] [--email EMAIL]``: print an
invite link (valid 14 days, good for one login) built on SITE_URL; the portal's Settings make the same."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from coaching.models import Membership
from coaching.portal.invites import make_invite
from crm.models import Org, Person


class Command(BaseCommand):
    help = "Print an invite link that creates a portal login linked to a Salesforce user with a role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True)
        parser.add_argument("--role", required=True, choices=Membership.Role.values)
        parser.add_argument("--person", default="", help="The Salesforce user: id or email (blank: an admin).")
        parser.add_argument("--email", default="", help="Where it is sent (default: the Salesforce user's email).")

    def handle(self, *args: Any, **options: Any) -> None:
        org = Org.objects.filter(name=options["org"]).first()
        if org is None:
            raise CommandError(f"No org named {options['org']!r}.")
        wanted = options["person"].strip()
        sf_id = ""
        if wanted:
            people = Person.live.filter(org=org)
            matches = list(people.filter(sf_id=wanted)[:2]) or list(people.filter(email__iexact=wanted)[:2])
            if len(matches) != 1:
                raise CommandError(f"{'No' if not matches else 'More than one'} Salesforce user matches {wanted!r}.")
            sf_id = matches[0].sf_id
        try:
            token = make_invite(org, role=options["role"], person_sf_id=sf_id, email=options["email"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(settings.SITE_URL.rstrip("/") + reverse("portal:accept_invite", args=[token]))
