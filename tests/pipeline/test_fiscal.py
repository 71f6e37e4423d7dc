"""The org's fiscal calendar: Salesforce Periods synced through the emulator, or calendar quarters."""

from datetime import date

import pytest

from coaching.pipeline.fiscal import fiscal_calendar
from crm.models import FiscalPeriod
from integrations.models import SyncRun
from integrations.salesforce.connect import register_org
from integrations.sync.run import run_sync
from sfemulator.generator import GeneratorConfig, GeneratorConfigError, write_org
from tests.factories import FiscalPeriodFactory, OrgFactory


@pytest.fixture(autouse=True)
def _fresh_emulators():
    from sfemulator.registry import reset_emulators

    reset_emulators()
    yield
    reset_emulators()


def test_a_february_fiscal_year_syncs_from_the_org_and_sets_the_quarters(db, tmp_path):
    config = GeneratorConfig(reps=2, months=4, seed=9, end=date(2026, 3, 1), fiscal_year_start_month=2,
                             opportunities_per_rep_month=2.0, activities_per_opportunity=0.0)  # fmt: skip
    write_org(config, tmp_path / "org")
    org = register_org("febco", method="emulator", emulator_dir=str(tmp_path / "org"), emulator_login="password")
    run = run_sync(org)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    starts = sorted(FiscalPeriod.live.filter(org=org, type="Quarter").values_list("start_date", flat=True))
    assert starts and all(day.day == 1 and day.month in (2, 5, 8, 11) for day in starts)
    quarter = fiscal_calendar(org).quarter_of(date(2026, 3, 2))
    assert (quarter.window.start, quarter.window.end, quarter.label) == (date(2026, 2, 1), date(2026, 4, 30),
                                                                         "Q1 FY 2026")  # fmt: skip
    january = fiscal_calendar(org).quarter_of(date(2026, 1, 31))
    assert january.window.start == date(2025, 11, 1) and january.label == "Q4 FY 2025"


def test_an_org_without_periods_is_on_calendar_quarters(db):
    calendar = fiscal_calendar(OrgFactory())
    assert calendar.source == "calendar"
    quarter = calendar.quarter_of(date(2026, 3, 2))
    assert (quarter.window.start, quarter.window.end, quarter.label) == (date(2026, 1, 1), date(2026, 3, 31), "Q1 2026")
    assert calendar.next_quarter(quarter).window.start == date(2026, 4, 1)
    december = calendar.quarter_of(date(2025, 12, 31))
    assert calendar.next_quarter(december).window.start == date(2026, 1, 1)


def test_overlapping_and_backwards_periods_from_the_crm_are_ignored(db):
    org = OrgFactory()
    FiscalPeriodFactory(org=org, start_date=date(2024, 2, 1), end_date=date(2024, 4, 30))
    FiscalPeriodFactory(org=org, start_date=date(2024, 3, 1), end_date=date(2024, 5, 31), label="overlap")
    FiscalPeriodFactory(org=org, start_date=date(2024, 9, 1), end_date=date(2024, 8, 1), label="backwards")
    FiscalPeriodFactory(org=org, start_date=date(2024, 5, 1), end_date=date(2024, 7, 31), type="Month")
    FiscalPeriodFactory(org=org, start_date=date(2024, 5, 1), end_date=date(2024, 7, 31), is_deleted=True)
    calendar = fiscal_calendar(org)
    assert [q.label for q in calendar.quarters] == ["Q1 FY 2024"]
    # Outside the synced quarter, the org's start month still holds: May-July, not April-June.
    assert calendar.quarter_of(date(2024, 6, 1)).window.start == date(2024, 5, 1)


def test_the_generator_refuses_a_fiscal_month_out_of_range():
    for bad in (0, 13, 1.5, True):
        with pytest.raises(GeneratorConfigError, match="fiscal year start month"):
            GeneratorConfig(fiscal_year_start_month=bad)
