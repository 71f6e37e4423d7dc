"""The team section: a gap three or more reps share is one team topic; the team's trends week over week."""

from decimal import Decimal

from coaching.models import AgendaItem, Family
from tests.agendas.conftest import build, codes, items, week
from tests.factories import MetricSnapshotFactory


def test_a_gap_shared_by_three_reps_becomes_one_team_topic_instead_of_three_items(team):
    ana, ben, carl, dee = team.reps
    for rep, value in ((ana, 0.5), (ben, 0.4), (carl, 0.3)):
        team.gap(
            rep,
            "STALE_DEALS",
            metric="stale_open_count",
            value=value,
            team_value=0.2,
            revenue_at_stake=Decimal(100_000),
            evidence={"successes": 4},
        )
    team.gap(dee, "WIN_RATE_LOW")
    team.gap(ana, "WIN_RATE_LOW")

    agenda = build(team)

    [topic] = items(agenda, AgendaItem.Kind.TEAM)
    assert topic.key == "team:STALE_DEALS::"
    assert topic.title == "Deals gone quiet for 14 days: 3 of 4 reps ($300k at stake)"
    assert topic.evidence[0] == "Stale deals by rep: Ana 50%, Ben 40%, Carl 30%"
    assert topic.details["reps"] == [ana.sf_id, ben.sf_id, carl.sf_id]
    assert topic.minutes == 10
    # ... and not three 1:1 items; each of the three hears about it in the team meeting instead.
    assert codes(agenda, ana) == ["WIN_RATE_LOW"]
    assert codes(agenda, ben) == [] and codes(agenda, carl) == []
    by_rep = {rep["sf_id"]: rep for rep in agenda.content["reps"]}
    assert by_rep[ben.sf_id]["in_team_session"] == [topic.title]
    assert by_rep[dee.sf_id]["in_team_session"] == []
    assert agenda.content["team"]["minutes"] == 10


def test_two_reps_sharing_a_gap_are_two_one_on_one_conversations(team):
    ana, ben = team.reps[:2]
    team.gap(ana, "WIN_RATE_LOW")
    team.gap(ben, "WIN_RATE_LOW")

    agenda = build(team)

    assert items(agenda, AgendaItem.Kind.TEAM) == []
    assert codes(agenda, ana) == ["WIN_RATE_LOW"] and codes(agenda, ben) == ["WIN_RATE_LOW"]


def test_reps_of_another_team_do_not_make_a_team_topic(team):
    ana, ben = team.reps[:2]
    for rep in (ana, ben, *team.other_reps):
        team.gap(rep, "WIN_RATE_LOW")

    agenda = build(team)

    assert items(agenda, AgendaItem.Kind.TEAM) == []


def test_at_most_two_team_topics_the_rest_listed_for_the_next_meeting(team):
    shared = [("WIN_RATE_LOW", 300_000), ("CYCLE_LONG", 200_000), ("DEAL_SIZE_SMALL", 100_000)]
    for code, stake in shared:
        for rep in team.reps[:3]:
            team.gap(rep, code, family=Family.WHERE, revenue_at_stake=Decimal(stake))

    agenda = build(team)

    assert [item.code for item in items(agenda, AgendaItem.Kind.TEAM)] == ["WIN_RATE_LOW", "CYCLE_LONG"]
    [also] = agenda.content["team"]["also_shared"]
    assert also["reason"] == "for the next team meeting"
    assert also["title"].endswith(": Ana, Ben, Carl")
    assert codes(agenda, team.reps[0]) == []  # none of the three returns to the 1:1s


def test_team_trends_compare_this_week_with_last_week(team):
    ana, ben, carl = team.reps[:3]
    figures = {  # metric: ((ana, ben, carl) last week, (ana, ben, carl) this week)
        "win_rate": ((0.20, 0.25, 0.90), (0.30, 0.34, 0.95)),  # median 25% -> 34%: better (the mean would say 65%)
        "stale_open_count": ((2, 3, 0), (4, 5, 0)),  # sum 5 -> 9: worse (lower is better)
        "open_pipeline_amount": ((100_000, 100_000, 0), (101_000, 100_000, 0)),  # 200k -> 201k: steady
    }
    for metric, (before, now) in figures.items():
        for offset, values in ((-1, before), (0, now)):
            for rep, value in zip((ana, ben, carl), values, strict=True):
                MetricSnapshotFactory(
                    org=team.org,
                    person_sf_id=rep.sf_id,
                    manager_sf_id=team.manager.sf_id,
                    week_start=week(offset),
                    as_of=week(offset),
                    name=metric,
                    value=value,
                )
    team.gap(ana, "WIN_RATE_LOW")

    agenda = build(team)

    trends = {trend["metric"]: trend for trend in agenda.content["team"]["trends"]}
    assert list(trends) == ["win_rate", "open_pipeline_amount", "stale_open_count"]  # the fixed reading order
    assert (trends["win_rate"]["last_week"], trends["win_rate"]["this_week"]) == (0.25, 0.34)
    assert trends["win_rate"]["direction"] == "better" and trends["win_rate"]["reps"] == 3
    assert (trends["stale_open_count"]["last_week"], trends["stale_open_count"]["this_week"]) == (5, 9)
    assert trends["stale_open_count"]["direction"] == "worse"
    assert trends["open_pipeline_amount"]["direction"] == "flat"
    assert agenda.content["team"]["minutes"] == 5  # trends, no shared topic


def test_a_dismissed_team_topic_stays_off_the_meeting_while_it_is_the_same_episode(team):
    from coaching.agendas import set_item_status

    for offset in range(2):
        for rep in team.reps[:3]:
            team.gap(rep, "WIN_RATE_LOW", week_start=week(offset), first_week=week(0))
    [topic] = items(build(team, week(0)), AgendaItem.Kind.TEAM)
    set_item_status(topic, AgendaItem.Status.DISMISSED, reason="the new pricing explains it")

    agenda = build(team, week(1))

    assert items(agenda, AgendaItem.Kind.TEAM) == []
    [also] = agenda.content["team"]["also_shared"]
    assert also["reason"] == "dismissed in the week of 2 Mar: the new pricing explains it"
    assert codes(agenda, team.reps[0]) == []  # still shared: not pushed back into three 1:1s
