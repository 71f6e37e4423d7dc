"""Whether the real services the suite can use answer, and what to do when they don't.

A test that needs PostgreSQL, Redis, a Celery worker or a program such as Node.js runs when it is there. Outside CI a
missing service skips the test with the variable to set; in CI (``CI=true``) it fails the test.
``make test`` runs the suite twice, on SQLite then on PostgreSQL; in its SQLite pass
(``COACHAPP_TEST_PASS=sqlite``) a PostgreSQL-only test skips even in CI, since the second pass runs it.
"""

import os
import shutil
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


def require_program(name: str, why: str) -> str:
    """The path of a program this test runs (e.g. node), which the README's quick start does not promise."""
    path = shutil.which(name)
    if path is None:
        _missing(f"`{name}` is not on PATH; {why}")
    assert path is not None
    return path


def _missing(message: str) -> None:
    if IN_CI:
        pytest.fail(f"required in CI: {message}", pytrace=False)
    pytest.skip(message)


def clear_cache() -> None:
    """Empty the cache of what this test run wrote, and nothing else.

    Django's ``cache.clear()`` on Redis flushes the whole database, other programs' keys included; on Redis
    this deletes the keys under the run's own prefix (``REDIS_KEY_PREFIX``, set by tests/devenv.py) instead.
    """
    from django.conf import settings
    from django.core.cache import cache

    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        cache.clear()
        return
    prefix = settings.CACHES["default"].get("KEY_PREFIX") or ""
    if not prefix:
        raise RuntimeError("the suite's Redis cache has no REDIS_KEY_PREFIX: refusing to touch keys it may not own")
    import redis

    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
