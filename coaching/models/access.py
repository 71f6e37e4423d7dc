from django.conf import settings
from django.db import models
from django.db.models import Q


class Membership(models.Model):
    """Who a portal user is in an org: their CRM person and their role. Visibility follows from it."""

    class Role(models.TextChoices):
        FSM = "fsm", "Frontline manager (sees their direct reports)"
        DIRECTOR = "director", "Director (sees everyone below them)"
        ADMIN = "admin", "Org admin (sees the whole org)"
        REP = "rep", "Rep (sees their own data and agenda items)"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    org = models.ForeignKey("crm.Org", on_delete=models.CASCADE, related_name="memberships")
    person_sf_id = models.CharField(
        max_length=18, blank=True, help_text="The CRM user this portal user is; blank for an admin not in the CRM."
    )
    role = models.CharField(max_length=8, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    # An org admin's suspension: the login keeps its row (so it is never re-linked by email) but has no scope.
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "person_sf_id"], condition=~Q(person_sf_id=""), name="membership_org_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} in {self.org}"

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None
