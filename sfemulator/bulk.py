"""Bulk API 2.0 query jobs under ``/services/data/vXX.X/jobs/query``, as Salesforce serves them.

A job is created with its SOQL (checked at once, as Salesforce does: a bad query is refused with the
REST query's error codes), then moves by the clock from ``UploadComplete`` (queued) through ``InProgress``
to ``JobComplete``; ``Failed`` when a fault says so, ``Aborted`` when the client says so. As on Salesforce,
creating a job does not wait for its query: the query runs in the background, one job after another, and
its rows are fixed then (a snapshot, like the real job's). A status request for a job whose queue time has
passed waits for its query if it is still running, so the states a client sees follow the latency model
alone. Results are served as CSV in sets: ``maxRecords`` per set, ``Sforce-Locator`` naming the next set (the
string ``null`` after the last), ``Sforce-NumberOfRecords`` the rows in this one. A locator stays readable
while the job exists.
"""

import base64
import csv
import io
import itertools
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sfemulator.errors import ApiError
from sfemulator.parts import EmulatedOrg
from sfemulator.replies import Reply, json_reply
from sfemulator.sfids import make_id
from sfemulator.soql_fields import ResolvedField
from sfemulator.soql_run import PreparedQuery, QueryResult, prepare
from sfemulator.temporal import format_datetime

CSV_TYPE = "text/csv"
DELIMITERS = {"COMMA": ",", "TAB": "\t", "PIPE": "|", "SEMICOLON": ";", "CARET": "^", "BACKQUOTE": "`"}
LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n"}
DEFAULT_MAX_RECORDS = 100_000  # what one results set holds when the client names no maxRecords
DAILY_QUERY_JOBS = 10_000  # DailyBulkV2QueryJobs
TERMINAL = frozenset({"JobComplete", "Failed", "Aborted"})


@dataclass
class Job:
    id: str
    operation: str
    query: str
    version: str
    sobject: str
    fields: tuple[ResolvedField, ...]
    running: "Future[QueryResult]"  # the query, run in the background
    created: datetime
    started: float  # time.monotonic() at creation
    queue_seconds: float
    record_seconds: float  # processing time per selected row (the latency model's bulk_record)
    delimiter: str
    line_ending: str
    failure: str | None = None  # the errorMessage of a job that ends Failed
    aborted: bool = False
    deleted: bool = False
    modified: datetime | None = None
    columns: tuple[str, ...] = field(default=())

    @property
    def result(self) -> QueryResult:
        """The query's rows, once it has run (waits for it)."""
        return self.running.result()

    @property
    def run_seconds(self) -> float:
        """Processing time by the latency model (0 for a query that failed); waits for the query."""
        return 0.0 if self.running.exception() is not None else self.record_seconds * len(self.result.rows)

    def state(self, now: float) -> str:
        if self.aborted:
            return "Aborted"
        elapsed = now - self.started
        if elapsed < self.queue_seconds:
            return "UploadComplete"
        error = self.running.exception()  # waits for the query
        if error is not None and not self.failure:
            self.failure = f"InternalServerError : {error}"
        if error is None and elapsed < self.queue_seconds + self.run_seconds:
            return "InProgress"
        return "Failed" if self.failure else "JobComplete"


def _encode_locator(offset: int) -> str:
    return base64.b64encode(str(offset).encode()).decode().rstrip("=")


def _decode_locator(locator: str) -> int | None:
    try:
        text = base64.b64decode(locator + "=" * (-len(locator) % 4), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


def _cell(value: Any, field_type: str) -> str:
    if value is None:
        return ""
    if field_type == "boolean" or isinstance(value, bool):
        return "true" if value else "false"
    if field_type == "datetime" and isinstance(value, str) and value.endswith("+0000"):
        return value[:-5] + "Z"  # Bulk CSV writes UTC datetimes with a Z
    if isinstance(value, dict | list):
        return ""  # compound values are not exported by Bulk API 2.0
    return str(value)


def _row_maker(fields: tuple[ResolvedField, ...]) -> Callable[[dict[str, Any]], list[Any]]:
    """A function giving a record's CSV cells. Writing results is most of a big job's cost here, so a plain
    field (no relationship, no special type) is read by one C-level ``map`` over the record, which the CSV
    writer turns into text as ``_cell`` would (None as empty, numbers and strings as ``str``); every other
    column goes through ``_cell``. A plain column's value is not checked for a stray ``bool``, dict or list:
    a field holds the JSON type of its describe type."""
    names: list[str | None] = []
    special: list[tuple[int, Callable[[dict[str, Any]], Any], str]] = []
    for index, resolved in enumerate(fields):
        kind = resolved.field.type
        if resolved.hops or resolved.target_type or kind in ("boolean", "datetime", "address", "location"):
            names.append(None)
            special.append((index, resolved.getter, kind))
        else:
            names.append(resolved.field.name)
    plain = [name or "" for name in names]  # "" is no field: its cell is filled in below

    def cells(record: dict[str, Any]) -> list[Any]:
        row = list(map(record.get, plain))
        for index, get, kind in special:
            row[index] = _cell(get(record), kind)
        return row

    return cells


class BulkJobs:
    """The query jobs of one org (thread-safe)."""

    def __init__(self, emulator: EmulatedOrg) -> None:
        self.emulator = emulator
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._numbers = itertools.count(1)
        self._created_today = 0
        # One query at a time, in the order the jobs were created: it keeps a queue's order and the CPU the
        # emulator spends on queries bounded; a thread, not a process, since it reads the loaded org.
        self._runner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk-query-job")

    @property
    def daily_remaining(self) -> int:
        return max(0, self.daily_limit() - self._created_today)

    def daily_limit(self) -> int:
        return int(self.emulator.store.config().bulk_query_jobs_daily_limit or DAILY_QUERY_JOBS)

    def handle(
        self, kind: str, method: str, version: str, segments: list[str], params: dict[str, list[str]], body: bytes,
        *, queue_seconds: float = 0.0, failure: str | None = None,
    ) -> Reply:  # fmt: skip
        if kind == "bulk_jobs":
            if method == "POST":
                return self._create(version, body, queue_seconds, failure)
            if method == "GET":
                return self._list()
            raise _method_not_allowed(method, "GET,POST")
        job = self._find(segments[2])
        if kind == "bulk_results":
            if method != "GET":
                raise _method_not_allowed(method, "GET")
            return self._results(job, version, params)
        if method == "GET":
            return json_reply(200, self._info(job))
        if method == "PATCH":
            return self._abort(job, body)
        if method == "DELETE":
            return self._delete(job)
        raise _method_not_allowed(method, "GET,PATCH,DELETE")

    # --- Resources ---------------------------------------------------------------------------------------

    def _create(self, version: str, body: bytes, queue_seconds: float, failure: str | None) -> Reply:
        spec = _json_object(body)
        operation = spec.get("operation")
        if operation not in ("query", "queryAll"):
            raise ApiError(400, "INVALIDJOB", f"InvalidJob : Invalid operation: {operation!r}; use query or queryAll")
        text = spec.get("query")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "INVALIDJOB", "InvalidJob : query is required for a query job")
        content_type = spec.get("contentType", "CSV")
        delimiter = spec.get("columnDelimiter", "COMMA")
        line_ending = spec.get("lineEnding", "LF")
        if content_type != "CSV":
            raise ApiError(400, "INVALIDJOB", f"InvalidJob : Invalid content type: {content_type}")
        if delimiter not in DELIMITERS:
            raise ApiError(400, "INVALIDJOB", f"InvalidJob : Invalid column delimiter: {delimiter}")
        if line_ending not in LINE_ENDINGS:
            raise ApiError(400, "INVALIDJOB", f"InvalidJob : Invalid line ending: {line_ending}")
        now = self.emulator.now()
        prepared = prepare(self.emulator.store, text, include_deleted=operation == "queryAll", now=now, version=version)
        if any(resolved.field.type in ("address", "location") for resolved in prepared.fields):
            raise ApiError(400, "API_ERROR", "Selecting compound data not supported in Bulk Query")
        if prepared.count or prepared.offset:
            raise ApiError(
                400, "API_ERROR", "Bulk API 2.0 query jobs support neither aggregate functions (COUNT()) nor OFFSET"
            )
        latency = self.emulator.latency
        with self._lock:
            if self._created_today >= self.daily_limit():
                raise ApiError(
                    400, "LIMIT_EXCEEDED", f"Max bulk v2 query jobs per 24 hrs has been reached ({self.daily_limit()})"
                )
            self._created_today += 1
            job = Job(
                id=make_id("750", next(self._numbers) + 0x1000),
                operation=operation,
                query=text,
                version=version,
                sobject=prepared.sobject,
                fields=prepared.fields,
                running=self._runner.submit(self._run, prepared),
                created=now,
                started=time.monotonic(),
                queue_seconds=queue_seconds + latency.bulk_queue,
                record_seconds=latency.bulk_record,
                delimiter=delimiter,
                line_ending=line_ending,
                failure=failure,
                columns=tuple(".".join(resolved.key) for resolved in prepared.fields),
            )
            self._jobs[job.id] = job
        return json_reply(200, self._info(job, brief=True))

    def _run(self, prepared: PreparedQuery) -> QueryResult:
        return prepared.run(self.emulator.store)

    def _list(self) -> Reply:
        with self._lock:
            jobs = [job for job in self._jobs.values() if not job.deleted]
        return json_reply(200, {"done": True, "records": [self._info(job, brief=True) for job in jobs],
                                "nextRecordsUrl": None})  # fmt: skip

    def _info(self, job: Job, *, brief: bool = False) -> dict[str, Any]:
        # A brief answer (creation, the list) must not wait for a query still running.
        state = ("Aborted" if job.aborted else "UploadComplete") if brief else job.state(time.monotonic())
        info: dict[str, Any] = {
            "id": job.id,
            "operation": job.operation,
            "object": job.sobject,
            "createdById": self._creator(),
            "createdDate": format_datetime(job.created),
            "systemModstamp": format_datetime(job.modified or job.created),
            "state": state,
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(job.version),
            "lineEnding": job.line_ending,
            "columnDelimiter": job.delimiter,
        }
        if brief:
            return info
        done = state in ("JobComplete", "Failed")
        info.update(
            jobType="V2Query",
            numberRecordsProcessed=len(job.result.rows) if state == "JobComplete" else 0,
            retries=0,
            totalProcessingTime=int(job.run_seconds * 1000) if done else 0,
            isPkChunkingSupported=True,
        )
        if state == "Failed":
            info["errorMessage"] = job.failure
        return info

    def _creator(self) -> str:
        users = self.emulator.store.config().users
        return str(users[0].get("id") or make_id("005", 1)) if users else make_id("005", 1)

    def _abort(self, job: Job, body: bytes) -> Reply:
        spec = _json_object(body)
        if spec.get("state") != "Aborted":
            raise ApiError(400, "INVALIDJOBSTATE", "InvalidJobState : a query job can only be set to Aborted")
        state = job.state(time.monotonic())
        if state in TERMINAL:
            raise ApiError(400, "INVALIDJOBSTATE", f"InvalidJobState : Job is already in state {state}")
        job.aborted = True
        job.modified = self.emulator.now()
        return json_reply(200, self._info(job))

    def _delete(self, job: Job) -> Reply:
        state = job.state(time.monotonic())
        if state == "InProgress":
            raise ApiError(400, "INVALIDJOBSTATE", "InvalidJobState : abort the job before deleting it")
        with self._lock:
            job.deleted = True
            self._jobs.pop(job.id, None)
        return Reply(204, b"", {})

    def _results(self, job: Job, version: str, params: dict[str, list[str]]) -> Reply:
        if version != job.version:
            raise ApiError(409, "INVALIDVERSION", f"Use the API version that created the job (v{job.version})")
        state = job.state(time.monotonic())
        if state != "JobComplete":
            raise ApiError(412, "JOB_NOT_COMPLETE", f"Job is not complete: its state is {state}")
        offset = 0
        locator = (params.get("locator") or [""])[0]
        if locator and locator != "null":
            decoded = _decode_locator(locator)
            if decoded is None or decoded > len(job.result.rows):
                raise ApiError(400, "INVALIDLOCATOR", f"Invalid locator: {locator}")
            offset = decoded
        wanted = (params.get("maxRecords") or [""])[0]
        if wanted and (not wanted.isdigit() or int(wanted) < 1):
            raise ApiError(400, "INVALIDREQUEST", f"maxRecords must be a positive whole number, not {wanted!r}")
        size = int(wanted) if wanted else DEFAULT_MAX_RECORDS
        rows = job.result.rows[offset : offset + size]
        end = offset + len(rows)
        body = self._csv(job, rows)
        headers = {
            "Content-Type": CSV_TYPE,
            "Sforce-Locator": _encode_locator(end) if end < len(job.result.rows) else "null",
            "Sforce-NumberOfRecords": str(len(rows)),
        }
        return Reply(200, body, headers, records=len(rows))

    def _csv(self, job: Job, rows: list[dict[str, Any]]) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=DELIMITERS[job.delimiter], lineterminator=LINE_ENDINGS[job.line_ending],
                            quoting=csv.QUOTE_MINIMAL)  # fmt: skip
        writer.writerow(job.columns)
        writer.writerows(map(_row_maker(job.fields), rows))
        return out.getvalue().encode()

    def _find(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        return job


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        spec = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "JSON_PARSER_ERROR", "The request body is not valid JSON") from None
    if not isinstance(spec, dict):
        raise ApiError(400, "JSON_PARSER_ERROR", "The request body must be a JSON object")
    return spec


def _method_not_allowed(method: str, allowed: str) -> ApiError:
    return ApiError(405, "METHOD_NOT_ALLOWED", f"HTTP Method '{method}' not allowed. Allowed are {allowed}")
