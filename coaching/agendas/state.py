"""What a manager does with an agenda: statuses, notes, commitments and the 1:1 length.

These are the named functions every surface (portal, e-mail links, REST API, admin) calls, so that each
behaves the same and validates the same way: bad input raises ValueError with a message that says what to
send instead, and changes nothing.
"""

from datetime import date, datetime, time

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from coachapp.errors import InvalidInput
from coaching.agendas.effects import due_effects
from coaching.models import Agenda, AgendaItem, AgendaNote, CoachingEffect, Commitment, ManagerPreference
from crm.models import Org

MAX_TEXT = 5000
MIN_ONE_ON_ONE, MAX_ONE_ON_ONE = 10, 120


def set_item_status(item: AgendaItem, status: str, *, reason: str = "", user=None) -> AgendaItem:
    """Mark an item open, discussed, deferred or dismissed (dismissing needs a reason).

    Marking it discussed schedules its coaching effect (the metric again 2 and 4 weeks later); moving it
    away from discussed cancels that.
    """
    _require(isinstance(item, AgendaItem) and item.pk, f"item must be a saved AgendaItem, got {item!r}")
    choices = AgendaItem.Status.values
    _require(status in choices, f"status must be one of {', '.join(choices)}; got {status!r}")
    reason = _text(reason, "reason", required=False)
    if status == AgendaItem.Status.DISMISSED and not reason:
        raise InvalidInput(
            "dismissing an item needs a reason (e.g. 'deal is with legal, nothing to coach'): it is shown when "
            "the gap is left out of later agendas."
        )
    _check_user(user)
    with transaction.atomic():
        item.status = status
        item.status_reason = reason
        item.status_changed_at = timezone.now()
        item.status_changed_by = user
        item.save(update_fields=["status", "status_reason", "status_changed_at", "status_changed_by", "updated_at"])
        if status == AgendaItem.Status.DISCUSSED:
            CoachingEffect.objects.bulk_create(due_effects(item, item.agenda.week_start), ignore_conflicts=True)
        else:
            CoachingEffect.objects.filter(item=item).delete()
    return item


def add_note(agenda_or_item: Agenda | AgendaItem, text: str, *, user=None) -> AgendaNote:
    agenda, item = _agenda_and_item(agenda_or_item, "agenda_or_item")
    text = _text(text, "text")
    _check_user(user)
    return AgendaNote.objects.create(agenda=agenda, item=item, text=text, created_by=user)


def add_commitment(
    item_or_agenda: AgendaItem | Agenda, text: str, *, owner_sf_id: str, due_date: date | str, user=None
) -> Commitment:
    """Record that ``owner_sf_id`` (the manager or one of the agenda's reps) will do ``text`` by ``due_date``."""
    agenda, item = _agenda_and_item(item_or_agenda, "item_or_agenda")
    text = _text(text, "text")
    allowed = {agenda.manager_sf_id, *(rep["sf_id"] for rep in agenda.content.get("reps", []))}
    _require(
        isinstance(owner_sf_id, str) and owner_sf_id in allowed,
        f"owner_sf_id must be the manager ({agenda.manager_sf_id}) or one of the agenda's reps "
        f"({', '.join(sorted(allowed - {agenda.manager_sf_id})) or 'none'}); got {owner_sf_id!r}",
    )
    due = _date(due_date)
    _require(
        due >= agenda.week_start,
        f"due_date {due.isoformat()} is before the agenda's week ({agenda.week_start.isoformat()}); "
        "a commitment is due on or after the week it is made in",
    )
    _check_user(user)
    return Commitment.objects.create(
        agenda=agenda, item=item, text=text, owner_sf_id=owner_sf_id, due_date=due, created_by=user
    )


def set_commitment_status(commitment: Commitment, status: str, *, user=None) -> Commitment:
    _require(
        isinstance(commitment, Commitment) and commitment.pk,
        f"commitment must be a saved Commitment, got {commitment!r}",
    )
    choices = Commitment.Status.values
    _require(status in choices, f"status must be one of {', '.join(choices)}; got {status!r}")
    _check_user(user)
    commitment.status = status
    commitment.closed_at = None if status == Commitment.Status.OPEN else timezone.now()
    commitment.save(update_fields=["status", "closed_at"])
    return commitment


def set_one_on_one_minutes(org: Org, manager_sf_id: str, minutes: int) -> ManagerPreference:
    """The length of the manager's 1:1s, which the next build sizes their agendas to."""
    _require(isinstance(org, Org), f"org must be an Org, got {org!r}")
    _require(isinstance(manager_sf_id, str) and manager_sf_id.strip(), "manager_sf_id must be a CRM user id")
    _require(
        isinstance(minutes, int) and not isinstance(minutes, bool) and MIN_ONE_ON_ONE <= minutes <= MAX_ONE_ON_ONE,
        f"a 1:1 lasts {MIN_ONE_ON_ONE} to {MAX_ONE_ON_ONE} whole minutes; got {minutes!r}",
    )
    preference, _ = ManagerPreference.objects.update_or_create(
        org=org, manager_sf_id=manager_sf_id.strip(), defaults={"one_on_one_minutes": minutes}
    )
    return preference


def set_one_on_one_schedule(org: Org, manager_sf_id: str, weekday: int | None, at: time | None) -> ManagerPreference:
    """When the manager's 1:1s usually are (weekday 0 = Monday, local time in their zone); both None to clear."""
    _require(isinstance(org, Org), f"org must be an Org, got {org!r}")
    _require(isinstance(manager_sf_id, str) and manager_sf_id.strip(), "manager_sf_id must be a CRM user id")
    _require((weekday is None) == (at is None), "give both a weekday and a time for the 1:1s, or neither")
    _require(
        weekday is None or (isinstance(weekday, int) and not isinstance(weekday, bool) and 0 <= weekday <= 6),
        f"weekday is 0 (Monday) to 6 (Sunday); got {weekday!r}",
    )
    _require(at is None or isinstance(at, time), f"at must be a time of day, got {at!r}")
    preference, _ = ManagerPreference.objects.update_or_create(
        org=org,
        manager_sf_id=manager_sf_id.strip(),
        defaults={"one_on_one_weekday": weekday, "one_on_one_time": at},
    )
    return preference


def _agenda_and_item(target: object, name: str) -> tuple[Agenda, AgendaItem | None]:
    if isinstance(target, AgendaItem) and target.pk:
        return target.agenda, target
    if isinstance(target, Agenda) and target.pk:
        return target, None
    raise InvalidInput(f"{name} must be a saved Agenda or AgendaItem, got {target!r}")


def _text(value: object, name: str, *, required: bool = True) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text, got {type(value).__name__}")
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"{name} is empty; write at least a few words")
    _require(len(value) <= MAX_TEXT, f"{name} is {len(value)} characters long; the limit is {MAX_TEXT}")
    return value


def _date(value: object) -> date:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise InvalidInput(f"due_date must be a date YYYY-MM-DD, got {value!r}") from None
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInput(f"due_date must be a date, got {value!r}")
    return value


def _check_user(user: object) -> None:
    _require(
        user is None or (isinstance(user, get_user_model()) and user.pk),
        f"user must be a saved user or None, got {user!r}",
    )


def _require(condition: object, message: str) -> None:
    if not condition:
        raise InvalidInput(message)
