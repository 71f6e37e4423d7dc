"""The coaching effect on a generated org whose managers coach differently (the generator's coaching styles):
engaged managers' discussions moved the reps' activity, so their interval excludes zero; managers who talk
just as much without effect do not get one; a manager who never opens the portal has no cases. The truth is
the generator's configuration, not anything coachapp computed."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User

from bench.load import load_org
from coaching.calibration.director import calibration
from coaching.calibration.measure import measure_leading
from coaching.models import Membership
from coaching.visibility import scope_for
from sfemulator.generator import CoachingStyles, GeneratorConfig, OrgBuild, coaching_plan
from tests.calibration.coaching_plan import enact

END = date(2026, 3, 1)  # a Sunday
WEEK = date(2026, 1, 5)  # the 1:1s; its 28 days after end on 1 February, well inside the data
CONFIG = GeneratorConfig(reps=40, months=4, seed=8, end=END, opportunities_per_rep_month=5.0,
                         activities_per_opportunity=2.0, coaching=CoachingStyles(week=WEEK, lift=5.0))  # fmt: skip


@pytest.fixture
def coached(postgres, db):
    org = load_org("coached", CONFIG).org
    build = OrgBuild(CONFIG)
    enact(org, coaching_plan(build.chart, CONFIG.coaching))
    page_week = WEEK + timedelta(weeks=4)
    measure_leading(org.pk, page_week, page_week)  # the weekly build's part
    user = User.objects.create_user("admin-coached")
    Membership.objects.create(user=user, org=org, role=Membership.Role.ADMIN)
    return calibration(scope_for(user), page_week, page_week), build.styles


@pytest.mark.postgres
def test_engaged_managers_show_an_effect_and_the_others_do_not(coached):
    page, styles = coached
    rows = {row.sf_id: row.effect for row in page.managers}
    by_style = {
        style: [rows[manager] for manager, kind in styles.items() if kind == style] for style in styles.values()
    }
    assert set(by_style) == {"engaged", "talks", "absent"}
    assert all(effect.enough and effect.low > 0 for effect in by_style["engaged"])
    assert all(effect.enough and not effect.excludes_zero for effect in by_style["talks"])
    assert all(effect.cases == 0 and not effect.enough for effect in by_style["absent"])
    assert all(effect.control_kind == "matched" for effect in by_style["engaged"] + by_style["talks"])


@pytest.mark.postgres
def test_the_generated_calls_are_the_only_difference_coaching_makes(postgres):
    plain = GeneratorConfig(reps=CONFIG.reps, months=CONFIG.months, seed=CONFIG.seed, end=END,
                            opportunities_per_rep_month=5.0, activities_per_opportunity=2.0)  # fmt: skip
    with_styles = list(OrgBuild(CONFIG).records())
    without = list(OrgBuild(plain).records())
    extra = [record for record in with_styles if record not in without]
    assert extra and all(sobject == "Task" and record["Type"] == "Call" for sobject, record in extra)
    assert all("2026-01-05" <= record["ActivityDate"] < "2026-02-03" for _sobject, record in extra)
