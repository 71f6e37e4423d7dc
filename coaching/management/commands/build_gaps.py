"""``python manage.py build_gaps ORG [--week YYYY-MM-DD]``: judge and store an org's gaps for a week."""

from datetime import UTC, date, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coaching.gaps.evaluate import build_week
from coaching.metrics.command_line import day, org_named
from coaching.weeks import monday_of as monday


def add_org_and_week(parser: CommandParser) -> None:
    parser.add_argument("org", help="The org's short name (as given to add_org / shown in the admin).")
    parser.add_argument(
        "--week",
        type=day,
        default=None,
        help="Any day of the ISO week, YYYY-MM-DD (default: this week, UTC). Judged as of its Sunday, or today.",
    )


def week_or_current(value: date | None) -> date:
    return monday(value or datetime.now(UTC).date())


class Command(BaseCommand):
    help = (
        "Judge an org's gaps for an ISO week from its metric snapshots (computing them when missing) and store "
        "them, replacing the week's earlier gaps."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_org_and_week(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        org = org_named(options["org"])
        try:
            result = build_week(org, week_or_current(options["week"]))
        except ValueError as error:
            raise CommandError(str(error)) from error
        gaps = sum(1 for gap in result.gaps if not gap.is_strength)
        self.stdout.write(
            f"{org.name}: {gaps} gaps and {len(result.gaps) - gaps} strengths for the week of "
            f"{result.week_start.isoformat()} (as of {result.as_of.isoformat()}); {result.snoozed} snoozed, "
            f"{len(result.silenced)} activity silences."
        )
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
