"""SOQL text to tokens, each with its offset so that errors can point at it as Salesforce does."""

import re
from dataclasses import dataclass

from sfemulator.errors import ApiError

_TOKEN_RE = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>'(?:[^'\\]|\\.)*')
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2}))(?![\w.])
  | (?P<date>\d{4}-\d{2}-\d{2})(?![\w.:])
  | (?P<number>-?\d+(?:\.\d+)?)(?![\w])
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<op>!=|<>|<=|>=|=|<|>)
  | (?P<punct>[(),:])
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


@dataclass(frozen=True)
class Token:
    kind: str  # string, datetime, date, number, ident, op, punct, char, eof
    text: str
    pos: int

    @property
    def upper(self) -> str:
        return self.text.upper()


def soql_error(code: str, text: str, pos: int, detail: str) -> ApiError:
    """An error in Salesforce's shape: the query line, a caret under the culprit, then the reason."""
    row = text.count("\n", 0, pos) + 1
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    column = pos - line_start
    message = f"\n{line}\n{' ' * column}^\nERROR at Row:{row}:Column:{column + 1}\n{detail}"
    return ApiError(400, code, message)


def unescape(literal: str, *, keep_like_escapes: bool = False) -> str:
    """The value of a quoted SOQL string. ``\\%`` and ``\\_`` stay escaped for LIKE patterns."""
    body = literal[1:-1]
    out = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            following = body[index + 1]
            if following in "%_":
                out.append("\\" + following if keep_like_escapes else following)
            else:
                out.append(_ESCAPES.get(following, following))
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def tokenize(text: str) -> list[Token]:
    tokens = []
    pos = 0
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        if match is None:
            if text[pos] == "'":
                raise soql_error("MALFORMED_QUERY", text, pos, "line 1:0 mismatched character '<EOF>' expecting '''")
            tokens.append(Token("char", text[pos], pos))
            pos += 1
            continue
        kind = match.lastgroup or "char"
        if kind != "space":
            tokens.append(Token(kind, match.group(), pos))
        pos = match.end()
    tokens.append(Token("eof", "<EOF>", len(text)))
    return tokens
