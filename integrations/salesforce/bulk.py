"""Bulk API 2.0 queries through simple-salesforce's ``bulk2`` client, streamed set by set.

A query job is created (``queryAll``: the recycle bin and archived rows too), polled with a growing pause
(1 s growing to 5 s) until it completes, and its CSV results are read one set of
``SALESFORCE_BULK_MAX_RECORDS`` rows at a time by following ``Sforce-Locator``; the first set of a job is
one page (``FIRST_SET_RECORDS``), so that its rows are being saved while the larger sets download. Each set
is streamed to a temporary file (``bulk2``'s ``download_job_data``, in the system's temporary directory: ``TMPDIR``) and
read back a page at a time: memory holds a page of rows, never a set's text. Each value
is given back the JSON type the REST API would have used (from the object's describe), so both
strategies feed the same mapping and land the same rows; a cell that does not read as its type stays text, and
the mapping flags that field (or refuses that record) as it would any bad value, the rest of the set saved.

Every request goes through ``SalesforceClient.call``: a timeout, one re-login on an expired session (the
job belongs to the org, not the session, so the download resumes at the same locator), back-off on
transient trouble, and the reserve check before each call. A job that ends ``Failed`` or ``Aborted`` is
created again, up to ``SALESFORCE_BULK_JOB_ATTEMPTS`` jobs, then the object is retried later from its mark.
Each page says where a download resumes once it is saved (``ResultPage.resume``: the job and a locator), so
a parallel window can keep that with its rows and a killed sync go on from there (``pages(resume=…)``).
"""

import csv
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from simple_salesforce.util import call_salesforce

from integrations.salesforce.client import SalesforceClient
from integrations.salesforce.errors import SalesforceError, TransientError

logger = logging.getLogger(__name__)

Record = dict[str, Any]
MAX_POLL_SECONDS = 5.0
POLL_GROWTH = 1.5  # 1, 1.5, 2.25, 3.4, 5, 5 … seconds: a short job is seen soon, a long one not polled often
PAGE_RECORDS = 5_000  # rows handed on at a time (one upsert transaction; a window holds about two pages)
# A set is downloaded whole before its first row is read, and at the realistic latency profile a set of 50,000
# rows takes 1-2 s: a job's first set of one page lets the sync start saving after a fraction of that, while
# each window's later (full-size) sets download behind the other windows' pages. One more call per job.
FIRST_SET_RECORDS = PAGE_RECORDS
_DOWNLOAD_CHUNK = 1 << 20  # bytes written to the set's file at a time
_NUMBERS = {"double": float, "currency": float, "percent": float, "int": int}
_BOOLEANS = {"true": True, "false": False}


def _typed(field_type: str | None) -> Callable[[str], Any] | None:
    """How a non-empty CSV cell of a field of this type becomes the value the REST API's JSON would carry; None
    for a field whose text is that value already."""
    number = _NUMBERS.get(field_type or "")
    if field_type == "boolean":
        # Anything but true or false is kept as text, for the mapper to flag: not read as false unseen.
        return lambda value: _BOOLEANS.get(value, value)
    if number is float:
        return float
    if number is int:
        return lambda value: int(float(value))
    if field_type == "datetime":
        return lambda value: value[:-1] + "+0000" if value.endswith("Z") else value
    return None


def rows_from_csv(
    lines: Iterable[str], field_types: dict[str, str], page_records: int = PAGE_RECORDS
) -> Iterator[tuple[list[str], list[list[Any]], bool]]:
    """The rows of one results set (its lines with their line ends: a file opened with ``newline=""``) as lists of
    cells in the header's order, ``page_records`` at a time: (header, rows, whether it is the set's last page,
    known from one row read ahead). An empty cell is null, as Bulk writes nulls; only the cells of typed fields
    (``field_types``: numbers, booleans, datetimes) are converted, one call each: a call per cell was a tenth of a
    Bulk sync's CPU."""
    reader = csv.reader(lines)
    header = next(reader, None)
    if not header:
        return
    typed = [(position, read) for position, name in enumerate(header) if (read := _typed(field_types.get(name)))]
    width = len(header)
    page: list[list[Any]] = []
    for row in reader:
        if len(row) != width:
            raise TransientError(f"a Bulk API results row has {len(row)} cells where the header names {width}")
        if len(page) >= page_records:
            yield header, page, False
            page = []
        cells: list[Any] = [value or None for value in row]
        for position, read in typed:
            value = cells[position]
            if value is not None:
                try:  # noqa: SIM105 - a suppress() per cell costs more than the read
                    cells[position] = read(value)
                except (ValueError, OverflowError):  # OverflowError: an int field's 1e400
                    pass  # kept as text: the mapper flags or refuses that one record, as it would over REST
        page.append(cells)
    if page:
        yield header, page, True


def records_from_csv(
    lines: Iterable[str], field_types: dict[str, str], page_records: int = PAGE_RECORDS
) -> Iterator[tuple[list[Record], bool]]:
    """``rows_from_csv``'s pages as REST-shaped dicts, each with whether it is the set's last."""
    for header, rows, last in rows_from_csv(lines, field_types, page_records):
        yield [dict(zip(header, cells, strict=True)) for cells in rows], last


LAST = "null"  # the Sforce-Locator after the last results set


@dataclass(frozen=True)
class Resume:
    """Where a download goes on: a job and the locator of the first results set not yet saved whole."""

    job_id: str
    locator: str


class ResultPage(list[Record]):
    """A page of rows, with where a download resumes once it (and every page before it) is saved: the set it
    belongs to again, or the next set after a set's last page (a set is re-read whole, never half)."""

    def __init__(self, rows: list[Record], resume: Resume) -> None:
        super().__init__(rows)
        self.resume = resume


class CellPage(list[list[Any]]):
    """A page of rows as cells in ``header``'s order (``rows_from_csv``), with where its download resumes
    (``ResultPage``'s): a mapper reads them by position, with no dict a row."""

    def __init__(self, header: list[str], rows: list[list[Any]], resume: Resume) -> None:
        super().__init__(rows)
        self.header = header
        self.resume = resume


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

    def pages(
        self,
        soql: str,
        field_types: dict[str, str],
        *,
        include_deleted: bool = True,
        resume: Resume | None = None,
        keep_job: bool = False,
    ) -> Iterator[ResultPage]:
        """The query's rows a page at a time as REST-shaped dicts (``_pages``)."""
        return self._pages(soql, field_types, include_deleted, resume, keep_job, cells=False)

    def cell_pages(
        self,
        soql: str,
        field_types: dict[str, str],
        *,
        include_deleted: bool = True,
        resume: Resume | None = None,
        keep_job: bool = False,
    ) -> Iterator[CellPage]:
        """The query's rows a page at a time as cells in the header's order (``_pages``)."""
        return self._pages(soql, field_types, include_deleted, resume, keep_job, cells=True)

    def _pages(
        self,
        soql: str,
        field_types: dict[str, str],
        include_deleted: bool,
        resume: Resume | None,
        keep_job: bool,
        *,
        cells: bool,
    ) -> Iterator[Any]:
        """The query's rows a page at a time, each page saying where a download resumes once it and those
        before it are saved (``ResultPage.resume``). With ``resume`` (a job and locator a killed download
        saved, or a job queued ahead) the download goes on there; a job Salesforce no longer has (404), or one
        that failed, is replaced by a new one (a failed one counts as one of the attempts). The job is deleted
        after its last set is read, unless ``keep_job``: a caller that saves pages after reading them (a
        resumable window) deletes it once they are saved (``delete``), since a download killed between its last
        read and its last save resumes from the job."""
        attempts, spent = max(1, int(settings.SALESFORCE_BULK_JOB_ATTEMPTS)), 0
        if resume is not None and resume.job_id:
            resumed, ended = self._resumed(resume)
            if resumed is not None:
                yield from self._finish(
                    resume.job_id, self._download(resume.job_id, field_types, resumed, cells), keep_job
                )
                return
            spent = min(attempts - 1, int(ended))
        for attempt in range(1 + spent, attempts + 1):
            job_id = self.create(soql, include_deleted)
            try:
                self._wait(job_id)
            except JobEnded as exc:
                if attempt == attempts:
                    raise TransientError(
                        f"Bulk API query of {self.sobject} ended {exc} in {attempts} jobs; retried later from the mark"
                    ) from exc
                logger.warning("Bulk query job %s of %s ended %s; creating a new one", job_id, self.sobject, exc)
                continue
            yield from self._finish(job_id, self._download(job_id, field_types, "", cells), keep_job)
            return

    def _finish(self, job_id: str, pages: Iterator[Any], keep_job: bool) -> Iterator[Any]:
        handed = False
        for page in pages:
            handed = True
            yield page
        if not keep_job or not handed:  # a kept job is deleted by whoever saves its pages; one with none, here
            self.delete(job_id)

    def _resumed(self, resume: Resume) -> tuple[str | None, bool]:
        """(the locator to go on from in ``resume``'s job once it is complete, or None if a new job is needed;
        whether the job ended Failed or Aborted)."""
        try:
            self._wait(resume.job_id)
        except JobEnded as exc:
            logger.warning("Bulk query job %s of %s to resume ended %s", resume.job_id, self.sobject, exc)
            return None, True
        except SalesforceError as exc:
            if exc.status != 404:
                raise
            logger.info("Bulk query job %s of %s is gone (%s); a new job reads the window", resume.job_id,
                        self.sobject, exc)  # fmt: skip
            return None, False
        logger.info("resuming Bulk query job %s of %s at locator %r", resume.job_id, self.sobject, resume.locator)
        return resume.locator, False

    def create(self, soql: str, include_deleted: bool = True) -> str:
        """Queue a query job; its id (``pages(resume=Resume(id, ""))`` reads it once it completes)."""
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

    def _download(self, job_id: str, field_types: dict[str, str], locator: str, cells: bool) -> Iterator[Any]:
        """The results from ``locator`` ("" for the first set; "null" after the last) to the end."""
        size = int(settings.SALESFORCE_BULK_MAX_RECORDS)
        with tempfile.TemporaryDirectory(prefix="coachapp-bulk-") as folder:
            while locator != LAST:

                def fetch(sf: Any, at: str = locator) -> Any:
                    wanted = min(size, FIRST_SET_RECORDS) if at == "" else size
                    return self._bulk(sf).download_job_data(
                        folder, job_id, locator=at, max_records=wanted, chunk_size=_DOWNLOAD_CHUNK
                    )

                result = self.client.call(f"Bulk API results of {self.sobject}", fetch)
                following = result["locator"] or LAST
                try:
                    again, after = Resume(job_id, locator), Resume(job_id, following)
                    yield from self._read_set(result, again, after, field_types, cells)
                finally:
                    os.unlink(result["file"])
                locator = following

    def _read_set(
        self, result: dict[str, Any], again: Resume, after: Resume, field_types: dict[str, str], cells: bool
    ) -> Iterator[ResultPage | CellPage]:
        """One downloaded set's pages (``CellPage``s if ``cells``): each but the last resumes at the set itself
        (``again``), the last at the next set (``after``), since a set is re-read whole, never half."""
        expected = int(result["number_of_records"])
        seen = 0
        with open(result["file"], encoding="utf-8", newline="") as lines:
            for header, rows, last in rows_from_csv(lines, field_types):
                seen += len(rows)
                if last and seen != expected:
                    break
                resume = after if last else again
                if cells:
                    yield CellPage(header, rows, resume)
                else:
                    yield ResultPage([dict(zip(header, row, strict=True)) for row in rows], resume)
        if seen != expected:
            raise TransientError(
                f"Bulk API results of {self.sobject} held {seen} rows where Sforce-NumberOfRecords said {expected}"
            )

    def _abort(self, job_id: str) -> None:
        try:
            self.client.call(f"abort of Bulk API job {job_id}", lambda sf: self._bulk(sf).abort_job(job_id, True))
        except Exception:  # the job may have just finished; the caller's error says what matters
            logger.warning("could not abort Bulk API job %s", job_id, exc_info=True)

    def delete(self, job_id: str) -> None:
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
