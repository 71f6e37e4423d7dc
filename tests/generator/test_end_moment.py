"""Nothing in a generated org is stamped after its end moment (the serving org's clock would be behind it)."""

from datetime import UTC, datetime

from sfemulator.generator import GeneratorConfig
from tests.generator.conftest import END, collect

STAMPS = ("CreatedDate", "LastModifiedDate", "SystemModstamp")


def _latest(records) -> str:
    return max(record[name] for rows in records.values() for record in rows for name in STAMPS if record.get(name))


def test_an_org_generated_mid_day_stamps_nothing_after_that_moment():
    until = datetime(END.year, END.month, END.day, 9, 30, tzinfo=UTC)
    records, build = collect(GeneratorConfig(reps=12, months=6, seed=5, end=END, until=until))
    assert _latest(records) <= "2026-11-28T09:30:00.000+0000"
    assert build.timeline.today == build.timeline.as_of // 86400  # still the end day, not the day before
    assert any(record["SystemModstamp"].startswith("2026-11-28") for record in records["Task"])


def test_without_an_end_moment_the_org_ends_with_its_last_day():
    records, _ = collect(GeneratorConfig(reps=12, months=6, seed=5, end=END))
    latest = _latest(records)
    assert latest <= "2026-11-28T23:59:59.000+0000" and latest > "2026-11-28T09:30:00.000+0000"
