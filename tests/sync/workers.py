"""Real processes for the sync's worker tests: ``run_emulator`` over HTTP and Celery workers on Redis.

Each test's broker traffic lives under a key prefix of its own (``tests.processes.PrivateBroker``) on the
Redis database the suite was given, so no other test's (or person's) messages reach its workers; only keys
with that prefix are deleted afterwards: nothing is flushed.
"""

import os
import select
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.processes import PrivateBroker, child_database_url, stop, tail

ROOT = Path(__file__).resolve().parents[2]


def child_env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_DEBUG": "true",
        "PYTHONPATH": str(ROOT),
        "REDIS_URL": "",
        "SALESFORCE_BACKOFF_BASE_SECONDS": "0.01",
        "SALESFORCE_BACKOFF_MAX_SECONDS": "0.05",
        "LOG_LEVEL": "INFO",
        **extra,
    }


def start_emulator(org_dir: Path, log: Path, *extra_args: str) -> tuple[subprocess.Popen, str]:
    """``run_emulator`` in its own process on a free port: (process, URL)."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_emulator", str(org_dir), "--port", "0", *extra_args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=log.open("w"),
        env=child_env(),
        text=True,
    )
    ready, _, _ = select.select([process.stdout], [], [], 30)
    line = process.stdout.readline() if ready else ""
    if " at http://" not in line:
        stop(process)
        pytest.fail(f"run_emulator did not start: {line!r}\n{tail(log)}")
    return process, line.rsplit(" at ", 1)[1].strip()


@dataclass
class Broker:
    """A private corner of the suite's Redis for one test: a key prefix, a sender, the workers started."""

    url: str
    prefix: str
    logs: Path
    workers: list[subprocess.Popen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.broker = PrivateBroker(self.url, self.prefix)
        self.sender = self.broker.sender("sync-worker-test")

    def send(self, task: str, *args: Any) -> None:
        self.sender.send_task(task, args=list(args))

    def start_worker(self, name: str, *, pool: str = "solo", **env: str) -> subprocess.Popen:
        log = self.logs / f"worker-{name}.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "coachapp", "worker", "--pool", pool, "--concurrency", "1",
             "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "-n", f"{name}-{uuid.uuid4().hex[:6]}@%h"],
            cwd=ROOT,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            env=child_env(**self.broker.env(), DATABASE_URL=child_database_url(), **env),
        )  # fmt: skip
        process.log = log  # type: ignore[attr-defined]
        self.workers.append(process)
        return process

    def start_beat(self, **env: str) -> subprocess.Popen:
        """``celery beat`` with the project's schedule (reap_stalled_syncs every SYNC_REAP_SECONDS), kept in a
        file of this test's own rather than the database scheduler."""
        log = self.logs / "beat.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "coachapp", "beat", "--loglevel", "INFO",
             "-S", "celery.beat:PersistentScheduler", "-s", str(self.logs / "beat-schedule")],
            cwd=ROOT,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            env=child_env(**self.broker.env(), DATABASE_URL=child_database_url(), **env),
        )  # fmt: skip
        self.workers.append(process)
        return process

    def logs_tail(self) -> str:
        return "\n".join(f"--- {path.name}\n{tail(path)}" for path in sorted(self.logs.glob("*.log")))

    def close(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=10)
        self.sender.close()
        self.broker.clear()


def wait_for(what: str, check: Callable[[], Any], timeout: float, broker: Broker | None = None) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.25)
    logs = broker.logs_tail() if broker else ""
    pytest.fail(f"{what}: not within {timeout:g}s\n{logs}")
