"""The cycle collector is held back while an object's step runs, and put back as it was afterwards."""

import gc
import weakref

import pytest

from integrations.sync.collector import fewer_collections


@pytest.fixture
def collector():
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)
    gc.unfreeze()


def test_a_step_collects_every_so_many_allocations_and_leaves_the_collector_as_it_was(collector, settings):
    settings.SYNC_GC_THRESHOLD = 50_000
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold() == (50_000, *before[1:])
        assert gc.get_freeze_count() > 0  # what was alive before the step is not scanned during it
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_a_cycle_made_during_a_step_is_still_collected(collector, settings):
    settings.SYNC_GC_THRESHOLD = 50_000

    class Node:
        pass

    with fewer_collections():
        node = Node()
        node.self = node  # a cycle only the collector frees
        ref = weakref.ref(node)
        del node
        kept = [[] for _ in range(20_000)]
        assert ref() is not None  # fewer than SYNC_GC_THRESHOLD allocations since: no pass yet
        kept += [[] for _ in range(60_000)]
        assert ref() is None, "no collection ran after SYNC_GC_THRESHOLD allocations"


def test_zero_leaves_the_collector_alone(collector, settings):
    settings.SYNC_GC_THRESHOLD = 0
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_the_collector_is_put_back_when_the_step_fails(collector, settings):
    settings.SYNC_GC_THRESHOLD = 50_000
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("the step failed")
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
