"""Bulk API 2.0 queries through simple-salesforce's ``bulk2`` client, streamed set by set.

A query job is created (``queryAll``: the recycle bin and archived rows too), polled with a growing pause
(1 s growing to 5 s) until it completes, and its CSV results are read one set of
``SALESFORCE_BULK_MAX_RECORDS`` rows at a
time by following ``Sforce-Locator``: at most one set is held in memory, handed on in pages. Each value
is given back the JSON type the REST API would have used (from the object's describe), so both
strategies feed the same mapping and land the same rows.

Every request goes through ``SalesforceClient.call``: a timeout, one re-login on an expired session (the
job belongs to the org, not the session, so the download resumes at the same locator), back-off on
transient trouble, and the reserve check before each call. A job that ends ``Failed`` or ``Aborted`` is
created again, up to ``SALESFORCE_BULK_JOB_ATTEMPTS`` jobs, then the object is retried later from its mark.
"""

import csv
import io
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from simple_salesforce.util import call_salesforce

from integrations.salesforce.client import SalesforceClient
from integrations.salesforce.errors import TransientError

logger = logging.getLogger(__name__)

Record = dict[str, Any]
MAX_POLL_SECONDS = 5.0
POLL_GROWTH = 1.5  # 1, 1.5, 2.25, 3.4, 5, 5 … seconds: a short job is seen soon, a long one not polled often
PAGE_RECORDS = 10_000  # rows handed on at a time (one upsert transaction)
_NUMBERS = {"double": float, "currency": float, "percent": float, "int": int}


def _typed(field_type: str | None) -> Callable[[str], Any]:
    """Read one CSV cell as the REST API's JSON would carry it; an empty cell is null, as Bulk writes nulls."""
    number = _NUMBERS.get(field_type or "")
    if field_type == "boolean":
        return lambda value: None if value == "" else value == "true"
    if number is not None:
        return lambda value: None if value == "" else number(value) if number is float else int(float(value))
    if field_type == "datetime":
        return lambda value: None if value == "" else value[:-1] + "+0000" if value.endswith("Z") else value
    return lambda value: None if value == "" else value


def records_from_csv(
    text: str, field_types: dict[str, str], page_records: int = PAGE_RECORDS
) -> Iterator[list[Record]]:
    """The rows of one results set as REST-shaped dicts, ``page_records`` at a time."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        return
    readers = [_typed(field_types.get(name)) for name in header]
    columns = list(zip(header, readers, strict=True))
    page: list[Record] = []
    for row in reader:
        if len(row) != len(columns):
            raise TransientError(f"a Bulk API results row has {len(row)} cells where the header names {len(columns)}")
        page.append({name: read(value) for (name, read), value in zip(columns, row, strict=True)})
        if len(page) >= page_records:
            yield page
            page = []
    if page:
        yield page


class JobEnded(Exception):
    """The query job ended Failed or Aborted: a new job may succeed."""


class BulkQuery:
    """One Bulk API 2.0 query of one object, run to completion and read set by set."""

    def __init__(self, client: SalesforceClient, sobject: str, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.client = client
        self.sobject = sobject
        self._sleep = sleep
        self.jobs = 0  # jobs created (each also counts its polls and downloads as API calls)

    def _bulk(self, sf: Any) -> Any:
        return getattr(sf.bulk2, self.sobject)._client

    def pages(self, soql: str, field_types: dict[str, str], *, include_deleted: bool = True) -> Iterator[list[Record]]:
        attempts = max(1, int(settings.SALESFORCE_BULK_JOB_ATTEMPTS))
        for attempt in range(1, attempts + 1):
            job_id = self._create(soql, include_deleted)
            try:
                self._wait(job_id)
            except JobEnded as exc:
                if attempt == attempts:
                    raise TransientError(
                        f"Bulk API query of {self.sobject} ended {exc} in {attempts} jobs; retried later from the mark"
                    ) from exc
                logger.warning("Bulk query job %s of %s ended %s; creating a new one", job_id, self.sobject, exc)
                continue
            yield from self._download(job_id, field_types)
            self._delete(job_id)
            return

    def _create(self, soql: str, include_deleted: bool) -> str:
        operation = "queryAll" if include_deleted else "query"
        info = self.client.call(
            f"Bulk API query of {self.sobject}",
            lambda sf: self._bulk(sf).create_job(operation, soql),
            soql=soql,
            sobject=self.sobject,
        )
        self.jobs += 1
        return str(info["id"])

    def _wait(self, job_id: str) -> None:
        pause = float(settings.SALESFORCE_BULK_POLL_SECONDS)
        deadline = time.monotonic() + float(settings.SALESFORCE_BULK_TIMEOUT_SECONDS)
        while True:
            info = self.client.call(
                f"Bulk API job {job_id} of {self.sobject}", lambda sf: self._bulk(sf).get_job(job_id, True)
            )
            state = info.get("state")
            if state == "JobComplete":
                return
            if state in ("Failed", "Aborted"):
                raise JobEnded(f"{state}: {info.get('errorMessage') or 'no reason given'}")
            if time.monotonic() >= deadline:
                self._abort(job_id)
                raise TransientError(
                    f"Bulk API job {job_id} of {self.sobject} did not complete within "
                    f"{settings.SALESFORCE_BULK_TIMEOUT_SECONDS:.0f}s (state {state}); it was aborted"
                )
            self._sleep(pause)
            pause = min(MAX_POLL_SECONDS, pause * POLL_GROWTH)

    def _download(self, job_id: str, field_types: dict[str, str]) -> Iterator[list[Record]]:
        locator = ""
        size = int(settings.SALESFORCE_BULK_MAX_RECORDS)
        while True:

            def fetch(sf: Any, at: str = locator) -> Any:
                return self._bulk(sf).get_query_results(job_id, locator=at, max_records=size)

            result = self.client.call(f"Bulk API results of {self.sobject}", fetch)
            expected = int(result["number_of_records"])
            seen = 0
            for page in records_from_csv(result["records"], field_types):
                seen += len(page)
                yield page
            if seen != expected:
                raise TransientError(
                    f"Bulk API results of {self.sobject} held {seen} rows where Sforce-NumberOfRecords said {expected}"
                )
            locator = result["locator"]
            if not locator:
                return

    def _abort(self, job_id: str) -> None:
        try:
            self.client.call(f"abort of Bulk API job {job_id}", lambda sf: self._bulk(sf).abort_job(job_id, True))
        except Exception:  # the job may have just finished; the caller's error says what matters
            logger.warning("could not abort Bulk API job %s", job_id, exc_info=True)

    def _delete(self, job_id: str) -> None:
        # Results stay in the org for 7 days otherwise, counting against its Bulk storage. The library's own
        # delete_job decodes the reply as JSON, but Salesforce answers 204 with no body: send it plainly.
        def send(sf: Any) -> Any:
            bulk = self._bulk(sf)
            url = bulk._construct_request_url(job_id, True)
            return call_salesforce(url=url, method="DELETE", session=bulk.session, headers=bulk._get_headers())

        try:
            self.client.call(f"delete of Bulk API job {job_id}", send)
        except Exception:
            logger.warning("could not delete Bulk API job %s", job_id, exc_info=True)
