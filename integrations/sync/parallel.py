"""Parallel windows: a large fetch cut into ranges of the mark field, fetched concurrently, each resumable.

Serial REST pages spend most of their time waiting for Salesforce (hundreds of milliseconds a page), and a
Bulk API 2.0 job waits in the org's queue before it runs. Cutting the object's window ``[since, now)`` into
ranges of ``SystemModstamp`` and fetching several at once overlaps those waits, as the trusted connectors do.
Up to ``SYNC_PARALLEL_WINDOWS`` ranges are in flight (one org has one run and syncs one object at a time, so
this is the per-org limit); the pages are mapped in the fetching threads and saved one at a time by the
calling thread, in its own database connection, each in the transaction that also records its window's
progress (``SyncWindow``): the newest stamp saved of an ordered REST range (which resumes from there, ``>=``
re-reading only rows sharing that stamp), the job and ``Sforce-Locator`` of an unordered Bulk range (which
resumes its download at the first results set not saved whole; a new job if Salesforce no longer has the
old one), and ``done`` once its last page is in. The object's mark moves once every range is done; until
then the ranges stay recorded, so a killed sync (or a step that ran out of time) goes on range by range,
with nothing lost and, the upsert being by id, nothing duplicated.

The ranges are equal spans of time: records spread unevenly over time make some ranges longer than others,
which is why REST gets twice as many ranges as threads (a thread that finishes early takes the next).

A run's Bulk objects have their windows cut and their jobs queued before the first of them is read
(``integrations.sync.ahead``): each object's step then finds its windows open, as it would find a killed
sync's, and reads the jobs' results, their queue waits long over. What changed after such a set was cut is read
by one more window over REST (usually a few rows; a Bulk job would queue again).
"""

import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import partial
from itertools import pairwise
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from integrations.models import SyncWindow
from integrations.salesforce.bulk import BulkQuery, CellPage, Resume
from integrations.salesforce.mapping import FieldPlan, MappedPage, RecordMapper
from integrations.sync import lease, strategy, windows
from integrations.sync.job import ObjectJob
from integrations.sync.pages import OrgClock, PageSaver, mapped
from integrations.sync.prefetch import prefetched_many

logger = logging.getLogger(__name__)

# (job, soql) -> pages; the Bulk fetcher also takes resume= and keep_job= (see strategy.bulk_pages)
Fetcher = Callable[..., Iterator[list[dict[str, Any]] | CellPage]]
_TAIL = timedelta(minutes=1)  # rows stamped while the sync runs are read by the next run, from the mark


def workers() -> int:
    return max(1, int(settings.SYNC_PARALLEL_WINDOWS))


def wanted(choice: strategy.Choice) -> bool:
    """Whether this fetch is large enough to be cut into windows (an estimate is needed to know)."""
    minimum = int(settings.SYNC_PARALLEL_MIN_RECORDS)
    return workers() > 1 and choice.estimate is not None and choice.estimate >= minimum


def why(choice: strategy.Choice, found: list[SyncWindow]) -> str | None:
    """Why this fetch goes by windows (for the run record), or None when it is fetched serially."""
    if found and all(window.queued_ahead for window in found):
        cut = _cut(choice) if len(found) > 1 else "read as one window"
        todo = sum(not window.done for window in found)
        return f"{cut}, the Bulk jobs queued ahead with the run's other Bulk objects'; {todo} of {len(found)} to read"
    if found:
        done = sum(window.done for window in found)
        return f"continuing {len(found) - done} open parallel windows of {len(found)} (left by an earlier step or run)"
    return _cut(choice) if wanted(choice) else None


def _cut(choice: strategy.Choice) -> str:
    minimum = int(settings.SYNC_PARALLEL_MIN_RECORDS)
    return (
        f"cut into parallel windows, up to {workers()} at once: {choice.estimate or 0:,} rows, at least "
        f"SYNC_PARALLEL_MIN_RECORDS ({minimum:,})"
    )


def open_windows(org_id: int, sobject: str) -> list[SyncWindow]:
    """The object's windows a previous step or a killed run left unfinished (all of one set)."""
    return list(SyncWindow.objects.filter(org_id=org_id, sobject=sobject).order_by("start"))


def _literal(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _whole_second(value: datetime) -> datetime:
    # SOQL literals carry whole seconds: bounds on them make adjacent windows meet exactly.
    return value.replace(microsecond=0)


def window_query(plan: FieldPlan, window: SyncWindow) -> str:
    spec, mark = plan.spec, plan.spec.mark_field
    start = window.resume_from if window.resume_from is not None else window.start
    return (
        f"SELECT {', '.join(plan.select_list())} FROM {spec.name} WHERE {mark} >= {_literal(start)} "
        f"AND {mark} < {_literal(window.end)} ORDER BY {mark}, Id"
    )


def plan_windows(job: ObjectJob, since: datetime | None, choice: strategy.Choice) -> list[SyncWindow]:
    """Record the object's windows for this fetch (``span`` and ``record_windows``)."""
    found = span(job, since)
    return record_windows(job, found, choice) if found is not None else []


def span(job: ObjectJob, since: datetime | None) -> tuple[datetime, datetime] | None:
    """``[since, newest stamp]`` of the object, in whole seconds (None: it has no rows at all); two small, indexed
    queries and nothing else, so it may run in a thread of its own. Spans up to now left every window but the
    first empty for an org whose rows were all stamped long ago (an import, a quiet object): one window did all
    the work. Rows stamped after the newest one (changed meanwhile) are in no window: the mark moves only to the
    newest stamp saved, so the next sync reads them."""
    spec = job.spec
    head = f"SELECT Id FROM {spec.name}"
    start = since if since is not None else windows.earliest(job, head, spec.mark_field)
    if start is None:
        return None
    start = _whole_second(start)
    end = _whole_second(timezone.now() + _TAIL) + timedelta(seconds=1)
    newest = windows.latest(job, head, spec.mark_field)
    if newest is not None:
        end = max(min(end, _whole_second(newest) + timedelta(seconds=1)), start + timedelta(seconds=1))
    return start, end


def record_windows(
    job: ObjectJob, bounds: tuple[datetime, datetime], choice: strategy.Choice, *, ahead: bool = False
) -> list[SyncWindow]:
    """Cut ``bounds`` into equal spans and record them as the object's open windows: as many as fetch at once
    (twice that for REST, whose ranges are uneven), one for a fetch too small for windows (a Bulk set queued
    ahead, ``ahead``)."""
    start, end = bounds
    count = 1 if not wanted(choice) else workers() if choice.strategy == strategy.BULK else 2 * workers()
    step = (end - start) / count
    cuts = [start] + [_whole_second(start + step * n) for n in range(1, count)] + [end]
    where = {"org_id": job.run.org_id, "sobject": job.spec.name, "strategy": choice.strategy, "queued_ahead": ahead}
    rows = [SyncWindow(start=low, end=high, **where) for low, high in pairwise(cuts) if high > low]
    with transaction.atomic():
        SyncWindow.objects.bulk_create(rows)
        lease.fence(job.run.pk, job.run.org_id, job.token, job.lease)
    return open_windows(job.run.org_id, job.spec.name)


def _with_tail(job: ObjectJob, found: list[SyncWindow], choice: strategy.Choice) -> list[SyncWindow]:
    """Unfinished windows of a killed sync (or a set queued ahead), plus one for what changed after their end
    (the mark has not moved): over REST for a set queued ahead (a later step's tail too), whose jobs were meant
    to spare the queue."""
    last = max(window.end for window in found)
    now = timezone.now()
    # The windows end at the newest stamp the org had when they were cut, a second or more before now; a tail
    # is added whenever they do not reach past the next minute, so whether one is cut never hangs on timing.
    if last <= now + _TAIL:
        SyncWindow.objects.create(
            org_id=job.run.org_id,
            sobject=job.spec.name,
            start=last,
            end=_whole_second(now + _TAIL) + timedelta(seconds=1),
            strategy=strategy.REST if any(window.queued_ahead for window in found) else choice.strategy,
        )
        found = open_windows(job.run.org_id, job.spec.name)
    logger.info("%s: resuming %d of %d windows", job.spec.name, sum(not w.done for w in found), len(found))
    return found


def fetch_and_save(
    job: ObjectJob,
    plan: FieldPlan,
    choice: strategy.Choice,
    since: datetime | None,
    *,
    saver: PageSaver,
    mapper: RecordMapper,
    clock: OrgClock,
    fetchers: dict[str, Fetcher],
    deep_from: datetime | None,
    on_page: Callable[[], None],
) -> bool:
    """Fetch and save the object's windows; True once every one is done and the mark has moved, False when a
    deadline or a stop request ended this step first (the windows stay recorded for the next)."""
    found = open_windows(job.run.org_id, job.spec.name)
    every = _with_tail(job, found, choice) if found else plan_windows(job, since, choice)
    todo = [window for window in every if not window.done]
    sources = [_source(job, plan, window, clock, fetchers) for window in todo]
    moved = False  # a step ends early only once it moved some window on (re-read rows alone do not count)
    pages = prefetched_many(sources, partial(mapped, mapper), workers())
    # A finished window's job is deleted meanwhile, not between its pages and the next window's.
    deletes = ThreadPoolExecutor(max_workers=workers(), thread_name_prefix="sync-delete")
    try:
        for index, page in pages:
            window = todo[index]
            if page is None:
                _close(job, window, deletes)
                moved = True
                continue
            before = window.resume_from
            saver.save(page, org_now=clock.now, deep_from=deep_from, moves_mark=False, then=partial(_note, window))
            moved = moved or window.resume_from != before
            on_page()
            if job.stopping is not None and job.stopping():
                return False
            if job.deadline is not None and moved and time.monotonic() >= job.deadline:
                logger.info("%s: step ends with windows open; the next step continues them", job.spec.name)
                return False
    finally:
        pages.close()
        deletes.shutdown(wait=True)
    high = max((window.high_water for window in every if window.high_water is not None), default=None)
    with transaction.atomic():
        if high is not None:
            saver.advance_mark(high, org_now=clock.now)
        SyncWindow.objects.filter(pk__in=[window.pk for window in every]).delete()
        lease.fence(job.run.pk, job.run.org_id, job.token, job.lease)
    return True


def _source(
    job: ObjectJob, plan: FieldPlan, window: SyncWindow, clock: OrgClock, fetchers: dict[str, Fetcher]
) -> Callable[[], Iterator[list[dict[str, Any]] | CellPage]]:
    fetch = fetchers[window.strategy]
    if window.strategy == strategy.BULK:
        # A killed download goes on where it was saved; the job stays until the window's last page is saved.
        resume = Resume(window.bulk_job, window.bulk_locator) if window.bulk_job else None
        fetch = partial(fetch, resume=resume, keep_job=True)
    return lambda: clock.watch(fetch(job, window_query(plan, window)))


def _note(window: SyncWindow, page: MappedPage) -> None:
    """A page of ``window`` is being saved: record how far it got, in the page's transaction."""
    window.fetched += page.fetched
    if page.high_water is not None:
        if window.high_water is None or page.high_water > window.high_water:
            window.high_water = page.high_water
        if window.strategy == strategy.REST:  # ordered: the window resumes after this page
            window.resume_from = page.high_water
    if isinstance(page.resume, Resume):  # unordered Bulk sets: the download resumes at this job and locator
        window.bulk_job, window.bulk_locator = page.resume.job_id, page.resume.locator
    window.save(update_fields=["fetched", "high_water", "resume_from", "bulk_job", "bulk_locator"])


def _close(job: ObjectJob, window: SyncWindow, deletes: ThreadPoolExecutor) -> None:
    with transaction.atomic():
        window.done = True
        window.save(update_fields=["done"])
        lease.fence(job.run.pk, job.run.org_id, job.token, job.lease)
    if window.bulk_job:  # every page is saved: the job's results are no longer needed (they cost storage)
        deletes.submit(BulkQuery(job.client, job.spec.name).delete, window.bulk_job)
