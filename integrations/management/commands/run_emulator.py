"""``python manage.py run_emulator DIR --port P``: serve an org directory as a local Salesforce org."""

import errno
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sfemulator.app import OrgEmulator
from sfemulator.latency import PROFILES, latency_profile
from sfemulator.server import make_server
from sfemulator.store import OrgDirectoryError
from sfemulator.temporal import format_datetime, parse_datetime


class Command(BaseCommand):
    help = "Serve an org directory (org.json + <SObject>.json files) as a Salesforce org over HTTP."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", help="The org directory, e.g. one written by the demo data generator.")
        parser.add_argument("--port", type=int, default=8765, help="Port to listen on (0 picks a free one).")
        parser.add_argument("--host", default="127.0.0.1", help="Address to bind (default 127.0.0.1).")
        parser.add_argument("--page-size", type=int, default=2000, help="Records per query page (default 2000).")
        parser.add_argument("--clock", help="Pretend it is this UTC datetime (ISO-8601) instead of now.")
        parser.add_argument(
            "--latency",
            default="off",
            choices=sorted(PROFILES),
            help="Answer as slowly as a real org (sfemulator.latency): off (default) or realistic.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        clock = None
        if options["clock"]:
            clock = parse_datetime(options["clock"])
            if clock is None:
                raise CommandError(f"--clock {options['clock']!r} is not an ISO-8601 datetime (2026-11-28T09:00:00Z).")
        try:
            emulator = OrgEmulator(
                options["directory"],
                page_size=options["page_size"],
                clock=clock,
                latency=latency_profile(options["latency"]),
            )
        except OrgDirectoryError as exc:
            raise CommandError(f"Cannot serve {options['directory']}: {exc}") from exc
        try:
            server = make_server(emulator, options["host"], options["port"])
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise CommandError(
                    f"Port {options['port']} on {options['host']} is already in use; pick another with --port "
                    "(or --port 0 for any free port)."
                ) from exc
            raise CommandError(f"Cannot listen on {options['host']}:{options['port']}: {exc}") from exc
        config = emulator.store.config()
        objects = ", ".join(emulator.store.object_names()) or "no objects"
        self.stdout.write(f"Salesforce org emulator serving {emulator.directory} at {server.url}")
        self.stdout.write(
            f"org {config.org_id}, instance {config.instance_url}, clock "
            f"{format_datetime(emulator.now()) if clock else 'real time'}; latency {options['latency']}"
            f"{' (' + emulator.latency.describe() + ')' if emulator.latency.enabled else ''}; objects: {objects}"
        )
        self.stdout.write("Reach it with sfemulator.adapter.ForwardingAdapter; Ctrl-C stops it.")
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
