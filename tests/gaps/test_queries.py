"""Heavy work stays in a few queries: building a week costs the same number of queries for 2 teams or 8."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from coaching.gaps.evaluate import build_week
from coaching.gaps.snoozes import snooze_gap
from coaching.metrics import names
from coaching.models import GapRuleSetting
from tests.factories import OrgFactory
from tests.gaps.conftest import MECHANICS_BAR, OrgWeek

WEAK = {names.WIN_RATE: {"value": 0.12, "n": 25, "details": {"won": 3, "lost": 22}}}


def org_of(name: str, teams: int) -> tuple[OrgWeek, int]:
    org = OrgFactory(name=name)
    GapRuleSetting.objects.create(org=org, code="SIGNAL", thresholds=MECHANICS_BAR)
    week = OrgWeek(org)
    for _ in range(teams):
        manager, _ = week.team(4)
        weak = week.rep(manager, **WEAK)
        deals = week.flag(weak, names.STALE_OPEN_COUNT, 7, 10)
        week.rep(manager, **{names.ACTIVITIES_PER_WEEK: {"value": 0.1, "n": 0}})
        week.rep(manager, **{names.MEDIAN_WON_AMOUNT: {"value": 90000.0, "n": 9}})
        snooze_gap(
            week.org,
            "STALE_DEALS",
            weak.sf_id,
            opportunity_sf_id=deals[0].sf_id,
            reason="Parked",
            until=week.as_of,
            today=week.as_of,
        )
    week.store()
    with CaptureQueriesContext(connection) as queries:
        result = build_week(week.org, week.week_start)
    assert len({gap.person_sf_id for gap in result.gaps}) >= 2 * teams  # the work was real
    return week, len(queries.captured_queries)


def test_queries_do_not_grow_with_reps(db):
    _, small = org_of("small", 2)
    _, large = org_of("large", 8)
    assert large == small
    assert small <= 20, small
