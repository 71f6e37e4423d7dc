"""The read endpoints: what each returns, how weeks default and filter, pagination, and clear 400s."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coaching.agendas import add_commitment, build_agendas, set_item_status
from coaching.api import filters
from coaching.models import Snooze
from integrations.models import SyncRun
from tests.api.conftest import EARLIER, WEEK, error_of, gaps_for
from tests.factories import GapFactory, MetricSnapshotFactory, OpportunityFactory

pytestmark = pytest.mark.django_db
LATER = WEEK + timedelta(weeks=1)


def get(world, url, who="fsm", **params):
    return world.client(who).get(url, params)


# --- metrics


def test_rep_metrics_of_the_latest_week(world):
    response = get(world, f"/api/v1/reps/{world.sf('a1')}/metrics")
    assert response.status_code == 200
    body = response.json()
    assert body["week_start"] == WEEK.isoformat() and body["count"] == 2
    assert [row["name"] for row in body["results"]] == ["open_count", "win_rate"]
    win_rate = body["results"][1]
    assert win_rate["value"] == 0.25 and win_rate["unit"] == "ratio" and win_rate["better"] == "higher"
    assert win_rate["label"] and win_rate["person_sf_id"] == world.sf("a1")


def test_rep_metrics_of_a_given_week_and_names(world):
    MetricSnapshotFactory(
        org=world.org, person_sf_id=world.sf("a1"), as_of=EARLIER + timedelta(days=6), name="win_rate", value=0.2
    )
    url = f"/api/v1/reps/{world.sf('a1')}/metrics"
    earlier = get(world, url, week=EARLIER.isoformat()).json()
    assert earlier["week_start"] == EARLIER.isoformat()
    assert [(row["name"], row["value"]) for row in earlier["results"]] == [("win_rate", 0.2)]
    one = get(world, url, name="open_count").json()["results"]
    assert [row["name"] for row in one] == ["open_count"]
    both = world.client("fsm").get(f"{url}?name=open_count&name=win_rate").json()["results"]
    assert len(both) == 2


def test_a_15_character_id_is_the_same_rep(world):
    url = f"/api/v1/reps/{world.sf('a1')[:15]}/metrics"
    assert get(world, url).json()["count"] == 2


@pytest.mark.parametrize(
    ("week", "says"),
    [
        ("2026-03-04", "2026-03-04 is a Wednesday; its week starts on 2026-03-02"),
        ("next week", "Date has wrong format"),
        ("2026-02-30", "Date has wrong format"),
    ],
)
def test_a_bad_week_is_a_400_that_says_why(world, week, says):
    for url in (
        f"/api/v1/reps/{world.sf('a1')}/metrics",
        f"/api/v1/reps/{world.sf('a1')}/gaps",
        f"/api/v1/opportunities/{world.deals['a1'].sf_id}/flags",
        f"/api/v1/managers/{world.sf('fsm_a')}/agenda",
    ):
        response = get(world, url, week=week)
        assert response.status_code == 400, url
        error = error_of(response)
        assert error["code"] == "invalid" and says in " ".join(error["fields"]["week"])


@pytest.mark.parametrize(
    ("sf_id", "says"),
    [
        ("abc", "not a Salesforce id: expected 15 or 18 letters and digits"),
        ("0055g0000000007AAB", "do not match the first 15"),
        ("0065g0000000001AAA", "is an Opportunity id; this takes a user id (starting 005)"),
        ("0055g00000-0007", "not a Salesforce id"),
    ],
)
def test_a_bad_user_id_is_a_400_that_says_why(world, sf_id, says):
    response = get(world, f"/api/v1/reps/{sf_id}/metrics")
    assert response.status_code == 400
    assert says in error_of(response)["fields"]["sf_user_id"][0]


def test_an_unknown_metric_name_lists_the_known_ones(world):
    response = get(world, f"/api/v1/reps/{world.sf('a1')}/metrics", name="win_ratio")
    assert response.status_code == 400
    (messages,) = error_of(response)["fields"].values()
    assert "win_ratio is not one of: won_count, lost_count, win_rate" in messages[0]


def test_pagination(world):
    url = f"/api/v1/reps/{world.sf('a1')}/metrics"
    first = get(world, url, page_size=1).json()
    assert first["count"] == 2 and len(first["results"]) == 1 and "page=2" in first["next"]
    second = world.client("fsm").get(first["next"]).json()
    assert second["results"][0]["name"] != first["results"][0]["name"] and second["next"] is None
    past = get(world, url, page=3, page_size=1)
    assert past.status_code == 404 and "past the last page (2)" in error_of(past)["message"]
    for params, field in (({"page": 0}, "page"), ({"page": "x"}, "page"), ({"page_size": 201}, "page_size")):
        response = get(world, url, **params)
        assert response.status_code == 400 and field in error_of(response)["fields"], params


def test_a_first_page_that_holds_everything_is_counted_without_a_count_query(world):
    url = f"/api/v1/reps/{world.sf('a1')}/metrics"
    with CaptureQueriesContext(connection) as queries:
        exact = get(world, url, page_size=2).json()
    assert exact["count"] == 2 and len(exact["results"]) == 2 and exact["next"] is None
    assert not [query for query in queries if "COUNT(" in query["sql"]]
    with CaptureQueriesContext(connection) as queries:
        partial = get(world, url, page_size=1).json()
    assert partial["count"] == 2 and len(partial["results"]) == 1 and partial["next"] is not None
    counted = [query for query in queries if "COUNT(" in query["sql"]]
    # The latest week, the page (with one row more) and the count: the page is not read twice.
    assert len(counted) == 1 and sum(' FROM "coaching_metricsnapshot"' in q["sql"] for q in queries) == 3


def test_an_org_without_metrics_yet_says_so(world):
    MetricSnapshotFactory._meta.model.objects.all().delete()
    body = get(world, f"/api/v1/reps/{world.sf('a1')}/metrics").json()
    assert body == {"count": 0, "next": None, "previous": None, "results": [], "week_start": None}


# --- gaps


def test_rep_gaps_most_severe_first(world):
    body = get(world, f"/api/v1/reps/{world.sf('a1')}/gaps").json()
    assert body["week_start"] == WEEK.isoformat()
    codes = [(row["code"], row["opportunity_sf_id"]) for row in body["results"]]
    assert codes == [("STALE_DEALS", None), ("PIPELINE_CONCENTRATED", world.deals["a1"].sf_id)]
    first = body["results"][0]
    assert first["title"] == "Open deals nobody touched in two weeks"
    assert first["summary"] == "a1: 1 stale deal"
    assert first["revenue_at_stake"] == 100000.0 and first["snoozed_until"] is None
    assert first["evidence"]["deals"][0]["sf_id"] == world.deals["a1"].sf_id


def test_rep_gaps_filters(world):
    rep = world.people["a1"]
    GapFactory(org=world.org, person_sf_id=rep.sf_id, code="STRENGTH_WIN_RATE", is_strength=True, week_start=WEEK)
    GapFactory(org=world.org, person_sf_id=rep.sf_id, code="WIN_RATE_LOW", week_start=EARLIER)
    url = f"/api/v1/reps/{rep.sf_id}/gaps"

    def codes(**params):
        return sorted(row["code"] for row in get(world, url, **params).json()["results"])

    assert codes(kind="strength") == ["STRENGTH_WIN_RATE"]
    assert codes(kind="gap") == ["PIPELINE_CONCENTRATED", "STALE_DEALS"]
    assert codes(family="where") == ["PIPELINE_CONCENTRATED"]
    assert codes(code="STALE_DEALS") == ["STALE_DEALS"]
    assert codes(week=EARLIER.isoformat()) == ["WIN_RATE_LOW"]
    for params in ({"kind": "weakness"}, {"family": "why"}, {"code": "NOT_A_RULE"}):
        response = get(world, url, **params)
        assert response.status_code == 400 and "is not one of" in response.json()["error"]["message"]


def test_rep_gaps_show_the_snooze_that_holds_them(world):
    until = datetime.now(UTC).date() + timedelta(days=10)
    Snooze.objects.create(org=world.org, code="STALE_DEALS", person_sf_id=world.sf("a1"), reason="leave", until=until)
    rows = get(world, f"/api/v1/reps/{world.sf('a1')}/gaps").json()["results"]
    held = {row["code"]: row["snoozed_until"] for row in rows}
    assert held == {"STALE_DEALS": until.isoformat(), "PIPELINE_CONCENTRATED": None}


# --- a deal's flags


def flags(world, deal, who="fsm", **params):
    response = get(world, f"/api/v1/opportunities/{deal.sf_id}/flags", who, **params)
    assert response.status_code == 200, response.content
    return response.json()


def test_a_deals_flags_are_its_own_gaps_and_its_owners_gaps_naming_it(world):
    deal, rep = world.deals["a1"], world.people["a1"]
    other_deal = OpportunityFactory(org=world.org, owner=rep, name="another deal")
    # Not flags of this deal: the owner's gap about another deal, a strength, and another week's gap.
    GapFactory(
        org=world.org,
        week_start=WEEK,
        person_sf_id=rep.sf_id,
        code="NO_NEXT_STEP",
        evidence={"deals": [{"sf_id": other_deal.sf_id}]},
    )
    GapFactory(org=world.org, week_start=WEEK, person_sf_id=rep.sf_id, code="STRENGTH_WIN_RATE", is_strength=True)
    gaps_for(world.org, rep, deal, week=EARLIER)

    body = flags(world, deal)
    assert body["week_start"] == WEEK.isoformat()
    assert body["opportunity"] == {
        "sf_id": deal.sf_id,
        "name": "a1 deal",
        "owner_sf_id": rep.sf_id,
        "owner_name": "a1",
        "stage": "Prospecting",
        "amount": 50000.0,
        "close_date": "2024-06-28",
        "is_closed": False,
        "is_won": False,
    }
    assert [(flag["level"], flag["code"]) for flag in body["flags"]] == [
        ("deal", "PIPELINE_CONCENTRATED"),
        ("rep", "STALE_DEALS"),
    ]
    assert body["flags"][0]["deal"] == {"sf_id": deal.sf_id, "share": 0.8}
    assert body["flags"][1]["deal"]["name"] == "a1 deal"
    assert [flag["id"] for flag in flags(world, deal, week=EARLIER.isoformat())["flags"]] != [
        flag["id"] for flag in body["flags"]
    ]


def test_flags_default_to_the_orgs_latest_week(world):
    # Only b1 has gaps in the later week: a1's deal has no flags then, and says which week it looked at.
    gaps_for(world.org, world.people["b1"], world.deals["b1"], week=LATER)
    body = flags(world, world.deals["a1"])
    assert (body["week_start"], body["flags"]) == (LATER.isoformat(), [])


def test_snoozed_flags_are_left_out(world):
    deal, rep = world.deals["a1"], world.people["a1"]
    until = datetime.now(UTC).date() + timedelta(days=30)
    Snooze.objects.create(
        org=world.org,
        code="PIPELINE_CONCENTRATED",
        person_sf_id=rep.sf_id,
        opportunity_sf_id=deal.sf_id,
        reason="r",
        until=until,
    )
    assert [flag["code"] for flag in flags(world, deal)["flags"]] == ["STALE_DEALS"]
    # A rep-level gap snoozed for this one deal no longer flags it.
    Snooze.objects.create(
        org=world.org, code="STALE_DEALS", person_sf_id=rep.sf_id, opportunity_sf_id=deal.sf_id, reason="r", until=until
    )
    assert flags(world, deal)["flags"] == []
    # An expired snooze holds nothing.
    Snooze.objects.update(until=datetime.now(UTC).date() - timedelta(days=1))
    assert len(flags(world, deal)["flags"]) == 2


def test_flags_of_an_org_with_no_gaps_yet(world):
    GapFactory._meta.model.objects.all().delete()
    assert flags(world, world.deals["a1"]) | {"opportunity": None} == {
        "opportunity": None,
        "week_start": None,
        "flags": [],
    }


def test_a_deleted_deal_is_not_found_and_a_user_id_is_no_deal(world):
    deal = world.deals["a1"]
    assert get(world, f"/api/v1/opportunities/{world.sf('a1')}/flags").status_code == 400
    deal.is_deleted = True
    deal.save()
    assert get(world, f"/api/v1/opportunities/{deal.sf_id}/flags").status_code == 404


# --- agendas


def test_a_managers_agenda_with_items_notes_and_commitments(world):
    agenda = world.agendas["fsm_a"]
    item = world.item("fsm_a")
    add_commitment(item, "Call the buyer", owner_sf_id=world.sf("a1"), due_date=WEEK + timedelta(days=3))
    body = get(world, f"/api/v1/managers/{world.sf('fsm_a')}/agenda").json()
    assert (body["id"], body["week_start"], body["manager_name"]) == (agenda.pk, WEEK.isoformat(), "fsm_a")
    assert {rep["name"] for rep in body["content"]["reps"]} == {"a1", "a2"}
    assert {row["person_sf_id"] for row in body["items"]} == {world.sf("a1"), world.sf("a2")}
    noted = next(row for row in body["items"] if row["id"] == item.pk)
    assert [note["text"] for note in noted["notes"]] == ["fsm_a's private note on an item"]
    assert [note["text"] for note in body["notes"]] == ["fsm_a's private note on the agenda"]
    assert [(c["text"], c["item_id"], c["status"]) for c in body["commitments"]] == [
        ("Call the buyer", item.pk, "open")
    ]


def test_agenda_weeks(world):
    url = f"/api/v1/managers/{world.sf('fsm_a')}/agenda"
    assert get(world, url, week=WEEK.isoformat()).json()["week_start"] == WEEK.isoformat()
    missing = get(world, url, week=EARLIER.isoformat())
    assert missing.status_code == 404 and "week of 2026-02-23" in error_of(missing)["message"]
    gaps_for(world.org, world.people["a1"], world.deals["a1"], week=LATER)
    build_agendas(world.org, LATER)
    assert get(world, url).json()["week_start"] == LATER.isoformat()


def test_an_agenda_shows_the_coaching_effects_due_that_week(world):
    item = world.item("fsm_a")
    set_item_status(item, "discussed")
    due = WEEK + timedelta(weeks=4)
    gaps_for(world.org, world.people["a1"], world.deals["a1"], week=due)
    build_agendas(world.org, due)
    body = get(world, f"/api/v1/managers/{world.sf('fsm_a')}/agenda", week=due.isoformat()).json()
    assert [(e["item_id"], e["weeks_after"], e["target_week"]) for e in body["effects"]] == [
        (item.pk, 4, due.isoformat())
    ]
    assert get(world, f"/api/v1/managers/{world.sf('fsm_a')}/agenda", week=WEEK.isoformat()).json()["effects"] == []


def test_a_director_opens_the_agendas_of_managers_below(world):
    body = get(world, f"/api/v1/managers/{world.sf('fsm_b')}/agenda", "director").json()
    assert body["manager_sf_id"] == world.sf("fsm_b")


# --- sync runs


def test_sync_runs_newest_first_with_their_objects(world):
    body = get(world, "/api/v1/sync-runs").json()
    assert [run["kind"] for run in body["results"]] == ["incremental", "full"]
    assert body["results"][0]["objects"][0] == {
        "sobject": "Opportunity",
        "status": "succeeded",
        "fetched": 5,
        "upserted": 5,
        "deleted": 0,
        "failed": 0,
        "api_calls": 0,
        "message": "",
    }


def test_sync_run_filters(world):
    SyncRun.objects.filter(org=world.org, kind="full").update(status="partial")
    assert [run["kind"] for run in get(world, "/api/v1/sync-runs", status="partial").json()["results"]] == ["full"]
    assert get(world, "/api/v1/sync-runs", kind="incremental").json()["count"] == 1
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert get(world, "/api/v1/sync-runs", started_after=soon).json()["count"] == 0
    assert get(world, "/api/v1/sync-runs", started_before=soon).json()["count"] == 2
    for params, field in (
        ({"status": "done"}, "status"),
        ({"started_after": "yesterday"}, "started_after"),
        ({"started_after": soon, "started_before": "2020-01-01T00:00:00Z"}, "started_before"),
    ):
        response = get(world, "/api/v1/sync-runs", **params)
        assert response.status_code == 400 and field in error_of(response)["fields"], params


@pytest.mark.parametrize(
    "query_class", [filters.WeekQuery, filters.MetricsQuery, filters.GapsQuery, filters.SyncRunsQuery]
)
def test_no_query_parameters_validate_to_nothing(query_class):
    # filters.parse answers {} for a request without parameters without validating: that holds only while
    # every parameter is optional and has no default.
    query = query_class(data={})
    assert query.is_valid() and query.validated_data == {}
    assert filters.parse(query_class, {}) == {}
