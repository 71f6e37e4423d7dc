from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "coaching"
    verbose_name = "Coaching"

    def ready(self) -> None:
        from coaching.agendas import admin as agendas_admin  # noqa: F401 - the agendas' admin lives beside them
        from coaching.agendas.after_sync import on_sync_finished
        from coaching.api import admin as api_admin  # noqa: F401 - API keys' admin lives beside the API
        from coaching.digests import admin as digests_admin  # noqa: F401 - the digests' admin lives beside them
        from coaching.gaps import admin  # noqa: F401 - the gap rules' admin lives beside them
        from integrations.sync.signals import sync_finished

        sync_finished.connect(on_sync_finished, dispatch_uid="coaching.after_sync")

        from django.db.models.signals import post_delete

        from coaching.memberships import on_membership_deleted
        from coaching.models import Membership

        post_delete.connect(on_membership_deleted, sender=Membership, dispatch_uid="coaching.membership_deleted")
