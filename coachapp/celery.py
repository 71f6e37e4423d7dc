"""The Celery app. Tasks live in each app's ``tasks.py`` as thin ``@shared_task`` functions."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachapp.settings")

app = Celery("coachapp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
