"""WHERE clauses compiled once per query into plain Python closures over a record dict.

Salesforce semantics kept: text compares case-insensitively; ids compare by their 15-character form;
``!=`` and ``NOT IN`` also match nulls; booleans are never null; a relative date literal is a range
(``CloseDate > THIS_QUARTER`` means after the quarter ends). A literal of the wrong type for its field is
refused as Salesforce refuses it.
"""

import operator
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from sfemulator.describe import NUMBER_TYPES
from sfemulator.sfids import looks_like_id, to15
from sfemulator.soql import BoolOp, Comparison, Literal, Not
from sfemulator.soql_fields import FieldResolver
from sfemulator.soql_lexer import soql_error
from sfemulator.temporal import date_key, dt_key, key_of, midnight, relative_range

Predicate = Callable[[dict[str, Any]], bool]
_ORDERING = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
# What each family of field types accepts, and the name Salesforce's message gives that type.
_ACCEPTS = {
    "text": ({"string"}, "string"),
    "id": ({"string"}, "id"),
    "number": ({"number"}, "double"),
    "boolean": ({"boolean"}, "boolean"),
    "date": ({"date", "relative"}, "date"),
    "datetime": ({"datetime", "relative"}, "dateTime"),
}


def family_of(field_type: str) -> str:
    if field_type in ("id", "reference"):
        return "id"
    if field_type in NUMBER_TYPES:
        return "number"
    if field_type in ("boolean", "date", "datetime"):
        return field_type
    return "text"


def _fold(value: Any) -> str:
    return value.lower() if isinstance(value, str) else str(value).lower()


def _id15(value: Any) -> str:
    return value[:15] if isinstance(value, str) else str(value)


def _date_part(value: Any) -> str:
    return value[:10] if isinstance(value, str) else str(value)


def _datetime_key(value: Any) -> str:
    return dt_key(value) if isinstance(value, str) else str(value)


# How a stored value is normalised before comparison (None: used as it is).
NORMALISE: dict[str, Callable[[Any], Any] | None] = {
    "text": _fold,
    "id": _id15,
    "number": None,
    "boolean": bool,
    "date": _date_part,
    "datetime": _datetime_key,
}


class _Compiler:
    def __init__(self, resolver: FieldResolver, today: date) -> None:
        self.resolver = resolver
        self.today = today
        self.text = resolver.text

    def compile(self, node: Any) -> Predicate:
        if isinstance(node, BoolOp):
            parts = [self.compile(part) for part in node.parts]
            return _all(parts) if node.op == "AND" else _any(parts)
        if isinstance(node, Not):
            inner = self.compile(node.part)
            return lambda record: not inner(record)
        return self.comparison(node)

    def literal_key(self, family: str, field_name: str, literal: Literal) -> Any:
        """The comparable form of a literal: a value, or a (start, end) range for relative dates."""
        accepted, type_name = _ACCEPTS[family]
        if literal.kind not in accepted:
            quoted = "should be enclosed in quotes" if family in ("text", "id") else "should not be enclosed in quotes"
            raise soql_error(
                "INVALID_FIELD",
                self.text,
                literal.pos,
                f"value of filter criterion for field '{field_name}' must be of type {type_name} and {quoted}",
            )
        if literal.kind == "relative":
            start, end = relative_range(literal.value, literal.number, self.today)
            if family == "date":
                return (date_key(start), date_key(end))
            return (key_of(midnight(start)), key_of(midnight(end)))
        if family == "text":
            return literal.value.lower()
        if family == "id":
            if not looks_like_id(literal.value):
                raise soql_error(
                    "INVALID_QUERY_FILTER_OPERATOR", self.text, literal.pos, f"invalid ID field: {literal.value}"
                )
            return to15(literal.value)
        if family == "datetime":
            return key_of(literal.value)
        return literal.value

    def comparison(self, node: Comparison) -> Predicate:
        resolved = self.resolver.resolve(node.field.path, node.field.pos)
        family = family_of(resolved.field.type)
        get = resolved.getter
        norm = NORMALISE[family]
        name = resolved.field.name
        if node.op in ("IN", "NOT IN"):
            matches = self.membership(family, name, node.value, get, norm)
            return matches if node.op == "IN" else (lambda record: not matches(record))
        literal = node.value
        assert not isinstance(literal, tuple), "the parser gives a list only to IN and NOT IN"
        if node.op == "LIKE":
            if family != "text" or literal.kind != "string":
                raise soql_error(
                    "INVALID_QUERY_FILTER_OPERATOR",
                    self.text,
                    node.field.pos,
                    f"invalid operator on {resolved.field.type} field: LIKE",
                )
            return _like(get, literal.like_pattern or "")
        if literal.kind == "null":
            if node.op not in ("=", "!="):
                return lambda record: False
            return _is_null(get, family) if node.op == "=" else _negate(_is_null(get, family))
        key = self.literal_key(family, name, literal)
        if literal.kind == "relative":
            return _range_predicate(node.op, get, norm, key)
        if family == "boolean":
            matches = lambda record: bool(get(record)) is key  # noqa: E731
            return matches if node.op == "=" else _negate(matches) if node.op == "!=" else (lambda record: False)
        if node.op == "=":
            if norm is None:
                return lambda record: (value := get(record)) is not None and value == key
            return lambda record: (value := get(record)) is not None and norm(value) == key
        if node.op == "!=":
            if norm is None:
                return lambda record: (value := get(record)) is None or value != key
            return lambda record: (value := get(record)) is None or norm(value) != key
        compare = _ORDERING[node.op]
        if norm is None:
            return lambda record: (value := get(record)) is not None and compare(value, key)
        return lambda record: (value := get(record)) is not None and compare(norm(value), key)

    def membership(self, family: str, name: str, literals: Any, get: Any, norm: Any) -> Predicate:
        keys = set()
        ranges = []
        with_null = False
        for literal in literals:
            if literal.kind == "null":
                with_null = True
            elif literal.kind == "relative":
                ranges.append(self.literal_key(family, name, literal))
            else:
                keys.add(self.literal_key(family, name, literal))
        frozen = frozenset(keys)

        def matches(record: dict[str, Any]) -> bool:
            value = get(record)
            if value is None:
                return with_null and family != "boolean"
            value = norm(value) if norm is not None else value
            return value in frozen or any(start <= value < end for start, end in ranges)

        return matches


def _all(parts: list[Predicate]) -> Predicate:
    if len(parts) == 2:
        first, second = parts
        return lambda record: first(record) and second(record)
    return lambda record: all(part(record) for part in parts)


def _any(parts: list[Predicate]) -> Predicate:
    if len(parts) == 2:
        first, second = parts
        return lambda record: first(record) or second(record)
    return lambda record: any(part(record) for part in parts)


def _negate(predicate: Predicate) -> Predicate:
    return lambda record: not predicate(record)


def _is_null(get: Callable[[dict[str, Any]], Any], family: str) -> Predicate:
    if family == "boolean":
        return lambda record: False
    # Salesforce stores no empty strings: a blank text field is null.
    return lambda record: (value := get(record)) is None or value == ""


def _like(get: Callable[[dict[str, Any]], Any], pattern: str) -> Predicate:
    regex = ""
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            regex += re.escape(pattern[index + 1])
            index += 2
            continue
        regex += ".*" if char == "%" else "." if char == "_" else re.escape(char)
        index += 1
    compiled = re.compile(regex + r"\Z", re.IGNORECASE | re.DOTALL)
    return lambda record: (value := get(record)) is not None and compiled.match(str(value)) is not None


def _range_predicate(op: str, get: Any, norm: Any, bounds: tuple[str, str]) -> Predicate:
    start, end = bounds
    inside = {
        "=": lambda key: start <= key < end,
        "!=": lambda key: not start <= key < end,
        "<": lambda key: key < start,
        "<=": lambda key: key < end,
        ">": lambda key: key >= end,
        ">=": lambda key: key >= start,
    }[op]
    if op == "!=":
        return lambda record: (value := get(record)) is None or inside(norm(value))
    return lambda record: (value := get(record)) is not None and inside(norm(value))


def compile_where(node: Any, resolver: FieldResolver, today: date) -> Predicate | None:
    """A predicate for a parsed WHERE clause (None when there is no WHERE)."""
    if node is None:
        return None
    return _Compiler(resolver, today).compile(node)


def datetime_range(node: Any, resolver: FieldResolver, today: date) -> tuple[str, str | None, str | None] | None:
    """``(field, low, high)``: inclusive bounds, in the keys of ``NORMALISE["datetime"]`` (None: unbounded), that
    the top-level AND of ``<``, ``<=``, ``>``, ``>=`` comparisons of a WHERE clause puts on one datetime field of
    the object itself (the first such field it names); None when it puts none. Every row the clause selects is
    within them, so an index can narrow the rows the predicate is tried on (the predicate still decides)."""
    parts = node.parts if isinstance(node, BoolOp) and node.op == "AND" else (node,)
    compiler = _Compiler(resolver, today)
    found: tuple[str, str | None, str | None] | None = None
    for part in parts:
        if not isinstance(part, Comparison) or part.op not in _ORDERING:
            continue
        literal = part.value
        if not isinstance(literal, Literal) or literal.kind != "datetime":
            continue
        resolved = resolver.resolve(part.field.path, part.field.pos)
        if resolved.hops or family_of(resolved.field.type) != "datetime":
            continue
        name, key = resolved.field.name, compiler.literal_key("datetime", resolved.field.name, literal)
        if found is None:
            found = (name, None, None)
        elif found[0] != name:
            continue
        _, low, high = found
        if part.op in (">", ">="):
            low = key if low is None else max(low, key)
        else:
            high = key if high is None else min(high, key)
        found = (name, low, high)
    return found
