"""The coaching effect against a matched control: an interval that excludes zero where discussions moved the
leading metric (Ana's team), one that does not where they did not (Ben's), and no claim without cases."""

from datetime import timedelta

from coaching.calibration.director import calibration
from coaching.calibration.effect import MIN_CASES, estimate, gap_cases
from coaching.calibration.leading import window_values
from coaching.models import Membership
from coaching.visibility import scope_for
from tests.calibration.conftest import GAP_WEEK, PAGE_WEEK, build_coaching_org


def test_the_leading_metric_is_the_activity_rate_of_the_28_days(coaching_org):
    rep = coaching_org.reps["ana"][0]
    before, after = window_values(coaching_org.org.pk, "ACTIVITY_LOW",
                                   [(rep.sf_id, GAP_WEEK - timedelta(days=28)), (rep.sf_id, GAP_WEEK)])  # fmt: skip
    from crm.models import Activity

    def count(start):
        return Activity.objects.filter(owner_sf_id=rep.sf_id, activity_date__gte=start,
                                       activity_date__lt=start + timedelta(days=28)).count()  # fmt: skip

    assert (before, after) == (count(GAP_WEEK - timedelta(days=28)) / 4, count(GAP_WEEK) / 4)


def test_cases_are_treated_where_discussed_and_controls_elsewhere(coaching_org):
    cases = gap_cases(coaching_org.org.pk, GAP_WEEK - timedelta(weeks=2), GAP_WEEK)
    treated = {case.rep for case in cases if case.discussed}
    assert treated == {rep.sf_id for key in ("ana", "ben") for rep in coaching_org.reps[key]}
    assert len(cases) == 32 and all(case.change is not None for case in cases)


def test_manager_a_moves_the_metric_and_manager_b_does_not(coaching_org):
    dana = coaching_org.user(coaching_org.dana, Membership.Role.DIRECTOR, "dana")
    page = calibration(scope_for(dana), PAGE_WEEK, PAGE_WEEK)
    rows = {row.name: row for row in page.managers}
    assert set(rows) == {"Ana Manager", "Ben Manager", "Cleo Manager"}  # Eve's Dora is not Dana's
    ana, ben, cleo = rows["Ana Manager"].effect, rows["Ben Manager"].effect, rows["Cleo Manager"].effect
    assert ana.cases == ben.cases == 8 and ana.controls == ben.controls == 16
    assert ana.enough and ana.low > 0  # the interval excludes zero, on the side of better
    assert ben.enough and ben.low < 0 < ben.high
    assert not cleo.enough and cleo.cases == 0  # never discussed: nothing is claimed
    assert ana.estimate > ben.estimate


def test_no_effect_is_claimed_without_enough_cases(db):
    org = build_coaching_org(seed=3)
    cases = gap_cases(org.org.pk, GAP_WEEK, GAP_WEEK)
    ana = {rep.sf_id for rep in org.reps["ana"]}
    treated = [case for case in cases if case.rep in ana][: MIN_CASES - 1]
    controls = [case for case in cases if not case.discussed]
    effect = estimate(treated, controls)
    assert not effect.enough and effect.estimate is None and effect.cases == MIN_CASES - 1
    # Controls of another code or severity band do not count as a match.
    for case in controls:
        case.code = "WIN_RATE_LOW"
    assert estimate([case for case in cases if case.rep in ana], controls).cases == 0


def test_without_a_lift_no_manager_shows_an_effect_that_excludes_zero(db):
    org = build_coaching_org(seed=21, lift={"ana": 0.0, "ben": 0.0, "cleo": 0.0, "dora": 0.0})
    dana = org.user(org.dana, Membership.Role.DIRECTOR, "dana21")
    page = calibration(scope_for(dana), PAGE_WEEK, PAGE_WEEK)
    assert all(not row.effect.excludes_zero for row in page.managers)


def test_every_flag_of_a_discussed_cause_counts_as_discussed_not_as_a_control(db):
    from django.utils import timezone

    from coaching.models import Agenda, AgendaItem, LeadingMeasure
    from tests.factories import OrgFactory, PersonFactory

    org = OrgFactory()
    manager = PersonFactory(org=org)
    rep = PersonFactory(org=org, manager_sf_id=manager.sf_id)
    for code in ("STALE_DEALS", "NO_NEXT_STEP"):
        LeadingMeasure.objects.create(org=org, person_sf_id=rep.sf_id, manager_sf_id=manager.sf_id, code=code,
                                      week_start=GAP_WEEK, severity=0.5, before=0.5, after=0.2,
                                      measured_on=PAGE_WEEK)  # fmt: skip
    agenda = Agenda.objects.create(org=org, manager_sf_id=manager.sf_id, week_start=GAP_WEEK, built_at=timezone.now())
    AgendaItem.objects.create(
        agenda=agenda, key=f"gap:DEAD_DEALS:{rep.sf_id}:", kind=AgendaItem.Kind.GAP, code="STALE_DEALS",
        person_sf_id=rep.sf_id, title="These 4 deals look dead", status=AgendaItem.Status.DISCUSSED,
        details={"cause": "dead_deals", "members": [{"code": "STALE_DEALS"}, {"code": "NO_NEXT_STEP"}]},
    )  # fmt: skip

    cases = {case.code: case for case in gap_cases(org.pk, GAP_WEEK, GAP_WEEK)}

    assert cases["STALE_DEALS"].discussed and cases["NO_NEXT_STEP"].discussed
