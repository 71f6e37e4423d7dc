"""Signing in: Django's session auth with a small cache-based limit on failed attempts, and linking a user
to their CRM person by email on their first sign-in.

The limit counts failures per (username, client address) and per client address in a sliding window held
in Django's cache; with ``REDIS_URL`` set every web process shares it (without, each process counts on its
own, which still slows a guesser down): the failure times of the last window are kept per key. A success
clears the username's count. Limits: settings
``PORTAL_SIGNIN_MAX_FAILURES`` (default 5 per username and address), ``PORTAL_SIGNIN_MAX_ADDRESS_FAILURES``
(50 per address) and ``PORTAL_SIGNIN_WINDOW_SECONDS`` (900).
"""

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from coaching.models import Membership
from crm.models import Person

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


def _recent(stamps: list[float] | None, now: float, window: int) -> list[float]:
    return [stamp for stamp in stamps or () if stamp > now - window]


def blocked(username: str, address: str) -> bool:
    """Whether this username from this address (or this address at all) has failed too often lately."""
    limit, now = limits(), timezone.now().timestamp()
    user_key, address_key = _keys(username, address)
    stamps = cache.get_many([user_key, address_key])
    return (
        len(_recent(stamps.get(user_key), now, limit.window)) >= limit.per_user
        or len(_recent(stamps.get(address_key), now, limit.window)) >= limit.per_address
    )


def record_failure(username: str, address: str) -> None:
    # The window is judged on the failure times themselves, by our clock: the cache's expiry only cleans up
    # (a Redis TTL runs on the Redis server's clock). Two failures racing may count as one; a guesser still
    # meets the limit within a request or two.
    limit, now = limits(), timezone.now().timestamp()
    for key, cap in zip(_keys(username, address), (limit.per_user, limit.per_address), strict=True):
        stamps = [*_recent(cache.get(key), now, limit.window), now]
        cache.set(key, stamps[-cap:], timeout=limit.window)


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


def link_by_email(user: User) -> Membership | None:
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
