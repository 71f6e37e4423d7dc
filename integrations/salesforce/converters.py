"""Turning one Salesforce field value (as the REST API returns it in JSON) into one of our column values.

Each converter is built once per field (``converter_for``) with everything it needs precomputed (column
length, decimal places, integer range), then called once per record: it either returns a value the
database is certain to accept or raises ``ValueError`` with a reason, which makes that one record
unmappable instead of failing a whole batch in the database.
"""

import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import models

from coachapp.errors import InvalidInput
from integrations.salesforce.ids import to_18

Converter = Callable[[Any], Any]

INT_MIN, INT_MAX = -(2**31), 2**31 - 1


def _clean_text(value: str, limit: int | None) -> str:
    # PostgreSQL refuses NUL in text; a CRM field longer than our column is cut rather than losing the row.
    if "\x00" in value:
        value = value.replace("\x00", "")
    return value if limit is None or len(value) <= limit else value[:limit]


def text(limit: int | None) -> Converter:
    def convert(value: Any) -> str:
        if value is None:
            return ""
        if type(value) is not str:
            if isinstance(value, dict | list):
                raise InvalidInput(f"expected text, got {type(value).__name__}")
            value = str(value).lower() if isinstance(value, bool) else str(value)
        if len(value) <= (limit or len(value)) and "\x00" not in value:
            return value
        return _clean_text(value, limit)

    return convert


def reference() -> Converter:
    """A record id: the 18-character form (a 15-character id is extended), or "" for none."""

    def convert(value: Any) -> str:
        if value is None or value == "":
            return ""
        if type(value) is str and len(value) == 18 and value.isalnum():
            return value
        if type(value) is str and len(value) == 15:
            return to_18(value)
        raise InvalidInput(f"{value!r} is not a Salesforce id")

    return convert


def boolean() -> Converter:
    def convert(value: Any) -> bool:
        if value is True or value is False:
            return value
        if value is None:
            return False
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise InvalidInput(f"expected true or false, got {value!r}")

    return convert


def integer() -> Converter:
    def convert(value: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool):
            raise InvalidInput(f"expected a whole number, got {value!r}")
        number = value if type(value) is int else float(value)
        if number != number or number in (math.inf, -math.inf):
            raise InvalidInput(f"expected a whole number, got {value!r}")
        number = round(number)
        if not INT_MIN <= number <= INT_MAX:
            raise InvalidInput(f"{value!r} is out of range for a whole-number column")
        return number

    return convert


def seconds_to_minutes() -> Converter:
    """A call's length in seconds as whole minutes, rounded up: a 20-second call still took a minute."""
    whole = integer()

    def convert(value: Any) -> int | None:
        seconds = whole(value)
        return None if seconds is None else -(-seconds // 60)

    return convert


def floating() -> Converter:
    def convert(value: Any) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool):
            raise InvalidInput(f"expected a number, got {value!r}")
        number = float(value)
        if number != number or number in (math.inf, -math.inf):
            raise InvalidInput(f"expected a finite number, got {value!r}")
        return number

    return convert


def money(max_digits: int, decimal_places: int) -> Converter:
    quantum = Decimal(1).scaleb(-decimal_places)
    bound = Decimal(10) ** (max_digits - decimal_places)

    def convert(value: Any) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, bool):
            raise InvalidInput(f"expected an amount, got {value!r}")
        try:
            # repr of a float is its shortest decimal form (0.1, not 0.1000000000000000055); half up, as
            # Salesforce and PostgreSQL round.
            amount = Decimal(repr(value) if type(value) is float else str(value)).quantize(quantum, ROUND_HALF_UP)
        except (InvalidOperation, ValueError) as exc:
            raise InvalidInput(f"expected an amount, got {value!r}") from exc
        if not amount.is_finite() or abs(amount) >= bound:
            raise InvalidInput(f"{value!r} does not fit in {max_digits} digits")
        return amount

    return convert


def day() -> Converter:
    def convert(value: Any) -> date | None:
        if value is None:
            return None
        try:
            if type(value) is str and len(value) == 10:
                return date.fromisoformat(value)
        except ValueError:
            pass
        raise InvalidInput(f"expected a date YYYY-MM-DD, got {value!r}")

    return convert


def moment() -> Converter:
    def convert(value: Any) -> datetime | None:
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            raise InvalidInput(f"expected a datetime YYYY-MM-DDThh:mm:ss.000+0000, got {value!r}") from None
        # Salesforce always answers in UTC with an offset; a bare value is read as UTC rather than guessed.
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)

    return convert


def _money(field: models.Field) -> Converter:
    if not isinstance(field, models.DecimalField):
        raise TypeError(f"{field} is mapped as money but is not a DecimalField")
    return money(field.max_digits, field.decimal_places)


CONVERTERS: dict[str, Callable[[models.Field], Converter]] = {
    "text": lambda field: text(field.max_length),
    "id": lambda field: reference(),
    "bool": lambda field: boolean(),
    "int": lambda field: integer(),
    "float": lambda field: floating(),
    "money": lambda field: _money(field),
    "date": lambda field: day(),
    "datetime": lambda field: moment(),
    "seconds_to_minutes": lambda field: seconds_to_minutes(),
}


def converter_for(kind: str, field: models.Field) -> Converter:
    """The converter for a catalogue field kind writing into ``field`` (its length, digits …)."""
    try:
        factory = CONVERTERS[kind]
    except KeyError:
        raise InvalidInput(f"unknown converter kind {kind!r}; one of {', '.join(CONVERTERS)}") from None
    return factory(field)
