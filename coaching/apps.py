from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "coaching"
    verbose_name = "Coaching"

    def ready(self) -> None:
        from coaching.agendas import admin as agendas_admin  # noqa: F401 - the agendas' admin lives beside them
        from coaching.api import admin as api_admin  # noqa: F401 - API keys' admin lives beside the API
        from coaching.digests import admin as digests_admin  # noqa: F401 - the digests' admin lives beside them
        from coaching.gaps import admin  # noqa: F401 - the gap rules' admin lives beside them
