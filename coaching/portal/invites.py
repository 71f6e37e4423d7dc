"""Admin invites: a signed link that lets one person create their portal login, linked to their CRM user.

An invite is a token signed with the ``SECRET_KEY`` (no table): the org, the CRM user id it links to (blank
for an admin who is not in the CRM), the role and the email it was sent to. It expires after
``INVITE_MAX_AGE_DAYS``, and works once: accepting it creates the membership, and a CRM user already linked
cannot be linked again (the membership is unique per org and person); an admin invited without a CRM user
is invited by email, and an email that already has a login in the org cannot be invited again.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core import signing
from django.db import IntegrityError, transaction

from coachapp.errors import InvalidInput
from coaching.models import Membership
from crm.models import Org, Person

INVITE_MAX_AGE_DAYS = 14
_SALT = "coachapp.portal.invite"


@dataclass(frozen=True)
class Invite:
    org: Org
    role: str
    person: Person | None
    email: str


def make_invite(org: Org, *, role: str, person_sf_id: str = "", email: str = "") -> str:
    """A token inviting someone to ``org`` with ``role``; ValueError says what is wrong with the request."""
    invite = check_invite(org, role=role, person_sf_id=person_sf_id.strip(), email=email.strip())
    payload = {"o": org.pk, "r": invite.role, "p": invite.person.sf_id if invite.person else "", "e": invite.email}
    return signing.dumps(payload, salt=_SALT, compress=True)


def check_invite(org: Org, *, role: str, person_sf_id: str, email: str) -> Invite:
    if role not in Membership.Role.values:
        raise InvalidInput(f"role must be one of {', '.join(Membership.Role.values)}, got {role!r}")
    person = None
    if person_sf_id:
        person = Person.live.filter(org=org, sf_id=person_sf_id).first()
        if person is None:
            raise InvalidInput(f"No CRM user {person_sf_id} in {org}: sync the org or check the id.")
        if Membership.objects.filter(org=org, person_sf_id=person_sf_id).exists():
            raise InvalidInput(f"{person.name} already has a portal login.")
    elif role != Membership.Role.ADMIN:
        raise InvalidInput("Pick the CRM user this person is: only an org admin may be invited without one.")
    elif not email:
        raise InvalidInput("An admin outside the CRM is invited by email: give the address the invite is for.")
    elif Membership.objects.filter(org=org, user__email__iexact=email).exists():
        # What makes an invite without a CRM user work once: its email gets a login, then the link is spent.
        raise InvalidInput(f"{email} already has a portal login in {org}.")
    return Invite(org=org, role=role, person=person, email=email or (person.email if person else ""))


def read_invite(token: str) -> Invite | None:
    """The invite a token carries, or None when it is forged, expired, used or no longer valid."""
    try:
        payload = signing.loads(token, salt=_SALT, max_age=INVITE_MAX_AGE_DAYS * 86400)
    except signing.BadSignature:
        return None
    org = Org.objects.filter(pk=payload.get("o")).first()
    if org is None:
        return None
    try:
        return check_invite(
            org, role=payload.get("r", ""), person_sf_id=payload.get("p", ""), email=payload.get("e", "")
        )
    except ValueError:
        return None


def accept_invite(invite: Invite, *, username: str, password: str) -> User:
    """Create the invited person's login and membership together; ValueError when the link was used meanwhile."""
    user_model = get_user_model()
    try:
        with transaction.atomic():
            user = user_model.objects.create_user(username=username, email=invite.email, password=password)
            if invite.person is not None:
                user.first_name, _, user.last_name = invite.person.name.partition(" ")
                user.save(update_fields=["first_name", "last_name"])
            Membership.objects.create(
                user=user,
                org=invite.org,
                person_sf_id=invite.person.sf_id if invite.person else "",
                role=invite.role,
            )
    except IntegrityError:
        raise InvalidInput("This invite was used already, or the username is taken: ask for a new invite.") from None
    return user
