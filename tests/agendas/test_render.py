"""The plain-text agenda (docs/sample-agenda.txt, the digest's text part): complete, specific, readable."""

from decimal import Decimal

import pytest

from coaching.agendas import add_note, render_agenda_text, set_item_status
from coaching.models import Agenda, AgendaItem, Family
from tests.agendas.conftest import build, items
from tests.factories import OpportunityFactory


def test_the_text_reads_top_to_bottom_team_meeting_then_each_ones_one_on_one(team):
    team.org.crm_base_url = "https://acme.my.salesforce.com"
    team.org.save()
    ana, ben, carl, dee = team.reps
    deal = OpportunityFactory(
        org=team.org,
        owner_sf_id=ana.sf_id,
        name="Initech renewal",
        amount=Decimal(120_000),
        stage="Negotiation",
        close_date="2026-03-27",
    )
    team.gap(
        ana,
        "STAGE_STALL",
        metric="time_in_stage",
        opportunity_sf_id=deal.sf_id,
        value=95,
        team_value=30,
        revenue_at_stake=Decimal(120_000),
        evidence={"stalled_count": 1, "typical_vs_team": 3.2},
    )
    for rep in (ben, carl, dee):
        team.gap(rep, "NO_NEXT_STEP", metric="no_next_step_count", value=0.4, team_value=0.1, evidence={"successes": 4})
    team.strength(ben, "win_rate")
    team.gap(ana, "WIN_RATE_LOW", family=Family.WHERE)

    agenda = build(team)
    topic = next(item for item in items(agenda, rep=ana) if item.code == "WIN_RATE_LOW")
    set_item_status(topic, AgendaItem.Status.DEFERRED, reason="after the quarter close")
    add_note(topic, "Ana asked for help with pricing")
    text = render_agenda_text(agenda)

    assert text.startswith("Coaching agenda for Maria Lopez, week of 2 Mar 2026\n4 reps, 1:1s of 30 min")
    sections = [
        "TEAM MEETING",
        "1:1 WITH ANA RUIZ",
        "1:1 WITH BEN OKAFOR",
        "1:1 WITH CARL NYSTROM",
        "1:1 WITH DEE PATEL",
    ]
    positions = [text.index(section) for section in sections]
    assert positions == sorted(positions)
    assert "Team topic 1: Deals without a next step: 3 of 4 reps (Ben, Carl and Dee)" in text
    assert "Focus 1: 1 deal stalled in their stage, about 3.2x the team's usual stay [how they sell]" in text
    assert f"Initech renewal, $120k, Negotiation, closes 27 Mar <https://acme.my.salesforce.com/{deal.sf_id}>" in text
    assert (
        "Win rate 18% vs teammates' median 31%: " not in text
    )  # no won/lost in the evidence: the generic title instead
    assert "Win rate 18% vs teammates' median 31% [where they sell]  <deferred: after the quarter close>" in text
    assert "Note: Ana asked for help with pricing" in text
    assert "Recognise: Win rate 45% vs teammates' median 30%" in text
    assert "Ask: " in text and "Next: " in text
    assert "{" not in text and "None" not in text


def test_render_refuses_what_is_not_a_saved_agenda():
    with pytest.raises(ValueError, match="agenda must be a saved Agenda"):
        render_agenda_text(Agenda())


def test_deals_come_from_the_rules_evidence_with_what_they_are(team):
    ana = team.reps[0]
    lost = [
        {
            "sf_id": f"006000000000000{n:03d}",
            "name": f"Lost deal {n}",
            "amount": 50_000 - n,
            "stage": "Closed Lost",
            "close_date": "2026-02-10",
            "is_closed": True,
        }
        for n in range(2)
    ]
    team.gap(
        ana,
        "WIN_RATE_LOW",
        evidence={"won": 4, "lost": 18, "deals": lost, "deals_total": 18, "deals_are": "lost deals, largest first"},
    )

    agenda = build(team)

    [topic] = items(agenda, rep=ana)
    assert topic.title == "Win rate 18% vs teammates' median 31%: 4 won of 22 closed in 6 months"
    assert [deal["name"] for deal in topic.deals] == ["Lost deal 0", "Lost deal 1"]
    text = render_agenda_text(agenda)
    assert (
        "    Deals to look at (lost deals, largest first):\n      - Lost deal 0, $50k, Closed Lost, closes 10 Feb"
        in text
    )
    assert "      - and 16 more" in text
