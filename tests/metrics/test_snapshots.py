"""store_snapshots: one row per rep, week and metric; re-computing a week replaces it."""

from datetime import date
from decimal import Decimal

from coaching.metrics import names
from coaching.metrics.compute import compute_metrics
from coaching.metrics.snapshots import store_snapshots, week_snapshots
from coaching.models import MetricSnapshot
from tests.factories import MetricSnapshotFactory, OpportunityFactory, OrgFactory
from tests.metrics.conftest import AS_OF, days_before


def test_a_run_is_stored_as_the_weeks_snapshots(org, manager, rep, other_rep):
    OpportunityFactory(org=org, owner=rep, won=True, close_date=days_before(3), amount=Decimal("500"))
    OpportunityFactory(org=org, owner=other_rep, lost=True, close_date=days_before(3))
    written = store_snapshots(compute_metrics(org, AS_OF))
    assert written == 2 * len(names.METRIC_NAMES)
    rows = MetricSnapshot.objects.filter(org=org)
    assert rows.count() == written
    assert set(rows.values_list("week_start", "as_of").distinct()) == {(date(2024, 6, 24), AS_OF)}
    win_rate = rows.get(person_sf_id=rep.sf_id, name=names.WIN_RATE)
    assert (win_rate.value, win_rate.n, win_rate.manager_sf_id) == (1.0, 1, manager.sf_id)
    assert (win_rate.window_start, win_rate.window_end) == (date(2024, 1, 1), AS_OF)
    assert win_rate.details["won"] == 1
    assert rows.get(person_sf_id=other_rep.sf_id, name=names.WIN_RATE).value == 0.0
    assert rows.get(person_sf_id=other_rep.sf_id, name=names.AVG_WON_AMOUNT).value is None
    assert week_snapshots(org, date(2024, 6, 26)).count() == written


def test_recomputing_a_week_replaces_it(org, rep, other_rep):
    OpportunityFactory(org=org, owner=rep, won=True, close_date=days_before(3))
    only_then = OpportunityFactory(org=org, owner=other_rep, lost=True, close_date=days_before(3))
    store_snapshots(compute_metrics(org, date(2024, 6, 26)))  # Wednesday
    OpportunityFactory(org=org, owner=rep, lost=True, close_date=days_before(1))
    only_then.is_deleted = True  # other_rep no longer owns anything: no longer a rep
    only_then.save()
    store_snapshots(compute_metrics(org, AS_OF))  # Sunday of the same week
    rows = MetricSnapshot.objects.filter(org=org, week_start=date(2024, 6, 24))
    assert rows.count() == len(names.METRIC_NAMES)
    assert set(rows.values_list("person_sf_id", flat=True)) == {rep.sf_id}
    win_rate = rows.get(name=names.WIN_RATE)
    assert (win_rate.value, win_rate.as_of) == (0.5, AS_OF)


def test_other_weeks_and_orgs_are_left_alone(org, rep):
    OpportunityFactory(org=org, owner=rep)
    last_week = MetricSnapshotFactory(org=org, person_sf_id=rep.sf_id, as_of=date(2024, 6, 23))
    elsewhere = MetricSnapshotFactory(org=OrgFactory(), person_sf_id=rep.sf_id, as_of=AS_OF)
    store_snapshots(compute_metrics(org, AS_OF))
    assert MetricSnapshot.objects.filter(pk__in=[last_week.pk, elsewhere.pk]).count() == 2
    assert last_week.week_start == date(2024, 6, 17)


def test_an_org_without_reps_stores_nothing_and_clears_the_week(org):
    MetricSnapshotFactory(org=org, as_of=AS_OF)
    assert store_snapshots(compute_metrics(org, AS_OF)) == 0
    assert not MetricSnapshot.objects.filter(org=org).exists()
