"""Strengths: one to recognise per rep, and who on the team can teach what a teammate works on."""

from coaching.models import AgendaItem, Family
from tests.agendas.conftest import build, items, week


def test_one_strength_per_rep_the_strongest_with_the_teammates_it_could_help(team):
    ana, ben, carl = team.reps[:3]
    team.strength(ben, "win_rate", value=0.45, team_value=0.3, severity=0.9, confidence=0.9)
    team.strength(ben, "activities_per_week", value=30, team_value=15, severity=0.5, confidence=0.9)
    team.gap(ana, "WIN_RATE_LOW", value=0.18)
    team.gap(carl, "WIN_RATE_LOW", value=0.2)

    agenda = build(team)

    [strength] = items(agenda, AgendaItem.Kind.STRENGTH, ben)
    assert strength.code == "STRENGTH_WIN_RATE"
    assert strength.title == "Win rate 45% vs teammates' median 30%"
    assert strength.details["can_teach"] == [ana.sf_id, carl.sf_id]
    assert strength.action.endswith("Ben could show Ana and Carl how (their win rate figures are below the team's).")
    # ... and the gap items name Ben as the person to learn from.
    [ana_topic] = items(agenda, rep=ana)
    assert "Ben does this well on the team; suggest they compare notes on one deal." in ana_topic.action


def test_the_rules_pairing_of_teachers_is_preferred(team):
    ana, ben, carl = team.reps[:3]
    team.strength(ben, "contact_roles_per_deal", evidence={"can_help": [ana.sf_id]})
    team.gap(
        ana,
        "SINGLE_THREADED",
        metric="single_threaded_count",
        value=0.6,
        team_value=0.2,
        evidence={"successes": 3, "learn_from": [ben.sf_id]},
    )
    team.strength(carl, "single_threaded_count")  # same metric, but the rules paired Ana with Ben

    agenda = build(team)

    [topic] = items(agenda, rep=ana)
    assert "Ben does this well" in topic.action
    [strength] = items(agenda, AgendaItem.Kind.STRENGTH, ben)
    assert strength.details["can_teach"] == [ana.sf_id]


def test_a_teacher_from_another_team_is_not_named(team):
    ana = team.reps[0]
    outsider = team.other_reps[0]
    team.gap(ana, "WIN_RATE_LOW", evidence={"learn_from": [outsider.sf_id], "best_on_team": {"sf_id": outsider.sf_id}})
    team.strength(outsider, "win_rate")

    agenda = build(team)

    assert "does this well" not in items(agenda, rep=ana)[0].action


def test_the_strength_recognised_last_week_gives_way_to_another(team):
    ben = team.reps[1]
    for offset in (0, 1):
        team.strength(ben, "win_rate", week_start=week(offset), severity=0.9)
        team.strength(
            ben,
            "median_won_amount",
            family=Family.WHAT,
            value=90_000,
            team_value=40_000,
            week_start=week(offset),
            severity=0.6,
        )

    first = build(team, week(0))
    second = build(team, week(1))

    assert [item.code for item in items(first, AgendaItem.Kind.STRENGTH, ben)] == ["STRENGTH_WIN_RATE"]
    assert [item.code for item in items(second, AgendaItem.Kind.STRENGTH, ben)] == ["STRENGTH_MEDIAN_WON_AMOUNT"]
