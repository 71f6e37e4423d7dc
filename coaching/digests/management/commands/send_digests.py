"""``python manage.py send_digests ORG [--week YYYY-MM-DD] [--dry-run [--html-dir DIR]]``: weekly digests.

Without ``--week``: sends the digests that are due now by each manager's local clock — what beat does every
15 minutes. With ``--week``: sends every manager's digest of that week now, whatever their send time. Either
way a manager gets a week's digest at most once (already sent ones are listed, not sent again). ``--dry-run``
prints each digest (recipient, subject, text part) and sends and records nothing.
"""

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coaching.digests.message import render_digest
from coaching.digests.send import SendReport, preview, send_due, send_week
from coaching.models import Agenda
from coaching.weeks import parse_week
from crm.models import Org


class Command(BaseCommand):
    help = (
        "Send an org's weekly coaching digests: those due now (default), or every manager's digest of one week "
        "(--week). Never sends a manager the same week twice. --dry-run prints them instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("org", help="The org's short name (as given to add_org).")
        parser.add_argument(
            "--week", help="Any day of the week whose digests to send now, YYYY-MM-DD (its Monday is used)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Print the digests; send and record nothing.")
        parser.add_argument("--html-dir", type=Path, help="With --dry-run: also write each digest's HTML here.")

    def handle(self, *args: Any, **options: Any) -> None:
        org = _org(options["org"])
        week = _week(options["week"], org) if options["week"] else None
        if options["html_dir"] and not options["dry_run"]:
            raise CommandError("--html-dir goes with --dry-run (it writes previews instead of sending).")
        if options["dry_run"]:
            self._preview(org, week, options["html_dir"])
            return
        report = send_week(org, week) if week else send_due(org)
        self._report(report)

    def _preview(self, org: Org, week: date | None, html_dir: Path | None) -> None:
        digests, report = preview(org, week)
        if html_dir:
            html_dir.mkdir(parents=True, exist_ok=True)
        for digest in digests:
            recipient = digest.recipient
            self.stdout.write("=" * 78)
            if digest.is_empty:
                self.stdout.write(f"{recipient.name} ({recipient.manager_sf_id}): would be skipped, nothing to say.")
                continue
            if not recipient.email:
                self.stdout.write(f"{recipient.name} ({recipient.manager_sf_id}): would be skipped, no email address.")
                continue
            subject, text, html, _ = render_digest(digest)
            self.stdout.write(f"To: {recipient.name} <{recipient.email}>\nSubject: {subject}\n\n{text.rstrip()}")
            if html_dir:
                path = html_dir / f"{recipient.manager_sf_id}-{digest.week_start.isoformat()}.html"
                path.write_text(html, encoding="utf-8")
                self.stdout.write(f"(HTML: {path})")
        shown = len(digests)
        self.stdout.write("=" * 78)
        self.stdout.write(f"Dry run for {org.name}: {shown} digest(s) composed; nothing sent or recorded.")
        for line in report.lines()[1:]:
            self.stdout.write(line)

    def _report(self, report: SendReport) -> None:
        for line in report.lines():
            self.stdout.write(line)
        failed = report.count("failed") + len(report.retrying)
        if failed:
            raise CommandError(
                f"{failed} digest(s) could not be sent (see above). Check EMAIL_URL and the mail server; "
                "those marked retrying are sent again by the scheduler after their back-off."
            )


def _org(name: str) -> Org:
    try:
        return Org.objects.get(name=name)
    except Org.DoesNotExist:
        known = ", ".join(Org.objects.order_by("name").values_list("name", flat=True)) or "none yet"
        raise CommandError(f"No org named {name!r}. Known orgs: {known}.") from None


def _week(text: str, org: Org) -> date:
    try:
        week = parse_week(text)
    except ValueError as exc:
        raise CommandError(f"--week: {exc} (e.g. 2026-03-02)") from None
    if not Agenda.objects.filter(org=org, week_start=week).exists():
        raise CommandError(
            f"No agendas for {org.name} in the week of {week.isoformat()}: build them first with "
            f"build_agendas {org.name} --week {week.isoformat()}."
        )
    return week
