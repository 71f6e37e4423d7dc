"""What the portal changes beyond the agenda functions (``coaching.agendas``): snoozing an item's gap,
deleting one's own note, starting a sync and saving an org's rule settings.

Each validates its input and raises ValueError (or Django's ValidationError, for snoozes) with a message
that says what to send instead; the views show that message and change nothing.
"""

from datetime import date
from typing import Any

from celery.result import EagerResult
from django.contrib.auth.models import User
from django.db import transaction

from coachapp.errors import InvalidInput
from coaching.gaps.catalogue import clean_thresholds, setting_codes
from coaching.gaps.snoozes import snooze_gap
from coaching.models import AgendaItem, AgendaNote, GapRuleSetting, Snooze
from crm.models import Org
from integrations.models import SalesforceConnection, SyncRun
from integrations.tasks import sync_org


def snooze_item(item: AgendaItem, *, reason: str, until: date, user: User) -> Snooze:
    """Snooze the gap behind an agenda item (for its deal only, when the item is about one deal)."""
    if not item.person_sf_id:
        raise InvalidInput("A team topic cannot be snoozed: snooze it for each rep from their own items.")
    if item.kind == AgendaItem.Kind.STRENGTH:
        raise InvalidInput("A strength is not a gap: there is nothing to snooze.")
    return snooze_gap(
        item.agenda.org,
        item.code,
        item.person_sf_id,
        opportunity_sf_id=item.opportunity_sf_id,
        reason=reason,
        until=until,
        user=user,
    )


def delete_note(note: AgendaNote, user: User) -> None:
    if note.created_by_id != user.pk:
        raise InvalidInput("Only the person who wrote a note can delete it.")
    note.delete()


def start_sync(org: Org, kind: str = SyncRun.Kind.INCREMENTAL) -> int | None:
    """Queue a sync of ``org``: the run's id when it ran in-process (no broker: the demo), None when queued
    for a worker (its run row appears when a worker picks it up)."""
    if not SalesforceConnection.objects.filter(org=org).exists():
        raise InvalidInput(
            f"{org} has no Salesforce connection yet: add one with `python manage.py add_org` before syncing."
        )
    if kind not in (SyncRun.Kind.INCREMENTAL, SyncRun.Kind.FULL):
        raise InvalidInput(f"kind must be incremental or full, got {kind!r}")
    result = sync_org.delay(org.pk, kind)
    return int(result.get()) if isinstance(result, EagerResult) else None


def save_rule_setting(org: Org, code: str, *, enabled: bool, thresholds: dict[str, Any]) -> GapRuleSetting:
    """An org's choice for one rule or guard: on or off, and thresholds that differ from the defaults.

    Blank thresholds fall back to the documented defaults; only the overrides are stored.
    """
    if code not in setting_codes():
        raise InvalidInput(f"unknown gap rule {code!r}")
    clean = clean_thresholds(code, thresholds)
    with transaction.atomic():
        setting, _ = GapRuleSetting.objects.update_or_create(
            org=org, code=code, defaults={"enabled": bool(enabled), "thresholds": clean}
        )
    return setting
