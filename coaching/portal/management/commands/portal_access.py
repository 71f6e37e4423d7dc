"""``python manage.py portal_access USERNAME --org ORG --role ROLE [--person ID_OR_EMAIL]``: give an existing
login its place in the portal (the first admin of an installation, the demo's login); re-running updates it.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError, transaction

from coaching.models import Membership
from crm.models import Org, Person


class Command(BaseCommand):
    help = "Link a login to an org with a role (and, but for an org admin, the Salesforce user it is)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="An existing login (createsuperuser, the admin, or an invite).")
        parser.add_argument("--org", required=True, help="The org's short name (as given to add_org).")
        parser.add_argument("--role", required=True, choices=Membership.Role.values)
        parser.add_argument("--person", default="", help="The Salesforce user: its 15/18-character id or its email.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No login {options['username']!r}: create it first (python manage.py createsuperuser).")
        org = Org.objects.filter(name=options["org"]).first()
        if org is None:
            known = ", ".join(Org.objects.values_list("name", flat=True)) or "none yet"
            raise CommandError(f"No org named {options['org']!r}. Known orgs: {known}.")
        role, wanted = options["role"], options["person"].strip()
        person = None
        if wanted:
            people = Person.live.filter(org=org)
            matches = list(people.filter(sf_id=wanted)[:2]) or list(people.filter(email__iexact=wanted)[:2])
            if len(matches) != 1:
                what = "No" if not matches else "More than one"
                raise CommandError(f"{what} Salesforce user in {org} has the id or email {wanted!r}.")
            person = matches[0]
        elif role != Membership.Role.ADMIN:
            raise CommandError(f"--person is needed for the role {role}: only an org admin may be outside the CRM.")
        try:
            with transaction.atomic():
                Membership.objects.update_or_create(
                    user=user,
                    defaults={"org": org, "role": role, "person_sf_id": person.sf_id if person else ""},
                )
        except IntegrityError as exc:
            if person is None:  # only a CRM person can be linked twice (the unique constraint): say what failed
                raise CommandError(f"The database refused to link {user.get_username()}: {exc}") from exc
            raise CommandError(f"{person.name} is already linked to another login.") from None
        who = f" as {person.name} ({person.sf_id})" if person else ""
        self.stdout.write(f"{user.get_username()} is now {Membership.Role(role).label.lower()} in {org}{who}.")
