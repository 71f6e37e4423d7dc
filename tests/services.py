"""Whether the real services the suite can use answer, and what to do when they don't.

A test that needs PostgreSQL, Redis or a Celery worker runs when the service answers. Outside CI a
missing service skips the test with the variable to set; in CI (``CI=true``) it fails the test.
``make test`` runs the suite twice, on SQLite then on PostgreSQL; in its SQLite pass
(``COACHAPP_TEST_PASS=sqlite``) a PostgreSQL-only test skips even in CI, since the second pass runs it.
"""

import os
import socket
from urllib.parse import urlparse

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
SQLITE_PASS = os.environ.get("COACHAPP_TEST_PASS") == "sqlite"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL


def require_redis() -> str:
    url = redis_url()
    parsed = urlparse(url)
    if not _answers(parsed.hostname or "127.0.0.1", parsed.port or 6379):
        _missing(f"Redis at {url} does not answer; start it or set REDIS_URL.")
    return url


def require_postgres() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        if SQLITE_PASS:
            pytest.skip("PostgreSQL only: runs in make test's PostgreSQL pass.")
        _missing("this test needs PostgreSQL: run it with DATABASE_URL=postgres://… (make test does when it answers).")


def _missing(message: str) -> None:
    if IN_CI:
        pytest.fail(f"required in CI: {message}", pytrace=False)
    pytest.skip(message)
