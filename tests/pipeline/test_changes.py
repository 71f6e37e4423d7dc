"""Last week's pipeline changes per rep, against hand-written history: every category, amounts to the cent."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coaching.pipeline.changes import CATEGORIES, deal_changes, rep_changes, review_window
from tests.pipeline.conftest import WEEK

D = Decimal


def tallies(changes) -> dict[str, tuple[int, Decimal]]:
    return {name: (t.count, t.amount) for name, t in changes.tallies.items() if t.count}


def test_the_review_window_is_the_seven_days_before_the_week():
    window = review_window(WEEK)
    assert (window.start, window.end) == (date(2024, 6, 10), date(2024, 6, 16))


def test_every_category_with_its_amount_to_the_cent(week_team):
    result = rep_changes(week_team["org"], WEEK)
    ana, ben = week_team["ana"].sf_id, week_team["ben"].sf_id
    assert set(result) == {ana, ben}
    assert tallies(result[ana]) == {
        "new": (2, D("1834.76")),  # 1234.56 + 600.20
        "won": (2, D("9701.19")),  # 600.20 + 9100.99
        "lost": (1, D("7000.00")),
        "pulled_in": (1, D("1750.75")),
        "pushed_out": (1, D("15000.50")),
        "amount_up": (1, D("750.75")),
        "amount_down": (1, D("-4999.50")),
        "stage_forward": (1, D("1750.75")),
        "stage_back": (1, D("15000.50")),
    }
    assert tallies(result[ben]) == {"pushed_out": (1, D("2500.00")), "amount_up": (1, D("2500.00"))}


def test_each_deal_lists_its_categories_and_its_states(week_team):
    deals = week_team["deals"]
    changed = deal_changes(week_team["org"], WEEK, [week_team["ana"].sf_id])
    assert set(changed) == {deals[key].sf_id for key in ("new", "new_won", "won", "lost", "up", "down", "same")}
    assert changed[deals["new_won"].sf_id].categories == {"new": D("600.20"), "won": D("600.20")}
    assert changed[deals["new"].sf_id].before is None
    down = changed[deals["down"].sf_id]
    assert down.categories == {"pushed_out": D("15000.50"), "amount_down": D("-4999.50"), "stage_back": D("15000.50")}
    assert down.before == {"stage": "Proposal/Price Quote", "amount": D("20000.00"), "close_date": date(2024, 6, 30)}
    assert down.after == {"stage": "Perception Analysis", "amount": D("15000.50"), "close_date": date(2024, 8, 31)}
    assert changed[deals["same"].sf_id].categories == {}


def test_owners_narrow_the_result_and_an_empty_team_reads_nothing(week_team):
    ben = week_team["ben"].sf_id
    assert set(rep_changes(week_team["org"], WEEK, [ben])) == {ben}
    assert rep_changes(week_team["org"], WEEK, []) == {}
    assert deal_changes(week_team["org"], WEEK, []) == {}


def test_a_week_without_changes_is_empty(week_team):
    assert rep_changes(week_team["org"], date(2024, 1, 1)) == {}


def test_the_whole_org_is_one_statement_after_the_stages(week_team):
    org = week_team["org"]
    with CaptureQueriesContext(connection) as queries:
        rep_changes(org, WEEK)
    assert len(queries) == 3  # the closed stages, the stages' typical probabilities, the grouped changes


@pytest.mark.parametrize("category", CATEGORIES)
def test_each_category_is_counted_somewhere(week_team, category):
    result = rep_changes(week_team["org"], WEEK)
    assert sum(changes.tallies[category].count for changes in result.values()) >= 1
