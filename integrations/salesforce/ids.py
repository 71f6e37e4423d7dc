"""Salesforce record ids: building them, checking them, and turning the 15-character form into the 18.

An id is a 3-character key prefix (the object), a 2-character pod, one reserved character and a 9-digit
base-62 number: 15 case-sensitive characters. The API returns an 18-character form whose last three
characters say which of the first 15 are upper case, so the id survives tools that fold case (Excel,
case-insensitive databases). Each suffix character covers five characters of the id: bit ``i`` is set
when character ``i`` of that five is an upper-case letter, and the 5-bit value indexes
``A`` to ``Z`` then ``0`` to ``5``. That is what Salesforce's ``CASESAFEID()`` formula computes.
"""

import re

from coachapp.errors import InvalidInput

_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
# Base 62 in Salesforce's order: digits, then upper case, then lower case.
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ALNUM = re.compile(r"^[0-9A-Za-z]+$")
_UNIQUE_DIGITS = 9
MAX_NUMBER = 62**_UNIQUE_DIGITS - 1


def _checksum(id15: str) -> str:
    suffix = []
    for start in (0, 5, 10):
        flags = 0
        for position, char in enumerate(id15[start : start + 5]):
            if "A" <= char <= "Z":
                flags |= 1 << position
        suffix.append(_SUFFIX_ALPHABET[flags])
    return "".join(suffix)


def _require_alnum(value: str, what: str, length: int) -> None:
    if len(value) != length or not _ALNUM.match(value):
        raise InvalidInput(f"{what} must be {length} letters or digits, got {value!r}.")


def to_18(id15: str) -> str:
    """The 18-character, case-insensitive form of a 15-character id."""
    if not isinstance(id15, str):
        raise InvalidInput(f"A Salesforce id is a string, got {type(id15).__name__}.")
    _require_alnum(id15, "A 15-character Salesforce id", 15)
    return id15 + _checksum(id15)


def salesforce_id(prefix: str, number: int, pod: str = "5g") -> str:
    """The 18-character id of record ``number`` of the object with key ``prefix`` (``"006"``).

    Distinct numbers give distinct ids; the same arguments always give the same id.
    """
    _require_alnum(prefix, "A key prefix", 3)
    _require_alnum(pod, "A pod", 2)
    if not isinstance(number, int) or isinstance(number, bool) or not 0 <= number <= MAX_NUMBER:
        raise InvalidInput(f"An id number must be an integer from 0 to {MAX_NUMBER}, got {number!r}.")
    digits = []
    for _ in range(_UNIQUE_DIGITS):
        number, rest = divmod(number, 62)
        digits.append(_BASE62[rest])
    return to_18(prefix + pod + "0" + "".join(reversed(digits)))


def is_valid_id(value: object) -> bool:
    """True for a 15-character id, or an 18-character id whose suffix matches its first 15 characters."""
    if not isinstance(value, str) or len(value) not in (15, 18) or not _ALNUM.match(value):
        return False
    return len(value) == 15 or value[15:].upper() == _checksum(value[:15])


def _recase(value: str) -> str | None:
    """The id with the case its suffix records, or None when the suffix flags a digit as upper case."""
    letters = []
    for chunk in range(3):
        flags = _SUFFIX_ALPHABET.find(value[15 + chunk].upper())
        if flags < 0:
            return None
        for position, char in enumerate(value[chunk * 5 : chunk * 5 + 5]):
            upper = bool(flags & (1 << position))
            if upper and not char.isalpha():
                return None
            letters.append(char.upper() if upper else char.lower())
    return "".join(letters)


def normalize_id(value: object) -> str:
    """The canonical 18-character id for ``value`` (15 or 18 characters); ValueError on anything else.

    An 18-character id whose letters were all folded to one case (a spreadsheet, a case-insensitive
    column) is restored from its suffix. A mixed-case id with a wrong suffix is refused: its case is
    real information, and a wrong suffix means it was mistyped or truncated and re-padded.
    """
    if not isinstance(value, str):
        raise InvalidInput(f"A Salesforce id is a string of 15 or 18 letters and digits, got {type(value).__name__}.")
    text = value.strip()
    if len(text) not in (15, 18) or not _ALNUM.match(text):
        raise InvalidInput(f"{value!r} is not a Salesforce id: expected 15 or 18 letters and digits.")
    if len(text) == 15:
        return to_18(text)
    if is_valid_id(text):
        return text[:15] + text[15:].upper()
    letters = [char for char in text[:15] if char.isalpha()]
    single_case = all(char.isupper() for char in letters) or all(char.islower() for char in letters)
    recased = _recase(text) if single_case else None
    if recased is None:
        raise InvalidInput(
            f"{value!r} is not a valid Salesforce id: its last three characters do not match the first 15 "
            "(mistyped or truncated?)."
        )
    return recased + _checksum(recased)
