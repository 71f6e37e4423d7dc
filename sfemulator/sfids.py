"""Salesforce record ids: the 18-character checksum suffix and the case-sensitive 15-character form."""

import re

_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_ID_RE = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def looks_like_id(value: object) -> bool:
    return isinstance(value, str) and bool(_ID_RE.match(value))


def checksum(id15: str) -> str:
    """The 3-character suffix: each character encodes which of 5 id characters are upper case."""
    suffix = ""
    for chunk in range(3):
        flags = 0
        for position, char in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            if "A" <= char <= "Z":
                flags |= 1 << position
        suffix += _SUFFIX_ALPHABET[flags]
    return suffix


def to18(id15: str) -> str:
    return id15 + checksum(id15)


def to15(record_id: str) -> str:
    """The case-sensitive identity of an id; an 18-character id may arrive in any case."""
    if len(record_id) != 18:
        return record_id[:15]
    letters = []
    for chunk in range(3):
        flags = _SUFFIX_ALPHABET.find(record_id[15 + chunk].upper())
        for position, char in enumerate(record_id[chunk * 5 : chunk * 5 + 5]):
            upper = flags >= 0 and bool(flags & (1 << position))
            letters.append(char.upper() if upper else char.lower())
    return "".join(letters)


def make_id(prefix: str, number: int, pod: str = "D") -> str:
    """An 18-character id with the given key prefix, unique per ``number``."""
    digits = ""
    while number or not digits:
        number, rest = divmod(number, 62)
        digits = _BASE62[rest] + digits
    body = prefix + pod + digits.rjust(15 - len(prefix) - len(pod), "0")
    if len(body) != 15:
        raise ValueError(f"number too large for a {prefix} id")
    return to18(body)
