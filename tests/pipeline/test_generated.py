"""The inspection on a generated org with a February fiscal year, loaded into PostgreSQL as a sync writes it:
the changes equal an independent computation from the history records, every category, to the cent."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from bench.load import load_org
from coaching.pipeline.changes import CATEGORIES, rep_changes
from coaching.pipeline.coverage import horizons, rep_coverage
from coaching.pipeline.fiscal import fiscal_calendar
from coaching.weeks import monday_of
from crm.models import Opportunity, Quota
from sfemulator.generator import GeneratorConfig
from tests.pipeline.independent import expected_changes

END = date(2026, 3, 1)  # a Sunday
CONFIG = GeneratorConfig(reps=12, months=5, seed=5, end=END, opportunities_per_rep_month=8.0,
                         activities_per_opportunity=1.0, fiscal_year_start_month=2)  # fmt: skip


@pytest.fixture
def generated(postgres, db):
    return load_org("fiscal-feb", CONFIG).org


@pytest.mark.postgres
def test_changes_equal_the_history_records_every_category_to_the_cent(generated):
    seen = set()
    for weeks_back in range(4):
        week = monday_of(END) + timedelta(days=7) - timedelta(weeks=weeks_back)
        expected = expected_changes(generated, week)
        actual = {
            rep: {name: (t.count, t.amount) for name, t in changes.tallies.items() if t.count}
            for rep, changes in rep_changes(generated, week).items()
        }
        assert actual == expected, week
        seen |= {name for tallies in expected.values() for name in tallies}
    assert seen == set(CATEGORIES)  # the generated weeks exercise every category


@pytest.mark.postgres
def test_a_february_fiscal_year_sets_the_quarters(generated):
    calendar = fiscal_calendar(generated)
    assert calendar.source == "crm"
    current = calendar.quarter_of(date(2026, 3, 2))
    assert (current.window.start, current.window.end, current.label) == (
        date(2026, 2, 1),
        date(2026, 4, 30),
        "Q1 FY 2026",
    )
    previous = calendar.quarter_of(date(2026, 1, 15))
    assert (previous.window.start, previous.window.end) == (date(2025, 11, 1), date(2026, 1, 31))
    # Past the synced periods the calendar keeps the org's start month.
    later = calendar.next_quarter(calendar.quarter_of(date(2026, 6, 1)))
    assert (later.window.start, later.window.end) == (date(2026, 8, 1), date(2026, 10, 31))


@pytest.mark.postgres
def test_coverage_reads_the_fiscal_quarter(generated):
    week = monday_of(END) + timedelta(days=7)
    spans = horizons(fiscal_calendar(generated), week)
    reps = sorted(
        set(Quota.live.filter(org=generated, start_date=date(2026, 2, 1)).values_list("owner_sf_id", flat=True))
    )
    coverage = rep_coverage(generated, reps, spans)
    for rep in reps:
        quarter = coverage[rep]["current_quarter"]
        deals = Opportunity.live.filter(org=generated, owner_sf_id=rep)
        open_amount = sum(
            (d.amount or 0 for d in deals if not d.is_closed and date(2026, 2, 1) <= d.close_date <= date(2026, 4, 30)),
            Decimal(0),
        )
        won = sum(
            (d.amount or 0 for d in deals if d.is_won and date(2026, 2, 1) <= d.close_date <= date(2026, 4, 30)),
            Decimal(0),
        )
        quota = sum(q.amount for q in Quota.live.filter(org=generated, owner_sf_id=rep, start_date=date(2026, 2, 1)))
        assert quarter.open_amount == open_amount
        assert quarter.won_amount == won
        assert quarter.quota == (quota - won if quota > won else None)
