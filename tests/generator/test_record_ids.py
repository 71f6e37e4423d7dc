import pytest

from integrations.salesforce.ids import salesforce_id
from sfemulator.generator.record_ids import KEY_PREFIXES, IdAllocator, _Counter


@pytest.mark.parametrize("start", [0, 61, 62**5 - 3, 3 * 62**5 - 2, 62**6 + 99, 62**7 * 5 - 1])
def test_the_fast_counter_builds_exactly_what_salesforce_id_builds(start: int) -> None:
    counter = _Counter("00T", "5g", start)
    for offset in range(3000):
        assert counter.next() == salesforce_id("00T", start + offset, "5g")


def test_the_allocator_is_deterministic_per_seed_and_distinct_per_object() -> None:
    first, second, other = IdAllocator(1), IdAllocator(1), IdAllocator(2)
    for sobject in KEY_PREFIXES:
        value = first.new(sobject)
        assert value == second.new(sobject) != other.new(sobject)
        assert value.startswith(KEY_PREFIXES[sobject])
    assert first.new("Task") != first.new("Task")
    with pytest.raises(KeyError):
        first.new("Lead")
