"""The signed-in person's own time zone for every time the portal shows.

The zone is the one the manager chose for the digest, else their CRM user's, else UTC (``zone_name``): the
same rule the digest's schedule uses, so "built 07:12" on the page and "sent at 07:00" in the inbox agree.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db.models import Subquery
from django.utils import timezone

from coaching.digests.models import DigestSettings
from coaching.digests.schedule import zone_name
from coaching.visibility import Scope
from crm.models import Person


def zone_for(scope: Scope | None) -> str:
    if scope is None or not scope.person_sf_id:
        return zone_name("")
    return zone_of(scope.org_id, scope.person_sf_id)


def zone_of(org_id: int, person_sf_id: str) -> str:
    """Someone's zone by the same rule: a manager's 1:1s are in theirs, whoever downloads the calendar file."""
    chosen = DigestSettings.objects.filter(org_id=org_id, manager_sf_id=person_sf_id).values("time_zone")
    row = (
        Person.live.filter(org_id=org_id, sf_id=person_sf_id)
        .annotate(chosen=Subquery(chosen[:1]))
        .values_list("chosen", "time_zone")
        .first()
    )
    return zone_name(*(row or ("", "")))  # one query: the digest's zone, else the CRM user's, else UTC


@contextmanager
def local_time(scope: Scope | None) -> Iterator[str]:
    """Render inside the person's zone (Django's date filters then convert to it)."""
    name = zone_for(scope)
    timezone.activate(name)
    try:
        yield name
    finally:
        timezone.deactivate()
