"""What the metrics commands share: reading the org name and the as-of day from the command line."""

import argparse
from datetime import UTC, date, datetime

from django.core.management.base import CommandError, CommandParser

from crm.models import Org


def day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-11-27") from None


def add_org_and_day(parser: CommandParser) -> None:
    parser.add_argument("org", help="The org's short name (as given to add_org / shown in the admin).")
    parser.add_argument(
        "--as-of",
        type=day,
        default=None,
        help="The day the trailing windows end on, YYYY-MM-DD (default today, UTC). Its ISO week is the snapshot's.",
    )


def org_named(name: str) -> Org:
    try:
        return Org.objects.get(name=name)
    except Org.DoesNotExist:
        known = ", ".join(Org.objects.order_by("name").values_list("name", flat=True)) or "none yet"
        raise CommandError(f"No org named {name!r}. Known orgs: {known}.") from None


def as_of_or_today(value: date | None) -> date:
    return value or datetime.now(UTC).date()
