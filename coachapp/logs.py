"""Keeping tokens out of logs: invite and digest links carry a signed token in their path, and whoever reads
the access log could use it (accept an invite, change a manager's digest).

``RedactTokens`` is a logging filter for Django's own loggers (``LOGGING``); ``GunicornLogger`` does the same
for gunicorn's access log (``gunicorn.conf.py`` selects it), whose request line, path, query and referer
may all carry one.
"""

import logging
import re
from typing import Any

from gunicorn.glogging import Logger  # type: ignore[import-untyped]  # ships no type hints

# The URL patterns that carry a token: coaching/portal/urls.py (invite) and coaching/digests/urls.py.
TOKEN_PATHS = re.compile(r"(/(?:invite|digests/unsubscribe|digests/preferences)/)[^/\s?\"']+")
REDACTED = r"\1[redacted]"


def redact(text: str) -> str:
    return TOKEN_PATHS.sub(REDACTED, text)


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class GunicornLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}
