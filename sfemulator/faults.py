"""Fault injection and request accounting, in-process (``emulator.faults.fail(503)``) or over HTTP.

A rule counts the requests it matches (all of them, or one kind such as ``"query_more"``, or a group:
``"data"`` for REST data calls, ``"auth"`` for logins) from the moment it is set: ``after=N`` lets N pass,
then it fires on the next ``times`` requests (``times=None``: for good). Control requests
(``/_emulator/...``) are never counted or faulted.
"""

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from sfemulator.errors import ApiError
from sfemulator.usage import ApiUsage

AUTH_KINDS = frozenset({"login", "token"})
DATA_KINDS = frozenset(
    {
        "query",
        "queryAll",
        "query_more",
        "describe_global",
        "describe",
        "sobject",
        "record",
        "updated",
        "deleted",
        "limits",
        "resources",
        "data_not_found",
        "bulk_jobs",
        "bulk_job",
        "bulk_results",
    }
)
JOB_FAILURE = "InternalServerError : the query job failed while processing; retry it"
_TRANSIENT = {
    500: ("UNKNOWN_EXCEPTION", "An unexpected error occurred. Please include this ErrorId if you contact support: "),
    502: ("SERVER_UNAVAILABLE", "Server temporarily unavailable, please try again later."),
    503: ("SERVER_UNAVAILABLE", "Server temporarily unavailable, please try again later."),
    504: ("SERVER_UNAVAILABLE", "Server temporarily unavailable, please try again later."),
}


@dataclass
class Rule:
    action: str  # expire_sessions, fail, limit_exceeded, slow, fail_job, queue_job, query_timeout
    after: int = 0
    times: int | None = 1
    kind: str | None = None
    status: int = 0
    seconds: float = 0.0
    message: str = ""
    rows: int = 0  # query_timeout: only queries selecting more rows than this time out
    sobject: str | None = None  # fail_job, queue_job: only jobs querying this object
    seen: int = 0

    def matches(self, kind: str, sobject: str | None = None) -> bool:
        if self.sobject is not None and (sobject or "").lower() != self.sobject.lower():
            return False
        if self.kind is None:
            return True
        if self.kind == "data":
            return kind in DATA_KINDS
        if self.kind == "auth":
            return kind in AUTH_KINDS
        if self.kind == "queries":
            return kind in ("query", "queryAll")
        return self.kind == kind

    def fires(self) -> bool:
        self.seen += 1
        return self.seen > self.after and (self.times is None or self.seen <= self.after + self.times)

    @property
    def spent(self) -> bool:
        return self.times is not None and self.seen >= self.after + self.times


@dataclass(frozen=True)
class Verdict:
    """What the faults make of one request: sleep first, then answer ``error`` instead (if any)."""

    sleep: float = 0.0
    error: ApiError | None = None
    queue: float = 0.0  # a Bulk query job created by this request waits this long in the queue
    timeout_over: int | None = None  # a REST query selecting more rows than this answers QUERY_TIMEOUT
    job_failure: str | None = None  # ... and then ends Failed with this errorMessage


class Faults:
    def __init__(self, usage: ApiUsage, expire_sessions: Callable[[], int]) -> None:
        self._usage = usage
        self._expire_sessions = expire_sessions
        self._lock = threading.Lock()
        self._rules: list[Rule] = []
        self._counts: Counter[str] = Counter()
        self._jobs_by_object: Counter[str] = Counter()  # Bulk query jobs created, by the object they query
        self._errors = 0

    def _add(self, rule: Rule) -> None:
        if rule.after < 0 or (rule.times is not None and rule.times < 1):
            raise ValueError("after must be >= 0 and times >= 1 (or None for every request)")
        with self._lock:
            self._rules.append(rule)

    def expire_sessions(self, after: int = 0, *, kind: str | None = None) -> None:
        """Expire every session alive when the request after the next ``after`` ones arrives (it gets 401)."""
        self._add(Rule("expire_sessions", after=after, times=1, kind=kind))

    def fail(self, status: int = 503, *, after: int = 0, times: int | None = 1, kind: str | None = None) -> None:
        """Answer 500 UNKNOWN_EXCEPTION, or 502/503/504 SERVER_UNAVAILABLE."""
        if status not in _TRANSIENT:
            raise ValueError(f"status must be one of {sorted(_TRANSIENT)}")
        self._add(Rule("fail", after=after, times=times, kind=kind, status=status))

    def limit_exceeded(self, *, after: int = 0, times: int | None = 1, kind: str | None = None) -> None:
        """Answer 403 REQUEST_LIMIT_EXCEEDED, whatever the allowance says."""
        self._add(Rule("limit_exceeded", after=after, times=times, kind=kind))

    def slow(self, seconds: float, *, after: int = 0, times: int | None = 1, kind: str | None = None) -> None:
        """Sleep ``seconds`` before answering."""
        if seconds < 0:
            raise ValueError("seconds must be >= 0")
        self._add(Rule("slow", after=after, times=times, kind=kind, seconds=float(seconds)))

    def fail_job(
        self, *, after: int = 0, times: int | None = 1, message: str = JOB_FAILURE, sobject: str | None = None
    ) -> None:
        """The next Bulk query job(s) created (of ``sobject`` alone, if given) end ``Failed`` (with ``message``)
        instead of completing."""
        self._add(Rule("fail_job", after=after, times=times, kind="bulk_jobs", message=message, sobject=sobject))

    def queue_job(self, seconds: float, *, after: int = 0, times: int | None = 1, sobject: str | None = None) -> None:
        """The next Bulk query job(s) created (of ``sobject`` alone, if given) wait ``seconds`` in the queue
        (UploadComplete) before running."""
        if seconds < 0:
            raise ValueError("seconds must be >= 0")
        self._add(
            Rule("queue_job", after=after, times=times, kind="bulk_jobs", seconds=float(seconds), sobject=sobject)
        )

    def query_timeout(
        self, *, rows_over: int = 0, after: int = 0, times: int | None = 1, kind: str | None = None
    ) -> None:
        """REST queries (``query``/``queryAll``) that select more than ``rows_over`` rows answer 400 QUERY_TIMEOUT,
        as a real org does for a query too heavy to finish in its two minutes; smaller ones run."""
        self._add(Rule("query_timeout", after=after, times=times, kind=kind or "queries", rows=max(0, int(rows_over))))

    def set_api_usage(self, used: int, maximum: int | None = None) -> None:
        """Set the calls used today (and optionally the daily allowance): used >= maximum runs out."""
        self._usage.set(used, maximum)

    def clear(self) -> None:
        """Drop every pending fault rule (counts and API usage stay)."""
        with self._lock:
            self._rules.clear()

    def reset_counts(self) -> None:
        with self._lock:
            self._counts.clear()
            self._jobs_by_object.clear()

    def jobs_of(self, sobject: str) -> int:
        """Requests to create a Bulk query job of ``sobject`` seen (the ``bulk_jobs`` POSTs naming it)."""
        with self._lock:
            return self._jobs_by_object[sobject.lower()]

    def count(self, kind: str | None = None) -> int:
        """Requests seen: all of them, one kind, or a group ("data", "auth")."""
        with self._lock:
            if kind is None:
                return sum(self._counts.values())
            probe = Rule("count", kind=kind)
            return sum(number for name, number in self._counts.items() if probe.matches(name))

    @property
    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def on_request(self, kind: str, sobject: str | None = None) -> Verdict:
        """What the faults make of one request of ``kind`` (about ``sobject``, where the request names one)."""
        sleep = queue = 0.0
        error: ApiError | None = None
        job_failure: str | None = None
        timeout_over: int | None = None
        expire = False
        with self._lock:
            self._counts[kind] += 1
            if sobject is not None:
                self._jobs_by_object[sobject.lower()] += 1
            for rule in self._rules:
                if not rule.matches(kind, sobject) or not rule.fires():
                    continue
                if rule.action == "expire_sessions":
                    expire = True
                elif rule.action == "slow":
                    sleep += rule.seconds
                elif rule.action == "queue_job":
                    queue += rule.seconds
                elif rule.action == "fail_job":
                    job_failure = job_failure or rule.message
                elif rule.action == "query_timeout":
                    timeout_over = rule.rows if timeout_over is None else min(timeout_over, rule.rows)
                elif error is None and rule.action == "limit_exceeded":
                    error = ApiError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
                elif error is None and rule.action == "fail":
                    code, message = _TRANSIENT[rule.status]
                    if code == "UNKNOWN_EXCEPTION":
                        self._errors += 1
                        message += f"{1000000 + self._errors}-{self._errors * 7919 % 100000} (-{self._errors})"
                    error = ApiError(rule.status, code, message)
            self._rules = [rule for rule in self._rules if not rule.spent]
        if expire:
            self._expire_sessions()
        return Verdict(sleep, error, queue=queue, job_failure=job_failure, timeout_over=timeout_over)

    def apply(self, spec: dict[str, Any]) -> None:
        """The HTTP form: ``{"action": "fail", "status": 503, "after": 2, "times": 1, "kind": "query_more"}``."""
        if not isinstance(spec, dict):
            raise ValueError("each fault must be a JSON object with an action")
        action = spec.get("action")
        times = spec.get("times", 1)
        common: dict[str, Any] = {
            "after": int(spec.get("after", 0)),
            "times": None if times is None else int(times),
            "kind": spec.get("kind"),
        }
        if action == "expire_sessions":
            self.expire_sessions(common["after"], kind=common["kind"])
        elif action == "fail":
            self.fail(int(spec.get("status", 503)), **common)
        elif action == "limit_exceeded":
            self.limit_exceeded(**common)
        elif action == "slow":
            self.slow(float(spec.get("seconds", 1.0)), **common)
        elif action == "fail_job":
            message = str(spec.get("message") or JOB_FAILURE)
            self.fail_job(after=common["after"], times=common["times"], message=message, sobject=spec.get("sobject"))
        elif action == "queue_job":
            seconds = float(spec.get("seconds", 1.0))
            self.queue_job(seconds, after=common["after"], times=common["times"], sobject=spec.get("sobject"))
        elif action == "query_timeout":
            self.query_timeout(rows_over=int(spec.get("rows_over", 0)), **common)
        elif action == "api_usage":
            maximum = spec.get("max")
            self.set_api_usage(int(spec.get("used", 0)), int(maximum) if maximum is not None else None)
        elif action == "clear":
            self.clear()
        elif action == "reset_counts":
            self.reset_counts()
        else:
            raise ValueError(
                "action must be one of expire_sessions, fail, limit_exceeded, slow, fail_job, queue_job, "
                "query_timeout, api_usage, clear, reset_counts"
            )

    def state(self) -> dict[str, Any]:
        used, maximum = self._usage.snapshot()
        with self._lock:
            return {
                "requests": sum(self._counts.values()),
                "counts": dict(self._counts),
                "faults": [asdict(rule) for rule in self._rules],
                "api_usage": {"used": used, "max": maximum},
            }
