"""late_stage_meeting_share, contact_roles_per_deal and single_threaded_count over late-stage open deals."""

from decimal import Decimal

import pytest

from coaching.metrics import names
from coaching.metrics.compute import compute_metrics
from tests.factories import ContactRoleFactory, EventFactory, OpportunityFactory, TaskFactory
from tests.metrics.conftest import AS_OF, days_before, moment


def test_late_stage_threading_and_meetings(org, rep):
    threaded = OpportunityFactory(org=org, owner=rep, probability=60, amount=Decimal("300"))
    ContactRoleFactory(opportunity=threaded)
    ContactRoleFactory(opportunity=threaded)
    EventFactory(org=org, owner=rep, what_sf_id=threaded.sf_id, start_at=moment(days_before(27)))
    single = OpportunityFactory(org=org, owner=rep, probability=90, amount=Decimal("200"))
    ContactRoleFactory(opportunity=single)
    ContactRoleFactory(opportunity=single, is_deleted=True)
    EventFactory(org=org, owner=rep, what_sf_id=single.sf_id, start_at=moment(days_before(28)))  # too old
    bare = OpportunityFactory(org=org, owner=rep, probability=50, amount=Decimal("100"))
    TaskFactory(org=org, owner=rep, what_sf_id=bare.sf_id, activity_date=AS_OF)  # a call is not a meeting
    early = OpportunityFactory(org=org, owner=rep, probability=20)  # not late stage
    ContactRoleFactory(opportunity=OpportunityFactory(org=org, owner=rep, won=True, close_date=days_before(1)))

    result = compute_metrics(org, AS_OF).rep(rep.sf_id).metrics
    meetings = result[names.LATE_STAGE_MEETING_SHARE]
    assert (meetings.value, meetings.n) == (pytest.approx(1 / 3), 3)
    assert meetings.details["evidence"] == [single.sf_id, bare.sf_id]
    roles = result[names.CONTACT_ROLES_PER_DEAL]
    assert (roles.value, roles.n) == (pytest.approx(1.0), 3)
    single_threaded = result[names.SINGLE_THREADED_COUNT]
    assert (single_threaded.value, single_threaded.n) == (2, 3)
    assert single_threaded.details["evidence"] == [single.sf_id, bare.sf_id]
    assert early.sf_id not in single_threaded.details["evidence"]


def test_no_late_stage_deals(org, rep):
    OpportunityFactory(org=org, owner=rep, probability=10)
    result = compute_metrics(org, AS_OF).rep(rep.sf_id).metrics
    assert result[names.LATE_STAGE_MEETING_SHARE].value is None
    assert result[names.CONTACT_ROLES_PER_DEAL].value is None
    assert (result[names.SINGLE_THREADED_COUNT].value, result[names.SINGLE_THREADED_COUNT].n) == (0, 0)
