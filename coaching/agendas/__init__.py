"""Weekly coaching agendas for frontline sales managers, built from the week's gaps.

The public functions — what the portal, the e-mail digest and the REST API call:

- ``build_agendas(org, week_start) -> list[Agenda]``: build or rebuild every FSM's agenda of the week.
- ``agenda_for(org, manager_sf_id, week_start) -> Agenda | None``.
- ``set_item_status(item, status, *, reason="", user=None)``: open / discussed / deferred / dismissed.
- ``add_note(agenda_or_item, text, *, user=None)``.
- ``add_commitment(item_or_agenda, text, *, owner_sf_id, due_date, user=None)``;
  ``set_commitment_status(commitment, status, *, user=None)``.
- ``set_one_on_one_minutes(org, manager_sf_id, minutes)``;
  ``set_one_on_one_schedule(org, manager_sf_id, weekday, at)`` (when the 1:1s usually are, for the calendar).
- ``render_agenda_text(agenda) -> str``.

Each validates its input and raises ValueError with a message saying what to send instead. How ranking,
rotation, team topics, time sizing and the coaching effect work: docs/agendas.md.
"""

from coaching.agendas.build import build_agendas, build_week
from coaching.agendas.lookup import agenda_for
from coaching.agendas.render import render_agenda_text
from coaching.agendas.state import (
    add_commitment,
    add_note,
    set_commitment_status,
    set_item_status,
    set_one_on_one_minutes,
    set_one_on_one_schedule,
)

__all__ = [
    "add_commitment",
    "add_note",
    "agenda_for",
    "build_agendas",
    "build_week",
    "render_agenda_text",
    "set_commitment_status",
    "set_item_status",
    "set_one_on_one_minutes",
    "set_one_on_one_schedule",
]
