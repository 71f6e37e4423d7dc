import pytest
from django.contrib.auth.models import AnonymousUser, User

from coaching.models import Agenda, Membership
from coaching.visibility import scope_for, subordinates
from crm.models import Opportunity
from tests.factories import OpportunityFactory, OrgFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org_chart():
    """VP → director → two FSMs → two reps each; a second org with a look-alike tree."""
    org = OrgFactory(name="acme")
    vp = PersonFactory(org=org, name="VP")
    director = PersonFactory(org=org, manager=vp, name="Director")
    fsm_a = PersonFactory(org=org, manager=director, name="FSM A")
    fsm_b = PersonFactory(org=org, manager=director, name="FSM B")
    reps_a = [PersonFactory(org=org, manager=fsm_a) for _ in range(2)]
    reps_b = [PersonFactory(org=org, manager=fsm_b) for _ in range(2)]
    gone = PersonFactory(org=org, manager=fsm_a, is_deleted=True)
    other = OrgFactory(name="other")
    other_fsm = PersonFactory(org=other)
    other_rep = PersonFactory(org=other, manager=other_fsm)
    return locals()


def member(org, person, role):
    user = User.objects.create_user(f"u{person.sf_id if person else role}")
    Membership.objects.create(user=user, org=org, person_sf_id=person.sf_id if person else "", role=role)
    return user


def ids(*people):
    return frozenset(p.sf_id for p in people)


def test_fsm_sees_themself_and_direct_reports_only(org_chart):
    c = org_chart
    scope = scope_for(member(c["org"], c["fsm_a"], Membership.Role.FSM))
    assert scope.people == ids(c["fsm_a"], *c["reps_a"])
    assert not scope.allows(c["reps_b"][0].sf_id)
    assert not scope.allows(c["gone"].sf_id)  # tombstoned in the CRM


def test_director_sees_the_whole_subtree(org_chart):
    c = org_chart
    scope = scope_for(member(c["org"], c["director"], Membership.Role.DIRECTOR))
    assert scope.people == ids(c["director"], c["fsm_a"], c["fsm_b"], *c["reps_a"], *c["reps_b"])
    assert not scope.allows(c["vp"].sf_id)


def test_rep_sees_only_themself(org_chart):
    c = org_chart
    scope = scope_for(member(c["org"], c["reps_a"][0], Membership.Role.REP))
    assert scope.people == ids(c["reps_a"][0])


def test_admin_sees_the_org_but_not_another_org(org_chart):
    c = org_chart
    scope = scope_for(member(c["org"], None, Membership.Role.ADMIN))
    assert scope.is_admin
    people = scope.filter(Opportunity.objects.all(), field="owner_sf_id")
    OpportunityFactory(org=c["org"], owner_sf_id=c["reps_a"][0].sf_id)
    OpportunityFactory(org=c["other"], owner_sf_id=c["other_rep"].sf_id)
    assert [o.org_id for o in people] == [c["org"].id]


def test_no_membership_or_anonymous_sees_nothing(org_chart):
    assert scope_for(AnonymousUser()) is None
    assert scope_for(User.objects.create_user("stranger")) is None
    assert scope_for(None) is None


def test_filter_keeps_other_teams_and_other_orgs_out(org_chart):
    c = org_chart
    mine = OpportunityFactory(org=c["org"], owner_sf_id=c["reps_a"][1].sf_id)
    OpportunityFactory(org=c["org"], owner_sf_id=c["reps_b"][0].sf_id)
    OpportunityFactory(org=c["other"], owner_sf_id=c["other_rep"].sf_id)
    scope = scope_for(member(c["org"], c["fsm_a"], Membership.Role.FSM))
    assert list(scope.filter(Opportunity.objects.all(), field="owner_sf_id")) == [mine]


def test_agendas_fsm_own_director_below_rep_none(org_chart):
    from datetime import UTC, date, datetime

    c = org_chart
    week, now = date(2026, 11, 23), datetime(2026, 11, 23, tzinfo=UTC)
    own = Agenda.objects.create(org=c["org"], manager_sf_id=c["fsm_a"].sf_id, week_start=week, built_at=now)
    peer = Agenda.objects.create(org=c["org"], manager_sf_id=c["fsm_b"].sf_id, week_start=week, built_at=now)
    fsm = scope_for(member(c["org"], c["fsm_a"], Membership.Role.FSM))
    director = scope_for(member(c["org"], c["director"], Membership.Role.DIRECTOR))
    rep = scope_for(member(c["org"], c["reps_a"][0], Membership.Role.REP))
    assert list(fsm.filter_agendas(Agenda.objects.all())) == [own]
    assert set(director.filter_agendas(Agenda.objects.all())) == {own, peer}
    assert list(rep.filter_agendas(Agenda.objects.all())) == []


def test_subordinates_survive_a_cycle_in_crm_data():
    org = OrgFactory(name="loopy")
    a = PersonFactory(org=org)
    b = PersonFactory(org=org, manager=a)
    a.manager_sf_id = b.sf_id
    a.save()
    assert subordinates(org.id, a.sf_id) == {b.sf_id}
