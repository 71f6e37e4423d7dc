"""activities_per_week and conversation_share over the trailing 28 days."""

from datetime import timedelta

import pytest

from coaching.metrics import names
from coaching.metrics.compute import compute_metrics
from tests.factories import EventFactory, OpportunityFactory, TaskFactory
from tests.metrics.conftest import AS_OF, days_before, metric, moment


def test_completed_tasks_by_activity_date_and_events_by_start_day(org, rep, other_rep):
    first_day = days_before(27)
    TaskFactory(org=org, owner=rep, activity_date=first_day)
    TaskFactory(org=org, owner=rep, activity_date=AS_OF)
    TaskFactory(org=org, owner=rep, activity_date=days_before(28))  # a day too old
    TaskFactory(org=org, owner=rep, activity_date=AS_OF + timedelta(days=1))
    TaskFactory(org=org, owner=rep, activity_date=AS_OF, is_closed=False)  # not done
    TaskFactory(org=org, owner=rep, activity_date=AS_OF, is_deleted=True)
    TaskFactory(org=org, owner=rep, activity_date=None)
    TaskFactory(org=org, owner=other_rep, activity_date=AS_OF)
    EventFactory(org=org, owner=rep, start_at=moment(first_day, 0, 0))
    EventFactory(org=org, owner=rep, start_at=moment(AS_OF, 23, 59))
    EventFactory(org=org, owner=rep, start_at=moment(days_before(28), 23, 59))
    EventFactory(org=org, owner=rep, start_at=moment(AS_OF + timedelta(days=1), 0, 0))
    EventFactory(org=org, owner=rep, start_at=moment(AS_OF), is_deleted=True)
    activity = metric(org, rep, names.ACTIVITIES_PER_WEEK)
    assert activity.value == pytest.approx(4 / 4)
    assert activity.n == 4
    assert activity.window.as_list() == [first_day.isoformat(), "2024-06-30"]
    assert (activity.details["tasks"], activity.details["events"]) == (2, 2)


def test_activities_per_week_divides_by_four(org, rep):
    for day in range(10):
        TaskFactory(org=org, owner=rep, activity_date=days_before(day))
    assert metric(org, rep, names.ACTIVITIES_PER_WEEK).value == 2.5


def test_no_activity_is_zero_per_week(org, rep):
    OpportunityFactory(org=org, owner=rep)
    result = compute_metrics(org, AS_OF).rep(rep.sf_id).metrics
    assert (result[names.ACTIVITIES_PER_WEEK].value, result[names.ACTIVITIES_PER_WEEK].n) == (0.0, 0)
    assert result[names.CONVERSATION_SHARE].value is None


def test_activity_mix_by_type(org, rep):
    TaskFactory(org=org, owner=rep, activity_date=AS_OF, subtype="Call", type="Call")
    TaskFactory(org=org, owner=rep, activity_date=AS_OF, subtype="", type="Call")
    TaskFactory(org=org, owner=rep, activity_date=AS_OF, subtype="Email", type="Email")
    TaskFactory(org=org, owner=rep, activity_date=AS_OF, subtype="ListEmail", type="")
    TaskFactory(org=org, owner=rep, activity_date=AS_OF, subtype="Task", type="Other")
    EventFactory(org=org, owner=rep, start_at=moment(AS_OF))
    share = metric(org, rep, names.CONVERSATION_SHARE)
    assert share.details["mix"] == {"calls": 2, "emails": 2, "meetings": 1, "other_tasks": 1}
    assert share.value == pytest.approx(3 / 6)
    assert share.n == 6
