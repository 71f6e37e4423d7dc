import pytest

from integrations.salesforce.ids import MAX_NUMBER, is_valid_id, normalize_id, salesforce_id, to_18

# 15 → 18 pairs published with worked examples of CASESAFEID (Salesforce StackExchange / Code Golf
# test data, the gammone.com and rubydoc examples, the salesforce_id_converter README), plus edge cases.
PUBLISHED_PAIRS = [
    ("a01M00000062mPg", "a01M00000062mPgIAI"),
    ("001M000000qfPyS", "001M000000qfPySIAU"),
    ("a0FE000000D6r3F", "a0FE000000D6r3FMAR"),
    ("0F9E000000092w2", "0F9E000000092w2KAA"),
    ("a0RE000000IJmcN", "a0RE000000IJmcNMAT"),
    ("a0D30000001n7Pi", "a0D30000001n7PiEAI"),
    ("70130000001tcyI", "70130000001tcyIAAQ"),
    ("0019000000B98de", "0019000000B98deAAB"),
    ("00558000001N0Ke", "00558000001N0KeAAK"),
    ("a0BA0000000L2ZC", "a0BA0000000L2ZCMA0"),
    ("0012800000CXn0k", "0012800000CXn0kAAD"),
    ("aaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaAAA"),
    ("AAAAABBBBBCCCCC", "AAAAABBBBBCCCCC555"),
    ("AaaAABbbBBCccCC", "AaaAABbbBBCccCCZZZ"),
    ("AAaAAbbBBBCcCCC", "AAaAAbbBBBCcCCC123"),
]


@pytest.mark.parametrize(("id15", "id18"), PUBLISHED_PAIRS)
def test_to_18_matches_published_pairs(id15: str, id18: str) -> None:
    assert to_18(id15) == id18
    assert is_valid_id(id18)
    assert normalize_id(id15) == id18
    assert normalize_id(id18) == id18


@pytest.mark.parametrize("bad", ["", "001", "0019000000B98de!", "0019000000B98d", "0019000000B98deAA", None, 15])
def test_to_18_refuses_what_is_not_a_15_character_id(bad: object) -> None:
    with pytest.raises(ValueError):
        to_18(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("prefix", "number"),
    [("005", 0), ("001", 1), ("006", 61), ("006", 62), ("00k", 123_456_789), ("0J9", MAX_NUMBER), ("00D", 7)],
)
def test_salesforce_id_is_a_valid_18_character_id_with_the_prefix(prefix: str, number: int) -> None:
    value = salesforce_id(prefix, number)
    assert len(value) == 18
    assert value.startswith(prefix + "5g0")
    assert is_valid_id(value)
    assert to_18(value[:15]) == value


def test_salesforce_id_numbers_map_to_distinct_ids_even_ignoring_case() -> None:
    ids = [salesforce_id("006", n) for n in range(0, 62**3, 7)]
    assert len(set(ids)) == len(ids)
    # The 18-character form is meant to be unique case-insensitively.
    assert len({value.lower() for value in ids}) == len(ids)


def test_salesforce_id_is_base62_with_digits_then_upper_then_lower() -> None:
    assert salesforce_id("006", 0, pod="D0")[:15] == "006D00000000000"
    assert salesforce_id("006", 10, pod="D0")[:15] == "006D0000000000A"
    assert salesforce_id("006", 36, pod="D0")[:15] == "006D0000000000a"
    assert salesforce_id("006", 62, pod="D0")[:15] == "006D00000000010"


@pytest.mark.parametrize(
    ("prefix", "number", "pod"),
    [("06", 1, "5g"), ("0061", 1, "5g"), ("00-", 1, "5g"), ("006", -1, "5g"), ("006", MAX_NUMBER + 1, "5g"),
     ("006", 1, "5"), ("006", 1.0, "5g"), ("006", True, "5g")],
)  # fmt: skip
def test_salesforce_id_refuses_bad_parts(prefix: str, number: int, pod: str) -> None:
    with pytest.raises(ValueError):
        salesforce_id(prefix, number, pod=pod)


@pytest.mark.parametrize(
    "value",
    ["0019000000B98deAAC", "0019000000B98dEAAB", "0019000000B98de_AB", "0019000000B98de12", "0019000000B98d",
     "", None, 123, "0019000000B98deAABX"],
)  # fmt: skip
def test_is_valid_id_refuses_wrong_checksums_and_junk(value: object) -> None:
    assert not is_valid_id(value)


def test_is_valid_id_accepts_a_lower_case_suffix() -> None:
    assert is_valid_id("001M000000qfPySiau")
    assert normalize_id("001M000000qfPySiau") == "001M000000qfPySIAU"


@pytest.mark.parametrize("folded", ["001M000000QFPYSIAU", "001m000000qfpysiau", " 001M000000QFPYSIAU "])
def test_normalize_id_restores_case_folded_ids_from_their_suffix(folded: str) -> None:
    assert normalize_id(folded) == "001M000000qfPySIAU"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("001M000000qfPySIAA", "do not match"),  # mixed case: the suffix is wrong, not the case
        ("0010000000000001A5", "do not match"),  # suffix flags digits as upper case
        ("hello", "not a Salesforce id"),
        ("001M000000qfPyS!!!", "not a Salesforce id"),
        (None, "is a string"),
        (42, "is a string"),
    ],
)
def test_normalize_id_explains_what_is_wrong(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        normalize_id(value)
