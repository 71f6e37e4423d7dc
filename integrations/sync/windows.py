"""Narrowing the time window of a REST query that Salesforce gives up on (``QUERY_TIMEOUT``).

A query over a large object and a long window can run past the org's time limit; Salesforce then answers
400 ``QUERY_TIMEOUT`` and a retry of the same query fails the same way. As the trusted connectors do, the
window (``mark_field >= since``) is cut into consecutive ranges ``[start, end)`` by the mark field: a range
that times out is halved and tried again, down to ``SYNC_WINDOW_FLOOR_SECONDS``; a range that succeeds
lets the next one double again. Ranges run in ascending order and each keeps the ``ORDER BY`` of the mark,
so the object's mark still moves page by page and a crash resumes where it stopped. Only a query whose
first page times out is narrowed; a later page (query_more) that fails is the object's failure as before.
"""

import logging
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from integrations.salesforce.converters import moment
from integrations.salesforce.errors import QueryError
from integrations.sync.job import ObjectJob

logger = logging.getLogger(__name__)

Pages = Iterator[list[dict[str, Any]]]
TIMEOUT = "QUERY_TIMEOUT"
_QUERY = re.compile(r"^(?P<head>SELECT .+? FROM \w+)(?: WHERE (?P<where>.+?))? (?P<order>ORDER BY .+)$", re.DOTALL)


def _literal(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _first(pages: Pages) -> tuple[list[dict[str, Any]] | None, Pages]:
    """Run the query to its first page (where a timeout shows); None when it timed out."""
    try:
        return next(pages), pages
    except StopIteration:
        return [], iter(())
    except QueryError as exc:
        if exc.code == TIMEOUT:
            return None, pages
        raise


def narrowing(job: ObjectJob, soql: str, run: Callable[[str], Pages]) -> Pages:
    """``run(soql)``'s pages; on QUERY_TIMEOUT, the same rows range by range."""
    first, pages = _first(run(soql))
    if first is not None:
        yield first
        yield from pages
        return
    match = _QUERY.match(soql)
    if match is None:
        raise QueryError(f"{job.spec.name}: the query timed out and is not one the sync can narrow", code=TIMEOUT)
    mark = job.spec.mark_field
    floor = timedelta(seconds=max(1, int(settings.SYNC_WINDOW_FLOOR_SECONDS)))
    start = _since(match.group("where"), mark) or earliest(job, match.group("head"), mark)
    # A parallel window keeps its own upper bound; otherwise rows stamped while the sync runs are the next run's.
    end = _until(match.group("where"), mark) or timezone.now() + timedelta(minutes=1)
    if start is None:
        return  # the object has no rows at all
    span = max(floor, (end - start) / 2)
    while start < end:
        stop = min(end, start + span)
        condition = f"{mark} >= {_literal(start)} AND {mark} < {_literal(stop)}"
        first, pages = _first(run(f"{match.group('head')} WHERE {condition} {match.group('order')}"))
        if first is None:
            if span <= floor:
                raise QueryError(
                    f"{job.spec.name}: the query still timed out for a window of {span} (from "
                    f"{start:%Y-%m-%d %H:%M:%S} UTC), the narrowest the sync tries (SYNC_WINDOW_FLOOR_SECONDS)",
                    code=TIMEOUT,
                )
            span = max(floor, span / 2)
            logger.info("%s: QUERY_TIMEOUT; narrowing the window to %s", job.spec.name, span)
            continue
        yield first
        yield from pages
        start, span = stop, span * 2


def _since(where: str | None, mark: str) -> datetime | None:
    found = re.search(rf"{mark} >= (\S+)", where or "")
    return moment()(found.group(1)) if found else None


def _until(where: str | None, mark: str) -> datetime | None:
    found = re.search(rf"{mark} < (\S+)", where or "")
    return moment()(found.group(1)) if found else None


def earliest(job: ObjectJob, head: str, mark: str) -> datetime | None:
    """The oldest mark value of the object (an initial load has no lower bound): one small, indexed query."""
    return _end_of(job, head, mark, "ASC")


def latest(job: ObjectJob, head: str, mark: str) -> datetime | None:
    """The newest mark value of the object: one small, indexed query."""
    return _end_of(job, head, mark, "DESC")


def _end_of(job: ObjectJob, head: str, mark: str, direction: str) -> datetime | None:
    sobject = head.rsplit(" ", 1)[-1]
    query = f"SELECT {mark} FROM {sobject} ORDER BY {mark} {direction} LIMIT 1"
    for records in job.client.query_pages(query, include_deleted=True):
        for record in records:
            return moment()(record.get(mark))
    return None
