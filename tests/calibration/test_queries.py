"""The director's page answers in a fixed number of queries, however many managers are below the director:
every concern is one grouped statement over all of them, never one per manager (issue #14's speed target)."""

from datetime import UTC, datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from coaching.calibration.director import calibration
from coaching.models import Agenda, AgendaItem, Commitment, LeadingMeasure, Membership
from coaching.visibility import scope_for
from tests.calibration.conftest import GAP_WEEK, PAGE_WEEK
from tests.factories import GapFactory, OrgFactory, PersonFactory

# The page: session, user, membership, the director's subtree (scope), org, the viewer's time zone, the
# viewer's name; the org chart, agenda statuses, commitments, weeks until a gap closes, the effect's cases;
# each manager's latest agenda.
PAGE_QUERIES = 13
CALIBRATION_QUERIES = 5  # what the API and the digest run too: chart, statuses, commitments, closing, cases
STATUSES = (
    AgendaItem.Status.DISMISSED,
    AgendaItem.Status.OPEN,
    AgendaItem.Status.DISCUSSED,
    AgendaItem.Status.DISCUSSED,
)


def _director_with(managers: int, django_user_model):
    """A director over ``managers`` frontline teams of four reps (two topics discussed, one dismissed, one left
    open), a commitment kept, gaps open for two weeks and every rep's leading measure; returns the director's
    user."""
    org = OrgFactory(name=f"teams{managers}")
    director = PersonFactory(org=org, name="Dee Director")
    for number in range(managers):
        manager = PersonFactory(org=org, name=f"Manager {number}", manager_sf_id=director.sf_id)
        agenda = Agenda.objects.create(org=org, manager_sf_id=manager.sf_id, week_start=GAP_WEEK,
                                       built_at=datetime(2024, 7, 1, 6, tzinfo=UTC))  # fmt: skip
        for index in range(4):
            rep = PersonFactory(org=org, name=f"Rep {number}.{index}", manager_sf_id=manager.sf_id)
            for offset in range(2):
                GapFactory(org=org, week_start=GAP_WEEK + timedelta(weeks=offset), code="ACTIVITY_LOW",
                           person_sf_id=rep.sf_id, manager_sf_id=manager.sf_id, weeks_open=offset + 1)  # fmt: skip
            AgendaItem.objects.create(agenda=agenda, key=f"gap:ACTIVITY_LOW:{rep.sf_id}", kind=AgendaItem.Kind.GAP,
                                      code="ACTIVITY_LOW", person_sf_id=rep.sf_id, title="Log more activity",
                                      status=STATUSES[index],
                                      status_reason="" if index else "rep on leave")  # fmt: skip
            LeadingMeasure.objects.create(org=org, person_sf_id=rep.sf_id, manager_sf_id=manager.sf_id,
                                          code="ACTIVITY_LOW", week_start=GAP_WEEK, severity=0.5, before=3.0,
                                          after=3.0 + index + number / 10, measured_on=PAGE_WEEK)  # fmt: skip
        Commitment.objects.create(agenda=agenda, text="Call the champion", owner_sf_id=rep.sf_id,
                                  due_date=GAP_WEEK + timedelta(days=9), status=Commitment.Status.DONE,
                                  closed_at=datetime(2024, 7, 9, 12, tzinfo=UTC))  # fmt: skip
    GapFactory(org=org, week_start=GAP_WEEK + timedelta(weeks=2), code="CYCLE_LONG", person_sf_id=rep.sf_id)
    user = django_user_model.objects.create_user(f"dee{managers}")
    Membership.objects.create(user=user, org=org, person_sf_id=director.sf_id, role=Membership.Role.DIRECTOR)
    return user


def _page_queries(client, user) -> tuple[int, str]:
    client.force_login(user)
    client.get(f"/calibration/?week={PAGE_WEEK.isoformat()}")  # the session's first read is not the page's
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/calibration/?week={PAGE_WEEK.isoformat()}")
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_director_page_reads_as_many_queries_for_six_managers_as_for_two(client, db, django_user_model):
    two, six = _director_with(2, django_user_model), _director_with(6, django_user_model)

    (few, few_text), (many, many_text) = _page_queries(client, two), _page_queries(client, six)

    assert few == many == PAGE_QUERIES
    # Every manager is on the page, with what was computed for them (not an empty page that is fast).
    assert all(f"Manager {number}" in many_text for number in range(6)) and "Manager 2" not in few_text
    assert many_text.count("rep on leave (1)") == 6
    assert many_text.count("100%") >= 6  # each manager's commitment kept on time


def test_the_calibration_the_api_and_digest_read_is_five_queries_for_any_number_of_managers(db, django_user_model):
    for managers in (2, 6):
        scope = scope_for(_director_with(managers, django_user_model))
        with CaptureQueriesContext(connection) as captured:
            found = calibration(scope, PAGE_WEEK, PAGE_WEEK)
        assert len(captured) == CALIBRATION_QUERIES
        assert len(found.managers) == managers
        assert all(row.handling.statuses["discussed"] == 2 and row.effect.cases == 2 for row in found.managers)
        assert all(row.handling.weeks_to_close == {"ACTIVITY_LOW": 2.0} for row in found.managers)
