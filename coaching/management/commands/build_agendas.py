"""``python manage.py build_agendas ORG [--week YYYY-MM-DD] [--history N]``: a week's coaching agendas.

Computes the week's metrics and gaps first, then builds (or rebuilds) every frontline manager's agenda and
prints a short summary. Rebuilding keeps what managers recorded (statuses, notes, commitments).
"""

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from coaching.agendas.weekly import refresh_week
from coaching.weeks import monday_of, parse_week
from crm.models import Org

MAX_HISTORY = 12


def _week(text: str) -> date:
    try:
        return parse_week(text)
    except ValueError as exc:
        raise CommandError(f"--week: {exc} (e.g. 2026-03-02)") from None


class Command(BaseCommand):
    help = (
        "Compute an org's metrics and gaps for an ISO week and build every frontline manager's coaching "
        "agenda (default: the current week). Rebuilding a week keeps statuses, notes and commitments."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("org", help="The org's short name (as given to add_org).")
        parser.add_argument(
            "--week",
            help="Any day of the week to build, YYYY-MM-DD; the week starts on its Monday (default: this week).",
        )
        parser.add_argument(
            "--history",
            type=int,
            default=0,
            help=f"Also build the N weeks before it first, oldest first (0-{MAX_HISTORY}): on an org's first run "
            "this gives rotation, trends and follow-ups a past to read.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            org = Org.objects.get(name=options["org"])
        except Org.DoesNotExist:
            known = ", ".join(Org.objects.order_by("name").values_list("name", flat=True)) or "none yet"
            raise CommandError(f"No org named {options['org']!r}. Known orgs: {known}.") from None
        history = options["history"]
        if not 0 <= history <= MAX_HISTORY:
            raise CommandError(f"--history must be from 0 to {MAX_HISTORY}, got {history}.")
        today = timezone.now().date()
        week = _week(options["week"]) if options["week"] else monday_of(today)
        if week > today:
            raise CommandError(f"The week of {week.isoformat()} has not started yet; pick this week or an earlier one.")
        for offset in range(history, -1, -1):
            summary = refresh_week(org, week - timedelta(weeks=offset), today=today)
            for line in summary.lines():
                self.stdout.write(line)
