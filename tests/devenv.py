"""A pytest plugin loaded before Django's settings (``-p tests.devenv``): development defaults for the suite."""

import os
import uuid

os.environ.setdefault("DJANGO_DEBUG", "true")
# Every key the suite writes to Redis (cache and broker) starts with a prefix of this run's own, so the suite
# can share a Redis database with other users and clear exactly what it wrote (tests.services.clear_cache).
os.environ.setdefault("REDIS_KEY_PREFIX", f"coachapp-test:{uuid.uuid4().hex[:12]}:")
