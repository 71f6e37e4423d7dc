"""Who is an active rep: a live, active user with a manager who owns live deals or activities."""

from coaching.metrics.compute import compute_metrics
from coaching.metrics.reps import active_reps
from tests.factories import OpportunityFactory, PersonFactory, TaskFactory
from tests.metrics.conftest import AS_OF


def test_a_user_with_a_manager_and_a_deal_is_a_rep(org, manager, rep):
    OpportunityFactory(org=org, owner=rep)
    reps = active_reps(org)
    assert list(reps) == [rep.sf_id]
    assert reps[rep.sf_id].manager_sf_id == manager.sf_id


def test_owning_only_activities_is_enough(org, rep):
    TaskFactory(org=org, owner=rep)
    assert list(active_reps(org)) == [rep.sf_id]


def test_who_is_not_a_rep(org, manager, rep):
    OpportunityFactory(org=org, owner=manager)  # selling, but no manager above
    OpportunityFactory(org=org, owner=rep, is_deleted=True)  # owns only a deleted deal
    inactive = PersonFactory(org=org, manager=manager, is_active=False)
    OpportunityFactory(org=org, owner=inactive)
    deleted = PersonFactory(org=org, manager=manager, is_deleted=True)
    OpportunityFactory(org=org, owner=deleted)
    PersonFactory(org=org, manager=manager)  # owns nothing
    assert active_reps(org) == {}


def test_reps_of_another_org_are_not_counted(org, rep):
    elsewhere = PersonFactory(manager_sf_id=rep.manager_sf_id)
    OpportunityFactory(org=elsewhere.org, owner=elsewhere)
    OpportunityFactory(org=elsewhere.org, owner_sf_id=rep.sf_id)  # same CRM id in another org
    assert active_reps(org) == {}


def test_a_manager_who_sells_is_a_rep_of_their_own_manager(org, manager, rep):
    director = PersonFactory(org=org)
    manager.manager_sf_id = director.sf_id
    manager.save()
    OpportunityFactory(org=org, owner=manager)
    OpportunityFactory(org=org, owner=rep)
    reps = active_reps(org)
    assert list(reps) == sorted([manager.sf_id, rep.sf_id])
    assert reps[manager.sf_id].manager_sf_id == director.sf_id


def test_an_org_without_reps_gives_an_empty_result(org):
    result = compute_metrics(org, AS_OF)
    assert result.reps == []
    assert result.as_json() == {"org": "acme", "as_of": "2024-06-30", "reps": []}
