"""Signing in: linking a user to their CRM person by email on their very first sign-in.

Failed sign-ins are limited by django-axes (settings ``AXES_*``, docs/security.md), for this form and the
admin's alike. Linking by email happens once, on a login's first sign-in: a login that signed in before
and has no membership lost it on purpose (an operator deleted it), and is never re-linked silently; an
admin invite links it again.
"""

import logging

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from coaching.memberships import record
from coaching.models import AccessEvent, Membership
from crm.models import Person

log = logging.getLogger(__name__)


def role_for(person: Person) -> str:
    """The role a CRM person's place in the manager tree implies: director, frontline manager or rep."""
    reports = list(
        Person.live.filter(org_id=person.org_id, manager_sf_id=person.sf_id, is_active=True).values_list(
            "sf_id", flat=True
        )
    )
    if not reports:
        return Membership.Role.REP
    if Person.live.filter(org_id=person.org_id, manager_sf_id__in=reports, is_active=True).exists():
        return Membership.Role.DIRECTOR
    return Membership.Role.FSM


def link_by_email(user: User, *, first_sign_in: bool) -> Membership | None:
    """On a first sign-in, link a user without a membership to the one active CRM person with their email.

    Nothing happens when the email matches no one, or several people (in one org or across orgs), or a
    person someone else is already linked to: an admin invite settles those cases. Never makes an admin.
    Nothing happens either after the first sign-in (``first_sign_in``: the login had never signed in): a
    membership that is gone was taken away, and stays away.
    """
    if not first_sign_in or Membership.objects.filter(user=user).exists():
        return None
    email = (getattr(user, "email", "") or "").strip()
    if not email:
        return None
    people = list(Person.live.filter(email__iexact=email, is_active=True)[:2])
    if len(people) != 1:
        if people:
            log.info("portal sign-in: %s matches several CRM users; an admin invite is needed", email)
        return None
    person = people[0]
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=user, org_id=person.org_id, person_sf_id=person.sf_id, role=role_for(person)
            )
            record(person.org_id, AccessEvent.Action.LINKED, subject=user, person_sf_id=person.sf_id, detail=email)
            return membership
    except IntegrityError:
        log.warning("portal sign-in: %s is already linked to another user; not linking %s", person.sf_id, user)
        return None
