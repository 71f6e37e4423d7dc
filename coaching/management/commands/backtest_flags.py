"""``python manage.py backtest_flags ORG [--as-of YYYY-MM-DD] [--flag FLAG --override auto|on|off]``.

Runs the org's weekly deal-flag backtest now and prints the table in plain words; with ``--flag`` and
``--override`` it records an admin's choice for one flag instead (docs/backtest.md).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coaching.backtest.flags import BY_KEY
from coaching.backtest.mute import set_override
from coaching.backtest.update import update_backtest
from coaching.backtest.wording import flag_line
from coaching.metrics.command_line import add_org_and_day, as_of_or_today, org_named
from coaching.models import FlagBacktest, WinModel


class Command(BaseCommand):
    help = "Backtest an org's deal flags on its own closed deals (or set one flag's override) and print the verdicts."

    def add_arguments(self, parser: CommandParser) -> None:
        add_org_and_day(parser)
        parser.add_argument("--flag", choices=sorted(BY_KEY), help="The flag whose override to set.")
        parser.add_argument("--override", choices=FlagBacktest.Override.values, help="auto, on or off.")

    def handle(self, *args: Any, **options: Any) -> None:
        org = org_named(options["org"])
        if bool(options["flag"]) != bool(options["override"]):
            raise CommandError("--flag and --override go together: name the flag and the override to set.")
        if options["flag"]:
            row = set_override(org, options["flag"], options["override"])
            self.stdout.write(f"{org.name} {row.flag}: override {row.override}; {'muted' if row.muted else 'shown'}.")
            return
        run = update_backtest(org, as_of_or_today(options["as_of"]))
        self.stdout.write(
            f"{org.name} as of {run.as_of}: {run.seen.deals} closed deals seen at {run.seen.deal_weeks} deal-weeks;"
            f" {run.stored_flags} flags stored for this week."
        )
        for row in FlagBacktest.objects.filter(org=org).order_by("flag"):
            state = "muted" if row.muted else "shown"
            self.stdout.write(f"  {row.flag:<13} {row.verdict:<13} {state:<6} {flag_line(row)}")
        model = WinModel.objects.filter(org=org).first()
        if model is None:
            self.stdout.write("Win probability: not enough closed deals yet.")
        else:
            self.stdout.write(
                f"Win probability: Brier {model.brier:.3f} against {model.stage_brier:.3f} for the stage's"
                f" Probability, on {model.deals} closed deals."
            )
