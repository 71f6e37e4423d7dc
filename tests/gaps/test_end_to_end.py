"""From synced rows to gaps: evaluate_gaps runs the real metrics engine when the week is not stored yet."""

from datetime import date

from coaching.gaps.evaluate import build_week
from coaching.models import MetricSnapshot
from tests.factories import OpportunityFactory, OrgFactory, PersonFactory, TaskFactory

WEEK, AS_OF = date(2024, 6, 24), date(2024, 6, 30)


def test_gaps_from_synced_rows(db):
    org = OrgFactory(name="rows")
    director = PersonFactory(org=org)
    manager = PersonFactory(org=org, manager_sf_id=director.sf_id)
    reps = [PersonFactory(org=org, manager_sf_id=manager.sf_id) for _ in range(6)]
    subject = reps[0]
    for rep in reps:
        for index in range(10):
            blank = rep is subject and index < 8
            deal = OpportunityFactory(
                org=org, owner_sf_id=rep.sf_id, close_date=date(2024, 8, 30), next_step="" if blank else "Demo"
            )
            TaskFactory(org=org, owner_sf_id=rep.sf_id, what_sf_id=deal.sf_id, activity_date=date(2024, 6, 25))

    result = build_week(org, WEEK)
    assert result.computed_metrics
    assert MetricSnapshot.objects.filter(org=org, week_start=WEEK, as_of=AS_OF).exists()
    assert [(gap.code, gap.person_sf_id) for gap in result.gaps] == [("NO_NEXT_STEP", subject.sf_id)]
    gap = result.gaps[0]
    assert gap.manager_sf_id == manager.sf_id
    assert gap.value == 0.8
    assert gap.evidence["deals_total"] == 8
    assert all(deal["amount"] == 10000.0 for deal in gap.evidence["deals"])
    assert result.silenced == []

    again = build_week(org, WEEK)
    assert not again.computed_metrics
    assert [gap.pk for gap in again.gaps] == [gap.pk]

    midweek = build_week(org, WEEK, as_of=date(2024, 6, 26))
    assert midweek.computed_metrics
    assert midweek.gaps[0].evidence["as_of"] == "2024-06-26"
