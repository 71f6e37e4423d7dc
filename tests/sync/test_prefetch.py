import threading

import pytest

from integrations.sync.prefetch import prefetched


def test_pages_come_out_in_order_transformed():
    assert list(prefetched(lambda: iter([[1], [2, 3], []]), len)) == [1, 2, 0]


def test_an_error_surfaces_after_the_pages_before_it():
    def source():
        yield 1
        yield 2
        raise RuntimeError("page 3 failed")

    seen = []
    with pytest.raises(RuntimeError, match="page 3 failed"):
        for item in prefetched(source, lambda page: page * 10):
            seen.append(item)
    assert seen == [10, 20]


def test_a_consumer_that_stops_early_stops_the_helper():
    fetched = []
    released = threading.Event()

    def source():
        for number in range(1000):
            fetched.append(number)
            yield number
        released.set()

    pages = prefetched(source, lambda page: page, depth=1)
    assert next(pages) == 0
    pages.close()
    assert len(fetched) <= 4
    assert not released.is_set()
    assert not any(thread.name == "sync-prefetch" and thread.is_alive() for thread in threading.enumerate())
