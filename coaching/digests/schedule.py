"""Who gets a weekly digest, and whose is due now by their own local clock.

Recipients are the org's portal members with the role of frontline manager or director, whose CRM person
is still live and active. A manager known only from the CRM (no portal account) gets no email: a digest
names reps and their numbers, so it goes only to someone an admin deliberately gave access to — the same
people who could read it in the portal, through the same visibility rule. The address is the portal
account's email, else the CRM user's (the membership says they are the same person).

A digest is due once the manager's local clock has passed their send moment (default Monday 07:00) in the
current local week, and stays due until that week ends, so a scheduler that was down or a week whose
agendas were built late still gets its digest; the delivery row (``send.py``) keeps it to one.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth.models import User

from coaching.digests.models import DEFAULT_SEND_TIME, DEFAULT_SEND_WEEKDAY, DigestSettings
from coaching.models import Membership
from coaching.weeks import monday_of
from crm.models import Org, Person

DIGEST_ROLES = (Membership.Role.FSM, Membership.Role.DIRECTOR)
FALLBACK_ZONE = "UTC"


@dataclass(frozen=True)
class Recipient:
    org_id: int
    manager_sf_id: str
    user: User
    role: str
    name: str
    email: str
    time_zone: str
    enabled: bool
    send_weekday: int
    send_time: time

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.strip() else self.name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def week_at(self, now: datetime) -> date:
        """The Monday of the week the manager's local clock is in at ``now``."""
        return monday_of(now.astimezone(self.zone).date())

    def send_moment(self, week_start: date) -> datetime:
        day = week_start + timedelta(days=self.send_weekday)
        return datetime.combine(day, self.send_time, tzinfo=self.zone)

    def due_week(self, now: datetime) -> date | None:
        """The week whose digest is due at ``now`` (its send moment has passed this local week), else None."""
        if not self.enabled:
            return None
        week = self.week_at(now)
        return week if now >= self.send_moment(week) else None


def zone_name(*candidates: str) -> str:
    """The first candidate that is a known IANA time zone; UTC when none is (blank or bad CRM data)."""
    for name in candidates:
        if not name:
            continue
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        return name
    return FALLBACK_ZONE


def recipients(org: Org, manager_sf_ids: set[str] | None = None) -> list[Recipient]:
    """Every manager of the org who may get a digest (enabled or not), in three queries."""
    # A suspended login gets no digest; a CRM user inactive or deleted is left out below (visibility rule).
    wanted = Membership.objects.filter(
        org=org, role__in=DIGEST_ROLES, user__is_active=True, suspended_at__isnull=True
    ).exclude(person_sf_id="")
    if manager_sf_ids is not None:
        wanted = wanted.filter(person_sf_id__in=manager_sf_ids)
    memberships = list(wanted.select_related("user").order_by("person_sf_id"))
    sf_ids = [membership.person_sf_id for membership in memberships]
    people = {
        person.sf_id: person
        for person in Person.live.filter(org=org, sf_id__in=sf_ids, is_active=True).only(
            "sf_id", "name", "email", "time_zone"
        )
    }
    chosen = {row.manager_sf_id: row for row in DigestSettings.objects.filter(org=org, manager_sf_id__in=sf_ids)}
    found = []
    for membership in memberships:
        person = people.get(membership.person_sf_id)
        if person is None:
            continue
        own = chosen.get(person.sf_id)
        found.append(
            Recipient(
                org_id=org.pk,
                manager_sf_id=person.sf_id,
                user=membership.user,
                role=membership.role,
                name=person.name or membership.user.get_username(),
                email=(membership.user.email or person.email or "").strip(),
                time_zone=zone_name(own.time_zone if own else "", person.time_zone),
                enabled=own.enabled if own else True,
                send_weekday=own.send_weekday if own else DEFAULT_SEND_WEEKDAY,
                send_time=own.send_time if own else DEFAULT_SEND_TIME,
            )
        )
    return found


def due_now(org: Org, now: datetime) -> list[tuple[Recipient, date]]:
    """The org's managers whose digest is due at ``now``, each with the week it covers."""
    due = []
    for recipient in recipients(org):
        week = recipient.due_week(now)
        if week is not None:
            due.append((recipient, week))
    return due
