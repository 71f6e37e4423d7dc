from collections import Counter

import pytest

from sfemulator.generator import GeneratorConfig
from sfemulator.generator.picklists import REGIONS
from tests.generator.conftest import END, Records, collect


def _users(records: Records) -> dict[str, dict]:
    return {user["Id"]: user for user in records["User"]}


def _chain(users: dict[str, dict], user_id: str) -> list[dict]:
    chain, seen = [], set()
    while user_id is not None:
        assert user_id not in seen, f"ManagerId loop at {user_id}"
        seen.add(user_id)
        chain.append(users[user_id])
        user_id = users[user_id]["ManagerId"]
    return chain


def test_every_rep_reports_through_a_manager_and_a_director_to_the_vp(team_org: tuple) -> None:
    records, build = team_org
    users = _users(records)
    for rep in build.chart.reps:
        titles = [user["Title"] for user in _chain(users, rep.id)]
        assert titles[1].startswith("Sales Manager")
        assert "Director" in titles[2]
        assert titles[3:] == ["VP of Sales"]
    vps = [user for user in users.values() if user["Title"] == "VP of Sales"]
    assert len(vps) == 1 and vps[0]["ManagerId"] is None


def test_24_reps_make_about_four_teams_of_five_to_eight(team_org: tuple) -> None:
    _, build = team_org
    active_reps = Counter(rep.manager.id for rep in build.chart.reps if rep.is_active)
    assert len(active_reps) == 4
    assert all(5 <= size <= 8 for size in active_reps.values())
    assert sum(active_reps.values()) == 24
    assert len(build.chart.directors) == 1


@pytest.mark.parametrize(
    ("reps", "teams", "directors"), [(1, 1, 1), (6, 1, 1), (9, 2, 1), (10, 2, 1), (60, 9, 2), (200, 31, 5)]
)
def test_team_and_director_counts_scale_with_the_org(reps: int, teams: int, directors: int) -> None:
    from sfemulator.generator.people import build_org_chart
    from sfemulator.generator.record_ids import IdAllocator
    from sfemulator.generator.timeline import Timeline

    config = GeneratorConfig(reps=reps, months=6, seed=1, end=END)
    chart = build_org_chart(config, Timeline(END, 6), IdAllocator(1))
    assert len(chart.teams) == teams
    assert len(chart.directors) == directors
    active = [rep for rep in chart.reps if rep.is_active]
    assert len(active) == reps
    if reps >= 10:
        assert all(5 <= sum(1 for rep in team.reps if rep.is_active) <= 8 for team in chart.teams)


def test_a_one_rep_org_still_has_a_manager_a_director_and_a_vp() -> None:
    records, build = collect(GeneratorConfig(reps=1, months=1, seed=2, end=END))
    users = _users(records)
    (rep,) = build.chart.reps
    assert [user["Title"] for user in _chain(users, rep.id)][1:] == [
        "Sales Manager, East",
        "Director of Sales",
        "VP of Sales",
    ]
    assert records["Opportunity"], "even a one-rep, one-month org has deals"


def test_people_have_distinct_usernames_titles_time_zones_and_some_are_inactive(team_org: tuple) -> None:
    records, build = team_org
    users = records["User"]
    assert len({user["Username"] for user in users}) == len(users)
    zones_by_region = {region.name: {zone for zone, _ in region.zones} for region in REGIONS}
    for team in build.chart.teams:
        for rep in team.reps:
            assert rep.zone in zones_by_region[team.region.name]
    inactive = [user for user in users if not user["IsActive"]]
    assert inactive and all("Account Executive" in user["Title"] for user in inactive)
    assert {user["Title"] for user in users} >= {"VP of Sales", "Account Executive", "Salesforce Administrator"}
    assert len({user["TimeZoneSidKey"] for user in users}) >= 3


def test_roles_form_a_tree_matching_the_hierarchy(team_org: tuple) -> None:
    records, _ = team_org
    roles = {role["Id"]: role for role in records["UserRole"]}
    for user in records["User"]:
        if user["UserRoleId"] is None:
            assert user["Title"] in ("Salesforce Administrator", "Integration User")
            continue
        manager = user["ManagerId"]
        if manager is not None:
            manager_role = next(other["UserRoleId"] for other in records["User"] if other["Id"] == manager)
            assert roles[user["UserRoleId"]]["ParentRoleId"] == manager_role
