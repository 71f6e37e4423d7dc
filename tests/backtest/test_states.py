"""Point-in-time deal states on hand-made deals: each flag as it stood at a past week end (both databases)."""

from datetime import UTC, date, datetime

import pytest

from coaching.backtest.states import STATES, StateSet, built_states, deal_states, week_ends
from coaching.metrics.dialect import fetch
from coaching.models import DealFlagWeek
from tests.factories import (
    ContactRoleFactory,
    EventFactory,
    OpportunityChangeFactory,
    OpportunityFactory,
    OrgFactory,
    PersonFactory,
    TaskFactory,
)

SUNDAY = date(2026, 3, 1)
COLUMNS = ("opp", "stage", "stale", "overdue", "stall", "single", "pushed", "regressed", "won")


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def history(deal, *rows):
    for day, stage, probability, close in rows:
        OpportunityChangeFactory(opportunity=deal, created_date=at(day), stage=stage, probability=probability,
                                 close_date=close)  # fmt: skip


def states(org, weeks, closed_by=SUNDAY):
    with deal_states(StateSet(org, weeks, closed_by=closed_by)):
        rows = fetch(f"SELECT {', '.join(COLUMNS)} FROM {STATES} ORDER BY week_end, opp", [])
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]


@pytest.fixture
def world(db):
    org = OrgFactory()
    rep = PersonFactory(org=org)
    # Closed deals give the stage order (Closed Won / Closed Lost are closed stages).
    lost = OpportunityFactory(org=org, owner=rep, lost=True, close_date=date(2026, 2, 20), stage="Closed Lost")
    history(
        lost,
        (date(2025, 11, 3), "Prospecting", 10.0, date(2026, 1, 15)),
        (date(2025, 12, 1), "Proposal", 75.0, date(2026, 1, 15)),
        (date(2026, 1, 5), "Proposal", 75.0, date(2026, 2, 27)),  # a push
        (date(2026, 1, 20), "Qualification", 20.0, date(2026, 2, 27)),  # back a stage
        (date(2026, 2, 20), "Closed Lost", 0.0, date(2026, 2, 20)),
    )
    ContactRoleFactory(opportunity=lost, created_date=at(date(2025, 11, 3)))
    TaskFactory(org=org, what_sf_id=lost.sf_id, activity_date=date(2025, 12, 10))
    EventFactory(org=org, what_sf_id=lost.sf_id, start_at=at(date(2026, 1, 30)))
    won = OpportunityFactory(org=org, owner=rep, won=True, close_date=date(2026, 2, 25), stage="Closed Won")
    history(
        won,
        (date(2025, 12, 8), "Prospecting", 10.0, date(2026, 3, 31)),
        (date(2026, 2, 25), "Closed Won", 100.0, date(2026, 2, 25)),
    )
    TaskFactory(org=org, what_sf_id=won.sf_id, activity_date=date(2025, 12, 12))
    open_deal = OpportunityFactory(org=org, owner=rep)
    history(open_deal, (date(2025, 12, 1), "Prospecting", 10.0, date(2026, 4, 30)))
    return org, lost, won, open_deal


def test_a_deal_is_seen_as_it_stood_at_each_week_end(world):
    org, lost, won, open_deal = world
    weeks = (date(2025, 12, 14), date(2026, 1, 11), date(2026, 2, 1))
    rows = states(org, weeks)
    seen = [(row["opp"], row["stage"]) for row in rows]
    # The open deal is not in a backtest; the won deal only once created; closed stages never.
    assert open_deal.sf_id not in {opp for opp, _ in seen}
    assert seen == [
        (lost.sf_id, "Proposal"), (won.sf_id, "Prospecting"),
        (lost.sf_id, "Proposal"), (won.sf_id, "Prospecting"),
        (lost.sf_id, "Qualification"), (won.sf_id, "Prospecting"),
    ]  # fmt: skip
    first, second, third = rows[0], rows[2], rows[4]
    # 14 Dec: a task on 10 Dec (within 14 days), close date 15 Jan ahead, one contact at 75 %.
    assert (first["stale"], first["overdue"], first["single"], first["pushed"], first["regressed"]) == (0, 0, 1, 0, 0)
    # 11 Jan: nothing since 10 Dec (stale); pushed on 5 Jan; not yet overdue (27 Feb).
    assert (second["stale"], second["overdue"], second["pushed"], second["regressed"]) == (1, 0, 1, 0)
    # 1 Feb: a meeting on 30 Jan; went back to Qualification on 20 Jan; at 20 % it is not late stage.
    assert (third["stale"], third["regressed"], third["single"], third["pushed"]) == (0, 1, 0, 1)
    assert {row["won"] for row in rows if row["opp"] == won.sf_id} == {1}
    assert {row["won"] for row in rows if row["opp"] == lost.sf_id} == {0}


def test_outcomes_after_the_cut_day_are_not_known_yet(world):
    org, lost, _won, _ = world
    rows = states(org, (date(2026, 1, 11),), closed_by=date(2026, 2, 22))
    assert {row["opp"] for row in rows} == {lost.sf_id}  # won closed on 25 Feb, after the cut


def test_an_overdue_deal_and_a_stalled_one(db):
    org = OrgFactory()
    rep = PersonFactory(org=org)
    deals = []
    for number in range(6):
        deal = OpportunityFactory(org=org, owner=rep, lost=True, close_date=date(2026, 2, 27), stage="Closed Lost")
        # Five deals move on after 10 days in Prospecting; the last stays 60 days with a passed close date.
        days = 10 if number < 5 else 60
        history(
            deal,
            (date(2025, 12, 1), "Prospecting", 10.0, date(2026, 1, 10)),
            (date(2025, 12, 1 + days) if days < 30 else date(2026, 1, 30), "Qualification", 20.0, date(2026, 1, 10)),
            (date(2026, 2, 27), "Closed Lost", 0.0, date(2026, 2, 27)),
        )
        deals.append(deal)
    rows = {row["opp"]: row for row in states(org, (date(2026, 1, 25),))}
    stalled = rows[deals[5].sf_id]
    assert stalled["stage"] == "Prospecting" and stalled["stall"] == 1 and stalled["overdue"] == 1
    assert all(rows[deal.sf_id]["stall"] == 0 for deal in deals[:5])


def test_week_ends_are_sundays_and_bad_arguments_are_refused():
    assert week_ends(date(2026, 3, 4), 3) == (date(2026, 2, 15), date(2026, 2, 22), date(2026, 3, 1))
    assert week_ends(date(2026, 3, 1), 4, step=2) == (date(2026, 2, 15), date(2026, 3, 1))
    with pytest.raises(ValueError, match="at least 1"):
        week_ends(SUNDAY, 0)


def test_no_week_end_is_an_error(db):
    with pytest.raises(ValueError, match="at least one week end"), deal_states(StateSet(OrgFactory(), ())):
        pass


def test_no_next_step_is_read_from_the_stored_weeks_only(world):
    org, lost, won, _ = world
    week = date(2026, 1, 11)
    DealFlagWeek.objects.create(org=org, week_end=week, opportunity_sf_id=lost.sf_id, flag="no_next_step")
    with deal_states(StateSet(org, (date(2025, 12, 14), week), closed_by=SUNDAY)):
        rows = fetch(f"SELECT week_end, opp, recorded, no_next_step FROM {STATES} ORDER BY week_end, opp", [])
    seen = {(str(day)[:10], opp): (recorded, flag) for day, opp, recorded, flag in rows}
    # A week with stored flags is "recorded": its deals without the row had a next step then.
    assert seen[("2026-01-11", lost.sf_id)] == (1, 1)
    assert seen[("2026-01-11", won.sf_id)] == (1, 0)
    # A week nobody stored says nothing about next steps.
    assert seen[("2025-12-14", lost.sf_id)] == (0, 0)


def test_open_deals_need_the_history_read_with_them(world):
    org, _lost, _won, open_deal = world
    with (
        pytest.raises(ValueError, match="with_open needs closed_by"),
        built_states(StateSet(org, (SUNDAY,), with_open=True)),
    ):
        pass
    with (
        built_states(StateSet(org, (date(2026, 1, 11),), closed_by=SUNDAY)) as built,
        pytest.raises(ValueError, match="open_now needs the history read with_open"),
    ):
        built.open_now()
    # Read with the open deals: the closed deals' states first, then today's open deal alone.
    with built_states(StateSet(org, (date(2026, 1, 11),), closed_by=SUNDAY, with_open=True)) as built:
        closed = {opp for (opp,) in fetch(f"SELECT opp FROM {STATES}", [])}
        built.open_now()
        today = fetch(f"SELECT opp, week_end, recorded FROM {STATES}", [])
    assert open_deal.sf_id not in closed and len(closed) == 2
    assert [(opp, str(day)[:10], recorded) for opp, day, recorded in today] == [(open_deal.sf_id, "2026-03-01", 1)]
