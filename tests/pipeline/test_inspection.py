"""A manager's inspection as the portal page and the API show it: changes, coverage on the fiscal calendar,
the deals to inspect ranked by amount x risk with their CRM links, and bad input refused."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from coaching.api.models import ApiKey
from coaching.models import Agenda, Membership
from coaching.pipeline.inspection import inspection
from tests.factories import FiscalPeriodFactory, PersonFactory, QuotaFactory, TaskFactory
from tests.pipeline.conftest import WEEK, deal

PASSWORD = "a-long-test-password"


def signed_in(client, org, person, role, name):
    user = User.objects.create_user(name, password=PASSWORD)
    Membership.objects.create(user=user, org=org, person_sf_id=person.sf_id, role=role)
    client.force_login(user)
    return user


@pytest.fixture
def fiscal_team(week_team):
    """The week team on a February fiscal year, with quotas and open deals to inspect."""
    org, ana = week_team["org"], week_team["ana"]
    FiscalPeriodFactory(org=org, start_date=date(2024, 5, 1), end_date=date(2024, 7, 31), label="Q2 FY 2024")
    FiscalPeriodFactory(org=org, start_date=date(2024, 8, 1), end_date=date(2024, 10, 31), label="Q3 FY 2024")
    QuotaFactory(org=org, owner_sf_id=ana.sf_id, amount=Decimal("92000.00"), start_date=date(2024, 5, 1))
    # Calendar Q2 (April-June) would hold this quota; the fiscal quarter (May-July) must not.
    QuotaFactory(org=org, owner_sf_id=ana.sf_id, amount=Decimal("1.00"), start_date=date(2024, 4, 1))
    big_overdue = deal(org, ana, "Proposal/Price Quote", "50000.00", date(2024, 6, 3), name="Overdue big one")
    fresh = deal(org, ana, "Value Proposition", "60000.00", date(2024, 7, 30), name="Healthy bigger one",
                 last_activity_date=date(2024, 6, 14))  # fmt: skip
    TaskFactory(org=org, owner_sf_id=ana.sf_id, what_sf_id=fresh.sf_id, activity_date=date(2024, 6, 14))
    return {**week_team, "overdue": big_overdue, "fresh": fresh}


def test_the_inspection_reads_the_fiscal_quarters_and_ranks_the_deals(fiscal_team):
    org = fiscal_team["org"]
    found = inspection(org, fiscal_team["manager"].sf_id, WEEK)
    assert [rep.name for rep in found.reps] == ["Ana Rep", "Ben Rep"]
    assert found.calendar.source == "crm"
    assert (found.spans.current.label, found.spans.following.label) == ("Q2 FY 2024", "Q3 FY 2024")
    row = found.reps[0]
    current = row.coverage["current_quarter"]
    assert current.window.start == date(2024, 5, 1) and current.window.end == date(2024, 7, 31)
    # Won with a close date in May-July: 600.20 + 9100.99 + 4000.00 (closed on 1 June, before the week);
    # the quota less that is what the open pipeline covers.
    assert current.won_amount == Decimal("13701.19")
    assert current.quota == Decimal("92000.00") - Decimal("13701.19")
    open_in_quarter = sum(
        Decimal(d) for d in ("1234.56", "3000.00", "800.00", "50000.00", "60000.00")
    )  # new, sideways, ghost (its deleted row changed nothing), overdue, fresh
    assert current.open_amount == open_in_quarter
    assert row.coverage["next_quarter"].open_amount == Decimal("15000.50")  # pushed to 31 August
    assert row.coverage["next_quarter"].ratio is None  # no quota entered for August-October
    assert row.coverage["next_90_days"].quota is not None  # the next quarter at this quarter's daily rate
    deals = [d.name for d in row.deals]
    # amount x risk: 50,000 x (0.1 base + 0.2 overdue + 0.15 no activity) = 22,500; 15,000.50 x (0.1 + 0.15 one
    # push + 0.15 no activity + 0.15 pushed + 0.15 cut + 0.2 stage back) = 13,500; 60,000 x 0.1 = 6,000;
    # 3,000 x 0.25 = 750; 1,234.56 x 0.25 = 309; the 800 deal (200) is sixth and left out.
    assert deals == ["Overdue big one", "Pushed, down, back", "Healthy bigger one", "Sideways", "New only"]
    assert [round(d.risk, 2) for d in row.deals] == [0.45, 0.9, 0.1, 0.25, 0.25]
    first = row.deals[0]
    assert "close date 2024-06-03 has passed" in first.reasons and first.url.endswith(fiscal_team["overdue"].sf_id)
    pushed = next(d for d in row.deals if d.name == "Pushed, down, back")
    assert pushed.changes == ("Pushed out: 2024-06-30 → 2024-08-31", "Amount down: 20,000.00 → 15,000.50",
                              "Stage back: Proposal/Price Quote → Perception Analysis")  # fmt: skip
    assert "close date pushed 1 time in 91 days" in pushed.reasons


def test_the_inspection_takes_a_fixed_number_of_queries_whatever_the_team(fiscal_team):
    org, manager = fiscal_team["org"], fiscal_team["manager"]
    with CaptureQueriesContext(connection) as small:
        inspection(org, manager.sf_id, WEEK)
    for index in range(6):
        PersonFactory(org=org, manager_sf_id=manager.sf_id, name=f"Extra {index}")
    with CaptureQueriesContext(connection) as large:
        inspection(org, manager.sf_id, WEEK)
    assert len(large) == len(small) <= 11  # 11: the org's win model is looked up (none here)


def test_the_portal_page_shows_the_team_and_refuses_a_bad_week(client, fiscal_team):
    signed_in(client, fiscal_team["org"], fiscal_team["manager"], Membership.Role.FSM, "max")
    page = client.get("/pipeline/?week=2024-06-17")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Your team\u2019s pipeline" in text and "Ana Rep" in text and "Ben Rep" in text
    assert "Q2 FY 2024" in text and "Overdue big one" in text
    assert f"https://pipe.my.salesforce.com/{fiscal_team['overdue'].sf_id}" in text
    assert client.get("/pipeline/?week=not-a-day").status_code == 400
    assert client.get("/pipeline/?week=2999-01-04").status_code == 400


def test_a_director_picks_a_team_and_opens_it(client, fiscal_team):
    signed_in(client, fiscal_team["org"], fiscal_team["director"], Membership.Role.DIRECTOR, "dana")
    Agenda.objects.create(
        org=fiscal_team["org"], manager_sf_id=fiscal_team["manager"].sf_id, week_start=WEEK, built_at=timezone.now()
    )
    pick = client.get("/pipeline/")
    assert pick.status_code == 200 and "Max Manager\u2019s team" in pick.content.decode()
    page = client.get(f"/pipeline/{fiscal_team['manager'].sf_id}/?week=2024-06-17")
    assert page.status_code == 200 and "Max Manager\u2019s team pipeline" in page.content.decode()


def test_the_api_answers_the_same_inspection(fiscal_team):
    org, manager = fiscal_team["org"], fiscal_team["manager"]
    user = User.objects.create_user("max-api")
    Membership.objects.create(user=user, org=org, person_sf_id=manager.sf_id, role=Membership.Role.FSM)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {ApiKey.issue(org, user, 'widget')[1]}")
    response = api.get(f"/api/v1/managers/{manager.sf_id}/pipeline", {"week": "2024-06-17"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["reviewed"] == {"start": "2024-06-10", "end": "2024-06-16"}
    assert body["current_quarter"] == {"start": "2024-05-01", "end": "2024-07-31", "label": "Q2 FY 2024"}
    ana = body["reps"][0]
    assert ana["changes"]["amount_down"] == {"count": 1, "amount": -4999.5}
    assert ana["changes"]["won"] == {"count": 2, "amount": 9701.19}
    assert body["totals"]["pushed_out"] == {"count": 2, "amount": 17500.5}
    assert ana["deals_to_inspect"][0]["name"] == "Overdue big one"
    bad = api.get(f"/api/v1/managers/{manager.sf_id}/pipeline", {"week": "2024-06-18"})
    assert bad.status_code == 400 and "Monday" in bad.json()["error"]["message"] + str(bad.json()["error"]["fields"])


def test_the_agenda_shows_last_weeks_changes_and_each_reps_deals_to_inspect(client, fiscal_team):
    signed_in(client, fiscal_team["org"], fiscal_team["manager"], Membership.Role.FSM, "max-agenda")
    ana = fiscal_team["ana"]
    agenda = Agenda.objects.create(
        org=fiscal_team["org"], manager_sf_id=fiscal_team["manager"].sf_id, week_start=WEEK, built_at=timezone.now(),
        content={"reps": [{"sf_id": ana.sf_id, "name": ana.name, "minutes": 10}]},
    )  # fmt: skip
    text = client.get(f"/agendas/{agenda.pk}/").content.decode()
    assert 'id="pipeline"' in text and "Pipeline since last week" in text
    assert "Deals to inspect" in text and "Overdue big one" in text
    assert f"/pipeline/{fiscal_team['manager'].sf_id}/?week=2024-06-17" in text


def test_the_agenda_page_reuses_its_inspection_until_the_week_is_built_again(client, fiscal_team, settings):
    settings.PIPELINE_CACHE_SECONDS = 600
    from django.core.cache import cache

    signed_in(client, fiscal_team["org"], fiscal_team["manager"], Membership.Role.FSM, "max-cache")
    ana = fiscal_team["ana"]
    agenda = Agenda.objects.create(
        org=fiscal_team["org"], manager_sf_id=fiscal_team["manager"].sf_id, week_start=WEEK,
        built_at=timezone.now(), content={"reps": [{"sf_id": ana.sf_id, "name": ana.name, "minutes": 10}]},
    )  # fmt: skip
    url = f"/agendas/{agenda.pk}/"
    try:
        client.get(url)  # fills the cache
        with CaptureQueriesContext(connection) as warm:
            assert "Overdue big one" in client.get(url).content.decode()
        assert not any("opportunitychange" in query["sql"] for query in warm.captured_queries)
        Agenda.objects.filter(pk=agenda.pk).update(built_at=timezone.now())  # a rebuild after a sync
        with CaptureQueriesContext(connection) as rebuilt:
            client.get(url)
        assert any("opportunitychange" in query["sql"] for query in rebuilt.captured_queries)
    finally:
        cache.delete_many(
            [
                f"agenda-pipeline:{agenda.pk}:{at.isoformat()}"
                for at in Agenda.objects.filter(pk=agenda.pk).values_list("built_at", flat=True)
            ]
        )


def test_the_orgs_backtested_win_model_replaces_the_heuristic_risk_and_the_page_says_so(client, fiscal_team):
    import math

    from coaching.backtest.winmodel import WinParameters
    from coaching.models import WinModel

    org, manager = fiscal_team["org"], fiscal_team["manager"]
    assert inspection(org, manager.sf_id, WEEK).risk_source == "heuristic"
    stages = {"Value Proposition": -3.0, "Proposal/Price Quote": 1.0}  # other stages 0
    flags = {key: 0.0 for key in ("stale", "overdue", "stall", "single", "pushed", "regressed")}
    model = WinParameters(0.0, stages, flags, 0.0, {}, 0.3)
    WinModel.objects.create(org=org, as_of=WEEK, parameters=model.as_json(), deals=300)

    found = inspection(org, manager.sf_id, WEEK)

    assert found.risk_source == "backtested" and found.as_json()["risk_source"] == "backtested"
    deals = found.reps[0].deals
    for item in deals:  # 1 - the logistic of the deal's stage level, nothing else (flag weights are 0)
        assert item.risk == pytest.approx(1 - 1 / (1 + math.exp(-stages.get(item.stage, 0.0))))
        assert item.reasons[0].endswith("to win by the org's win model")
    assert [item.score for item in deals] == sorted((item.score for item in deals), reverse=True)
    assert deals[0].name == "Healthy bigger one"  # 60,000 x 0.95: first now, third by the heuristic
    signed_in(client, org, manager, Membership.Role.FSM, "maxb")
    assert "your org\u2019s backtested win model" in client.get("/pipeline/?week=2024-06-17").content.decode()
