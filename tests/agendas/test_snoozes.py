"""Snoozed gaps stay out of agendas (and out of team topics) while the snooze holds."""

from datetime import timedelta
from decimal import Decimal

from coaching.models import AgendaItem
from tests.agendas.conftest import WEEK, build, codes, items
from tests.factories import OpportunityFactory, SnoozeFactory

LATER = WEEK + timedelta(days=30)


def test_a_snoozed_gap_is_left_out_until_the_snooze_ends(team):
    ana = team.reps[0]
    team.gap(ana, "WIN_RATE_LOW")
    team.gap(ana, "CYCLE_LONG", metric="median_cycle_days")
    SnoozeFactory(org=team.org, code="WIN_RATE_LOW", person_sf_id=ana.sf_id, until=WEEK)  # holds on the Monday
    SnoozeFactory(org=team.org, code="CYCLE_LONG", person_sf_id=ana.sf_id, until=WEEK.replace(day=1))  # ended

    agenda = build(team)

    assert codes(agenda, ana) == ["CYCLE_LONG"]
    assert agenda.content["snoozed"] == 1


def test_a_deal_snooze_leaves_out_that_deal_only(team):
    ana = team.reps[0]
    fine = OpportunityFactory(org=team.org, owner_sf_id=ana.sf_id, name="Waiting on legal")
    stuck = OpportunityFactory(org=team.org, owner_sf_id=ana.sf_id, name="Really stuck")
    for deal in (fine, stuck):
        team.gap(
            ana, "STAGE_STALL", metric="time_in_stage", opportunity_sf_id=deal.sf_id, revenue_at_stake=Decimal(50_000)
        )
    SnoozeFactory(org=team.org, code="STAGE_STALL", person_sf_id=ana.sf_id, opportunity_sf_id=fine.sf_id, until=LATER)

    agenda = build(team)

    [topic] = items(agenda, rep=ana)
    assert [deal["name"] for deal in topic.deals] == ["Really stuck"]


def test_snoozed_gaps_do_not_count_toward_a_team_topic(team):
    for rep in team.reps[:3]:
        team.gap(rep, "WIN_RATE_LOW")
    SnoozeFactory(org=team.org, code="WIN_RATE_LOW", person_sf_id=team.reps[2].sf_id, until=LATER)

    agenda = build(team)

    assert items(agenda, AgendaItem.Kind.TEAM) == []
    assert codes(agenda, team.reps[0]) == ["WIN_RATE_LOW"]
    assert codes(agenda, team.reps[2]) == []
