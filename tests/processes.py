"""What tests that start real processes (a Celery worker, run_emulator) share: how the child reaches this
test's database and its own Redis database, and how it is always stopped."""

import subprocess
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from django.db import connection


def child_database_url() -> str:
    """A DATABASE_URL for a child process: the database this test runs in (pytest-django's test_ copy)."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    credentials = f"{user}{password}@" if user else ""
    return f"postgres://{credentials}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def broker_url(redis_url: str, database: int) -> str:
    """The Redis server of ``redis_url`` with a database of the test's own, so no other test's messages reach it."""
    parts = urlsplit(redis_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", "", ""))


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else "(no log)"
