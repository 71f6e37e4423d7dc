"""Snoozes: a manager silences a gap for a rep — or one of the rep's deals — until a date, with a reason.

A snooze holds while its ``until`` date is on or after the day the week is judged; from the next day the
gap shows again if it is still there. A deal snooze only makes sense for rules that name deals.
"""

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError

from coaching.gaps.catalogue import RULES_BY_CODE
from coaching.models import Snooze
from crm.models import Opportunity, Org, Person

MAX_DAYS = 366
MAX_REASON = 2000
_CRM_ID = re.compile(r"^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$")


def snooze_gap(
    org: Org,
    code: str,
    person_sf_id: str,
    *,
    opportunity_sf_id: str = "",
    reason: str,
    until: date,
    user: Any = None,
    today: date | None = None,
) -> Snooze:
    """Snooze gap ``code`` for a rep (or one deal of theirs) until ``until`` (inclusive).

    Raises ``ValidationError`` naming every bad field. Snoozing what is already snoozed updates that
    snooze (new reason and date) rather than stacking a second one.
    """
    today = today or datetime.now(UTC).date()
    person_sf_id, opportunity_sf_id, reason = (
        (person_sf_id or "").strip(),
        (opportunity_sf_id or "").strip(),
        (reason or "").strip(),
    )
    validate_snooze(org, code, person_sf_id, opportunity_sf_id, reason, until, today)
    existing = active_snoozes(org, today).filter(
        code=code, person_sf_id=person_sf_id, opportunity_sf_id=opportunity_sf_id
    )
    snooze = existing.order_by("-until", "-id").first()
    if snooze is None:
        snooze = Snooze(org=org, code=code, person_sf_id=person_sf_id, opportunity_sf_id=opportunity_sf_id)
    snooze.reason, snooze.until = reason, until
    if user is not None and getattr(user, "pk", None) is not None:
        snooze.created_by = user
    snooze.save()
    return snooze


def validate_snooze(
    org: Org, code: str, person_sf_id: str, opportunity_sf_id: str, reason: str, until: Any, today: date
) -> None:
    """Raise ``ValidationError`` ({field: [messages]}) unless this is a snooze a manager can set."""
    errors: dict[str, list[str]] = {}

    def problem(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    rule = RULES_BY_CODE.get(code)
    if rule is None:
        problem("code", f"Unknown gap {code!r}. Snooze one of: {', '.join(RULES_BY_CODE)}.")
    if not _CRM_ID.match(person_sf_id):
        problem("person_sf_id", f"{person_sf_id!r} is not a CRM user id (15 or 18 letters and digits).")
    elif not Person.live.filter(org=org, sf_id=person_sf_id).exists():
        problem("person_sf_id", f"No user {person_sf_id} in {org}: sync the org or check the id.")
    if opportunity_sf_id:
        _check_deal(org, rule, code, person_sf_id, opportunity_sf_id, problem)
    if not reason:
        problem("reason", "Say why the gap is snoozed, so that whoever reads the agenda later knows.")
    elif len(reason) > MAX_REASON:
        problem("reason", f"Keep the reason under {MAX_REASON} characters ({len(reason)} given).")
    if not isinstance(until, date) or isinstance(until, datetime):
        problem("until", f"{until!r} is not a date (YYYY-MM-DD).")
    elif until < today:
        problem("until", f"{until} is in the past: a snooze must last until today or later.")
    elif until > today + timedelta(days=MAX_DAYS):
        problem("until", f"{until} is more than a year away: snooze for at most {MAX_DAYS} days and revisit.")
    if errors:
        raise ValidationError(errors)


def _check_deal(org: Org, rule: Any, code: str, person_sf_id: str, opportunity_sf_id: str, problem: Any) -> None:
    if rule is not None and not rule.lists_deals:
        problem("opportunity_sf_id", f"{code} is about the rep, not one deal: leave the deal blank to snooze it.")
        return
    if not _CRM_ID.match(opportunity_sf_id):
        problem("opportunity_sf_id", f"{opportunity_sf_id!r} is not an opportunity id (15 or 18 letters and digits).")
        return
    owner = Opportunity.live.filter(org=org, sf_id=opportunity_sf_id).values_list("owner_sf_id", flat=True).first()
    if owner is None:
        problem("opportunity_sf_id", f"No opportunity {opportunity_sf_id} in {org}: sync the org or check the id.")
    elif owner != person_sf_id:
        problem("opportunity_sf_id", f"Opportunity {opportunity_sf_id} belongs to {owner}, not {person_sf_id}.")


def active_snoozes(org: Org, on: date) -> Any:
    """Snoozes holding on day ``on``."""
    return Snooze.objects.filter(org=org, until__gte=on)


def snoozed_on(org: Org, on: date) -> tuple[set[tuple[str, str]], dict[tuple[str, str], set[str]]]:
    """(rep snoozes as {(code, rep)}, deal snoozes as {(code, rep): {deal ids}}) holding on ``on`` (one query)."""
    whole: set[tuple[str, str]] = set()
    deals: dict[tuple[str, str], set[str]] = {}
    for code, person, deal in active_snoozes(org, on).values_list("code", "person_sf_id", "opportunity_sf_id"):
        if deal:
            deals.setdefault((code, person), set()).add(deal)
        else:
            whole.add((code, person))
    return whole, deals


def end_snooze(snooze: Snooze, today: date | None = None) -> Snooze:
    """Lift a snooze now: it stops holding from today (the gap shows at the next build)."""
    snooze.until = (today or datetime.now(UTC).date()) - timedelta(days=1)
    snooze.save(update_fields=["until"])
    return snooze


__all__ = ["active_snoozes", "end_snooze", "snooze_gap", "snoozed_on", "validate_snooze"]
