"""Which API fetches an object's rows this run: REST query pages or a Bulk API 2.0 query job.

REST answers at once and pages 2,000 rows per call: best for the usual small increment. A Bulk job waits
in Salesforce's queue (seconds to minutes) but then serves tens of thousands of rows per call: best for
an initial load, a full reconcile or a large backlog. The choice is made per object from an estimate of
what is to be fetched: the rows held here for a full re-read, else one ``SELECT COUNT()`` over the same window
(one API call per object and run). ``SALESFORCE_SYNC_STRATEGY`` can force one and a spec may pin one
(``SObjectSpec.strategy``); those are estimated too, since the estimate also decides parallel windows.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from integrations.salesforce.bulk import BulkQuery, CellPage, Resume
from integrations.salesforce.errors import QueryError
from integrations.salesforce.mapping import cell_types
from integrations.sync.job import ObjectJob

REST, BULK, AUTO = "rest", "bulk", "auto"
_ORDER_BY = re.compile(r"\s+ORDER\s+BY\s+.*$", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Choice:
    strategy: str
    reason: str
    estimate: int | None = None

    @property
    def ordered(self) -> bool:
        """Whether rows arrive in mark order (REST's ORDER BY), so the mark may advance page by page."""
        return self.strategy == REST


def choose(job: ObjectJob, where: str, since: datetime | None) -> Choice:
    """The strategy for ``job`` given its window's WHERE clause ("" for everything). A forced or pinned strategy
    is still estimated, so that a large fetch by it is cut into parallel windows too."""
    _forced()  # a misspelt setting fails before the estimate spends a call
    estimate, what = held_estimate(job, since) or counted_estimate(job, where, since)
    return decide(job, estimate, what)


def _forced() -> str:
    forced = str(settings.SALESFORCE_SYNC_STRATEGY).lower()
    if forced not in (REST, BULK, AUTO):
        raise ValueError(f"SALESFORCE_SYNC_STRATEGY must be rest, bulk or auto, not {forced!r}")
    return forced


def decide(job: ObjectJob, estimate: int | None, what: str) -> Choice:
    """The one rule for fetches and id reconciles alike: the object's pinned strategy, else a forced one, else
    Bulk from ``SALESFORCE_BULK_MIN_RECORDS`` rows on (REST without an estimate). ``what``: the estimate, said."""
    pinned, forced = job.spec.strategy, _forced()
    if pinned in (REST, BULK):
        return Choice(pinned, f"{job.spec.name} is always fetched by {pinned.upper()} ({what})", estimate)
    if forced != AUTO:
        return Choice(forced, f"SALESFORCE_SYNC_STRATEGY={forced} ({what})", estimate)
    if estimate is None:
        return Choice(REST, f"{what}; REST pages need none")
    threshold = int(settings.SALESFORCE_BULK_MIN_RECORDS)
    if estimate >= threshold:
        return Choice(BULK, f"{what}, at least the Bulk threshold of {threshold:,}", estimate)
    return Choice(REST, f"{what}, under the Bulk threshold of {threshold:,}", estimate)


def _what(job: ObjectJob, since: datetime | None) -> str:
    """What the fetch is, said: an initial load, a full re-read or the changes since a moment."""
    # An org's first sync is recorded as full (run.is_first_sync) but, for an object never read before, it is
    # its initial load, and says so.
    if since is None and job.object_first_read:
        return "an initial load"
    if job.full:
        return "a full re-read"
    return "an initial load" if since is None else f"changes since {since:%Y-%m-%d %H:%M:%S} UTC"


def held_estimate(job: ObjectJob, since: datetime | None) -> tuple[int, str] | None:
    """(rows, what) for a full re-read of an object held here, from the rows held (a database read: no API call,
    and nothing the org's COUNT() could time out on); None for any other fetch, or none held."""
    if since is None and job.full and not job.object_first_read:
        held = held_rows(job)
        if held:
            return held, f"{_what(job, since)}: {held:,} rows held here"
    return None


def counted_estimate(job: ObjectJob, where: str, since: datetime | None) -> tuple[int | None, str]:
    """(rows to fetch, what the fetch is and how it was estimated) by one ``SELECT COUNT()`` over the window:
    an API call only (no database), so it may run in a thread of its own."""
    what = _what(job, since)
    try:
        # query, not queryAll: recycle-bin rows are few, and an estimate need not count them.
        estimate = job.client.count(f"SELECT COUNT() FROM {job.spec.name}{where}")
    except QueryError as exc:
        return None, f"no estimate ({exc.message})"
    return estimate, f"{what}: {estimate:,} rows"


def held_rows(job: ObjectJob) -> int:
    """The object's rows held here, tombstones included (queryAll reads the recycle bin too)."""
    spec = job.spec
    return spec.model.objects.filter(org_id=job.run.org_id, **spec.constants).count()


def reconcile_by_bulk(job: ObjectJob, held: int) -> tuple[bool, str]:
    """Whether the id reconcile lists the org's ids by a Bulk job (else REST pages), and why: by the rows held
    here, which is about what the org will list, under the same rule as a fetch (``decide``)."""
    choice = decide(job, held, f"{held:,} rows held")
    name = "Bulk" if choice.strategy == BULK else "REST"
    return choice.strategy == BULK, f"ids reconciled by {name}: {choice.reason}"


def bulk_pages(
    job: ObjectJob, soql: str, resume: Resume | None = None, *, keep_job: bool = False
) -> Iterator[CellPage]:
    """The window's rows through a Bulk API 2.0 job (or the rest of ``resume``'s; ``keep_job``: see
    ``BulkQuery.pages``), as rows of cells for ``RecordMapper.map_cells``. Bulk jobs chunk by primary key and do
    not keep an ORDER BY, so none is sent: the caller advances the mark only after the last page
    (``Choice.ordered``)."""
    query = BulkQuery(job.client, job.spec.name)
    types = cell_types(job.spec, job.field_types or {})
    return query.cell_pages(_ORDER_BY.sub("", soql), types, include_deleted=True, resume=resume, keep_job=keep_job)


def queue_bulk_job(job: ObjectJob, soql: str) -> str:
    """Queue the Bulk API 2.0 job of a window without waiting for it (``bulk_pages`` with a ``Resume`` of this id
    and locator "" reads it later); the id."""
    return BulkQuery(job.client, job.spec.name).create(_ORDER_BY.sub("", soql), include_deleted=True)
