"""A pytest plugin loaded before Django's settings (``-p tests.devenv``): development defaults for the suite."""

import os
import uuid

os.environ.setdefault("DJANGO_DEBUG", "true")
# Every key the suite writes to Redis (cache and broker) starts with a prefix of this run's own, so the suite
# can share a Redis database with other users and clear exactly what it wrote (tests.services.clear_cache).
os.environ.setdefault("REDIS_KEY_PREFIX", f"coachapp-test:{uuid.uuid4().hex[:12]}:")
# pytest-xdist's workers inherit the controller's environment: each gets a prefix of its own under the run's,
# so one worker clearing its cache never deletes a key another worker's test is using.
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["REDIS_KEY_PREFIX"] += f"{worker}:"
