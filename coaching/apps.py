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

        # Who left the CRM loses their keys, and the access log says so (coaching/memberships.py).
        from django.db.models.signals import post_delete

        from coaching.memberships import on_membership_deleted, record_crm_access
        from coaching.models import Membership

        sync_finished.connect(record_crm_access, dispatch_uid="coaching.record_crm_access")
        post_delete.connect(on_membership_deleted, sender=Membership, dispatch_uid="coaching.membership_deleted")
