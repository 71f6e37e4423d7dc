"""A 1:1 a manager shared with the rep: which items, by whom, and whether it was revoked."""

from django.conf import settings
from django.db import models


class OneOnOneShare(models.Model):
    """The items of one rep's 1:1 the manager chose to show the rep on a read-only page.

    The link is a token signed over this row's id (``coaching.portal.sharing``); revoking sets
    ``revoked_at`` and the link stops working at once.
    """

    agenda = models.ForeignKey("coaching.Agenda", on_delete=models.CASCADE, related_name="shares")
    person_sf_id = models.CharField(max_length=18, help_text="The rep the 1:1 is with.")
    item_ids = models.JSONField(default=list, help_text="The agenda items shown, as the manager chose them.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["agenda", "person_sf_id"], name="share_agenda_person")]

    def __str__(self) -> str:
        return f"share of {self.person_sf_id}'s 1:1 ({self.agenda_id}){' revoked' if self.revoked_at else ''}"
