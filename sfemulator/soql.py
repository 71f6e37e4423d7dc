"""A SOQL parser for what a sync emits: SELECT fields (with relationship paths) or COUNT(), FROM,
WHERE, ORDER BY, LIMIT and OFFSET. ``parse`` returns a syntax tree; ``soql_plan`` resolves it against an
org's objects and ``soql_filter`` compiles its WHERE clause.

Errors carry Salesforce's codes and wording (``MALFORMED_QUERY: unexpected token: 'FORM'``), including
its refusal to mix AND and OR at one level without parentheses.
"""

from dataclasses import dataclass
from typing import Any

from sfemulator.soql_lexer import Token, soql_error, tokenize, unescape
from sfemulator.temporal import is_relative_literal, parse_date, parse_datetime, takes_number

_RESERVED = frozenset(
    {
        "SELECT",
        "FROM",
        "WHERE",
        "AND",
        "OR",
        "NOT",
        "IN",
        "LIKE",
        "ORDER",
        "BY",
        "LIMIT",
        "OFFSET",
        "ASC",
        "DESC",
        "NULLS",
        "FIRST",
        "LAST",
        "NULL",
        "TRUE",
        "FALSE",
        "GROUP",
        "HAVING",
        "WITH",
        "FOR",
        "INCLUDES",
        "EXCLUDES",
        "USING",
    }
)
_OPERATORS = {"=": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
MAX_OFFSET = 2000


@dataclass(frozen=True)
class FieldRef:
    path: str
    pos: int


@dataclass(frozen=True)
class Literal:
    kind: str  # string, number, date, datetime, null, boolean, relative
    value: Any
    text: str
    pos: int
    number: int | None = None  # the n of LAST_N_DAYS:n
    like_pattern: str | None = None  # the string with LIKE's \% and \_ escapes kept


@dataclass(frozen=True)
class Comparison:
    field: FieldRef
    op: str  # = != < <= > >= LIKE IN NOT IN
    value: Literal | tuple[Literal, ...]


@dataclass(frozen=True)
class BoolOp:
    op: str  # AND / OR
    parts: tuple[Any, ...]


@dataclass(frozen=True)
class Not:
    part: Any


@dataclass(frozen=True)
class OrderItem:
    field: FieldRef
    descending: bool
    nulls_last: bool


@dataclass(frozen=True)
class Query:
    text: str
    fields: tuple[FieldRef, ...]
    count: bool
    sobject: str
    sobject_pos: int
    where: Any
    order: tuple[OrderItem, ...]
    limit: int | None
    offset: int | None


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.token
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def unexpected(self, token: Token | None = None) -> Exception:
        token = token or self.token
        return soql_error("MALFORMED_QUERY", self.text, token.pos, f"unexpected token: '{token.text}'")

    def is_keyword(self, word: str, token: Token | None = None) -> bool:
        token = token or self.token
        return token.kind == "ident" and token.upper == word

    def expect_keyword(self, word: str) -> Token:
        if not self.is_keyword(word):
            raise self.unexpected()
        return self.advance()

    def expect_punct(self, char: str) -> Token:
        if self.token.kind != "punct" or self.token.text != char:
            raise self.unexpected()
        return self.advance()

    def field(self) -> FieldRef:
        token = self.token
        if token.kind != "ident" or token.upper in _RESERVED:
            raise self.unexpected()
        self.advance()
        return FieldRef(token.text, token.pos)

    def integer(self) -> int:
        token = self.token
        if token.kind != "number" or not token.text.isdigit():
            raise self.unexpected()
        self.advance()
        return int(token.text)

    def query(self) -> Query:
        self.expect_keyword("SELECT")
        count = False
        fields: list[FieldRef] = []
        if self.is_keyword("COUNT") and self.peek().text == "(":
            self.advance()
            self.expect_punct("(")
            self.expect_punct(")")
            count = True
        else:
            fields.append(self.field())
            while self.token.text == ",":
                self.advance()
                fields.append(self.field())
        self.expect_keyword("FROM")
        sobject = self.token
        if sobject.kind != "ident" or "." in sobject.text or sobject.upper in _RESERVED:
            raise self.unexpected()
        self.advance()
        where = None
        if self.is_keyword("WHERE"):
            self.advance()
            where = self.condition()
        order: list[OrderItem] = []
        if self.is_keyword("ORDER"):
            self.advance()
            self.expect_keyword("BY")
            order.append(self.order_item())
            while self.token.text == ",":
                self.advance()
                order.append(self.order_item())
        limit = offset = None
        if self.is_keyword("LIMIT"):
            self.advance()
            limit = self.integer()
        if self.is_keyword("OFFSET"):
            self.advance()
            offset_token = self.token
            offset = self.integer()
            if offset > MAX_OFFSET:
                raise soql_error(
                    "NUMBER_OUTSIDE_VALID_RANGE",
                    self.text,
                    offset_token.pos,
                    f"Maximum SOQL offset allowed is {MAX_OFFSET}",
                )
        if self.token.kind != "eof":
            raise self.unexpected()
        return Query(self.text, tuple(fields), count, sobject.text, sobject.pos, where, tuple(order), limit, offset)

    def order_item(self) -> OrderItem:
        field = self.field()
        descending = False
        nulls_last = False
        if self.is_keyword("ASC") or self.is_keyword("DESC"):
            descending = self.advance().upper == "DESC"
        if self.is_keyword("NULLS"):
            self.advance()
            if not (self.is_keyword("FIRST") or self.is_keyword("LAST")):
                raise self.unexpected()
            nulls_last = self.advance().upper == "LAST"
        return OrderItem(field, descending, nulls_last)

    def condition(self) -> Any:
        parts = [self.unary()]
        connector = None
        while self.is_keyword("AND") or self.is_keyword("OR"):
            if connector is not None and self.token.upper != connector:
                # Salesforce wants parentheses whenever AND and OR meet at one level.
                raise self.unexpected()
            connector = self.advance().upper
            parts.append(self.unary())
        return parts[0] if connector is None else BoolOp(connector, tuple(parts))

    def unary(self) -> Any:
        if self.is_keyword("NOT"):
            self.advance()
            return Not(self.unary())
        if self.token.text == "(" and self.token.kind == "punct":
            self.advance()
            inner = self.condition()
            self.expect_punct(")")
            return inner
        return self.comparison()

    def comparison(self) -> Comparison:
        field = self.field()
        token = self.token
        if token.kind == "op":
            self.advance()
            return Comparison(field, _OPERATORS[token.text], self.value())
        if self.is_keyword("LIKE"):
            self.advance()
            return Comparison(field, "LIKE", self.value())
        if self.is_keyword("NOT") and self.is_keyword("IN", self.peek()):
            self.advance()
            self.advance()
            return Comparison(field, "NOT IN", self.value_list())
        if self.is_keyword("IN"):
            self.advance()
            return Comparison(field, "IN", self.value_list())
        raise self.unexpected()

    def value_list(self) -> tuple[Literal, ...]:
        self.expect_punct("(")
        values = [self.value()]
        while self.token.text == ",":
            self.advance()
            values.append(self.value())
        self.expect_punct(")")
        return tuple(values)

    def value(self) -> Literal:
        token = self.token
        if token.kind == "string":
            self.advance()
            return Literal(
                "string",
                unescape(token.text),
                token.text,
                token.pos,
                like_pattern=unescape(token.text, keep_like_escapes=True),
            )
        if token.kind == "number":
            self.advance()
            number = float(token.text) if "." in token.text else int(token.text)
            return Literal("number", number, token.text, token.pos)
        if token.kind == "date":
            if parse_date(token.text) is None:
                raise soql_error("MALFORMED_QUERY", self.text, token.pos, f"invalid date: {token.text}")
            self.advance()
            return Literal("date", token.text, token.text, token.pos)
        if token.kind == "datetime":
            parsed = parse_datetime(token.text)
            if parsed is None:
                raise soql_error("MALFORMED_QUERY", self.text, token.pos, f"invalid datetime: {token.text}")
            self.advance()
            return Literal("datetime", parsed, token.text, token.pos)
        if token.kind == "ident":
            word = token.upper
            if word == "NULL":
                self.advance()
                return Literal("null", None, token.text, token.pos)
            if word in ("TRUE", "FALSE"):
                self.advance()
                return Literal("boolean", word == "TRUE", token.text, token.pos)
            if is_relative_literal(word):
                self.advance()
                return Literal("relative", word, token.text, token.pos)
            if takes_number(word):
                self.advance()
                self.expect_punct(":")
                return Literal("relative", word, token.text, token.pos, number=self.integer())
        raise self.unexpected()


def parse(text: str) -> Query:
    """The syntax tree of one SOQL query; raises ``ApiError`` (400 MALFORMED_QUERY) on bad syntax."""
    return _Parser(text).query()
