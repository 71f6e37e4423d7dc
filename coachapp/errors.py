"""The one domain error type. Everything coachapp raises on purpose is a ``CoachappError`` whose message is for a
person: what happened, then what to do. Commands, views and tasks catch it to answer clearly; anything else
that escapes is a bug.

``InvalidInput`` is also a ``ValueError``, so code written against the standard library's convention for bad
arguments keeps working.
"""


class CoachappError(Exception):
    """Something coachapp cannot do as asked; ``str()`` says what and what to do about it."""


class InvalidInput(CoachappError, ValueError):
    """Bad input from a person or a caller: a week that is not a Monday, an unknown org, a bad setting."""
