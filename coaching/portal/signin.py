"""Signing in: Django's session auth with a small cache-based limit on failed attempts, and linking a user
to their CRM person by email on their first sign-in.

The limit counts failures per (username, client address) and per client address in a sliding window held
in Django's cache; with ``REDIS_URL`` set every web process shares it (without, each process counts on its
own, which still slows a guesser down). A success clears the username's count. Limits: settings
``PORTAL_SIGNIN_MAX_FAILURES`` (default 5 per username and address), ``PORTAL_SIGNIN_MAX_ADDRESS_FAILURES``
(50 per address) and ``PORTAL_SIGNIN_WINDOW_SECONDS`` (900).
"""

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from coaching.models import Membership, Person

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    per_user: int
    per_address: int
    window: int


def limits() -> Limits:
    return Limits(
        per_user=getattr(settings, "PORTAL_SIGNIN_MAX_FAILURES", 5),
        per_address=getattr(settings, "PORTAL_SIGNIN_MAX_ADDRESS_FAILURES", 50),
        window=getattr(settings, "PORTAL_SIGNIN_WINDOW_SECONDS", 900),
    )


def client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR, not X-Forwarded-For: a header the client sets would let a guesser pick a fresh key each try.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _keys(username: str, address: str) -> tuple[str, str]:
    name = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return f"portal:signin:user:{name}:{address}", f"portal:signin:addr:{address}"


def blocked(username: str, address: str) -> bool:
    """Whether this username from this address (or this address at all) has failed too often lately."""
    limit = limits()
    user_key, address_key = _keys(username, address)
    counts = cache.get_many([user_key, address_key])
    return counts.get(user_key, 0) >= limit.per_user or counts.get(address_key, 0) >= limit.per_address


def record_failure(username: str, address: str) -> None:
    window = limits().window
    for key in _keys(username, address):
        # add() starts the window on the first failure; incr() keeps its expiry.
        if not cache.add(key, 1, timeout=window):
            try:
                cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.add(key, 1, timeout=window)


def clear_failures(username: str, address: str) -> None:
    cache.delete(_keys(username, address)[0])


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


def link_by_email(user: AbstractBaseUser) -> Membership | None:
    """On a first sign-in, link a user without a membership to the one active CRM person with their email.

    Nothing happens when the email matches no one, or several people (in one org or across orgs), or a
    person someone else is already linked to: an admin invite settles those cases. Never makes an admin.
    """
    if Membership.objects.filter(user=user).exists():
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
            return Membership.objects.create(
                user=user, org_id=person.org_id, person_sf_id=person.sf_id, role=role_for(person)
            )
    except IntegrityError:
        log.warning("portal sign-in: %s is already linked to another user; not linking %s", person.sf_id, user)
        return None
