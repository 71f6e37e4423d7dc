"""``python manage.py add_org NAME …``: connect an org to Salesforce (or to a local org emulator).

Secrets never come from the command line (it ends up in shell history and ``ps``): passwords, tokens,
consumer secrets and session ids are read from environment variables named by ``--…-env``, the private key
from a file. Running it again with the same name updates the connection.
"""

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from crm.models import Org
from integrations.models import SalesforceConnection
from integrations.salesforce.connect import EMULATOR_LOGINS, check_name, register_org, test_connection
from integrations.salesforce.errors import SalesforceError

Method = SalesforceConnection.AuthMethod

# The options each method takes (beyond --display-name, --api-reserve-percent and --check).
ALLOWED: dict[str, set[str]] = {
    Method.EMULATOR: {"url", "login", "username"},
    Method.JWT: {"username", "consumer_key", "private_key_file", "sandbox", "domain"},
    Method.PASSWORD: {
        "username",
        "password_env",
        "token_env",
        "consumer_key",
        "consumer_secret_env",
        "sandbox",
        "domain",
    },
    Method.SESSION: {"instance_url", "session_id_env"},
}
METHOD_OPTIONS = sorted(set().union(*ALLOWED.values()))


def _flag(option: str) -> str:
    return "--" + option.replace("_", "-")


class Command(BaseCommand):
    help = (
        "Connect an org to Salesforce, or update its connection. Secrets come from environment variables "
        "(--password-env, --token-env, --consumer-secret-env, --session-id-env) or files (--private-key-file), "
        "never from the command line. `add_org NAME --check` tests a stored connection."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Short name for the org (letters, digits, '-'), e.g. acme.")
        methods = parser.add_mutually_exclusive_group()
        methods.add_argument("--emulator", metavar="DIR", help="A local org emulator serving this org directory.")
        methods.add_argument("--jwt", action="store_true", help="OAuth 2.0 JWT bearer flow (recommended).")
        methods.add_argument("--password", action="store_true", help="Username, password and security token.")
        methods.add_argument("--session", action="store_true", help="An existing session id and instance URL.")
        parser.add_argument("--url", help="--emulator: a running `run_emulator` server, e.g. http://127.0.0.1:8765.")
        parser.add_argument(
            "--login",
            choices=EMULATOR_LOGINS,
            help="--emulator: which of org.json's credentials to log in with (default: jwt when server.key exists).",
        )
        parser.add_argument("--username", help="The integration user's Salesforce username.")
        parser.add_argument("--consumer-key", help="The connected app's consumer key.")
        parser.add_argument(
            "--private-key-file", "--private-key", metavar="FILE", help="--jwt: PEM private key of the certificate."
        )
        domains = parser.add_mutually_exclusive_group()
        domains.add_argument("--sandbox", action="store_true", help="Log in at test.salesforce.com.")
        domains.add_argument("--domain", help="Login domain: login (default), test, or a My Domain such as acme.my.")
        parser.add_argument("--password-env", metavar="VAR", help="--password: variable holding the password.")
        parser.add_argument("--token-env", metavar="VAR", help="--password: variable holding the security token.")
        parser.add_argument(
            "--consumer-secret-env",
            metavar="VAR",
            help="--password: variable holding the consumer secret (with --consumer-key: OAuth password grant).",
        )
        parser.add_argument("--instance-url", help="--session: e.g. https://acme.my.salesforce.com.")
        parser.add_argument("--session-id-env", metavar="VAR", help="--session: variable holding the session id.")
        parser.add_argument("--display-name", help="The org's name as people read it.")
        parser.add_argument(
            "--api-reserve-percent", type=int, metavar="N", help="Stop syncing when less than N%% of the API remains."
        )
        parser.add_argument(
            "--check", action="store_true", help="Log in once to verify (nothing is saved if it fails)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"]
        try:
            check_name(name)
        except ValueError as exc:
            raise CommandError(f"{exc}.") from exc
        method = self._method(options)
        if method is None:
            if not options["check"]:
                raise CommandError(
                    "Say how to connect: --emulator DIR, --jwt, --password or --session (or --check to test the "
                    "stored connection). See `add_org --help`."
                )
            self._check(self._stored_connection(name))
            return
        self._reject_foreign_options(method, options)
        given = self._inputs(method, options)
        existed = Org.objects.filter(name=name, salesforce__isnull=False).exists()
        try:
            with transaction.atomic():
                org = register_org(
                    name,
                    method=method,
                    display_name=options["display_name"],
                    api_reserve_percent=options["api_reserve_percent"],
                    **given,
                )
                connection = SalesforceConnection.objects.get(org=org)
                if options["check"]:
                    self._check(connection, saving=True)
        except ValueError as exc:
            raise CommandError(f"{exc}.") from exc
        verb = "Updated" if existed else "Added"
        self.stdout.write(f"{verb} org {org.name}: {self._describe(connection)}.")

    def _method(self, options: dict[str, Any]) -> str | None:
        if options["emulator"]:
            return Method.EMULATOR
        for method in (Method.JWT, Method.PASSWORD, Method.SESSION):
            if options[method]:
                return method
        return None

    def _reject_foreign_options(self, method: str, options: dict[str, Any]) -> None:
        foreign = [_flag(option) for option in METHOD_OPTIONS if options.get(option) and option not in ALLOWED[method]]
        if foreign:
            raise CommandError(f"{', '.join(foreign)} cannot be used with --{method}; see `add_org --help`.")

    def _inputs(self, method: str, options: dict[str, Any]) -> dict[str, Any]:
        domain = "test" if options["sandbox"] else options["domain"]
        if method == Method.EMULATOR:
            return {
                "emulator_dir": options["emulator"],
                "emulator_url": options["url"],
                "emulator_login": options["login"],
                "username": options["username"],
            }
        if method == Method.JWT:
            return {
                "username": options["username"],
                "consumer_key": options["consumer_key"],
                "private_key": self._read_file(options["private_key_file"], "--private-key-file"),
                "login_domain": domain,
            }
        if method == Method.PASSWORD:
            secret_var = options["consumer_secret_env"]
            return {
                "username": options["username"],
                "password": self._env(options["password_env"], "--password-env"),
                "security_token": self._env(options["token_env"], "--token-env"),
                "consumer_key": options["consumer_key"],
                "consumer_secret": self._env(secret_var, "--consumer-secret-env") if secret_var else None,
                "login_domain": domain,
            }
        return {
            "instance_url": options["instance_url"],
            "session_id": self._env(options["session_id_env"], "--session-id-env"),
        }

    def _env(self, variable: str | None, flag: str) -> str:
        if not variable:
            raise CommandError(f"{flag} VAR is required: the name of the environment variable holding the secret.")
        value = os.environ.get(variable)
        if value is None:
            raise CommandError(f"{flag} {variable}: the environment variable {variable} is not set.")
        if not value.strip():
            raise CommandError(f"{flag} {variable}: the environment variable {variable} is empty.")
        return value.strip()

    def _read_file(self, path: str | None, flag: str) -> str:
        if not path:
            raise CommandError(
                f"{flag} FILE is required: the PEM private key matching the connected app's certificate."
            )
        try:
            return Path(path).expanduser().read_text()
        except FileNotFoundError:
            raise CommandError(f"{flag} {path}: no such file.") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{flag} {path} cannot be read: {exc}.") from None

    def _stored_connection(self, name: str) -> SalesforceConnection:
        connection = SalesforceConnection.objects.select_related("org").filter(org__name=name).first()
        if connection is None:
            known = ", ".join(Org.objects.values_list("name", flat=True)) or "none yet"
            raise CommandError(f"No org {name!r} with a Salesforce connection (known orgs: {known}); add it first.")
        return connection

    def _check(self, connection: SalesforceConnection, *, saving: bool = False) -> None:
        try:
            report = test_connection(connection)
        except SalesforceError as exc:
            unsaved = " Nothing was saved." if saving else ""
            raise CommandError(f"The check of {connection.org.name} failed: {exc}.{unsaved}") from exc
        self.stdout.write(report.summary())

    def _describe(self, connection: SalesforceConnection) -> str:
        if connection.auth_method == Method.EMULATOR:
            where = connection.credentials.get("emulator_url") or connection.credentials.get("emulator_dir")
            login = connection.credentials.get("login")
            return f"org emulator at {where}, {login} login" + (
                f" as {connection.username}" if connection.username else ""
            )
        if connection.auth_method == Method.SESSION:
            return f"existing session at {connection.instance_url}"
        return f"{connection.get_auth_method_display()} as {connection.username} at {connection.login_domain}"
