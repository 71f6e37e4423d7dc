"""getUpdated / getDeleted through ``sf.<Object>.updated()`` and ``.deleted()``."""

from datetime import timedelta

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound

from tests.emulator.conftest import NOW, record, stamp


@pytest.fixture
def rows():
    def opp(n, modified, **fields):
        return record(
            "Opportunity",
            "006",
            n,
            Name=f"Deal {n}",
            CreatedDate="2026-10-01T00:00:00.000+0000",
            SystemModstamp=stamp(modified),
            **fields,
        )

    return [
        opp(1, NOW - timedelta(days=2)),
        opp(2, NOW - timedelta(days=1, seconds=30)),
        opp(3, NOW - timedelta(days=40)),
        opp(4, NOW - timedelta(hours=3), IsDeleted=True),
        opp(5, NOW - timedelta(days=10), IsDeleted=True),
        opp(6, NOW - timedelta(days=20), IsDeleted=True),
    ]


@pytest.fixture
def sf(make_org, emulator_of, client_for, rows):
    return client_for(emulator_of(make_org({"Opportunity": rows})))


def error_code(call) -> str:
    with pytest.raises(SalesforceMalformedRequest) as caught:
        call()
    return caught.value.content[0]["errorCode"]


def test_updated_lists_live_records_changed_in_the_window(sf, rows):
    result = sf.Opportunity.updated(NOW - timedelta(days=3), NOW - timedelta(hours=1))
    assert result["ids"] == [rows[0]["Id"], rows[1]["Id"]]
    assert result["latestDateCovered"] == stamp(NOW - timedelta(hours=1))


def test_updated_window_is_whole_minutes_start_inclusive_end_exclusive(sf, rows):
    changed = NOW - timedelta(days=1, seconds=30)  # rounds into the minute it started
    minute = changed.replace(second=0)
    assert sf.Opportunity.updated(minute, minute + timedelta(minutes=1))["ids"] == [rows[1]["Id"]]
    assert sf.Opportunity.updated(minute - timedelta(minutes=5), minute)["ids"] == []


def test_updated_end_in_the_future_is_covered_up_to_now(sf):
    result = sf.Opportunity.updated(NOW - timedelta(days=1), NOW + timedelta(days=2))
    assert result["latestDateCovered"] == stamp(NOW)


def test_deleted_lists_the_recycle_bin_within_15_days(sf, rows):
    result = sf.Opportunity.deleted(NOW - timedelta(days=15), NOW)
    assert result["deletedRecords"] == [
        {"id": rows[3]["Id"], "deletedDate": stamp(NOW - timedelta(hours=3))},
        {"id": rows[4]["Id"], "deletedDate": stamp(NOW - timedelta(days=10))},
    ]
    assert result["earliestDateAvailable"] == stamp(NOW - timedelta(days=15))
    assert result["latestDateCovered"] == stamp(NOW)


def test_windows_reaching_too_far_back_are_refused(sf):
    assert error_code(lambda: sf.Opportunity.updated(NOW - timedelta(days=31), NOW)) == "INVALID_REPLICATION_DATE"
    assert error_code(lambda: sf.Opportunity.deleted(NOW - timedelta(days=16), NOW)) == "INVALID_REPLICATION_DATE"


def test_end_before_start_is_refused(sf):
    assert error_code(lambda: sf.Opportunity.updated(NOW, NOW - timedelta(days=1))) == "INVALID_REPLICATION_DATE"
    assert error_code(lambda: sf.Opportunity.deleted(NOW, NOW + timedelta(seconds=20))) == "INVALID_REPLICATION_DATE"


def test_missing_or_malformed_dates_are_refused(sf):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.restful("sobjects/Opportunity/updated/", params={"start": "2026-11-27T00:00:00+00:00"})
    assert caught.value.content[0]["errorCode"] == "MISSING_ARGUMENT"
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.restful("sobjects/Opportunity/deleted/", params={"start": "yesterday", "end": "today"})
    assert "ISO-8601" in caught.value.content[0]["message"]


def test_unencoded_plus_in_the_offset_is_understood(sf, rows):
    # Some clients send "+00:00" raw, which form decoding turns into a space.
    result = sf.restful("sobjects/Opportunity/updated/?start=2026-11-25T12:00:00+00:00&end=2026-11-28T11:00:00+00:00")
    assert result["ids"] == [rows[0]["Id"], rows[1]["Id"]]


def test_replication_of_a_missing_object_is_not_found(sf):
    with pytest.raises(SalesforceResourceNotFound):
        sf.Account.updated(NOW - timedelta(days=1), NOW)
