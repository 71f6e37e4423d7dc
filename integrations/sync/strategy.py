"""Which API fetches an object's rows this run: REST query pages or a Bulk API 2.0 query job.

REST answers at once and pages 2,000 rows per call: best for the usual small increment. A Bulk job waits
in Salesforce's queue (seconds to minutes) but then serves tens of thousands of rows per call: best for
an initial load, a full reconcile or a large backlog. The choice is made per object from an estimate of
what is to be fetched: one ``SELECT COUNT()`` over the same window (one API call per object and run).
``SALESFORCE_SYNC_STRATEGY`` can force one; a spec may pin one (``SObjectSpec.strategy``).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings

from integrations.salesforce.bulk import BulkQuery
from integrations.salesforce.errors import QueryError
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
    """The strategy for ``job`` given its window's WHERE clause ("" for everything)."""
    pinned = job.spec.strategy
    if pinned in (REST, BULK):
        return Choice(pinned, f"{job.spec.name} is always fetched by {pinned.upper()}")
    forced = str(settings.SALESFORCE_SYNC_STRATEGY).lower()
    if forced not in (REST, BULK, AUTO):
        raise ValueError(f"SALESFORCE_SYNC_STRATEGY must be rest, bulk or auto, not {forced!r}")
    if forced != AUTO:
        return Choice(forced, f"SALESFORCE_SYNC_STRATEGY={forced}")
    threshold = int(settings.SALESFORCE_BULK_MIN_RECORDS)
    try:
        # query, not queryAll: recycle-bin rows are few, and an estimate need not count them.
        estimate = job.client.count(f"SELECT COUNT() FROM {job.spec.name}{where}")
    except QueryError as exc:
        return Choice(REST, f"no estimate ({exc.message}); REST pages need none")
    # An org's first sync is recorded as full (run.is_first_sync) but, for an object never read before, it is
    # its initial load, and says so.
    what = (
        "an initial load"
        if since is None and job.object_first_read
        else "a full re-read"
        if job.full
        else "an initial load"
        if since is None
        else f"changes since {since:%Y-%m-%d %H:%M:%S} UTC"
    )
    if estimate >= threshold:
        return Choice(BULK, f"{what}: {estimate:,} rows, at least the Bulk threshold of {threshold:,}", estimate)
    return Choice(REST, f"{what}: {estimate:,} rows, under the Bulk threshold of {threshold:,}", estimate)


def bulk_pages(job: ObjectJob, soql: str) -> Iterator[list[dict[str, Any]]]:
    """The window's rows through a Bulk API 2.0 job. Bulk jobs chunk by primary key and do not keep an
    ORDER BY, so none is sent: the caller advances the mark only after the last page (``Choice.ordered``)."""
    query = BulkQuery(job.client, job.spec.name)
    return query.pages(_ORDER_BY.sub("", soql), job.field_types or {}, include_deleted=True)
