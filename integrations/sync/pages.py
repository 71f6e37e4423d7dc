"""Saving one page of an object's changes: rows, errors, pending retries, health counts and the mark, in
one transaction fenced by the step's lease and the org's lock.

The mark is the newest ``SystemModstamp`` saved, but never later than the org's own clock when the query
started (the HTTP ``Date`` of its first reply): a record stamped in the future (a bad import, a clock
fault) is saved and counted, and does not move the mark past changes still to come.
"""

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone

from integrations.models import SyncMark, SyncObjectRun, SyncPendingRecord, SyncRecordError
from integrations.salesforce.bulk import CellPage
from integrations.salesforce.client import SalesforceClient
from integrations.salesforce.converters import reference
from integrations.salesforce.mapping import FieldPlan, MappedPage, RecordError, RecordMapper
from integrations.sync import lease, pending
from integrations.sync.upsert import Upserter, upsert_page

Fetched = TypeVar("Fetched")  # a page as fetched: REST-shaped dicts, or a Bulk ``CellPage``
# The Date header has whole seconds: a record stamped within the same second is not "in the future".
_CLOCK_SLACK = timedelta(seconds=1)


class OrgClock:
    """The org's time when a query started: the ``Date`` of its first reply (our clock if the org sends none)."""

    def __init__(self, client: SalesforceClient) -> None:
        self.client = client
        self.now: datetime | None = None

    def watch(self, pages: Iterable[Fetched]) -> Iterator[Fetched]:
        local = timezone.now()
        for records in pages:
            if self.now is None:
                self.now = self.client.reply_date or local
            yield records


def mapped(mapper: RecordMapper, records: list[dict[str, Any]] | CellPage) -> MappedPage:
    """A fetched page mapped: REST-shaped dicts, or Bulk rows of cells read by position. A Bulk page's resume point
    travels with its rows."""
    page = mapper.map_cells(records.header, records) if isinstance(records, CellPage) else mapper.map_page(records)
    page.resume = getattr(records, "resume", None)
    return page


class PageSaver:
    def __init__(
        self,
        job: Any,
        object_run: SyncObjectRun,
        mark: SyncMark,
        *,
        upserter: Upserter,
        count_calls: Callable[[], None],
    ) -> None:
        self.job = job
        self.run = job.run
        self.spec = job.spec
        self.object_run = object_run
        self.mark = mark
        self.upserter = upserter
        self.count_calls = count_calls
        self.has_pending = SyncPendingRecord.objects.filter(org_id=self.run.org_id, sobject=self.spec.name).exists()
        # Pages are inserted straight into the table until one holds an id already there (upsert's module doc):
        # from the start of an initial load to its end; for an increment, until its first changed row. A full
        # re-read of rows held here would only pay for the first page's failed insert.
        self.inserting = not (job.full and not job.object_first_read)

    def save(
        self,
        page: MappedPage,
        *,
        org_now: datetime | None,
        deep_from: datetime | None = None,
        moves_mark: bool = True,
        then: Callable[[MappedPage], None] | None = None,
    ) -> list[RecordError]:
        """Save one page in one transaction; ``then(page)`` writes more in the same one (a window's resume point)."""
        run, spec, object_run, mark = self.run, self.spec, self.object_run, self.mark
        with transaction.atomic():
            written = upsert_page(self.upserter, spec, run.org_id, page.rows, new=self.inserting)
            self.inserting = self.inserting and not written.conflict
            errors = page.errors + (written.errors or [])
            self._record(errors)
            self.forget_landed(page, errors)
            if moves_mark and page.high_water is not None:
                # Where a later window (or the redo of a killed one) of this run goes on: >= re-reads the rows
                # sharing this stamp, harmlessly.
                object_run.resume_from = page.high_water
                high = page.high_water if org_now is None else min(page.high_water, org_now)
                if mark.mark is None or high > mark.mark:
                    mark.mark = high
                    mark.save(update_fields=["mark"])
            if org_now is not None:
                object_run.future_stamped += sum(1 for row in page.rows if row[2] > org_now + _CLOCK_SLACK)
            if deep_from is not None:
                object_run.lookback_fetched += sum(1 for row in page.rows if row[2] < deep_from)
            object_run.fetched += page.fetched
            object_run.upserted += written.rows
            object_run.deleted += written.deleted
            object_run.failed += sum(1 for error in errors if not error.saved)
            object_run.flagged += sum(1 for error in errors if error.saved)
            object_run.repaired += page.repaired
            object_run.truncated += page.truncated
            self.count_calls()
            object_run.save(
                update_fields=[
                    "fetched", "upserted", "deleted", "failed", "flagged", "repaired", "truncated",
                    "future_stamped", "lookback_fetched", "api_calls", "retries", "resume_from",
                ]
            )  # fmt: skip
            if then is not None:
                then(page)
            lease.fence(run.pk, run.org_id, self.job.token, self.job.lease)
        return errors

    def advance_mark(self, high_water: datetime, *, org_now: datetime | None) -> None:
        """Move the mark to the newest stamp a window saved when its rows came in no order (Bulk API 2.0): only
        once all of them are in, so a window stopped half-way is read again whole."""
        high = high_water if org_now is None else min(high_water, org_now)
        with transaction.atomic():
            if self.mark.mark is None or high > self.mark.mark:
                self.mark.mark = high
                self.mark.save(update_fields=["mark"])
            lease.fence(self.run.pk, self.run.org_id, self.job.token, self.job.lease)

    def _record(self, errors: list[RecordError]) -> None:
        run, sobject = self.run, self.spec.name
        if errors:
            SyncRecordError.objects.bulk_create(
                [
                    SyncRecordError(run=run, sobject=sobject, sf_id=error.sf_id[:18], field=error.field[:80],
                                    reason=error.reason)
                    for error in errors
                ]
            )  # fmt: skip
            pending.remember(run.org_id, sobject, errors)
            self.has_pending = True
        return None

    def forget_landed(self, page: MappedPage, errors: list[RecordError]) -> None:
        if not self.has_pending:
            return
        failed = {error.sf_id for error in errors}
        pending.forget(self.run.org_id, self.spec.name, [row[0] for row in page.rows if row[0] not in failed])

    def retry_pending(self, plan: FieldPlan, mapper: RecordMapper) -> None:
        """Read every pending record of the object again by id; forget those that land or are gone."""
        if not self.has_pending:
            return
        org_id, sobject = self.run.org_id, self.spec.name
        to_id = reference()
        for soql, chunk in pending.by_id_queries(plan, pending.pending_ids(org_id, sobject)):
            records = [
                record for records in self.job.client.query_pages(soql, include_deleted=True) for record in records
            ]
            seen = set()
            for record in records:
                try:
                    seen.add(to_id(record.get("Id")))
                except ValueError:
                    continue
            page = mapper.map_page(records)
            errors = self.save(page, org_now=None, moves_mark=False)
            pending.tried_again(org_id, sobject, {error.sf_id for error in errors})
            # Not returned even by queryAll: the org no longer has the record (purged); stop asking.
            pending.forget(org_id, sobject, [sf_id for sf_id in chunk if sf_id not in seen])
