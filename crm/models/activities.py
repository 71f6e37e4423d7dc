from django.db import models

from crm.models.base import SyncedRecord


class Activity(SyncedRecord):
    """A logged task (call, email, to-do) or a calendar event (meeting), in one table for analysis."""

    class Kind(models.TextChoices):
        TASK = "task"
        EVENT = "event"

    kind = models.CharField(max_length=5, choices=Kind.choices)
    subject = models.CharField(max_length=255, blank=True)
    owner_sf_id = models.CharField(max_length=18, blank=True)
    what_sf_id = models.CharField(max_length=18, blank=True, help_text="The opportunity or account it is about.")
    who_sf_id = models.CharField(max_length=18, blank=True, help_text="The contact or lead it is with.")
    type = models.CharField(max_length=64, blank=True)
    subtype = models.CharField(max_length=64, blank=True, help_text="Call, Email, Task, Event, …")
    status = models.CharField(max_length=64, blank=True)
    is_closed = models.BooleanField(default=False)
    activity_date = models.DateField(null=True, blank=True)
    start_at = models.DateTimeField(null=True, blank=True)
    end_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    duration_minutes = models.IntegerField(null=True, blank=True)

    class Meta:
        db_table = "coaching_activity"  # the table kept its name when the model moved here
        verbose_name_plural = "activities"
        constraints = [models.UniqueConstraint(fields=["org", "sf_id"], name="activity_org_sf_id")]
        indexes = [
            models.Index(fields=["org", "owner_sf_id", "activity_date"]),
            models.Index(fields=["org", "what_sf_id", "activity_date"]),
        ]
