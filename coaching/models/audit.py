"""The access audit log: who changed whose access, when, and what (suspend, restore, revoke a key, ...).

Rows are written by the functions that make the change (``coaching.access``) and by the sync when the CRM
takes someone's access away; org admins read them in the portal. Nothing edits or deletes them.
"""

from django.conf import settings
from django.db import models


class AccessEvent(models.Model):
    class Action(models.TextChoices):
        SUSPENDED = "suspended", "Login suspended"
        RESTORED = "restored", "Login restored"
        KEY_REVOKED = "key_revoked", "API key revoked"
        KEY_ISSUED = "key_issued", "API key issued"
        INVITED = "invited", "Invite made"
        JOINED = "joined", "Invite accepted"
        LINKED = "linked", "Login linked by email"
        CRM_DEACTIVATED = "crm_deactivated", "Deactivated or deleted in the CRM"
        CRM_REACTIVATED = "crm_reactivated", "Active again in the CRM"
        MEMBERSHIP_DELETED = "membership_deleted", "Membership deleted"

    org = models.ForeignKey("crm.Org", on_delete=models.CASCADE, related_name="access_events")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Blank actor: the sync (the CRM said so) or a command run by an operator.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True, help_text="Kept if the actor's login is deleted.")
    action = models.CharField(max_length=24, choices=Action.choices)
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_name = models.CharField(max_length=150, blank=True)
    person_sf_id = models.CharField(max_length=18, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["org", "-at"])]

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or 'system'}: {self.get_action_display()} {self.subject_name}"
        )
