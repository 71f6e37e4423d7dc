from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from integrations.salesforce.converters import (
    boolean,
    day,
    floating,
    integer,
    moment,
    money,
    reference,
    seconds_to_minutes,
    text,
)


def test_text_cuts_to_the_column_and_drops_nul():
    convert = text(5)
    assert convert(None) == ""
    assert convert("abc") == "abc"
    assert convert("abcdefgh") == "abcde"
    assert convert("a\x00b") == "ab"
    assert convert(12) == "12"
    with pytest.raises(ValueError):
        convert({"Name": "nested"})


def test_reference_extends_15_character_ids_and_refuses_junk():
    convert = reference()
    assert convert(None) == ""
    assert convert("006D000000Ix3fQIAR") == "006D000000Ix3fQIAR"
    assert convert("006D000000Ix3fQ") == "006D000000Ix3fQIAR"
    with pytest.raises(ValueError, match="not a Salesforce id"):
        convert("nope")


def test_boolean_reads_json_and_text():
    convert = boolean()
    assert convert(True) is True
    assert convert(None) is False
    assert convert("true") is True
    with pytest.raises(ValueError):
        convert("yes")


def test_numbers_are_range_checked():
    assert integer()(12.0) == 12
    assert integer()(None) is None
    with pytest.raises(ValueError, match="out of range"):
        integer()(2**40)
    with pytest.raises(ValueError):
        integer()(True)
    assert floating()("1.5") == 1.5
    with pytest.raises(ValueError):
        floating()(float("nan"))
    assert seconds_to_minutes()(20) == 1
    assert seconds_to_minutes()(120) == 2
    assert seconds_to_minutes()(121) == 3


def test_money_is_exact_and_fits_the_column():
    convert = money(18, 2)
    assert convert(0.1) == Decimal("0.10")
    assert convert(52000.105) == Decimal("52000.11")
    assert convert("12.5") == Decimal("12.50")
    assert convert(None) is None
    with pytest.raises(ValueError, match="does not fit"):
        convert(1e17)
    with pytest.raises(ValueError):
        convert("twelve")


def test_dates_and_datetimes_in_salesforce_formats():
    assert day()("2026-12-15") == date(2026, 12, 15)
    with pytest.raises(ValueError):
        day()("15/12/2026")
    assert moment()("2026-11-20T14:03:11.000+0000") == datetime(2026, 11, 20, 14, 3, 11, tzinfo=UTC)
    assert moment()("2026-11-20T16:03:11.000+0200") == datetime(2026, 11, 20, 14, 3, 11, tzinfo=UTC)
    with pytest.raises(ValueError):
        moment()("yesterday")
