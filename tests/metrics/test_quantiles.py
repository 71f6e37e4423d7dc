"""The in-database quartiles against a plain Python reference (linear interpolation, numpy's default)."""

import math
import random

import pytest

from coaching.metrics.quantiles import quartiles
from coaching.models import MetricSnapshot
from tests.factories import MetricSnapshotFactory


def reference(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


@pytest.mark.django_db
def test_quartiles_per_group_match_the_reference():
    rng = random.Random(7)
    expected: dict[str, list[float]] = {}
    for group in ("a", "b", "c", "d"):
        size = {"a": 1, "b": 2, "c": 7, "d": 40}[group]
        # Few distinct values, so that ties cross the quartile ranks.
        values = [float(rng.choice([1, 2, 2, 3, 5, 8, 13, 13, 13, 21])) for _ in range(size)]
        expected[group] = values
        for value in values:
            MetricSnapshotFactory(name=group, value=value)
    MetricSnapshotFactory(name="a", value=None)  # nulls are left out
    table = MetricSnapshot._meta.db_table
    found = quartiles(f"SELECT name AS g0, value AS v FROM {table}", (), groups=1)
    assert set(found) == {("a",), ("b",), ("c",), ("d",)}
    for group, values in expected.items():
        spread = found[(group,)]
        assert spread.n == len(values)
        assert spread.minimum == min(values)
        assert spread.maximum == max(values)
        for fraction, got in ((0.25, spread.p25), (0.5, spread.median), (0.75, spread.p75)):
            assert got == pytest.approx(reference(values, fraction)), (group, fraction)


@pytest.mark.django_db
def test_no_rows_no_groups():
    table = MetricSnapshot._meta.db_table
    assert quartiles(f"SELECT name AS g0, value AS v FROM {table}", (), groups=1) == {}
