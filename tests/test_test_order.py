"""The PostgreSQL pass's file order (tests/conftest.py): the files that start real workers or take long first."""

from dataclasses import dataclass, field

import pytest

from tests.conftest import _heaviest_files_first


@dataclass
class _Item:
    nodeid: str
    markers: list[str] = field(default_factory=list)

    def iter_markers(self):
        return (pytest.Mark(name, (), {}) for name in self.markers)


def test_files_with_workers_or_long_tests_come_first_then_the_largest():
    items = [
        _Item("tests/a/test_small.py::test_one"),
        _Item("tests/a/test_large.py::test_one"),
        _Item("tests/a/test_large.py::test_two"),
        _Item("tests/a/test_large.py::test_three"),
        _Item("tests/b/test_browser.py::test_page", ["browser"]),
        _Item("tests/c/test_faults.py::test_kill", ["faults", "worker", "slow"]),
        _Item("tests/c/test_faults.py::test_term", ["faults", "worker", "slow"]),
        _Item("tests/c/test_mixed.py::test_quick"),
        _Item("tests/c/test_mixed.py::test_real_worker", ["worker"]),
    ]
    _heaviest_files_first(items)  # type: ignore[arg-type]
    assert [item.nodeid for item in items] == [
        "tests/c/test_faults.py::test_kill",
        "tests/c/test_faults.py::test_term",
        # One worker test takes its whole file forward, its other tests in their order.
        "tests/c/test_mixed.py::test_quick",
        "tests/c/test_mixed.py::test_real_worker",
        "tests/b/test_browser.py::test_page",
        "tests/a/test_large.py::test_one",
        "tests/a/test_large.py::test_two",
        "tests/a/test_large.py::test_three",
        "tests/a/test_small.py::test_one",
    ]


def test_files_of_the_same_weight_and_size_keep_their_order():
    items = [_Item("tests/test_b.py::test_x"), _Item("tests/test_a.py::test_x"), _Item("tests/test_c.py::test_x")]
    _heaviest_files_first(items)  # type: ignore[arg-type]
    assert [item.nodeid for item in items] == [
        "tests/test_b.py::test_x",
        "tests/test_a.py::test_x",
        "tests/test_c.py::test_x",
    ]
