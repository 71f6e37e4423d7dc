"""What every benchmark does before it touches Django, and the machine's load it prints beside its figures."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(database_url: str, **defaults: str) -> None:
    """Django on the benchmark's own database, tasks in-process, quiet logs; ``defaults`` are further variables
    set unless the environment has them."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_DEBUG", "true")
    os.environ["CELERY_BROKER_URL"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachapp.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    for name, value in defaults.items():
        os.environ.setdefault(name, value)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())
