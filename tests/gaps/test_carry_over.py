"""'Week N of this gap': a gap open in consecutive weeks keeps its first week; one that closed starts over."""

from datetime import date

import pytest

from coaching.gaps.evaluate import build_week, evaluate_gaps
from coaching.metrics import names
from coaching.models import Gap
from tests.gaps.conftest import OrgWeek, later, one

WEAK = {names.WIN_RATE: {"value": 0.12, "n": 25, "details": {"won": 3, "lost": 22}}}


def weeks(week: OrgWeek, pattern: list[bool]):
    """Snapshots for consecutive weeks: the same team, the rep weak where ``pattern`` says so."""
    manager = week.manager()
    peers = [week.rep(manager) for _ in range(5)]
    rep = week.rep(manager, **(WEAK if pattern[0] else {}))
    week.store()
    for offset, weak in enumerate(pattern[1:], start=1):
        other = later(week, offset)
        for peer in peers:
            other.rep(manager, person=peer)
        other.rep(manager, person=rep, **(WEAK if weak else {}))
        other.store()
    return rep


def test_a_persisting_gap_counts_its_weeks(week):
    rep = weeks(week, [True, True, True])
    for offset in range(3):
        result = build_week(week.org, later(week, offset).week_start)
    gap = one(result, rep, "WIN_RATE_LOW")
    assert (gap.first_week, gap.weeks_open) == (date(2024, 6, 24), 3)


def test_a_gap_that_closed_starts_over(week):
    rep = weeks(week, [True, False, True])
    for offset in range(3):
        result = build_week(week.org, later(week, offset).week_start)
    gap = one(result, rep, "WIN_RATE_LOW")
    assert (gap.first_week, gap.weeks_open) == (date(2024, 7, 8), 1)
    assert not Gap.objects.filter(week_start=date(2024, 7, 1), code="WIN_RATE_LOW").exists()


def test_rebuilding_a_week_keeps_the_rows_of_gaps_that_persist(week):
    rep = weeks(week, [True])
    first = one(build_week(week.org, week.week_start), rep, "WIN_RATE_LOW")
    again = one(build_week(week.org, week.week_start), rep, "WIN_RATE_LOW")
    assert again.pk == first.pk
    assert Gap.objects.filter(org=week.org).count() == 1


def test_rebuilding_drops_gaps_that_closed(week):
    rep = weeks(week, [True])
    build_week(week.org, week.week_start)
    week.org.metric_snapshots.filter(person_sf_id=rep.sf_id, name=names.WIN_RATE).update(
        value=0.4, n=20, details={"won": 8, "lost": 12}
    )
    assert build_week(week.org, week.week_start).gaps == []
    assert not Gap.objects.filter(org=week.org).exists()


def test_evaluate_gaps_takes_any_day_of_the_week_and_returns_stored_gaps(week):
    rep = weeks(week, [True])
    gaps = evaluate_gaps(week.org, date(2024, 6, 27))
    assert [(gap.code, gap.person_sf_id, gap.week_start) for gap in gaps] == [
        ("WIN_RATE_LOW", rep.sf_id, date(2024, 6, 24))
    ]
    assert all(gap.pk for gap in gaps)


def test_weeks_that_cannot_be_judged_are_refused(week):
    with pytest.raises(ValueError, match="has not started"):
        evaluate_gaps(week.org, date(2999, 1, 4))
    with pytest.raises(ValueError, match="not in the week"):
        evaluate_gaps(week.org, date(2024, 6, 24), as_of=date(2024, 7, 2))


def test_an_org_without_reps_has_no_gaps(db):
    from tests.factories import OrgFactory

    org = OrgFactory(name="empty")
    result = build_week(org, date(2024, 6, 24))
    assert (result.gaps, result.silenced, result.snoozed) == ([], [], 0)
