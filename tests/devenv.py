"""A pytest plugin loaded before Django's settings (``-p tests.devenv``): development defaults for the suite."""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")
