"""``python manage.py sync_salesforce ORG [--full] [--json]``: sync one org now, in this process.

With a terminal: a progress bar per object, then a summary table. With ``--json``: nothing on stdout but
one JSON document (the run summary); logs go to stderr. Exits non-zero when the run failed or stopped.
"""

import json
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from crm.models import Org
from integrations.models import SyncRun
from integrations.sync.report import ProgressEvent, run_summary
from integrations.sync.run import SyncSetupError, run_sync

_STYLES = {"succeeded": "green", "partial": "yellow", "skipped": "dim", "stopped": "yellow", "failed": "red"}


class _ProgressDisplay:
    """Turns the run's progress events into one rich progress bar per object."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, event: ProgressEvent) -> None:
        name, object_run = event.sobject, event.object_run
        task = self.tasks.get(name)
        if task is None:
            task = self.tasks[name] = self.progress.add_task(name, total=event.total)
        if event.stage == "started" and event.total is not None:
            self.progress.update(task, total=max(event.total, object_run.fetched))
        elif event.stage == "reconciling":
            self.progress.update(task, description=f"{name} (checking deletions)")
        elif event.stage == "finished":
            style = _STYLES.get(object_run.status, "")
            total = max(object_run.fetched, self.progress.tasks[task].total or 0)
            self.progress.update(task, description=f"{name} [{style}]{object_run.status}[/]", total=total)
            self.progress.update(task, completed=total)
            return
        self.progress.update(task, completed=object_run.fetched)


class Command(BaseCommand):
    help = "Sync one org from Salesforce now: incremental from each object's mark, or --full."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("org", help="The org's short name (Org.name), as given to add_org.")
        parser.add_argument(
            "--full", action="store_true", help="Re-read every record and reconcile ids, ignoring the marks."
        )
        parser.add_argument("--json", action="store_true", help="Print only the run summary as JSON on stdout.")
        parser.add_argument(
            "--no-rebuild",
            action="store_true",
            help="Do not rebuild this week's agendas after a sync that changed data (for scripts that run "
            "build_agendas themselves).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        org = Org.objects.filter(name=options["org"]).first()
        if org is None:
            known = ", ".join(Org.objects.values_list("name", flat=True)) or "none yet"
            raise CommandError(
                f"No org named {options['org']!r} (known orgs: {known}). Add one with `python manage.py add_org`."
            )
        kind = SyncRun.Kind.FULL if options["full"] else SyncRun.Kind.INCREMENTAL
        try:
            if options["json"]:
                run = run_sync(org, kind, rebuild=not options["no_rebuild"])
                self.stdout.write(json.dumps(run_summary(run), indent=2))
            else:
                run = self._run_with_display(org, kind, rebuild=not options["no_rebuild"])
        except SyncSetupError as exc:
            raise CommandError(str(exc)) from exc
        if run.status in (SyncRun.Status.FAILED, SyncRun.Status.STOPPED):
            raise CommandError(f"The sync of {org.name} {run.status}: {self._first_error(run)}")

    def _run_with_display(self, org: Org, kind: str, *, rebuild: bool) -> SyncRun:
        # The stream OutputWrapper wraps (its write() would end every partial line rich writes); the stub omits it.
        stream: TextIO = self.stdout._out  # type: ignore[assignment]
        # Piped output (a log, CI) gets room for the whole table; a terminal keeps its own width.
        console = Console(file=stream, highlight=False, width=None if stream.isatty() else 110)
        columns = (
            TextColumn("{task.description:<40}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, transient=False) as progress:
            run = run_sync(org, kind, progress=_ProgressDisplay(progress), rebuild=rebuild)
        console.print(self._table(run))
        return run

    @staticmethod
    def _table(run: SyncRun) -> Table:
        summary = run_summary(run)
        style = _STYLES.get(run.status, "")
        title = f"{summary['org']}: {summary['kind']} sync [{style}]{run.status}[/]"
        table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
        table.add_column("object", no_wrap=True, min_width=max(len(name) for name in summary["objects"] or ["x"]))
        table.add_column("status", no_wrap=True)
        for heading in ("fetched", "upserted", "deleted", "failed", "calls"):
            table.add_column(heading, justify="right", no_wrap=True)
        for name, counts in summary["objects"].items():
            table.add_row(
                name,
                f"[{_STYLES.get(counts['status'], '')}]{counts['status']}[/]",
                *(f"{counts[key]:,}" for key in ("fetched", "upserted", "deleted", "failed", "api_calls")),
            )
        usage = summary["api_usage"]
        table.caption = f"{summary['api_calls']:,} API calls" + (
            f"; org usage today {usage['used']:,} of {usage['max']:,}" if usage else ""
        )
        for error in summary["errors"][:20]:
            where = " ".join(part for part in (error.get("sobject"), error.get("sf_id")) if part)
            table.caption += f"\n[red]{where}[/]: {error['message']}" if where else f"\n[red]{error['message']}[/]"
        if summary["record_errors"] > 20:
            table.caption += f"\n… {summary['record_errors']} record errors in all (see SyncRecordError in the admin)"
        return table

    @staticmethod
    def _first_error(run: SyncRun) -> str:
        return run.errors[-1]["message"] if run.errors else "see the run in the admin"
