"""A 1:1 as a calendar file (RFC 5545, written by ``icalendar``): one event with the agenda in its
description — the diagnosis, what to ask, the next step, the deals (with their CRM links), what was promised.
Notes stay out: a calendar event gets forwarded.

Without a time the event is all day on the week's Monday (coachapp does not know when the 1:1 is); with
``at`` (the manager's local time) it starts then and lasts the 1:1's length.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from icalendar import Calendar, Event

from coaching.agendas.units import money
from coaching.digests.links import absolute
from coaching.portal.queries.agenda import AgendaPage
from coaching.portal.queries.todo import TodoRow


def description(page: AgendaPage, row: TodoRow, agenda_url: str) -> str:
    lines = [f"1:1 with {row.rep.name}, week of {page.agenda.week_start:%d %b %Y}".replace(" 0", " "), ""]
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


def one_on_one_ics(page: AgendaPage, row: TodoRow, zone: str, at: datetime | None = None) -> bytes:
    agenda = page.agenda
    url = absolute(f"/agendas/{agenda.pk}/#rep-{row.rep.sf_id}")
    event = Event()
    event.add("uid", f"coachapp-agenda-{agenda.pk}-{row.rep.sf_id}")
    event.add("dtstamp", timezone.now())
    event.add("summary", f"1:1 with {row.rep.name}: {row.title}"[:250])
    if at is None:
        event.add("dtstart", agenda.week_start)
        event.add("dtend", agenda.week_start + timedelta(days=1))
    else:
        start = at.replace(tzinfo=ZoneInfo(zone)) if at.tzinfo is None else at
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=agenda.one_on_one_minutes))
    event.add("description", description(page, row, url))
    event.add("url", url)
    calendar = Calendar()
    calendar.add("prodid", "-//coachapp//1:1 agenda//EN")
    calendar.add("version", "2.0")
    calendar.add_component(event)
    return calendar.to_ical()
