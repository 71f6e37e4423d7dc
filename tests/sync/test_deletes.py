"""The id reconcile: rows the org no longer has are tombstoned, rows alive again restored, by either way of
comparing (a merge-join of ordered ids, or Bulk ids staged in a temporary table), on the database of the pass
(SQLite, or PostgreSQL in the PostgreSQL pass), reading our rows a chunk at a time."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction

from crm.models import Activity, Opportunity, Quota
from integrations.models import SyncRun
from integrations.salesforce.catalogue import FORECASTING_QUOTA, OPPORTUNITY, TASK
from integrations.sync import live_ids
from integrations.sync.live_ids import OutOfOrder, held_ids, merge, ordered_live_ids, stage_and_compare
from integrations.sync.run import run_sync
from tests.sync.org_files import change_records, hard_delete, sf_id, stamp

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


def _pages(ids, size=2):
    """ids as REST query pages would carry them (``IsDeleted`` false unless the id ends with ``!``)."""
    records = [{"Id": sf_id.rstrip("!"), "IsDeleted": sf_id.endswith("!")} for sf_id in ids]
    return [records[start : start + size] for start in range(0, len(records), size)]


def _id(prefix: str, number: int) -> str:
    return sf_id({"006": "Opportunity", "00T": "Task", "00U": "Event"}[prefix], number)


@pytest.fixture(params=["merge", "stage"])
def reconcile(request, db):
    """Each way of comparing, given the org's live ids in any order (the merge gets them sorted)."""

    def run(spec, org_id, alive, now):
        with transaction.atomic():
            if request.param == "merge":
                return merge(spec, org_id, ordered_live_ids(_pages(sorted(alive)), spec.name), now, chunk=2)
            return stage_and_compare(spec, org_id, [list(alive)[:1], list(alive)[1:]], now)

    return run


def test_rows_gone_from_the_org_are_tombstoned_not_dropped(reconcile, org):
    ids = [_id("006", n) for n in range(1, 8)]
    for sf_id_ in ids:
        Opportunity.objects.create(org=org, sf_id=sf_id_, name=sf_id_)
    alive = {ids[0], ids[2], ids[5], _id("006", 99)}  # 99: alive there, never landed here
    result = reconcile(OPPORTUNITY, org.pk, alive, NOW)
    assert (result.tombstoned, result.restored) == (4, 0)
    gone = Opportunity.objects.get(sf_id=ids[1])
    assert gone.is_deleted and gone.deleted_at == NOW
    assert sorted(Opportunity.live.values_list("sf_id", flat=True)) == sorted(alive - {_id("006", 99)})


def test_rows_alive_again_are_restored(reconcile, org):
    Opportunity.objects.create(org=org, sf_id=_id("006", 1), name="a", is_deleted=True, deleted_at=NOW)
    Opportunity.objects.create(org=org, sf_id=_id("006", 2), name="b", is_deleted=True, deleted_at=NOW)
    result = reconcile(OPPORTUNITY, org.pk, [_id("006", 1)], NOW)
    assert (result.tombstoned, result.restored) == (0, 1)
    assert list(Opportunity.live.values_list("sf_id", flat=True)) == [_id("006", 1)]


def test_only_the_objects_own_rows_are_compared(reconcile, org):
    Activity.objects.create(org=org, sf_id=_id("00T", 1), kind="task")
    Activity.objects.create(org=org, sf_id=_id("00U", 1), kind="event")
    Quota.objects.create(org=org, sf_id="manual:005A:2026-10-01", source="manual", owner_sf_id="005A", start_date=NOW)
    assert reconcile(TASK, org.pk, set(), NOW).tombstoned == 1
    assert reconcile(FORECASTING_QUOTA, org.pk, set(), NOW).tombstoned == 0
    assert list(Activity.live.values_list("sf_id", flat=True)) == [_id("00U", 1)]
    assert Quota.live.count() == 1


def test_other_orgs_are_untouched(reconcile, org):
    from tests.factories import OrgFactory

    other = OrgFactory(name="globex")
    Opportunity.objects.create(org=other, sf_id=_id("006", 1), name="a")
    reconcile(OPPORTUNITY, org.pk, set(), NOW)
    assert Opportunity.live.filter(org=other).count() == 1


def test_recycle_bin_rows_in_the_answer_are_not_alive(db):
    pages = _pages([_id("006", 1), _id("006", 2) + "!", _id("006", 3)])
    assert list(ordered_live_ids(pages, "Opportunity")) == [_id("006", 1), _id("006", 3)]


@pytest.mark.parametrize("where", ["early", "after_our_last_id"])
def test_an_answer_out_of_order_stops_the_reconcile_and_changes_nothing(org, where):
    ids = [_id("006", n) for n in range(1, 9)]
    for sf_id_ in ids:
        Opportunity.objects.create(org=org, sf_id=sf_id_, name=sf_id_)
    # Only ids[0] is alive: a merge would tombstone the other seven, in several chunks of two.
    answer = [ids[0], ids[7], ids[6]] if where == "early" else [ids[0], _id("006", 90), _id("006", 80)]
    with pytest.raises(OutOfOrder, match="did not come in ascending order"), transaction.atomic():
        merge(OPPORTUNITY, org.pk, ordered_live_ids(_pages(answer), "Opportunity"), NOW, chunk=2)
    assert Opportunity.live.count() == len(ids)  # nothing tombstoned, though some chunks were written before


def test_our_rows_are_read_a_chunk_at_a_time_while_the_answer_streams(org):
    """No id list is built on either side: our rows come ``chunk`` at a time, interleaved with the org's ids."""
    from django.test.utils import CaptureQueriesContext

    ids = [_id("006", n) for n in range(1, 12)]
    for sf_id_ in ids:
        Opportunity.objects.create(org=org, sf_id=sf_id_, name=sf_id_)
    events: list[str] = []

    def answer():
        for sf_id_ in ids[::2]:
            events.append("org")
            yield sf_id_

    reads = ("FETCH FORWARD 3", "LIMIT 3")
    with CaptureQueriesContext(connection) as queries, transaction.atomic():

        def note(execute, sql, params, many, context):
            if any(read in sql for read in reads):
                events.append("read")
            return execute(sql, params, many, context)

        with connection.execute_wrapper(note):
            result = merge(OPPORTUNITY, org.pk, answer(), NOW, chunk=3)
    assert result.tombstoned == 5
    read_sql = [query["sql"] for query in queries.captured_queries if any(read in query["sql"] for read in reads)]
    assert len(read_sql) == 5  # 11 rows in chunks of 3, and the empty read that ends them
    # The reads and the org's ids interleave: neither side was read whole before the other began.
    first_read, last_read = events.index("read"), len(events) - 1 - events[::-1].index("read")
    assert "org" in events[first_read:last_read]
    assert events.index("org") < last_read
    updates = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("UPDATE")]
    assert len(updates) == 2  # five ids to tombstone, written three then two


def test_held_ids_come_in_byte_order(org):
    # Upper case sorts before lower case in byte order (a locale collation would interleave them).
    for sf_id_ in ("006000000000001aAA", "006000000000001AAA", "006000000000001BAA", "0060000000000010AA"):
        Opportunity.objects.create(org=org, sf_id=sf_id_, name=sf_id_)
    with transaction.atomic():
        got = [sf_id_ for sf_id_, _ in held_ids(OPPORTUNITY, org.pk, chunk=2)]
    assert got == sorted(got) and len(got) == 4
    assert got == sorted(got, key=lambda value: value.encode())


# --- Through the sync, over the emulator ----------------------------------------------------------------


@pytest.mark.parametrize("way", ["rest", "bulk"])
def test_a_reconcile_finds_exactly_the_deletes_including_the_recycle_bins(connected_org, org_dir, settings, way):
    settings.SALESFORCE_BULK_POLL_SECONDS = 0.01
    settings.SALESFORCE_BULK_MAX_RECORDS = 2
    run_sync(connected_org)
    before = set(Opportunity.objects.filter(is_deleted=True).values_list("sf_id", flat=True))  # the sample's bin
    purged, binned = sf_id("Opportunity", 2), sf_id("Opportunity", 4)
    hard_delete(org_dir, "Opportunity", [purged])
    # Deleted into the bin with a stamp older than any look-back: only the reconcile's queryAll shows it.
    change_records(org_dir, "Opportunity", {binned: {"IsDeleted": True}},
                   when=stamp(datetime.now(UTC) - timedelta(days=10)))  # fmt: skip
    restored = sf_id("Opportunity", 3)
    Opportunity.objects.filter(sf_id=restored).update(is_deleted=True, deleted_at=NOW)
    settings.SALESFORCE_BULK_MIN_RECORDS = 1 if way == "bulk" else 10**9  # decided by the rows held
    nightly = run_sync(connected_org, SyncRun.Kind.RECONCILE)
    assert nightly.status == SyncRun.Status.SUCCEEDED, nightly.errors
    opportunity = nightly.object_runs.get(sobject="Opportunity")
    assert f"ids reconciled by {way.upper() if way == 'rest' else 'Bulk'}" in opportunity.strategy_reason
    assert opportunity.deleted == 2
    assert set(Opportunity.objects.filter(is_deleted=True).values_list("sf_id", flat=True)) == before | {purged, binned}
    assert Opportunity.objects.get(sf_id=restored).deleted_at is None


@pytest.mark.parametrize("bulk", [True, False])
def test_a_reconcile_that_fails_midway_changes_nothing(connected_org, org_dir, emulator, settings, bulk):
    """Some ids are in (staged, or merged with tombstones written) when the org's answer fails: all undone."""
    from integrations.salesforce.errors import TransientError
    from integrations.sync.job import ObjectJob
    from integrations.sync.run import begin_run, make_client

    settings.SALESFORCE_BULK_POLL_SECONDS = 0.01
    settings.SALESFORCE_BULK_MAX_RECORDS = 2
    settings.SALESFORCE_MAX_RETRIES = 0
    run_sync(connected_org)
    before = set(Opportunity.objects.filter(is_deleted=True).values_list("sf_id", flat=True))  # the sample's bin
    hard_delete(org_dir, "Opportunity", [sf_id("Opportunity", 1), sf_id("Opportunity", 2)])
    emulator.page_size = 2
    # Bulk: the first results set is staged, the second fails; REST: the first page is merged, the next fails.
    emulator.faults.fail(503, after=1 if bulk else 0, times=None, kind="bulk_results" if bulk else "query_more")
    first = "bulk_results" if bulk else "queryAll"
    answered = emulator.faults.count(first)
    run, token = begin_run(connected_org, SyncRun.Kind.RECONCILE)
    job = ObjectJob(run=run, spec=OPPORTUNITY, client=make_client(connected_org), token=token)
    with pytest.raises(TransientError):
        live_ids.reconcile(job, NOW, bulk=bulk)
    assert emulator.faults.count(first) == answered + (2 if bulk else 1)  # an answer was taken in first
    assert set(Opportunity.objects.filter(is_deleted=True).values_list("sf_id", flat=True)) == before
