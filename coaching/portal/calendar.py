"""A 1:1 as a calendar file (RFC 5545, written by ``icalendar``): one event with the agenda in its
description — the diagnosis, what to ask, the next step, the deals (with their CRM links), what was promised.
Notes stay out: a calendar event gets forwarded.

The event starts when the manager's 1:1s usually are (the weekday and time in their settings, in their own
zone, with its VTIMEZONE so every calendar places it right) and lasts the 1:1's length; ``at`` (a local time
in that zone) overrides it for one file. Only when no time is known is it an all-day entry on the week's
Monday, and the description and the page say so.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from icalendar import Calendar, Event

from coaching.agendas.units import money
from coaching.digests.links import absolute
from coaching.models import Agenda, ManagerPreference
from coaching.portal.queries.agenda import AgendaPage
from coaching.portal.queries.todo import TodoRow
from coaching.portal.zones import zone_of

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NO_TIME = "all day on Monday: set the day and time of your 1:1s in Settings to get a timed event"


@dataclass(frozen=True)
class Schedule:
    """When a manager's 1:1s usually are, in their zone."""

    weekday: int
    at: time
    zone: str

    def start(self, week_start: date) -> datetime:
        return datetime.combine(week_start + timedelta(days=self.weekday), self.at, tzinfo=ZoneInfo(self.zone))

    @property
    def text(self) -> str:
        return f"{WEEKDAYS[self.weekday]}s at {self.at:%H:%M} ({self.zone})"


def schedule_for(org_id: int, manager_sf_id: str, zone: str) -> Schedule | None:
    row: tuple | None = (
        ManagerPreference.objects.filter(org_id=org_id, manager_sf_id=manager_sf_id)
        .values_list("one_on_one_weekday", "one_on_one_time")
        .first()
    )
    if row is None or row[0] is None or row[1] is None:
        return None
    return Schedule(row[0], row[1], zone)


def description(page: AgendaPage, row: TodoRow, agenda_url: str, when: str = "") -> str:
    lines = [f"1:1 with {row.rep.name}, week of {page.agenda.week_start:%d %b %Y}".replace(" 0", " "), ""]
    if when:
        lines += [f"When: {when}", ""]
    lines.append(f"To discuss: {row.title}")
    lead = row.diagnosis.lead if row.diagnosis else None
    if lead is not None:
        if lead.question:
            lines.append(f"Ask: {lead.question}")
        if lead.action:
            lines.append(f"Next: {lead.action}")
    if row.deals:
        lines.append("Deals to open:")
        for deal in row.deals:
            amount = f" ({money(deal['amount'])})" if deal.get("amount") is not None else ""
            url = f" {deal['url']}" if deal.get("url") else ""
            lines.append(f"- {deal.get('name') or deal.get('sf_id')}{amount}{url}")
    if row.promised:
        lines.append("Promised last time:")
        lines.extend(f"- {line}" for line in row.promised)
    others = [card.item.title for card in row.rep.topics if lead is None or card.item.pk != lead.pk]
    if others:
        lines.append("Also on the agenda:")
        lines.extend(f"- {title}" for title in others)
    lines += ["", f"The agenda in coachapp: {agenda_url}"]
    return "\n".join(lines)


def one_on_one_ics(
    page: AgendaPage, row: TodoRow, zone: str, at: datetime | None = None, schedule: Schedule | None = None
) -> bytes:
    """The 1:1's event: at ``at`` (local to ``zone``), else at the manager's usual time, else all day."""
    agenda = page.agenda
    url = absolute(f"/agendas/{agenda.pk}/#rep-{row.rep.sf_id}")
    event = Event()
    event.add("uid", f"coachapp-agenda-{agenda.pk}-{row.rep.sf_id}")
    event.add("dtstamp", timezone.now())
    event.add("summary", f"1:1 with {row.rep.name}: {row.title}"[:250])
    start = None
    if at is not None:
        start = at.replace(tzinfo=ZoneInfo(zone)) if at.tzinfo is None else at
    elif schedule is not None:
        start = schedule.start(agenda.week_start)
    when = NO_TIME
    if start is None:
        event.add("dtstart", agenda.week_start)
        event.add("dtend", agenda.week_start + timedelta(days=1))
    else:
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=agenda.one_on_one_minutes))
        when = f"{start:%A %d %b, %H:%M} {zone}, {agenda.one_on_one_minutes} minutes"
    event.add("description", description(page, row, url, when))
    event.add("url", url)
    calendar = Calendar()
    calendar.add("prodid", "-//coachapp//1:1 agenda//EN")
    calendar.add("version", "2.0")
    calendar.add_component(event)
    # The zone's rules travel with the file (VTIMEZONE): a calendar that does not know the zone's name, or
    # knows other rules for it, still puts 10:00 London at 10:00 London.
    calendar.add_missing_timezones()
    return calendar.to_ical()


def calendar_when(agenda: Agenda) -> str:
    """What the page says the calendar files hold: the usual time, or that they are all day without one."""
    found = (
        ManagerPreference.objects.filter(org_id=agenda.org_id, manager_sf_id=agenda.manager_sf_id)
        .values_list("one_on_one_weekday", "one_on_one_time")
        .first()
    )
    if found is None or found[0] is None or found[1] is None:
        return NO_TIME  # one query: the zone is read only when there is a time to place in it
    schedule = Schedule(found[0], found[1], zone_of(agenda.org_id, agenda.manager_sf_id))
    return f"{schedule.text}, {agenda.one_on_one_minutes} min"
