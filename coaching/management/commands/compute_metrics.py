"""``python manage.py compute_metrics ORG [--as-of YYYY-MM-DD]``: compute and store an org's weekly snapshots."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from coaching.metrics.command_line import add_org_and_day, as_of_or_today, org_named
from coaching.metrics.compute import compute_metrics
from coaching.metrics.snapshots import store_snapshots


class Command(BaseCommand):
    help = (
        "Compute every metric for every active rep of an org as of a day and store them as that ISO week's "
        "snapshots, replacing the week's earlier ones."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_org_and_day(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        org = org_named(options["org"])
        result = compute_metrics(org, as_of_or_today(options["as_of"]))
        written = store_snapshots(result)
        self.stdout.write(
            f"{org.name}: stored {written} snapshots for {len(result.reps)} reps, week of "
            f"{result.week_start.isoformat()} (as of {result.as_of.isoformat()})."
        )
