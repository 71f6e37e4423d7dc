"""Follow-ups: last week's commitments and unfinished items carry over with their status."""

from datetime import UTC, datetime, timedelta

from coaching.agendas import add_commitment, render_agenda_text, set_commitment_status, set_item_status
from coaching.models import AgendaItem, Commitment, Family
from tests.agendas.conftest import WEEK, build, codes, items, week


def test_open_commitments_carry_over_until_closed_and_a_closed_one_shows_once(team):
    ana = team.reps[0]
    for offset in range(4):
        team.gap(ana, "WIN_RATE_LOW", week_start=week(offset))
    first = build(team, week(0))
    topic = items(first, rep=ana)[0]
    call = add_commitment(topic, "Call the CFO at Initech", owner_sf_id=ana.sf_id, due_date=WEEK + timedelta(days=4))
    coach = add_commitment(first, "Join Ana's Initech call", owner_sf_id=team.manager.sf_id, due_date="2026-03-05")

    second = build(team, week(1))
    text = render_agenda_text(second)
    assert "[open, overdue] Ana: Call the CFO at Initech (due 6 Mar, from the week of 2 Mar)" in text
    assert "[open, overdue] Maria: Join Ana's Initech call" in text
    by_rep = {rep["sf_id"]: rep for rep in second.content["reps"]}
    assert by_rep[ana.sf_id]["open_commitments"] == 1

    set_commitment_status(call, Commitment.Status.DONE)
    set_commitment_status(coach, Commitment.Status.DROPPED)
    # As if closed on the Wednesday of the second week (the tests' weeks are in the past).
    Commitment.objects.update(closed_at=datetime(2026, 3, 11, 12, tzinfo=UTC))
    third = build(team, week(2))
    text = render_agenda_text(third)
    assert "[done] Ana: Call the CFO at Initech" in text
    assert "[dropped] Maria: Join Ana's Initech call" in text

    fourth = build(team, week(3))  # closed more than a week before: no longer shown
    assert "Call the CFO" not in render_agenda_text(fourth)


def test_unfinished_items_come_back_once_with_their_status(team):
    ana, ben = team.reps[:2]
    team.gap(ana, "WIN_RATE_LOW", week_start=week(0))
    team.gap(ana, "CYCLE_LONG", metric="median_cycle_days", week_start=week(0))
    team.gap(ben, "DEAL_SIZE_SMALL", family=Family.WHAT, metric="median_won_amount", week_start=week(0))
    team.gap(ana, "CYCLE_LONG", metric="median_cycle_days", week_start=week(1))  # still flagged
    first = build(team, week(0))
    win_rate, cycle = (
        next(i for i in items(first, rep=ana) if i.code == code) for code in ("WIN_RATE_LOW", "CYCLE_LONG")
    )
    set_item_status(win_rate, AgendaItem.Status.DEFERRED, reason="Ana was at the customer offsite")
    # CYCLE_LONG stays open (not reached); Ben's item is discussed: nothing to follow up.
    set_item_status(items(first, rep=ben)[0], AgendaItem.Status.DISCUSSED)

    second = build(team, week(1))

    follow_ups = {item.code: item for item in items(second, AgendaItem.Kind.FOLLOW_UP)}
    assert set(follow_ups) == {"WIN_RATE_LOW"}  # CYCLE_LONG is on this week's agenda again instead
    deferred = follow_ups["WIN_RATE_LOW"]
    assert deferred.carried_from_id == win_rate.pk
    assert deferred.evidence == ["From the week of 2 Mar: deferred (Ana was at the customer offsite)"]
    assert deferred.details["still_flagged"] is False
    assert deferred.question.startswith("No longer flagged")
    [again] = items(second, rep=ana)
    assert (again.code, again.carried_from_id, again.details["carried"]) == ("CYCLE_LONG", cycle.pk, "open")
    assert "Carried over: not reached last week." in render_agenda_text(second)

    third = build(team, week(2))
    # The win-rate follow-up was left open: it expires rather than echo every week; last week's cycle topic
    # (not reached, no longer flagged) is this week's follow-up.
    assert [item.code for item in items(third, AgendaItem.Kind.FOLLOW_UP)] == ["CYCLE_LONG"]


def test_a_snoozed_gap_is_not_followed_up(team):
    from tests.factories import SnoozeFactory

    ana = team.reps[0]
    team.gap(ana, "WIN_RATE_LOW", week_start=week(0))
    team.gap(ana, "WIN_RATE_LOW", week_start=week(1))
    build(team, week(0))
    SnoozeFactory(org=team.org, code="WIN_RATE_LOW", person_sf_id=ana.sf_id, until=week(3))

    second = build(team, week(1))

    assert codes(second, ana) == []
    assert items(second, AgendaItem.Kind.FOLLOW_UP) == []
