"""The suite shares its Redis database with whoever else uses it: it writes only under its own prefix and deletes
only what it wrote."""

import uuid

import pytest
import redis

from tests.processes import PrivateBroker


@pytest.mark.redis
def test_a_private_broker_writes_under_its_prefix_and_clears_only_its_own_keys(redis_url):
    client = redis.Redis.from_url(redis_url)
    neighbour = f"someone-else:{uuid.uuid4().hex}"
    client.set(neighbour, "keep me", ex=300)
    broker = PrivateBroker.new(redis_url)
    sender = broker.sender("isolation-test")
    try:
        sender.send_task("coaching.tasks.build_all_agendas")
        written = broker.keys()
        assert written, "the queued message is stored under the broker's prefix"
        assert all(key.startswith(broker.prefix.encode()) for key in written)

        broker.clear()

        assert broker.keys() == []
        assert client.get(neighbour) == b"keep me"
    finally:
        sender.close()
        broker.clear()
        client.delete(neighbour)


def test_the_prefix_reaches_the_cache_and_the_broker_from_the_environment(monkeypatch):
    import importlib

    import coachapp.settings as settings_module

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/5")
    monkeypatch.setenv("REDIS_KEY_PREFIX", "tenant-a:")
    try:
        reloaded = importlib.reload(settings_module)
        assert reloaded.CACHES["default"]["KEY_PREFIX"] == "tenant-a:"
        assert reloaded.CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] == "tenant-a:"
    finally:
        monkeypatch.undo()
        importlib.reload(settings_module)


def test_no_test_flushes_a_redis_database_it_does_not_own():
    from pathlib import Path

    here = Path(__file__).resolve()
    offenders = [
        f"{path.relative_to(here.parents[1])}:{number}"
        for path in here.parent.rglob("*.py")
        if path not in (here, here.parent / "services.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if any(call in line for call in ("flushdb(", "flushall(", "cache.clear()"))
    ]
    assert offenders == []
