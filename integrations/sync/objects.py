"""Syncing one object of one org within a run: describe, fetch changes since the mark, save page by page,
and reconcile ids when deletions may have slipped past the recycle bin.

Each page is one transaction (``integrations.sync.pages``) that upserts its rows, records what could not be
saved, advances the object's high-water mark (never past the org's clock) and passes the fence of the step's
lease and the org's lock; so a crash anywhere loses at most the page in flight, and the next step or run
goes on after the last page saved without gaps or duplicates. With a ``deadline`` the object is read in
windows: one ends at a page boundary once the mark has moved (or at a stop request), and the next goes on.

Object-level trouble is settled here (a bad query or a missing object fails or skips this object alone);
run-level trouble (``ApiReserveReached``, ``AuthenticationError``, ``TransientError``, ``LockLost``) is
raised to the caller after the object's state is saved.
"""

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.utils import timezone

from integrations.models import SyncMark, SyncObjectRun, SyncRun, SyncWindow
from integrations.salesforce.bulk import PAGE_RECORDS
from integrations.salesforce.catalogue import SOBJECT_NAMES, SObjectSpec, spec_for
from integrations.salesforce.errors import ObjectNotAvailable, QueryError
from integrations.salesforce.mapping import FieldPlan, FieldPlanError, MappedPage, RecordMapper, plan_fields
from integrations.sync import ahead, live_ids, parallel, strategy, wide, windows
from integrations.sync.job import ObjectJob
from integrations.sync.pages import OrgClock, PageSaver, mapped
from integrations.sync.prefetch import prefetched
from integrations.sync.report import ProgressEvent
from integrations.sync.upsert import upserter_for

logger = logging.getLogger(__name__)

# Salesforce keeps deleted records in the recycle bin about 15 days; a day of margin for purge timing.
RECYCLE_BIN = timedelta(days=15)
RECONCILE_AFTER = RECYCLE_BIN - timedelta(days=1)

Status = SyncObjectRun.Status


def soql_datetime(value: datetime) -> str:
    # SOQL datetime literals are unquoted UTC; seconds suffice since flooring only widens the window.
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def window_where(spec: SObjectSpec, since: datetime | None) -> str:
    return f" WHERE {spec.mark_field} >= {soql_datetime(since)}" if since is not None else ""


def changes_query(plan: FieldPlan, since: datetime | None) -> str:
    spec = plan.spec
    where = window_where(spec, since)
    return f"SELECT {', '.join(plan.select_list())} FROM {spec.name}{where} ORDER BY {spec.mark_field}, Id"


def _rest_pages(job: ObjectJob, soql: str) -> Iterator[list[dict[str, Any]]]:
    # A window Salesforce times out on is narrowed (windows); a field list past the URI limit is split (wide).
    return windows.narrowing(job, soql, lambda query: _query_pages(job, query))


def _query_pages(job: ObjectJob, soql: str) -> Iterator[list[dict[str, Any]]]:
    # queryAll: recycle-bin rows arrive with IsDeleted = true (and are tombstoned), archived activities too.
    if wide.too_long(job.client.version, soql):
        return wide.joined_pages(job, soql)
    return job.client.query_pages(soql, include_deleted=True)


# REST pages are saved this many rows at a time (at least), as Bulk sets are read, or once a second has passed
# since the first page of a save came: a stop request or a deadline is seen at a save, and on a slow org a
# save of 5,000 rows could be many seconds away.
SAVE_ROWS = PAGE_RECORDS
SAVE_SECONDS = 1.0


def gathered(
    pages: Iterable[list[dict[str, Any]]], clock: Callable[[], float] = time.monotonic
) -> Iterator[list[dict[str, Any]]]:
    """REST pages (Salesforce's 2,000 records at most) joined into pages of at least ``SAVE_ROWS`` records, or
    of what came within ``SAVE_SECONDS``: each save (a transaction, a COPY, the run record, the lease's fence) is
    paid per 5,000 rows instead of per 2,000 when the org answers fast. An empty result is still one page."""
    held: list[dict[str, Any]] = []
    handed = False
    began = 0.0
    for page in pages:
        if not held:
            began = clock()
        held += page
        if len(held) >= SAVE_ROWS or clock() - began >= SAVE_SECONDS:
            yield held
            held, handed = [], True
    if held or not handed:
        yield held


# How each strategy fetches an object's changed rows (chosen per object and run: integrations.sync.strategy).
FETCHERS: dict[str, parallel.Fetcher] = {
    strategy.REST: _rest_pages,
    strategy.BULK: strategy.bulk_pages,
}


def object_run_for(run: SyncRun, sobject: str) -> SyncObjectRun:
    object_run, _ = SyncObjectRun.objects.get_or_create(run=run, sobject=sobject)
    return object_run


def sync_object(job: ObjectJob) -> SyncObjectRun:
    """Sync ``job.spec`` for ``job.run`` (one window of it when ``job.deadline`` is set); returns its
    SyncObjectRun: succeeded, partial, skipped or failed, or still running when a window ended early."""
    run, spec, client = job.run, job.spec, job.client
    object_run = object_run_for(run, spec.name)
    object_run.status = Status.RUNNING
    object_run.started_at = object_run.started_at or timezone.now()
    object_run.save(update_fields=["status", "started_at"])
    mark, _ = SyncMark.objects.get_or_create(org_id=run.org_id, sobject=spec.name)
    calls_before, retries_before = client.api_calls, client.retries
    base_calls, base_retries = object_run.api_calls, object_run.retries

    def count_calls() -> None:
        object_run.api_calls = base_calls + client.api_calls - calls_before
        object_run.retries = base_retries + client.retries - retries_before

    try:
        ready = ahead.take(job)  # the run's queueing described and estimated this object already
        described = ready.described if ready is not None else client.describe(spec.name)
        job.field_types = {item["name"]: item.get("type") for item in described.get("fields", []) if "name" in item}
        plan = plan_fields(spec, described)
        done = _fetch_and_save(job, object_run, mark, plan, count_calls, ready.choice if ready is not None else None)
    except ObjectNotAvailable as exc:
        count_calls()
        return _skip_or_fail(job, object_run, mark, str(exc))
    except (QueryError, FieldPlanError) as exc:
        count_calls()
        return _finish(job, object_run, Status.FAILED, f"{spec.name} failed: {exc}")
    except BaseException:
        # Run-level trouble or a crash: keep what the saved pages counted, then let the caller decide.
        count_calls()
        object_run.save(update_fields=["api_calls", "retries"])
        raise
    count_calls()
    object_run.windows += 1
    object_run.save(update_fields=["api_calls", "retries", "windows"])
    if not done:
        return object_run
    status = Status.PARTIAL if object_run.failed or object_run.flagged else Status.SUCCEEDED
    parts = []
    if object_run.failed:
        parts.append(f"{object_run.failed} records could not be saved (they are retried by id on every run)")
    if object_run.flagged:
        parts.append(f"{object_run.flagged} fields could not be converted (rows saved without them, retried)")
    if object_run.future_stamped:
        parts.append(
            f"{object_run.future_stamped} records are stamped later than the org's clock: saved, and read again "
            "on every run until the org's time passes them"
        )
    message = "; ".join(part for part in (*parts, plan.skipped_message) if part)
    return _finish(job, object_run, status, message)


def _window_start(job: ObjectJob, object_run: SyncObjectRun, mark: SyncMark) -> tuple[datetime | None, datetime | None]:
    """(since, deep_from): where this window's query starts, and where a deep look-back began (if it is one)."""
    if job.full or object_run.resume_from is not None:
        # A later window of this run (or the redo of a killed one) goes on after the last page saved: the
        # look-back guards against commits landing late between runs, and the next run's covers this one.
        return object_run.resume_from, None
    if mark.mark is None:
        return None, None
    lookback = timedelta(seconds=settings.SALESFORCE_LOOKBACK_SECONDS)
    if job.reconcile and object_run.windows == 0:
        # Late commits: a transaction that committed long after its stamp escapes the short look-back.
        deep = timedelta(seconds=max(settings.SYNC_DEEP_LOOKBACK_SECONDS, settings.SALESFORCE_LOOKBACK_SECONDS))
        return mark.mark - deep, mark.mark - lookback
    return mark.mark - lookback, None


def _fetch_and_save(
    job: ObjectJob,
    object_run: SyncObjectRun,
    mark: SyncMark,
    plan: FieldPlan,
    count_calls: Callable[[], None],
    chosen: strategy.Choice | None = None,
) -> bool:
    """One window of the object: True when the object is done, False when the next step continues it.
    ``chosen``: the strategy the run's queueing chose for it (not estimated again)."""
    run, spec = job.run, job.spec
    started = timezone.now()
    since, deep_from = _window_start(job, object_run, mark)
    first_window = object_run.windows == 0
    # A full read reconciles ids, except an object's first landing (an org's first sync is recorded as full):
    # with nothing here before it there is nothing to tombstone, and listing every id again would double its
    # calls. A first sync over rows already here (marks reset) reconciles too: nothing else catches old deletes.
    landed = mark.last_deletes_checked_at is not None
    job.object_first_read = _never_read(mark)
    due = (job.full and landed) or job.reconcile or _reconcile_due(mark, started)
    if mark.mark is None and not due:
        due = spec.model.objects.filter(org_id=run.org_id, **spec.constants).exists()
    mapper = RecordMapper(plan)
    saver = PageSaver(job, object_run, mark, upserter=job.upserter or upserter_for(), count_calls=count_calls)
    if first_window:
        saver.retry_pending(plan, mapper)
    soql = changes_query(plan, since)
    choice = chosen or strategy.choose(job, window_where(spec, since), since)
    object_run.strategy, object_run.strategy_reason = choice.strategy, choice.reason
    object_run.save(update_fields=["strategy", "strategy_reason"])
    total = None
    if first_window:
        total = choice.estimate if choice.estimate is not None else _total(job, plan, since)
    _notify(job, "started", object_run, total=total)
    clock = OrgClock(job.client)
    found = parallel.open_windows(run.org_id, spec.name)
    if choice.strategy == strategy.BULK and not found:
        # The run's first Bulk object (not queued ahead): queue its jobs and every later Bulk object's now.
        ahead.queue_run(job, plan, choice, since, _later(job))
        found = parallel.open_windows(run.org_id, spec.name)
    windowed = parallel.why(choice, found)
    if windowed is not None:
        _note_reason(object_run, windowed)
        fetched = parallel.fetch_and_save(
            job, plan, choice, since, saver=saver, mapper=mapper, clock=clock, fetchers=FETCHERS,
            deep_from=deep_from, on_page=lambda: _notify(job, "page", object_run),
        )  # fmt: skip
    else:
        fetched = _fetch_serially(job, object_run, mark, choice, soql, saver, mapper, clock, deep_from)
    if not fetched:
        return False
    if due:
        _notify(job, "reconciling", object_run)
        bulk, why = strategy.reconcile_by_bulk(job, strategy.held_rows(job))
        _note_reason(object_run, why)
        reconciled = live_ids.reconcile(job, timezone.now(), bulk=bulk)
        object_run.deleted += reconciled.tombstoned
        count_calls()
        object_run.save(update_fields=["deleted", "api_calls", "retries"])
    mark.last_deletes_checked_at = started
    if job.full:
        mark.last_full_sync_at = started
    mark.skipped_reason = plan.skipped_message
    mark.save(update_fields=["last_deletes_checked_at", "last_full_sync_at", "skipped_reason"])
    return True


def _never_read(mark: SyncMark) -> bool:
    """Whether the object was never read to the end here: no id check yet and no mark."""
    return mark.last_deletes_checked_at is None and mark.mark is None


def _later(job: ObjectJob) -> list[ahead.Later]:
    """The run's objects after ``job``'s that have no open windows, each as its step would start it."""
    run = job.run
    names = SOBJECT_NAMES[SOBJECT_NAMES.index(job.spec.name) + 1 :]
    taken = set(SyncWindow.objects.filter(org_id=run.org_id, sobject__in=names).values_list("sobject", flat=True))
    marks = {mark.sobject: mark for mark in SyncMark.objects.filter(org_id=run.org_id, sobject__in=names)}
    object_runs = {item.sobject: item for item in SyncObjectRun.objects.filter(run=run, sobject__in=names)}
    later = []
    for name in names:
        if name in taken:
            continue
        spec = spec_for(name)
        item = ObjectJob(run, spec, job.client, job.token, full=job.full, reconcile=job.reconcile, lease=job.lease)
        mark = marks.get(name) or SyncMark(sobject=name)
        since, _ = _window_start(item, object_runs.get(name) or SyncObjectRun(), mark)
        item.object_first_read = _never_read(mark)
        later.append(ahead.Later(item, since, window_where(spec, since)))
    return later


def _fetch_serially(
    job: ObjectJob,
    object_run: SyncObjectRun,
    mark: SyncMark,
    choice: strategy.Choice,
    soql: str,
    saver: PageSaver,
    mapper: RecordMapper,
    clock: OrgClock,
    deep_from: datetime | None,
) -> bool:
    """The window's pages one after another (the usual small increment): False when the step ends early."""
    window_mark = mark.mark
    # Unordered rows (Bulk) move the mark only once all are saved: a crash or a stop mid-way re-reads the window.
    high_water: datetime | None = None
    if choice.strategy == strategy.REST:
        # Joined after the clock has seen the first reply: its Date is when the query started.
        pages = prefetched(lambda: gathered(clock.watch(_rest_pages(job, soql))), mapper.map_page)
    else:
        pages = prefetched(lambda: clock.watch(strategy.bulk_pages(job, soql)), partial(mapped, mapper))
    try:
        for page in pages:
            saver.save(page, org_now=clock.now, deep_from=deep_from, moves_mark=choice.ordered)
            if page.high_water is not None and (high_water is None or page.high_water > high_water):
                high_water = page.high_water
            _notify(job, "page", object_run)
            moved = mark.mark is not None and (window_mark is None or mark.mark > window_mark)
            if job.stopping is not None and job.stopping():
                return _pause(object_run, page, "stopping")
            if job.deadline is not None and moved and time.monotonic() >= job.deadline:
                return _pause(object_run, page, "window")
    finally:
        pages.close()
    if not choice.ordered and high_water is not None:
        saver.advance_mark(high_water, org_now=clock.now)
    return True


def _pause(object_run: SyncObjectRun, page: MappedPage, why: str) -> bool:
    # The next window resumes where this one's last page ended (PageSaver keeps resume_from with each page).
    logger.info(
        "%s: window ends (%s) after %s rows; the next step continues", object_run.sobject, why, object_run.fetched
    )
    return False


def _note_reason(object_run: SyncObjectRun, why: str) -> None:
    """Add to the run record's account of how the object was fetched (windows, how ids were reconciled)."""
    if why not in object_run.strategy_reason:
        object_run.strategy_reason = "; ".join(part for part in (object_run.strategy_reason, why) if part)
        object_run.save(update_fields=["strategy_reason"])


def _reconcile_due(mark: SyncMark, now: datetime) -> bool:
    checked = mark.last_deletes_checked_at
    return checked is not None and now - checked > RECONCILE_AFTER


def _total(job: ObjectJob, plan: FieldPlan, since: datetime | None) -> int | None:
    """How many rows to expect, for a progress bar: one COUNT() call, only when someone is watching."""
    if job.progress is None:
        return None
    where = f" WHERE {plan.spec.mark_field} >= {soql_datetime(since)}" if since is not None else ""
    try:
        return job.client.count(f"SELECT COUNT() FROM {plan.spec.name}{where}")
    except QueryError:
        return None


def _skip_or_fail(job: ObjectJob, object_run: SyncObjectRun, mark: SyncMark, reason: str) -> SyncObjectRun:
    if job.spec.optional:
        mark.skipped_reason = reason
        mark.save(update_fields=["skipped_reason"])
        return _finish(job, object_run, Status.SKIPPED, f"{job.spec.name} skipped: {reason}")
    return _finish(
        job, object_run, Status.FAILED, f"{job.spec.name} is not available to the sync: {reason}; it is required."
    )


def _finish(job: ObjectJob, object_run: SyncObjectRun, status: str, message: str) -> SyncObjectRun:
    object_run.status = status
    object_run.message = message
    object_run.finished_at = timezone.now()
    object_run.save(update_fields=["status", "message", "finished_at", "api_calls", "retries"])
    _notify(job, "finished", object_run)
    return object_run


def _notify(job: ObjectJob, stage: str, object_run: SyncObjectRun, total: int | None = None) -> None:
    if job.progress is not None:
        job.progress(ProgressEvent(job.spec.name, stage, object_run, total))
