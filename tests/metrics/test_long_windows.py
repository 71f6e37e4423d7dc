"""The longer looks some gap rules take (docs/gaps.md): a year of closed deals for the win rate, its book
and discounts, closed late-stage deals for single-threading, and the time deals were open for pushes. Each
figure is checked against a computation of its own from the rows the test made, on a seeded mix of deals
spread over more than a year (so that some fall outside each window).
"""

from datetime import date, timedelta
from random import Random

import pytest

from coaching.metrics import names
from coaching.metrics.compute import compute_metrics
from tests.factories import (
    ContactRoleFactory,
    LineItemFactory,
    OpportunityChangeFactory,
    OpportunityFactory,
    ProductFactory,
)
from tests.metrics.conftest import AS_OF, days_before, moment

YEAR_START = AS_OF - timedelta(days=364)
HALF_START = AS_OF - timedelta(days=181)
QUARTER_START = AS_OF - timedelta(days=90)


def closed_deals(org, rep, rng: Random, count: int = 24) -> list[dict]:
    """``count`` closed deals, closed 1-420 days ago, won or lost, each with a few line items and contact
    roles and, for some lost ones, a history that reached 60 %; what was made, as plain rows."""
    product = ProductFactory(org=org)
    made = []
    for _ in range(count):
        closed = days_before(rng.randint(1, 420))
        won = rng.random() < 0.45
        deal = OpportunityFactory(org=org, owner=rep, won=won, lost=not won, close_date=closed)
        discounts = [rng.choice([None, 0.0, 5.0, 12.5, 20.0]) for _ in range(rng.randint(1, 3))]
        for discount in discounts:
            LineItemFactory(opportunity=deal, product=product, discount=discount)
        roles = rng.randint(0, 3)
        for _ in range(roles):
            ContactRoleFactory(opportunity=deal)
        reached = not won and rng.random() < 0.5
        OpportunityChangeFactory(
            opportunity=deal, created_date=moment(closed - timedelta(days=20)), probability=60 if reached else 20
        )
        made.append({"close": closed, "won": won, "discounts": discounts, "roles": roles, "reached": reached})
    return made


def test_the_year_of_closed_deals_beside_the_182_days(org, rep):
    made = closed_deals(org, rep, Random(11))
    metrics = compute_metrics(org, AS_OF).rep(rep.sf_id).metrics

    in_year = [deal for deal in made if YEAR_START <= deal["close"] <= AS_OF]
    in_half = [deal for deal in made if HALF_START <= deal["close"] <= AS_OF]
    assert len(in_year) > len(in_half) > 0 and len(made) > len(in_year)  # the seed spreads them as meant
    win_rate = metrics[names.WIN_RATE]
    assert (win_rate.details["won"], win_rate.details["lost"]) == (
        sum(deal["won"] for deal in in_half),
        sum(not deal["won"] for deal in in_half),
    )
    assert win_rate.details["long"] == {
        "days": 365,
        "won": sum(deal["won"] for deal in in_year),
        "lost": sum(not deal["won"] for deal in in_year),
    }
    # The year's cells hold the same deals as the 182 days' and more: won and lost add up cell by cell.
    year_cells, half_cells = win_rate.details["mix_long"], win_rate.details["mix"]
    assert sum(cell[0] + cell[1] for cell in year_cells.values()) == len(in_year)
    assert sum(cell[0] + cell[1] for cell in half_cells.values()) == len(in_half)

    won_items = [d or 0.0 for deal in in_year if deal["won"] for d in deal["discounts"]]
    year = metrics[names.AVG_DISCOUNT].details["long"]
    mean = sum(won_items) / len(won_items)
    variance = sum((d - mean) ** 2 for d in won_items) / (len(won_items) - 1)
    assert (year["days"], year["items"], year["deals"]) == (365, len(won_items), sum(d["won"] for d in in_year))
    assert year["mean"] == pytest.approx(mean)
    assert year["variance"] == pytest.approx(variance)

    late = [deal for deal in in_half if deal["won"] or deal["reached"]]
    closed = metrics[names.SINGLE_THREADED_COUNT].details["closed"]
    assert closed == {
        "days": 182,
        "deals": len(late),
        "contact_roles": sum(deal["roles"] for deal in late),
        "single": sum(deal["roles"] <= 1 for deal in late),
    }
    assert metrics[names.CONTACT_ROLES_PER_DEAL].details["closed"] == closed


def days_open(created: date, ended: date, start: date) -> int:
    """Days of [created, ended) that fall in [start, AS_OF]."""
    low, high = max(created, start), min(ended, AS_OF + timedelta(days=1))
    return max(0, (high - low).days)


def test_pushes_are_counted_over_the_time_deals_were_open(org, rep):
    rng = Random(5)
    deals = []
    for index in range(10):
        created = days_before(rng.randint(5, 300))
        closed_on = None if index % 3 == 0 else created + timedelta(days=rng.randint(10, 200))
        if closed_on is not None and closed_on > AS_OF:
            closed_on = None
        if closed_on is None:
            deal = OpportunityFactory(org=org, owner=rep, created_date=moment(created))
        else:
            deal = OpportunityFactory(org=org, owner=rep, created_date=moment(created), won=True, close_date=closed_on)
        pushes = []
        last = (closed_on or AS_OF) - timedelta(days=1)
        for _ in range(rng.randint(0, 3)):
            day = created + timedelta(days=rng.randint(0, max(0, (last - created).days)))
            OpportunityChangeFactory(
                opportunity=deal,
                created_date=moment(day),
                close_date=date(2025, 1, 1),
                prev_close_date=date(2024, 12, 1),
            )
            pushes.append(day)
        deals.append({"created": created, "closed": closed_on, "pushes": pushes})
    pushes = compute_metrics(org, AS_OF).rep(rep.sf_id).metrics[names.CLOSE_DATE_PUSHES]

    # The deals the history covers: open, or closed since the 182 days began.
    covered = [deal for deal in deals if deal["closed"] is None or deal["closed"] >= HALF_START]
    after = AS_OF + timedelta(days=1)
    long_days = sum(days_open(deal["created"], deal["closed"] or after, HALF_START) for deal in covered)
    recent_days = sum(days_open(deal["created"], deal["closed"] or after, QUARTER_START) for deal in covered)
    long_pushes = [(index, day) for index, deal in enumerate(covered) for day in deal["pushes"] if day >= HALF_START]
    long = pushes.details["long"]
    assert long["count"] == len(long_pushes) > 0
    assert long["deals_pushed"] == len({index for index, _ in long_pushes})
    assert long["exposure"] == pytest.approx(long_days / 91, abs=1e-4)
    assert long["recent_exposure"] == pytest.approx(recent_days / 91, abs=1e-4)
    assert pushes.details["pushes"] == sum(day >= QUARTER_START for _, day in long_pushes)
    assert (long["days"], long["unit"]) == (182, "deal_quarters")


def test_a_deal_closed_before_the_window_adds_no_time_open(org, rep):
    long_ago = moment(days_before(400))
    OpportunityFactory(org=org, owner=rep, created_date=long_ago, won=True, close_date=days_before(200))
    OpportunityFactory(org=org, owner=rep, created_date=long_ago, won=True, close_date=days_before(91))
    pushes = compute_metrics(org, AS_OF).rep(rep.sf_id).metrics[names.CLOSE_DATE_PUSHES]
    # The second deal: open from the window's first day (181 days before the as-of day, which is in the
    # window) until its CloseDate 91 days before it: 90 days.
    assert pushes.details["long"]["exposure"] == pytest.approx(90 / 91, abs=1e-4)
    assert pushes.details["long"]["recent_exposure"] == 0.0
