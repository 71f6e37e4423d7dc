"""Time sizing: an estimate of each rep's 1:1 against the 1:1 length the manager set."""

from decimal import Decimal

from coaching.agendas import add_commitment, set_one_on_one_minutes
from coaching.models import AgendaItem, Family
from tests.agendas.conftest import WEEK, build, codes, held_back, items
from tests.factories import OpportunityFactory


def three_topics(team, rep):
    deals = [OpportunityFactory(org=team.org, owner_sf_id=rep.sf_id, name=f"Deal {n}") for n in range(4)]
    for deal in deals:  # one topic with four deals: 6 + 2 x 3 (three deals counted) = 12 minutes
        team.gap(
            rep, "STAGE_STALL", metric="time_in_stage", opportunity_sf_id=deal.sf_id, revenue_at_stake=Decimal(100_000)
        )
    team.gap(rep, "WIN_RATE_LOW", family=Family.WHERE, revenue_at_stake=Decimal(90_000))  # 6 minutes
    team.gap(
        rep,
        "DISCOUNT_HIGH",
        family=Family.WHAT,
        metric="avg_discount",
        value=20,
        team_value=8,
        revenue_at_stake=Decimal(80_000),
    )  # 6 minutes


def rep_entry(agenda, rep):
    return next(entry for entry in agenda.content["reps"] if entry["sf_id"] == rep.sf_id)


def test_the_estimate_adds_up_the_parts_against_the_default_30_minutes(team):
    ana = team.reps[0]
    three_topics(team, ana)

    agenda = build(team)

    assert agenda.one_on_one_minutes == 30
    assert [item.minutes for item in items(agenda, rep=ana)] == [12, 6, 6]
    assert rep_entry(agenda, ana)["minutes"] == 5 + 12 + 6 + 6
    assert rep_entry(agenda, team.reps[1])["minutes"] == 5  # nothing flagged: the check-in

    team.strength(ana, "activities_per_week", value=30, team_value=15)
    agenda = build(team)  # 2 more minutes to recognise a strength: 31 > 30, the last topic waits
    assert items(agenda, AgendaItem.Kind.STRENGTH, ana)[0].minutes == 2
    assert [item.minutes for item in items(agenda, rep=ana)] == [12, 6]
    assert rep_entry(agenda, ana)["minutes"] == 5 + 12 + 6 + 2
    assert held_back(agenda, ana)[-1]["reason"] == "not enough time in a 30-minute 1:1"


def test_a_short_one_on_one_holds_back_the_lowest_topics_never_the_first(team):
    ana = team.reps[0]
    three_topics(team, ana)
    set_one_on_one_minutes(team.org, team.manager.sf_id, 20)

    agenda = build(team)

    assert codes(agenda, ana) == ["STAGE_STALL"]  # 5 + 12 = 17 fits 20; + 6 would not
    assert [h["reason"] for h in held_back(agenda, ana)] == ["not enough time in a 20-minute 1:1"] * 2
    assert rep_entry(agenda, ana)["minutes"] == 17

    set_one_on_one_minutes(team.org, team.manager.sf_id, 10)
    agenda = build(team)
    assert codes(agenda, ana) == ["STAGE_STALL"]  # over the length, but a 1:1 keeps its first topic
    assert rep_entry(agenda, ana)["minutes"] == 17
    assert agenda.one_on_one_minutes == 10


def test_open_commitments_take_time_too(team):
    ana = team.reps[0]
    three_topics(team, ana)
    first = build(team)
    for n in range(3):
        add_commitment(first, f"Task {n}", owner_sf_id=ana.sf_id, due_date=WEEK)
    for gap in team.org.gaps.all():  # the same gaps the next week
        gap.pk, gap.week_start = None, WEEK.replace(day=9)
        gap.save()

    second = build(team, WEEK.replace(day=9))

    # 5 + 3 commitments + the three topics (29 + 3 = 32 > 30): the last topic is held back.
    assert rep_entry(second, ana)["open_commitments"] == 3
    assert len(items(second, rep=ana)) == 2
