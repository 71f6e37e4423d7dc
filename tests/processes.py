"""What tests that start real processes (a Celery worker, run_emulator) share: how the child reaches this
test's database and a broker of its own on the suite's Redis, and how it is always stopped."""

import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import redis
from celery import Celery
from django.db import connection


def child_database_url() -> str:
    """A DATABASE_URL for a child process: the database this test runs in (pytest-django's test_ copy)."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    credentials = f"{user}{password}@" if user else ""
    return f"postgres://{credentials}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


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


@dataclass(frozen=True)
class PrivateBroker:
    """A Celery broker for one test on the suite's Redis: every key it writes starts with ``prefix`` (kombu's
    ``global_keyprefix``), so no other test's or program's messages reach it, and ``clear`` deletes those keys
    alone. Nothing else in that Redis database is read, flushed or deleted."""

    url: str
    prefix: str

    @classmethod
    def new(cls, redis_url: str) -> "PrivateBroker":
        return cls(redis_url, f"coachapp-test:{uuid.uuid4().hex[:12]}:")

    def env(self) -> dict[str, str]:
        """Settings for a child process (a worker) to use this broker."""
        return {"CELERY_BROKER_URL": self.url, "REDIS_KEY_PREFIX": self.prefix}

    def sender(self, name: str) -> Celery:
        # Not the current app: shared tasks would bind to it (no eager mode, no result backend) in every later
        # test of this process.
        return Celery(
            name, broker=self.url, broker_transport_options={"global_keyprefix": self.prefix}, set_as_current=False
        )

    def keys(self) -> list[bytes]:
        return list(redis.Redis.from_url(self.url).scan_iter(match=f"{self.prefix}*", count=1000))

    def clear(self) -> None:
        client = redis.Redis.from_url(self.url)
        keys = self.keys()
        if keys:
            client.delete(*keys)
