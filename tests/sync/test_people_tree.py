"""What a run changed in the manager tree, from the copy taken when it began (integrations/sync/people.py)."""

from integrations.sync.people import TreeChanges, compare


def test_moves_leavers_returns_and_newcomers_name_the_managers_whose_teams_changed():
    before = {"ana": ["mia", True], "bo": ["mia", True], "cy": ["max", False], "mia": ["", True], "max": ["", True]}
    after = {
        "ana": ("max", True),  # moved from Mia to Max
        "bo": ("mia", False),  # left (inactive or deleted)
        "cy": ("max", True),  # came back
        "mia": ("", True),
        "max": ("", True),
        "dee": ("mia", True),  # new
        "eve": ("mia", False),  # new but inactive: nobody's team changed
    }
    changes = compare(before, after)
    assert changes == TreeChanges(moved=["ana"], left=["bo"], returned=["cy"], added=["dee"], managers=["max", "mia"])
    assert changes and TreeChanges.from_json(changes.as_json()) == changes


def test_a_leaving_manager_counts_as_a_changed_team_and_nothing_else_is_a_change():
    before = {"mia": ["vp", True], "ana": ["mia", True]}
    assert compare(before, {"mia": ("vp", False), "ana": ("mia", True)}).managers == ["mia", "vp"]
    unchanged = compare(before, {"mia": ("vp", True), "ana": ("mia", True)})
    assert not unchanged and unchanged == TreeChanges()
    assert not compare({"x": ["mia", False]}, {"x": ("max", False)})  # inactive before and after
