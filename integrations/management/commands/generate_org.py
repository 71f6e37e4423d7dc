"""``python manage.py generate_org DIR --reps N --months M --seed S``: write a demo org directory for the emulator."""

import argparse
from datetime import UTC, date, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sfemulator.generator import GeneratorConfig, GeneratorConfigError, OrgDirectoryError, write_org
from sfemulator.generator.config import MAX_MONTHS, MAX_REPS


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-11-28") from None


class Command(BaseCommand):
    help = (
        "Generate a realistic sales org (users, accounts, deals with history, line items, contact roles, tasks, "
        "events, quotas) as an org directory the emulator serves. The same arguments give the same files."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "directory", help="Where to write the org; created if missing, must be empty unless --force."
        )
        parser.add_argument("--reps", type=int, default=24, help=f"Active sales reps, 1-{MAX_REPS} (default 24).")
        parser.add_argument("--months", type=int, default=12, help=f"Months of history, 1-{MAX_MONTHS} (default 12).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--end", type=_day, default=None, help="Last day with data, YYYY-MM-DD (default today, UTC)."
        )
        parser.add_argument(
            "--opportunities-per-rep-month", type=float, default=5.0,
            help="New opportunities an average rep opens per month (default 5).",
        )  # fmt: skip
        parser.add_argument(
            "--activities-per-opportunity", type=float, default=10.0,
            help="Logged activities on an average opportunity (default 10).",
        )  # fmt: skip
        parser.add_argument("--company", default="acme", help="Company name for the instance URL and users.")
        parser.add_argument(
            "--force", action="store_true", help="Replace the generated files in a non-empty directory."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            config = GeneratorConfig(
                reps=options["reps"], months=options["months"], seed=options["seed"],
                end=options["end"] or datetime.now(UTC).date(), company=options["company"],
                opportunities_per_rep_month=options["opportunities_per_rep_month"],
                activities_per_opportunity=options["activities_per_opportunity"],
            )  # fmt: skip
        except GeneratorConfigError as exc:
            raise CommandError(f"Invalid arguments: {exc}") from exc

        # Rich writes to the command's real stream: Django's wrapper would append newlines to every redraw.
        console = Console(file=getattr(self.stdout, "_out", None), highlight=False)
        progress = Progress(
            TextColumn("Generating reps"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=console, transient=True, disable=not console.is_terminal,
        )  # fmt: skip
        task = progress.add_task("reps", total=None)
        try:
            with progress:
                summary = write_org(
                    config, options["directory"], force=options["force"],
                    on_progress=lambda done, total: progress.update(task, completed=done, total=total),
                )  # fmt: skip
        except OrgDirectoryError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"Writing the org to {options['directory']} failed: {exc}") from exc

        table = Table(title=f"Org written to {summary.directory}", show_footer=True)
        table.add_column("object", footer="total")
        table.add_column("records", justify="right", footer=f"{summary.total_records:,}")
        table.add_column("file size", justify="right", footer=_size(summary.total_bytes))
        for name, count in summary.counts.items():
            table.add_row(name, f"{count:,}", _size(summary.sizes.get(f"{name}.json", 0)))
        console.print(table)
        console.print(
            f"{config.reps} reps, {config.months} months to {config.end.isoformat()}, seed {config.seed}: "
            f"{summary.total_records:,} records in {summary.seconds:.1f} s. Logins are in org.json, the JWT key in "
            f"server.key, each rep's traits in generator.json."
        )
        for name in summary.unrelated_objects:
            console.print(f"[yellow]Note:[/] {name} was already there and is not part of this org; delete it if stale.")
        console.print(f"Serve it with: python manage.py run_emulator {summary.directory}")


def _size(count: int) -> str:
    size = float(count)
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"
