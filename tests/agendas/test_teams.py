"""Who is a frontline sales manager (FSM) and which reps their agenda covers."""

from coaching.agendas.teams import PersonRow, org_chart


def row(sf_id, manager="", active=True):
    return PersonRow(sf_id, f"Person {sf_id}", manager, active)


def test_a_manager_of_reps_is_an_fsm_and_a_director_of_managers_is_not():
    chart = org_chart([row("vp"), row("dir", "vp"), row("m1", "dir"), row("r1", "m1"), row("r2", "m1")])
    assert list(chart.teams) == ["m1"]
    assert [rep.sf_id for rep in chart.teams["m1"].reps] == ["r1", "r2"]


def test_a_player_coach_director_coaches_only_the_reps_reporting_to_them():
    chart = org_chart([row("dir"), row("m1", "dir"), row("r1", "m1"), row("solo", "dir")])
    assert set(chart.teams) == {"dir", "m1"}
    assert [rep.sf_id for rep in chart.teams["dir"].reps] == ["solo"]
    assert chart.team_of("r1").manager_sf_id == "m1"


def test_inactive_reps_are_left_out_and_reps_of_an_inactive_manager_are_orphans():
    chart = org_chart(
        [row("m1"), row("r1", "m1"), row("gone", "m1", active=False), row("m2", active=False), row("r3", "m2")]
    )
    assert [rep.sf_id for rep in chart.teams["m1"].reps] == ["r1"]
    assert "m2" not in chart.teams
    assert [rep.sf_id for rep in chart.orphans] == ["r3"]
    assert chart.names["gone"] == "Person gone"  # still named, e.g. in an old commitment


def test_a_manager_whose_only_report_left_is_not_an_fsm():
    chart = org_chart([row("m1"), row("gone", "m1", active=False)])
    assert chart.teams == {}
