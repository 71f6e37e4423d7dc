"""One diagnosis per topic in the engine: a rep's flags that share a cause become one agenda item (issue 13)."""

from datetime import date
from decimal import Decimal

from coaching.agendas import add_commitment, add_note, set_item_status
from coaching.agendas.followups import LastAgenda, follow_up_items
from coaching.agendas.rotation import PastItem
from coaching.models import AgendaItem, Family, Gap
from tests.agendas.conftest import build, items
from tests.factories import OpportunityFactory

DEAD = ("STALE_DEALS", "FORECAST_OVERDUE", "STAGE_STALL", "NO_NEXT_STEP")


def _dead_deal_flags(team, rep, deals, codes=DEAD):
    for code in codes:
        for deal in deals:
            team.gap(
                rep,
                code,
                family=Family.HOW,
                metric="stale_open_count",
                opportunity_sf_id=deal.sf_id,
                revenue_at_stake=deal.amount,
                severity=0.6,
                evidence={"reference": "team"},
            )


def _deals(team, rep, count=4):
    return [
        OpportunityFactory(org=team.org, owner=rep, name=f"Deal {i}", amount=Decimal(10_000 * (i + 1)))
        for i in range(count)
    ]


def _rep_gap(team, rep, code, *, stake, family=Family.WHERE, metric="win_rate", **fields):
    fields.setdefault("evidence", {"reference": "team"})
    return team.gap(rep, code, family=family, metric=metric, revenue_at_stake=Decimal(stake), **fields)


def test_flags_on_the_same_dead_deals_are_one_topic_and_three_topics_are_three_diagnoses(team):
    ana = team.reps[0]
    deals = _deals(team, ana)
    _dead_deal_flags(team, ana, deals)
    _rep_gap(team, ana, "WIN_RATE_LOW", stake=50_000)
    _rep_gap(team, ana, "CYCLE_LONG", stake=40_000, metric="sales_cycle_days")
    _rep_gap(team, ana, "DEAL_SIZE_SMALL", stake=30_000, metric="median_won_amount")
    topics = items(build(team), rep=ana)
    assert len(topics) == 3
    dead = topics[0]
    assert dead.title == "These 4 deals look dead: close them or re-date them with the buyer"
    assert dead.key == f"gap:DEAD_DEALS:{ana.sf_id}:"
    assert [member["code"] for member in dead.details["members"]] == list(DEAD)
    assert all(member["evidence"] for member in dead.details["members"])  # each flag's why kept
    assert len(dead.deals) == 3 and dead.details["more_deals"] == 1  # four distinct deals, not sixteen
    assert [deal["name"] for deal in dead.deals] == ["Deal 3", "Deal 2", "Deal 1"]  # most at stake first
    assert {topic.code for topic in topics[1:]} == {"WIN_RATE_LOW", "CYCLE_LONG"}  # two other problems
    assert sum(1 for topic in topics if topic.details.get("cause") == "dead_deals") == 1


def test_low_activity_coverage_and_new_pipeline_are_one_pipeline_generation_topic(team):
    ana = team.reps[0]
    _rep_gap(team, ana, "ACTIVITY_LOW", stake=300_000, family=Family.HOW, metric="activities_per_week", severity=0.9)
    _rep_gap(team, ana, "PIPELINE_COVERAGE_LOW", stake=250_000, metric="pipeline_coverage")
    _rep_gap(
        team, ana, "NEW_PIPELINE_LOW", stake=200_000, metric="new_pipeline_amount", value=207_000, team_value=1.1e6
    )
    _rep_gap(team, ana, "CYCLE_LONG", stake=10_000, metric="sales_cycle_days")
    topics = items(build(team), rep=ana)
    assert [topic.code for topic in topics] == ["NEW_PIPELINE_LOW", "CYCLE_LONG"]
    pipeline = topics[0]
    assert pipeline.title.startswith("Pipeline generation: ")
    assert [m["code"] for m in pipeline.details["members"]] == [
        "NEW_PIPELINE_LOW",
        "PIPELINE_COVERAGE_LOW",
        "ACTIVITY_LOW",
    ]
    assert any(line.startswith("Same cause, also flagged: ") for line in pipeline.evidence)
    # Ranked by its most pressing flag, not the sum of three views of one shortfall.
    assert float(pipeline.revenue_at_stake) == 300_000


def test_win_rate_and_product_win_rate_are_one_closing_topic(team):
    ana = team.reps[0]
    _rep_gap(team, ana, "PRODUCT_WIN_RATE_LOW", stake=80_000, family=Family.WHAT, metric="product_win_rate")
    _rep_gap(team, ana, "WIN_RATE_LOW", stake=60_000)
    topics = items(build(team), rep=ana)
    assert len(topics) == 1 and topics[0].code == "WIN_RATE_LOW"
    assert topics[0].title.startswith("Closing: ")
    assert topics[0].details["cause"] == "closing"


def test_a_lone_flag_of_a_cause_reads_as_itself(team):
    ana = team.reps[0]
    _rep_gap(team, ana, "WIN_RATE_LOW", stake=60_000, value=0.1, team_value=0.3)
    (topic,) = items(build(team), rep=ana)
    assert topic.title.startswith("Win rate 10%")
    assert topic.key == f"gap:CLOSING:{ana.sf_id}:"


def test_the_manager_state_survives_a_rebuild_that_changes_the_flags_of_a_cause(team):
    ana = team.reps[0]
    deals = _deals(team, ana, 2)
    _dead_deal_flags(team, ana, deals, ("STALE_DEALS", "FORECAST_OVERDUE"))
    (topic,) = items(build(team), rep=ana)
    set_item_status(topic, AgendaItem.Status.DISCUSSED)
    add_note(topic, "Both are with procurement")
    add_commitment(topic, "Call both buyers", owner_sf_id=ana.sf_id, due_date=date(2026, 3, 6))
    # A new sync: the deals are no longer stale but now lack a next step.
    Gap.objects.filter(person_sf_id=ana.sf_id, code="STALE_DEALS").delete()
    _dead_deal_flags(team, ana, deals, ("NO_NEXT_STEP",))
    (again,) = items(build(team), rep=ana)
    assert again.pk == topic.pk
    assert again.status == AgendaItem.Status.DISCUSSED
    assert [m["code"] for m in again.details["members"]] == ["FORECAST_OVERDUE", "NO_NEXT_STEP"]
    assert again.notes.count() == 1 and again.commitments.count() == 1
    # Down to one flag: still the same item.
    Gap.objects.filter(person_sf_id=ana.sf_id, code="NO_NEXT_STEP").delete()
    (last,) = items(build(team), rep=ana)
    assert last.pk == topic.pk and last.status == AgendaItem.Status.DISCUSSED


def test_an_item_saved_under_its_flag_key_is_adopted_by_its_cause(team):
    """Agendas built before flags were keyed by cause: a rebuild keeps their state on the cause's item."""
    ana = team.reps[0]
    _rep_gap(team, ana, "WIN_RATE_LOW", stake=60_000)
    (topic,) = items(build(team), rep=ana)
    AgendaItem.objects.filter(pk=topic.pk).update(key=f"gap:WIN_RATE_LOW:{ana.sf_id}:")
    set_item_status(AgendaItem.objects.get(pk=topic.pk), AgendaItem.Status.DEFERRED, reason="next week")
    (again,) = items(build(team), rep=ana)
    assert again.pk == topic.pk and again.key == f"gap:CLOSING:{ana.sf_id}:"
    assert again.status == AgendaItem.Status.DEFERRED


def test_a_per_product_team_topic_leaves_a_rep_weak_on_another_product_their_own_topic(team):
    for rep in team.reps[:3]:
        _rep_gap(
            team,
            rep,
            "PRODUCT_WIN_RATE_LOW",
            stake=10_000,
            family=Family.WHAT,
            metric="product_win_rate",
            evidence={"product_sf_id": "Starter", "product": "Starter", "reference": "team"},
        )
    dee = team.reps[3]
    _rep_gap(
        team,
        dee,
        "PRODUCT_WIN_RATE_LOW",
        stake=10_000,
        family=Family.WHAT,
        metric="product_win_rate",
        evidence={"product_sf_id": "Pro", "product": "Pro", "reference": "team"},
    )
    agenda = build(team)
    (topic,) = items(agenda, kind="team")
    assert set(topic.details["reps"]) == {rep.sf_id for rep in team.reps[:3]}
    assert [item.code for item in items(agenda, rep=dee)] == ["PRODUCT_WIN_RATE_LOW"]
    assert not items(agenda, rep=team.reps[0])


def _past(key, code, status=AgendaItem.Status.OPEN):
    return PastItem(1, date(2026, 2, 23), "m", key, "gap", code, "where", "r", status, "", 0.5, "t", "", True, 1)


def test_a_cause_still_flagged_by_another_of_its_flags_is_not_called_progress():
    last = LastAgenda([_past("gap:DEAD_DEALS:r:", "STALE_DEALS")])
    assert follow_up_items(last, set(), {("r", "FORECAST_OVERDUE")}, set()) == []
    (gone,) = follow_up_items(last, set(), {("r", "WIN_RATE_LOW")}, set())
    assert gone.details["still_flagged"] is False
