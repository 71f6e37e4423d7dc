"""API calls counted, the daily allowance read from the org's replies, and the reserve kept."""

import pytest

from integrations.salesforce.errors import ApiReserveReached
from sfemulator.app import OrgEmulator
from tests.salesforce.conftest import ACCOUNTS

pytestmark = pytest.mark.django_db


def test_the_first_call_reads_limits_to_learn_the_usage_then_never_again(connect, client_for, emulator) -> None:
    client = client_for(connect())
    assert client.api_usage is None

    client.describe("Account")
    client.describe("Opportunity")
    client.count("SELECT COUNT() FROM Account")

    assert emulator.faults.counts.get("limits") == 1
    assert client.api_usage == (4, 15000)
    assert client.api_calls == 4


def test_api_calls_count_every_attempt_but_not_logins(connect, client_for, emulator: OrgEmulator) -> None:
    client = client_for(connect("password"))
    client.limits()
    emulator.faults.fail(503, kind="query_more", times=2)
    emulator.faults.expire_sessions(kind="describe")

    pages = list(client.query_pages("SELECT Id FROM Account", batch_size=200))
    client.describe("Account")

    assert sum(map(len, pages)) == ACCOUNTS
    # limits 1 + query 1 + query_more 2 (+2 failed attempts) + describe 1 (+1 refused for the expired session)
    assert client.api_calls == 8
    assert client.api_calls == emulator.faults.count("data")
    assert emulator.faults.count("login") == 2


def test_api_usage_follows_the_latest_reply_errors_included(connect, client_for, emulator: OrgEmulator) -> None:
    client = client_for(connect())
    client.limits()
    emulator.faults.set_api_usage(5000, 20000)
    emulator.faults.limit_exceeded(kind="describe")

    client.describe("Account")

    # The refused attempt answered 5000/20000 (a fault spends nothing); the retry spent one.
    assert client.api_usage == (5001, 20000)


def test_the_reserve_stops_the_client_before_it_spends_below_it(connect, client_for, emulator: OrgEmulator) -> None:
    client = client_for(connect())  # 10 % reserve by default
    emulator.faults.set_api_usage(880, 1000)
    fetched: list[dict] = []

    with pytest.raises(ApiReserveReached) as stop:
        for page in client.query_pages("SELECT Id FROM Account", batch_size=200):
            fetched.extend(page)
        for _ in range(30):
            client.describe("Account")

    assert emulator.usage.snapshot() == (900, 1000)  # 100 left: exactly the reserve, never less
    assert (stop.value.used, stop.value.maximum, stop.value.reserve) == (900, 1000, 100)
    assert "900 of its 1000" in str(stop.value) and "100 are kept in reserve" in str(stop.value)
    assert len(fetched) == ACCOUNTS


def test_calls_in_flight_on_other_threads_count_against_the_reserve(connect, client_for, emulator: OrgEmulator) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from sfemulator.latency import Latency

    client = client_for(connect())  # 10 % reserve by default
    emulator.faults.set_api_usage(896, 1000)
    client.describe("Account")  # reads /limits first; the replies tell the usage
    assert client.api_usage == (898, 1000)  # two calls left above the reserve
    emulator.latency = Latency(round_trip=0.3)  # the six calls below overlap: none has answered when the next starts

    def describe(_: int) -> str:
        try:
            client.describe("Account")
            return "sent"
        except ApiReserveReached:
            return "stopped"

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(describe, range(6)))

    assert sorted(outcomes) == ["sent"] * 2 + ["stopped"] * 4
    assert emulator.usage.snapshot() == (900, 1000)  # the reserve untouched, though no reply had told of the two


def test_check_reserve_stops_before_the_first_data_call(connect, client_for, emulator: OrgEmulator) -> None:
    client = client_for(connect())
    emulator.faults.set_api_usage(14000, 15000)

    with pytest.raises(ApiReserveReached):
        client.check_reserve()

    # The only call was the /limits read that learned the usage.
    assert emulator.faults.count("data") == 1 and client.api_calls == 1


def test_a_zero_reserve_still_stops_when_nothing_is_left(connect, client_for, emulator: OrgEmulator) -> None:
    connection = connect()
    connection.api_reserve_percent = 0
    client = client_for(connection)
    emulator.faults.set_api_usage(998, 1000)

    client.describe("Account")  # limits (999) + describe (1000)
    with pytest.raises(ApiReserveReached) as stop:
        client.describe("Account")

    assert stop.value.reserve == 0
    assert emulator.usage.snapshot() == (1000, 1000)
    assert emulator.faults.count("data") == 2


def test_the_reserve_is_the_connections_share_of_the_allowance(connect, client_for) -> None:
    connection = connect(api_reserve_percent=25)
    client = client_for(connection)

    assert client.reserve_calls(15000) == 3750
    assert client.reserve_calls(1001) == 251  # rounded up: the reserve is never undercut


def test_a_spent_allowance_stops_at_once_instead_of_retrying(connect, client_for, emulator, sleeps) -> None:
    client = client_for(connect())
    client.limits()
    emulator.faults.set_api_usage(15000)  # another integration spent the day's calls meanwhile

    with pytest.raises(ApiReserveReached) as stop:
        client.describe("Account")

    # The refused call's reply said 15000/15000: no back-off, no second attempt.
    assert (stop.value.used, stop.value.maximum) == (15000, 15000)
    assert sleeps == []
    assert emulator.faults.count("describe") == 1


def test_a_reply_answered_earlier_but_read_later_does_not_lower_the_usage(monkeypatch) -> None:
    from integrations.salesforce import transport

    session = transport.ApiSession(timeout=5)
    clock = [1000.0]
    monkeypatch.setattr(transport.time, "monotonic", lambda: clock[0])
    session._note_usage((900, 1000))
    session._note_usage((899, 1000))  # another thread's reply, answered before the one above
    assert session.api_usage == (900, 1000)
    session._note_usage((5, 2000))  # another allowance: taken as it is
    assert session.api_usage == (5, 2000)
    clock[0] += 61
    session._note_usage((3, 2000))  # a minute on, the rolling 24 hours may well have freed calls
    assert session.api_usage == (3, 2000)
