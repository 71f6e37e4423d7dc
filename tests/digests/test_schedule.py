"""When a digest goes out: the manager's chosen weekday and time in their own time zone (frozen clocks)."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from coaching.digests.models import DigestSettings
from coaching.digests.schedule import recipients
from coaching.digests.send import send_due
from crm.models import Person
from tests.digests.conftest import WEEK, received_by, set_digest_time

MARIA, OMAR, DANA = "maria@acme.example", "omar@acme.example", "dana@acme.example"


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def in_zone(chart, person, zone: str) -> None:
    Person.objects.filter(pk=person.pk).update(time_zone=zone)


def tick(chart, when: datetime):
    """One beat tick of the digest task at ``when`` (the real clock, frozen)."""
    with time_machine.travel(when, tick=False):
        return send_due(chart.org)


@pytest.fixture
def two_zones(busy_week):
    """Maria in Los Angeles (UTC-8 on 2 Mar 2026), Omar in Berlin (UTC+1), Dana switched off."""
    in_zone(busy_week, busy_week.maria, "America/Los_Angeles")
    in_zone(busy_week, busy_week.omar, "Europe/Berlin")
    DigestSettings.objects.create(org=busy_week.org, manager_sf_id=busy_week.director.sf_id, enabled=False)
    return busy_week


def test_monday_seven_in_berlin_comes_nine_hours_before_monday_seven_in_los_angeles(two_zones, smtp):
    chart = two_zones
    tick(chart, at(2026, 3, 2, 5, 59))  # 06:59 in Berlin, Sunday 21:59 in Los Angeles
    assert smtp.messages == []

    tick(chart, at(2026, 3, 2, 6, 0))  # 07:00 in Berlin
    assert [len(received_by(smtp, a)) for a in (OMAR, MARIA)] == [1, 0]

    tick(chart, at(2026, 3, 2, 14, 45))  # 06:45 in Los Angeles
    assert len(received_by(smtp, MARIA)) == 0

    tick(chart, at(2026, 3, 2, 15, 0))  # 07:00 in Los Angeles
    tick(chart, at(2026, 3, 2, 15, 15))
    assert [len(received_by(smtp, a)) for a in (OMAR, MARIA, DANA)] == [1, 1, 0]


def test_a_daylight_saving_change_moves_the_utc_send_time_with_it(two_zones, smtp):
    chart = two_zones
    week = WEEK + timedelta(weeks=1)  # US clocks went forward on Sunday 8 Mar 2026: Los Angeles is UTC-7
    for rep in chart.reps:
        chart.gap(rep, "WIN_RATE_LOW", week_start=week)
    chart.build(week)

    tick(chart, at(2026, 3, 9, 13, 59))
    assert received_by(smtp, MARIA) == []
    tick(chart, at(2026, 3, 9, 14, 0))  # 07:00 PDT
    assert len(received_by(smtp, MARIA)) == 1


def test_a_chosen_weekday_time_and_time_zone_replace_the_default(two_zones, smtp):
    chart = two_zones
    set_digest_time(chart, chart.maria, weekday=2, at=time(16, 30), zone="Asia/Tokyo")

    tick(chart, at(2026, 3, 2, 15, 0))  # Monday 07:00 in her CRM zone: not her time any more
    tick(chart, at(2026, 3, 4, 7, 15))  # Wednesday 16:15 in Tokyo
    assert received_by(smtp, MARIA) == []
    tick(chart, at(2026, 3, 4, 7, 30))  # Wednesday 16:30 in Tokyo
    [message] = received_by(smtp, MARIA)
    assert message.get_body(preferencelist=("plain",)).get_content().startswith("Good afternoon Maria,")


def test_a_digest_waits_for_its_weeks_agendas_then_goes_at_the_next_tick(chart, smtp):
    in_zone(chart, chart.maria, "Asia/Tokyo")  # Monday 07:00 in Tokyo: Sunday 22:00 UTC, before the Monday build
    chart.gap(chart.reps[0])

    early = tick(chart, at(2026, 3, 1, 22, 0))
    assert WEEK in early.waiting  # (the New Yorkers are still in the week before, which has no agendas either)
    assert smtp.messages == []

    chart.build()
    tick(chart, at(2026, 3, 2, 5, 15))
    assert len(received_by(smtp, MARIA)) == 1


def test_a_switched_off_digest_is_not_sent(busy_week, smtp):
    DigestSettings.objects.create(org=busy_week.org, manager_sf_id=busy_week.maria.sf_id, enabled=False)

    tick(busy_week, at(2026, 3, 2, 12, 0))

    assert received_by(smtp, MARIA) == []
    assert len(received_by(smtp, OMAR)) == 1


def test_a_time_zone_the_crm_got_wrong_falls_back_to_utc(chart):
    in_zone(chart, chart.maria, "Mars/Olympus_Mons")
    set_digest_time(chart, chart.omar, zone="Europe/Berlin")

    zones = {r.manager_sf_id: r.time_zone for r in recipients(chart.org)}

    assert zones[chart.maria.sf_id] == "UTC"
    assert zones[chart.omar.sf_id] == "Europe/Berlin"  # the chosen zone wins over the CRM's
    assert zones[chart.director.sf_id] == "America/New_York"  # the CRM's


@pytest.mark.parametrize(
    ("now", "week"),
    [
        (at(2026, 3, 2, 14, 59), None),  # Monday 06:59 in Los Angeles
        (at(2026, 3, 2, 15, 0), date(2026, 3, 2)),
        (at(2026, 3, 8, 23, 0), date(2026, 3, 2)),  # Sunday evening in LA: still that week's, if unsent
        (at(2026, 3, 9, 9, 0), None),  # Monday 02:00 in LA: a new week, not yet due
    ],
)
def test_the_due_week_follows_the_local_calendar(chart, now, week):
    in_zone(chart, chart.maria, "America/Los_Angeles")
    maria = next(r for r in recipients(chart.org) if r.manager_sf_id == chart.maria.sf_id)

    assert maria.due_week(now) == week
