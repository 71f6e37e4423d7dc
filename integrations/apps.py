from typing import Any

from django.apps import AppConfig
from django.core import checks


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Salesforce integration"

    def ready(self) -> None:
        checks.register(check_sync_timings)


def check_sync_timings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """`manage.py check` (and every management command) reports sync timings that contradict the broker's."""
    from django.conf import settings

    from integrations.sync.timing import problems

    return [
        checks.Error(problem, hint="See docs/sync.md, 'What can go wrong'.", id="integrations.E001")
        for problem in problems(settings)
    ]
