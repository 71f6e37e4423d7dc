"""The HTTP session simple-salesforce talks through: a default timeout, call counting and the API usage header.

simple-salesforce sets no timeout, so a hung connection would hang a sync for good; ``ApiSession`` applies
one to every request the library sends (logins included). It also watches each reply, errors included, for
``Sforce-Limit-Info`` — the library only reads it from successful replies — and counts the REST data calls,
retries and failed attempts included, since each one is charged against the org's daily allowance.

For an emulated org the same session gets a transport adapter mounted on ``https://``; nothing else about
the client changes.
"""

import re
import threading
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings

from integrations.models import SalesforceConnection
from integrations.salesforce.errors import AuthenticationError

_USAGE_RE = re.compile(r"(?:^|[;,\s])api-usage=(\d+)/(\d+)")
_DATA_PATH = "/services/data/"
_USAGE_ORDER_SECONDS = 60.0


def parse_limit_info(header: str) -> tuple[int, int] | None:
    """(used, max) from ``Sforce-Limit-Info: api-usage=18/15000[; per-app-api-usage=…]``."""
    match = _USAGE_RE.search(header or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


class ApiSession(requests.Session):
    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout
        self._lock = threading.Lock()
        self.data_calls = 0
        self.api_usage: tuple[int, int] | None = None
        self._usage_seen = 0.0  # time.monotonic() when api_usage last went up
        self.last_status: int | None = None
        self.last_date: datetime | None = None  # the org's clock, from the latest reply's Date header
        self.connect_timeout = float(settings.SALESFORCE_CONNECT_TIMEOUT_SECONDS)

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            # Connecting gets a shorter limit: an unreachable org must fail within minutes, retries included.
            kwargs["timeout"] = (min(self.connect_timeout, self.timeout), self.timeout)
        with self._lock:
            self.last_status = None
            if _DATA_PATH in urlsplit(str(url)).path:
                self.data_calls += 1
        response = super().request(method, url, *args, **kwargs)
        usage = parse_limit_info(response.headers.get("Sforce-Limit-Info", ""))
        date = _http_date(response.headers.get("Date"))
        with self._lock:
            self.last_status = response.status_code
            if date is not None:
                self.last_date = date
            if usage is not None:
                self._note_usage(usage)
        return response

    def _note_usage(self, usage: tuple[int, int]) -> None:
        # Replies to calls sent at once on several threads arrive in any order: one that says fewer calls used
        # than a reply seen just before was answered earlier, and would hide a call from the reserve. The count
        # can fall (Salesforce's window rolls over 24 hours), so a lower one is taken after a minute.
        now = time.monotonic()
        current = self.api_usage
        stale = current is not None and current[1] == usage[1] and usage[0] < current[0]
        if stale and now - self._usage_seen < _USAGE_ORDER_SECONDS:
            return
        self.api_usage, self._usage_seen = usage, now

    def note_usage(self, used: int, maximum: int) -> None:
        """The usage the org's /limits reported, under the same rule as a reply's header."""
        with self._lock:
            self._note_usage((used, maximum))


def _http_date(value: str | None) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None
    return parsed if parsed is None or parsed.tzinfo else parsed.replace(tzinfo=UTC)


def session_for(connection: SalesforceConnection, timeout: float) -> ApiSession:
    """A session for ``connection``; an emulated org's traffic goes to its emulator (in-process or a server)."""
    session = ApiSession(timeout)
    if connection.auth_method == SalesforceConnection.AuthMethod.EMULATOR:
        # Imported here: only emulator connections need the emulator's code.
        from sfemulator.adapter import EmulatorAdapter, ForwardingAdapter
        from sfemulator.registry import emulator_for
        from sfemulator.store import OrgDirectoryError

        server = connection.credentials.get("emulator_url")
        if server:
            session.mount("https://", ForwardingAdapter(server))
            return session
        try:
            directory = connection.credentials.get("emulator_dir")
            if not directory:
                raise OrgDirectoryError("the connection names no org directory")
            emulator = emulator_for(directory)
        except OrgDirectoryError as exc:
            raise AuthenticationError(
                f"the org emulator for {connection.org} cannot start ({exc}); re-run `add_org NAME --emulator DIR` "
                "with an org directory (`generate_org` writes one)",
                code="EMULATOR_UNAVAILABLE",
            ) from exc
        session.mount("https://", EmulatorAdapter(emulator))
    return session


def prepare_emulated_org(directory: str | Path) -> None:
    """Give a bare org directory (only ``<SObject>.json`` files) default login material, as the emulator
    would on first use, so that its credentials can be read when the org is connected."""
    from sfemulator.bare import ensure_org_files

    ensure_org_files(directory)
