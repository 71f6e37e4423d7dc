from django.apps import AppConfig


class CoachingConfig(AppConfig):
    """The coaching engine: metrics, gaps and agendas, computed from the CRM mirror (``crm``)."""

    name = "coaching"
    verbose_name = "Coaching"

    def ready(self) -> None:
        # The engine listens to the CRM mirror's announcements; the sync never imports the engine.
        from coaching.agendas.rebuilds import rebuild_after_sync
        from crm.signals import sync_finished

        sync_finished.connect(rebuild_after_sync, dispatch_uid="coaching.rebuild_after_sync")
