"""Ranking: revenue at stake x severity x confidence, at most three topics per rep, deal gaps grouped."""

from decimal import Decimal

from coaching.models import AgendaItem, Family
from tests.agendas.conftest import build, codes, held_back, items
from tests.factories import OpportunityFactory


def test_topics_are_ranked_by_stake_times_severity_times_confidence_and_capped_at_three(team):
    ana = team.reps[0]
    # score = stake x severity x confidence
    team.gap(ana, "WIN_RATE_LOW", family=Family.WHERE, revenue_at_stake=Decimal(100_000), severity=0.5, confidence=1.0)
    team.gap(
        ana,
        "DEAL_SIZE_SMALL",
        family=Family.WHAT,
        metric="median_won_amount",
        value=20_000,
        team_value=40_000,
        revenue_at_stake=Decimal(400_000),
        severity=0.5,
        confidence=0.5,
    )  # 100k
    team.gap(
        ana,
        "DISCOUNT_HIGH",
        family=Family.WHAT,
        metric="avg_discount",
        value=22,
        team_value=9,
        revenue_at_stake=Decimal(60_000),
        severity=1.0,
        confidence=0.9,
    )  # 54k
    team.gap(
        ana,
        "CYCLE_LONG",
        family=Family.WHERE,
        metric="median_cycle_days",
        value=120,
        team_value=60,
        revenue_at_stake=Decimal(300_000),
        severity=0.9,
        confidence=0.9,
    )  # 243k
    team.gap(
        ana,
        "ACTIVITY_LOW",
        family=Family.HOW,
        metric="activities_per_week",
        value=6,
        team_value=15,
        revenue_at_stake=Decimal(10_000),
        severity=0.9,
        confidence=0.9,
    )  # 8.1k

    agenda = build(team)

    topics = items(agenda, rep=ana)
    assert [t.code for t in topics] == ["CYCLE_LONG", "DEAL_SIZE_SMALL", "DISCOUNT_HIGH"]
    assert [t.position for t in topics] == [1, 2, 3]
    assert [t.score for t in topics] == [243_000.0, 100_000.0, 54_000.0]
    # The two below the cap are named, not silently dropped.
    assert [(h["title"].split(" ")[0], h["reason"]) for h in held_back(agenda, ana)] == [
        ("Win", "lower priority this week"),
        ("Customer", "lower priority this week"),
    ]
    assert topics[0].details["rank_reason"] == "Rank score $243k = $300k at stake x severity 0.90 x confidence 0.90"
    assert not any(line.startswith("Rank score") for line in topics[0].evidence)  # never on a card


def test_a_gap_without_revenue_ranks_at_the_teams_typical_stake(team):
    ana, ben = team.reps[:2]
    team.gap(ben, "WIN_RATE_LOW", revenue_at_stake=Decimal(80_000))
    team.gap(ben, "CYCLE_LONG", metric="median_cycle_days", revenue_at_stake=Decimal(120_000))
    team.gap(
        ana,
        "DEAL_SIZE_SMALL",
        metric="median_won_amount",
        revenue_at_stake=Decimal(90_000),
        severity=0.6,
        confidence=0.8,
    )
    unpriced = team.gap(
        ana, "ACTIVITY_LOW", metric="activities_per_week", revenue_at_stake=None, severity=0.7, confidence=0.8
    )

    agenda = build(team)

    topics = items(agenda, rep=ana)
    # Team median of the priced stakes is 90k: 90k x 0.7 x 0.8 beats 90k x 0.6 x 0.8.
    assert [t.code for t in topics] == [unpriced.code, "DEAL_SIZE_SMALL"]
    assert topics[0].revenue_at_stake is None
    assert topics[0].score == 50_400.0
    assert "no revenue figure, so the team's typical $90k" in topics[0].details["rank_reason"]


def test_deal_level_gaps_of_one_code_are_one_topic_listing_the_deals_by_stake(team):
    ana = team.reps[0]
    small = OpportunityFactory(org=team.org, owner_sf_id=ana.sf_id, name="Small deal", amount=Decimal(20_000))
    big = OpportunityFactory(org=team.org, owner_sf_id=ana.sf_id, name="Big deal", amount=Decimal(200_000))
    for deal in (small, big):
        team.gap(
            ana,
            "PIPELINE_CONCENTRATED",
            family=Family.WHERE,
            metric="pipeline_concentration",
            value=0.7,
            team_value=0.3,
            opportunity_sf_id=deal.sf_id,
            revenue_at_stake=deal.amount,
        )
    team.gap(ana, "WIN_RATE_LOW")

    agenda = build(team)

    topics = items(agenda, rep=ana)
    assert [t.code for t in topics] == ["PIPELINE_CONCENTRATED", "WIN_RATE_LOW"]
    grouped = topics[0]
    assert grouped.key == f"gap:PIPELINE_CONCENTRATED:{ana.sf_id}:"
    assert [deal["name"] for deal in grouped.deals] == ["Big deal", "Small deal"]
    assert grouped.revenue_at_stake == Decimal("220000.00")
    assert grouped.title == "70% of the open pipeline rides on one deal: Big deal"


def test_strengths_never_take_a_topic_slot(team):
    ana = team.reps[0]
    team.strength(ana, severity=1.0, confidence=1.0)
    team.gap(ana, "WIN_RATE_LOW")

    agenda = build(team)

    assert codes(agenda, ana) == ["WIN_RATE_LOW"]
    assert codes(agenda, ana, AgendaItem.Kind.STRENGTH) == ["STRENGTH_WIN_RATE"]
