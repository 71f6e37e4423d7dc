"""Parsing what a URL's path carries: Salesforce ids and our own row ids, with messages that say what to send.

A widget on a Salesforce page knows the 15- or 18-character id of the record it sits on; both forms are
accepted and turned into the 18-character form we store. The key prefix (the first three characters) names
the object, so an Opportunity id sent where a user id belongs is told apart from a mistyped one.
"""

from rest_framework.exceptions import ValidationError

from integrations.salesforce.ids import normalize_id

USER_PREFIX = "005"
OPPORTUNITY_PREFIX = "006"
_OBJECTS = {USER_PREFIX: "a user", OPPORTUNITY_PREFIX: "an Opportunity", "001": "an Account", "00Q": "a Lead"}
# The largest value a 64-bit primary key holds; larger ids exist nowhere (and some databases refuse them).
MAX_ROW_ID = 2**63 - 1


def salesforce_id(value: str, *, field: str, prefix: str) -> str:
    """``value`` as an 18-character id of the object ``prefix`` names; a 400 naming ``field`` otherwise."""
    try:
        sf_id = normalize_id(value)
    except ValueError as error:
        raise ValidationError({field: [str(error)]}) from None
    if sf_id[:3] != prefix:
        found = _OBJECTS.get(sf_id[:3], f"a record with key prefix {sf_id[:3]}")
        raise ValidationError(
            {field: [f"{value} is {found} id; this takes {_OBJECTS[prefix]} id (starting {prefix})."]}
        )
    return sf_id


def row_id(value: str, *, field: str) -> int | None:
    """A positive whole number; None for one too large to be any row's id (the caller answers 404)."""
    text = value.strip()
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise ValidationError({field: [f"{value!r} is not an id: send a positive whole number."]})
    number = int(text)
    return number if number <= MAX_ROW_ID else None
