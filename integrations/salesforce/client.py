"""``SalesforceClient``: the only code that talks HTTP to Salesforce (through simple-salesforce).

It owns what the library leaves to its caller: a timeout on every request, one fresh login when a session
expires, bounded exponential back-off with full jitter for transient trouble (503, REQUEST_LIMIT_EXCEEDED,
timeouts, dropped connections), a stop before the org's daily API allowance dips into the connection's
reserve, and errors that say what to do (``integrations.salesforce.errors``).

The login happens on the first call, not when the client is built. Emulator connections differ only in the
transport adapter mounted on the session (see ``transport``); the client code path is the same.
"""

import logging
import math
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from operator import methodcaller
from typing import Any, TypeVar

import orjson
import requests
from django.conf import settings
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError as LibraryError

from coachapp.errors import InvalidInput
from integrations.crypto import UNREADABLE_MESSAGE
from integrations.models import SalesforceConnection
from integrations.salesforce import auth
from integrations.salesforce.classify import TRANSPORT_ERRORS, Action, classify_call, classify_login, expired_session
from integrations.salesforce.errors import (
    UNREACHABLE_CODES,
    ApiAllowanceExhausted,
    ApiReserveReached,
    AuthenticationError,
    OrgUnreachable,
    SalesforceError,
    TransientError,
)
from integrations.salesforce.transport import ApiSession, session_for

logger = logging.getLogger(__name__)

T = TypeVar("T")
_SOBJECT_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,79}$")
_FROM_RE = re.compile(r"\bFROM\s+([A-Za-z][A-Za-z0-9_]*)", re.IGNORECASE)
_CALL_ERRORS = (LibraryError, requests.exceptions.JSONDecodeError, *TRANSPORT_ERRORS)
# Salesforce pages queries in 200..2000 records; the header is a hint it may round.
MIN_BATCH, MAX_BATCH = 200, 2000


class _Salesforce(Salesforce):
    """simple-salesforce with its JSON replies decoded by orjson, through the library's own hook for it
    (``parse_result_to_json``): a 2,000-record query page decodes in half the time ``json`` takes (5.7 ms against
    11.7), which was a quarter of the fetching thread's time. What orjson refuses (a lone UTF-16 surrogate escape,
    a body that is not UTF-8 or not JSON) goes to the library's own decoding, which reads it as before or raises
    its error. One difference: orjson reads an integer beyond 64 bits as a float, where Salesforce's numbers have
    at most 18 digits."""

    def parse_result_to_json(self, result: requests.Response) -> Any:
        try:
            return orjson.loads(result.content)
        except orjson.JSONDecodeError:
            return super().parse_result_to_json(result)


class SalesforceClient:
    """A connection's REST API, as the sync engine uses it. Parallel sync windows call it from several threads: logins
    and the retry count are locked, and the call count lives in the transport's own lock."""

    def __init__(
        self,
        connection: SalesforceConnection,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        if getattr(connection.credentials, "unreadable", False):
            # Before any transport is set up: nothing can log in, and the message says why (integrations/crypto.py).
            raise AuthenticationError(f"{connection.org}: {UNREADABLE_MESSAGE}", code="UNREADABLE_CREDENTIALS")
        self.connection = connection
        self._sleep = sleep
        self._rng = rng
        self.version = str(settings.SALESFORCE_API_VERSION)
        self.timeout = float(settings.SALESFORCE_TIMEOUT_SECONDS)
        self.max_retries = max(0, int(settings.SALESFORCE_MAX_RETRIES))
        self.backoff_base = float(settings.SALESFORCE_BACKOFF_BASE_SECONDS)
        self.backoff_max = float(settings.SALESFORCE_BACKOFF_MAX_SECONDS)
        self._lock = threading.RLock()
        self._session: ApiSession | None = None
        self._sf: Salesforce | None = None
        self._usage_probed = False
        self.logins = 0
        self.retries = 0  # calls repeated after transient trouble or an expired session
        self._retries_lock = threading.Lock()  # parallel sync windows share one client
        # Calls sent and not yet answered: their usage is in no reply yet, so the reserve counts them itself.
        self._in_flight = 0
        self._reserve_lock = threading.Lock()

    # --- What the caller can see -------------------------------------------------------------------------

    @property
    def api_calls(self) -> int:
        """REST calls this client made (each attempt counts, retries and failures included; logins do not)."""
        return self._session.data_calls if self._session is not None else 0

    @property
    def reply_date(self) -> datetime | None:
        """The org's clock: the HTTP ``Date`` of the latest reply (None before one, or if it sends none)."""
        return self._session.last_date if self._session is not None else None

    @property
    def api_usage(self) -> tuple[int, int] | None:
        """(used, max) of the org's daily API allowance, from the latest ``Sforce-Limit-Info`` seen."""
        return self._session.api_usage if self._session is not None else None

    @property
    def instance_url(self) -> str | None:
        """Where the current login landed (``https://acme.my.salesforce.com``), once logged in."""
        return f"https://{self._sf.sf_instance}" if self._sf is not None else None

    def reserve_calls(self, maximum: int) -> int:
        """How many of the org's ``maximum`` daily calls are kept for its other uses."""
        return math.ceil(maximum * int(self.connection.api_reserve_percent) / 100)

    def check_reserve(self) -> None:
        """Raise ``ApiReserveReached`` if one more call would leave less than the reserve (the calls other
        threads have in flight counted as spent). Reads /limits first when no reply has told the usage yet."""
        if self.api_usage is None and not self._usage_probed:
            self._learn_usage()
            self._usage_probed = True  # an org that reports no usage is asked once, not before every call
        usage = self.api_usage
        if usage is None:
            return  # the org does not report usage: nothing to hold back for
        used, maximum = usage
        reserve = self.reserve_calls(maximum)
        if maximum - used - self._in_flight <= reserve:
            raise ApiReserveReached(used + self._in_flight, maximum, reserve)

    def _send(self, send: Callable[[Salesforce], T], sf: Salesforce, reserve: bool) -> T:
        """One call, checked against the reserve and counted in flight until answered (threads share a client)."""
        if not reserve:
            return send(sf)
        with self._reserve_lock:
            self.check_reserve()
            self._in_flight += 1
        try:
            return send(sf)
        finally:
            with self._reserve_lock:
                self._in_flight -= 1

    # --- The API the sync engine uses ---------------------------------------------------------------------

    def query_pages(
        self, soql: str, *, include_deleted: bool = False, batch_size: int | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        """Each page's records as Salesforce returns them, following ``nextRecordsUrl`` to the end.
        ``include_deleted`` reads through queryAll (the recycle bin and archived rows too)."""
        headers = self._query_headers(batch_size)
        sobject = _sobject_of(soql)
        what = f"query of {sobject or 'Salesforce'}"
        page = self._call(
            what,
            lambda sf: sf.query(soql, include_deleted=include_deleted, headers=headers),
            soql=soql,
            sobject=sobject,
        )
        while True:
            yield list(page.get("records") or [])
            next_url = page.get("nextRecordsUrl")
            if page.get("done", True) or not next_url:
                return
            page = self._call(
                what,
                methodcaller("query_more", next_url, identifier_is_url=True, headers=headers),
                soql=soql,
                sobject=sobject,
            )

    def count(self, soql: str, *, include_deleted: bool = False) -> int:
        """The ``totalSize`` of a ``SELECT COUNT() …`` (or any) query, from its first page."""
        sobject = _sobject_of(soql)
        reply = self._call(
            f"count of {sobject or 'Salesforce'}",
            lambda sf: sf.query(soql, include_deleted=include_deleted),
            soql=soql,
            sobject=sobject,
        )
        return int(reply.get("totalSize") or 0)

    def describe(self, sobject: str) -> dict[str, Any]:
        """The object's describe (fields and their types); raises ``ObjectNotAvailable`` if the org lacks it."""
        name = _checked_sobject(sobject)
        return self._call(f"describe of {name}", lambda sf: getattr(sf, name).describe(), sobject=name)

    def describe_global(self) -> list[str]:
        """The names of the objects the user can query."""
        reply = self._call("list of objects", lambda sf: sf.describe()) or {}
        return [item["name"] for item in reply.get("sobjects") or [] if item.get("queryable")]

    def deleted(self, sobject: str, start: datetime, end: datetime) -> dict[str, Any]:
        """getDeleted: ``{"deletedRecords": [{"id", "deletedDate"}], "earliestDateAvailable", …}``."""
        name = _checked_sobject(sobject)
        _check_window(start, end)
        return self._call(f"deleted {name} records", lambda sf: getattr(sf, name).deleted(start, end), sobject=name)

    def updated(self, sobject: str, start: datetime, end: datetime) -> dict[str, Any]:
        """getUpdated: ``{"ids": [...], "latestDateCovered": ...}``."""
        name = _checked_sobject(sobject)
        _check_window(start, end)
        return self._call(f"updated {name} records", lambda sf: getattr(sf, name).updated(start, end), sobject=name)

    def limits(self) -> dict[str, Any]:
        """The org's limits (``DailyApiRequests``: Max, Remaining …)."""
        reply = self._call("read of API limits", lambda sf: sf.limits(), reserve=self.api_usage is not None)
        self._note_limits(reply)
        return reply

    # --- Calls, retries and logins ------------------------------------------------------------------------

    def call(
        self, what: str, send: Callable[[Salesforce], T], *, soql: str | None = None, sobject: str | None = None
    ) -> T:
        """One library call with this client's re-login, retries and reserve check (``integrations.salesforce.bulk``
        builds Bulk API 2.0 on it)."""
        return self._call(what, send, soql=soql, sobject=sobject)

    def _call(
        self,
        what: str,
        send: Callable[[Salesforce], T],
        *,
        soql: str | None = None,
        sobject: str | None = None,
        reserve: bool = True,
    ) -> T:
        relogged = False
        failures = 0
        while True:
            sf = self._connected()
            try:
                return self._send(send, sf, reserve)
            except _CALL_ERRORS as exc:
                verdict = classify_call(exc, what=what, soql=soql, sobject=sobject)
                if verdict.action is Action.RELOGIN:
                    if not auth.can_log_in(self.connection) or relogged:
                        raise expired_session(verdict.error.message, can_relogin=relogged) from exc
                    relogged = True
                    self._count_retry()
                    logger.info("%s: session expired; logging in again", what)
                    self._drop_session_id(sf)
                    continue
                if verdict.action is Action.RETRY:
                    if verdict.error.code == "REQUEST_LIMIT_EXCEEDED":
                        self._check_exhausted(verdict.error)
                    if reserve:
                        # The failed reply may say the allowance is spent: then waiting would not help.
                        with self._reserve_lock:
                            self.check_reserve()
                    failures += 1
                    self._count_retry()
                    self._pause(verdict.error, failures, exc)
                    continue
                raise verdict.error from exc

    def _count_retry(self) -> None:
        with self._retries_lock:
            self.retries += 1

    def _pause(self, error: SalesforceError, failures: int, exc: BaseException) -> None:
        """Sleep before retry number ``failures``, or raise ``TransientError`` once the retries are spent."""
        if failures > self.max_retries:
            kind = OrgUnreachable if error.code in UNREACHABLE_CODES else TransientError
            raise kind(
                f"{error.message}; it still failed after {failures} attempt{'s' if failures > 1 else ''}, so "
                "coachapp tries again later from where it stopped",
                code=error.code,
                status=error.status,
            ) from exc
        delay = self._rng() * min(self.backoff_max, self.backoff_base * 2 ** (failures - 1))
        logger.warning("%s; retry %d of %d in %.2fs", error.message, failures, self.max_retries, delay)
        self._sleep(delay)

    def _check_exhausted(self, error: SalesforceError) -> None:
        """A 403 REQUEST_LIMIT_EXCEEDED is either a burst (wait) or the day's allowance spent (stop now):
        ``Sforce-Limit-Info`` of that very reply tells which; without it, Salesforce's message does."""
        usage = self.api_usage
        if usage is not None:
            used, maximum = usage
            if used >= maximum:
                raise ApiReserveReached(used, maximum, self.reserve_calls(maximum))
            return
        if "TotalRequests" in error.message:
            raise ApiAllowanceExhausted(error.message)

    def _transport(self) -> ApiSession:
        if self._session is None:
            self._session = session_for(self.connection, self.timeout)
        return self._session

    def _connected(self) -> Salesforce:
        with self._lock:
            if self._sf is None:
                session = self._transport()
                session_id, instance = self._log_in(session)
                self._sf = _Salesforce(
                    session_id=session_id,
                    instance=instance,
                    session=session,
                    version=self.version,
                    object_pairs_hook=None,
                )
            return self._sf

    def _drop_session_id(self, expired: Salesforce) -> None:
        with self._lock:
            if self._sf is expired:  # another thread may have logged in again already
                self._sf = None

    def _log_in(self, session: ApiSession) -> tuple[str, str]:
        who = auth.describe_login(self.connection)
        failures = 0
        while True:
            try:
                session_id, instance = auth.log_in(self.connection, session, self.version)
            except auth.IncompleteCredentials as exc:
                raise AuthenticationError(
                    f"the stored credentials of {self.connection.org} are incomplete ({exc}); re-run "
                    "`add_org NAME …` with the credentials for its login method",
                    code="INCOMPLETE_CREDENTIALS",
                ) from exc
            except Exception as exc:
                verdict = classify_login(exc, status=session.last_status, who=who)
                if verdict.action is not Action.RETRY:
                    raise verdict.error from exc
                failures += 1
                self._count_retry()
                self._pause(verdict.error, failures, exc)
                continue
            self.logins += 1
            return session_id, instance

    def _learn_usage(self) -> None:
        reply = self._call("read of API limits", lambda sf: sf.limits(), reserve=False)
        self._note_limits(reply)

    def _note_limits(self, reply: Any) -> None:
        # The header is the authority; the body speaks for an org (or proxy) that sends no header.
        daily = reply.get("DailyApiRequests") if isinstance(reply, dict) else None
        if self.api_usage is None and isinstance(daily, dict) and "Max" in daily and "Remaining" in daily:
            maximum = int(daily["Max"])
            self._transport().note_usage(maximum - int(daily["Remaining"]), maximum)

    def _query_headers(self, batch_size: int | None) -> dict[str, str]:
        if batch_size is None:
            return {}
        if not MIN_BATCH <= batch_size <= MAX_BATCH:
            raise InvalidInput(f"batch_size must be between {MIN_BATCH} and {MAX_BATCH}, not {batch_size}")
        return {"Sforce-Query-Options": f"batchSize={batch_size}"}


def _sobject_of(soql: str) -> str | None:
    match = _FROM_RE.search(soql)
    return match.group(1) if match else None


def _checked_sobject(sobject: str) -> str:
    if not isinstance(sobject, str) or not _SOBJECT_RE.match(sobject):
        raise InvalidInput(f"{sobject!r} is not an sObject API name")
    return sobject


def _check_window(start: datetime, end: datetime) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidInput("start and end must be timezone-aware datetimes")
    if end <= start:
        raise InvalidInput(f"end ({end.isoformat()}) must be after start ({start.isoformat()})")
