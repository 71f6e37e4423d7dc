from django.apps import AppConfig


class DigestsConfig(AppConfig):
    """The weekly email digest: its models, templates, tasks (autodiscovered by Celery), admin and commands."""

    name = "coaching.digests"
    label = "digests"
    verbose_name = "Weekly digests"
