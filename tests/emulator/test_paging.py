"""Query paging: nextRecordsUrl locators, batchSize, and what happens with unknown locators."""

import re

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from tests.emulator.conftest import record

ROWS = 4500


@pytest.fixture
def emulator(make_org, emulator_of):
    opportunities = [
        record(
            "Opportunity", "006", n, Name=f"Deal {n:05d}", Amount=float(n), CreatedDate="2026-11-01T00:00:00.000+0000"
        )
        for n in range(ROWS, 0, -1)
    ]
    return emulator_of(make_org({"Opportunity": opportunities}))


@pytest.fixture
def sf(emulator, client_for):
    return client_for(emulator)


def test_first_page_holds_2000_and_points_at_the_next(sf):
    page = sf.query("SELECT Id, Name FROM Opportunity ORDER BY Name")
    assert page["totalSize"] == ROWS and page["done"] is False
    assert len(page["records"]) == 2000
    assert re.fullmatch(r"/services/data/v59\.0/query/01g[0-9A-Za-z]{15}-2000", page["nextRecordsUrl"])
    second = sf.query_more(page["nextRecordsUrl"], identifier_is_url=True)
    assert second["totalSize"] == ROWS and len(second["records"]) == 2000
    assert second["records"][0]["Name"] == "Deal 02001"
    assert second["nextRecordsUrl"].endswith("-4000")
    last = sf.query_more(second["nextRecordsUrl"], identifier_is_url=True)
    assert last["done"] is True and "nextRecordsUrl" not in last and len(last["records"]) == 500


def test_query_all_follows_every_page_in_order(sf, emulator):
    result = sf.query_all("SELECT Name FROM Opportunity ORDER BY Name")
    assert [row["Name"] for row in result["records"]] == [f"Deal {n:05d}" for n in range(1, ROWS + 1)]
    assert emulator.faults.count("query") == 1 and emulator.faults.count("query_more") == 2


@pytest.mark.parametrize(("requested", "pages"), [("batchSize=500", 9), ("batchSize=50", 23), ("batchSize=9000", 3)])
def test_batch_size_header_is_a_hint_between_200_and_2000(sf, emulator, requested, pages):
    records = sf.query_all("SELECT Id FROM Opportunity", headers={"Sforce-Query-Options": requested})["records"]
    assert len(records) == ROWS
    assert emulator.faults.count("query") + emulator.faults.count("query_more") == pages


def test_query_all_iter_fetches_pages_lazily(sf, emulator):
    rows = sf.query_all_iter("SELECT Id FROM Opportunity")
    first = [next(rows) for _ in range(10)]
    assert len(first) == 10
    assert emulator.faults.count("query_more") == 0
    assert len(list(rows)) == ROWS - 10
    assert emulator.faults.count("query_more") == 2


def test_a_locator_can_be_fetched_again_after_a_failed_attempt(sf):
    page = sf.query("SELECT Name FROM Opportunity ORDER BY Name")
    once = sf.query_more(page["nextRecordsUrl"], identifier_is_url=True)
    again = sf.query_more(page["nextRecordsUrl"], identifier_is_url=True)
    assert once == again


def test_query_all_pages_stay_on_query_all(sf):
    page = sf.query("SELECT Id FROM Opportunity", include_deleted=True)
    assert "/queryAll/" in page["nextRecordsUrl"]


@pytest.mark.parametrize("locator", ["01gD0000000000AAAA-2000", "garbage", "01gD0000000000AAAA-x"])
def test_unknown_locator_is_invalid_query_locator(sf, locator):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query_more(locator)
    assert caught.value.content == [{"message": "invalid query locator", "errorCode": "INVALID_QUERY_LOCATOR"}]


def test_offset_past_the_end_of_a_cursor_is_invalid(sf):
    cursor = sf.query("SELECT Id FROM Opportunity")["nextRecordsUrl"].rsplit("/", 1)[1].split("-")[0]
    with pytest.raises(SalesforceMalformedRequest):
        sf.query_more(f"{cursor}-{ROWS + 1}")
    assert len(sf.query_more(f"{cursor}-{ROWS - 3}")["records"]) == 3


def test_page_size_of_the_emulator_caps_pages(make_org, emulator_of, client_for):
    rows = [record("Opportunity", "006", n, Name=str(n)) for n in range(1, 251)]
    emulator = emulator_of(make_org({"Opportunity": rows}), page_size=100)
    sf = client_for(emulator)
    assert len(sf.query_all("SELECT Id FROM Opportunity")["records"]) == 250
    assert emulator.faults.count("query_more") == 2


def test_pages_are_served_from_the_snapshot_taken_by_the_query(sf, emulator):
    page = sf.query("SELECT Name FROM Opportunity ORDER BY Name")
    (emulator.directory / "Opportunity.json").write_text("[]")
    assert sf.query("SELECT COUNT() FROM Opportunity")["totalSize"] == 0
    rest = sf.query_more(page["nextRecordsUrl"], identifier_is_url=True)
    assert rest["records"][0]["Name"] == "Deal 02001"
