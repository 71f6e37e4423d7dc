from datetime import UTC, date, datetime

import pytest

from coaching.metrics.calendar import Window, quarter_of
from coaching.weeks import monday_of as week_start


@pytest.mark.parametrize(
    ("day", "monday"),
    [
        (date(2024, 6, 24), date(2024, 6, 24)),  # a Monday is its own week's start
        (date(2024, 6, 30), date(2024, 6, 24)),  # Sunday ends the ISO week
        (date(2024, 1, 1), date(2024, 1, 1)),
        (date(2021, 1, 3), date(2020, 12, 28)),  # ISO week 53 of 2020 crosses the year
    ],
)
def test_week_start_is_the_monday_of_the_iso_week(day, monday):
    assert week_start(day) == monday
    assert week_start(day).isocalendar()[:2] == day.isocalendar()[:2]


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (date(2024, 1, 1), date(2024, 1, 1), date(2024, 3, 31)),
        (date(2024, 6, 30), date(2024, 4, 1), date(2024, 6, 30)),
        (date(2024, 7, 1), date(2024, 7, 1), date(2024, 9, 30)),
        (date(2024, 12, 31), date(2024, 10, 1), date(2024, 12, 31)),
        (date(2024, 2, 29), date(2024, 1, 1), date(2024, 3, 31)),
    ],
)
def test_quarter_of(day, start, end):
    assert quarter_of(day) == Window(start, end)


def test_trailing_window_includes_both_ends():
    window = Window.trailing(date(2024, 6, 30), 28)
    assert (window.start, window.end, window.days) == (date(2024, 6, 3), date(2024, 6, 30), 28)
    assert Window.trailing(date(2024, 6, 30), 1) == Window.day(date(2024, 6, 30))


def test_datetime_bounds_are_utc_days():
    window = Window(date(2024, 6, 3), date(2024, 6, 30))
    assert window.start_at == datetime(2024, 6, 3, tzinfo=UTC)
    assert window.end_before == datetime(2024, 7, 1, tzinfo=UTC)
    assert window.as_list() == ["2024-06-03", "2024-06-30"]


def test_a_window_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="before it starts"):
        Window(date(2024, 6, 30), date(2024, 6, 1))
