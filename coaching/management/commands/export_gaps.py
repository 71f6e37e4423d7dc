"""``python manage.py export_gaps ORG [--week YYYY-MM-DD] [--json]``: every gap open for an org in a week.

The week is judged as of its last day, or today while it runs; the week's gaps are (re)built first, so the
document matches what agendas read. With ``--json``: nothing on stdout but one JSON document.
"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coaching.gaps.evaluate import build_week
from coaching.gaps.export import week_json, week_lines
from coaching.management.commands.build_gaps import add_org_and_week, week_or_current
from coaching.metrics.command_line import org_named


class Command(BaseCommand):
    help = "Build and print every gap (and strength) open for an org in an ISO week: JSON with --json."

    def add_arguments(self, parser: CommandParser) -> None:
        add_org_and_week(parser)
        parser.add_argument("--json", action="store_true", help="Print only a JSON document on stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        org = org_named(options["org"])
        try:
            result = build_week(org, week_or_current(options["week"]))
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(week_json(result), indent=2, default=str))
            return
        self.stdout.write("\n".join(week_lines(result)))
