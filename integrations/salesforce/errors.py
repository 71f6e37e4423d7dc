"""What can go wrong talking to Salesforce, sorted by what the caller should do about it.

Every error carries Salesforce's ``code`` (or ours) and a message for a person: what happened, then what to
do. The sync engine decides by class:

- ``AuthenticationError``: stop the run; someone has to fix the org's credentials.
- ``ApiReserveReached``: stop the run; the next one continues from the marks.
- ``TransientError``: retry the object later from its mark.
- ``QueryError`` (and ``ReplicationWindowExceeded``): this object fails alone.
- ``ObjectNotAvailable``: this object is skipped with its message.
"""

from coachapp.errors import CoachappError


class SalesforceError(CoachappError):
    """Any trouble with Salesforce; ``str()`` is the user-facing message."""

    default_code = "SALESFORCE_ERROR"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.status = status

    def __str__(self) -> str:
        return self.message


class AuthenticationError(SalesforceError):
    """The credentials were refused, the session expired for good, or the user may not use the API."""

    default_code = "INVALID_LOGIN"


class ApiReserveReached(SalesforceError):
    """Another call would eat into the share of the daily API allowance kept for the org's other uses."""

    default_code = "API_RESERVE_REACHED"

    def __init__(self, used: int, maximum: int, reserve: int) -> None:
        self.used, self.maximum, self.reserve = used, maximum, reserve
        remaining = max(0, maximum - used)
        super().__init__(
            f"the org has used {used} of its {maximum} daily API calls; {remaining} remain and {reserve} are "
            "kept in reserve for its other integrations, so coachapp stopped. It continues when Salesforce's "
            "24-hour window frees calls (or lower the connection's API reserve in the admin)"
        )


class TransientError(SalesforceError):
    """Salesforce was busy, down or slow and stayed so through every retry; try again later from the mark."""

    default_code = "TRANSIENT"


class QueryError(SalesforceError):
    """Salesforce refused a request as malformed (bad SOQL, unknown field, stale query locator)."""

    default_code = "MALFORMED_QUERY"

    def __init__(
        self, message: str, *, code: str | None = None, status: int | None = None, soql: str | None = None
    ) -> None:
        super().__init__(message, code=code, status=status)
        self.soql = soql


class ReplicationWindowExceeded(QueryError):
    """getUpdated / getDeleted was asked about a time older than Salesforce keeps (INVALID_REPLICATION_DATE)."""

    default_code = "INVALID_REPLICATION_DATE"


class ObjectNotAvailable(SalesforceError):
    """The org has no such object, or the user cannot read it."""

    default_code = "INVALID_TYPE"

    def __init__(self, message: str, *, sobject: str, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message, code=code, status=status)
        self.sobject = sobject
