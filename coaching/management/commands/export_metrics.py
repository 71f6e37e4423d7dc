"""``python manage.py export_metrics ORG --as-of YYYY-MM-DD --json``: an org's weekly metrics, computed now."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from coaching.metrics.command_line import add_org_and_day, as_of_or_today, org_named
from coaching.metrics.compute import compute_metrics
from coaching.metrics.names import CORE_METRIC_NAMES, METRICS


class Command(BaseCommand):
    help = (
        "Compute every metric for every active rep of an org as of a day (nothing is stored) and print them: "
        "a JSON document with --json, a readable summary of the core metrics otherwise."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_org_and_day(parser)
        parser.add_argument("--json", action="store_true", help="Print only a JSON document on stdout.")
        parser.add_argument(
            "--details", action="store_true", help="With --json: add each metric's details (breakdowns, evidence)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        org = org_named(options["org"])
        result = compute_metrics(org, as_of_or_today(options["as_of"]))
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(with_details=options["details"]), indent=2))
            return
        self.stdout.write(f"{org.name}: {len(result.reps)} active reps, as of {result.as_of.isoformat()}")
        for rep in result.reps:
            self.stdout.write(f"\n{rep.sf_user_id} (manager {rep.manager_sf_user_id})")
            for name in CORE_METRIC_NAMES:
                metric = rep.metrics[name]
                shown = "—" if metric.value is None else f"{metric.value:,.2f}".rstrip("0").rstrip(".")
                self.stdout.write(f"  {METRICS[name].label:<22} {shown:>14}  (n={metric.n})")
        if not result.reps:
            self.stdout.write("No active reps: sync the org first (reps are users with a manager who own deals).")
