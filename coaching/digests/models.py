"""Weekly email digests: each manager's delivery settings, and one delivery record per manager and week.

The delivery row is what makes a digest go out at most once: it is unique on (org, manager, week), and a
sender only sends after winning a conditional update of its status (``coaching/digests/send.py``).
"""

from datetime import time

from django.core.validators import MaxValueValidator
from django.db import models

DEFAULT_SEND_WEEKDAY = 0  # Monday
DEFAULT_SEND_TIME = time(7, 0)


class DigestSettings(models.Model):
    """When and whether a manager gets the weekly digest; no row means the defaults (Monday 07:00, on)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0
        TUESDAY = 1
        WEDNESDAY = 2
        THURSDAY = 3
        FRIDAY = 4
        SATURDAY = 5
        SUNDAY = 6

    org = models.ForeignKey("crm.Org", on_delete=models.CASCADE, related_name="digest_settings")
    manager_sf_id = models.CharField(max_length=18)
    enabled = models.BooleanField(default=True)
    send_weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices, default=DEFAULT_SEND_WEEKDAY, validators=[MaxValueValidator(6)]
    )
    send_time = models.TimeField(default=DEFAULT_SEND_TIME, help_text="Local time of day in the time zone below.")
    time_zone = models.CharField(
        max_length=64, blank=True, help_text="IANA name, e.g. Europe/Berlin; blank: the manager's CRM time zone."
    )
    unsubscribed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the manager last unsubscribed from an email's link."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "coaching_digestsettings"  # the table kept its name when the model moved here
        verbose_name_plural = "digest settings"
        constraints = [
            models.UniqueConstraint(fields=["org", "manager_sf_id"], name="digestsettings_org_manager"),
            models.CheckConstraint(condition=models.Q(send_weekday__lte=6), name="digestsettings_weekday_0_6"),
        ]

    def __str__(self) -> str:
        state = "on" if self.enabled else "off"
        return f"{self.manager_sf_id}: {state}, {self.get_send_weekday_display()} {self.send_time:%H:%M}"


class DigestDelivery(models.Model):
    """One manager's digest of one week: claimed, sent (or skipped, or failed) exactly once."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Claimed by a sender"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed after every attempt"
        SKIPPED = "skipped", "Nothing to send"

    org = models.ForeignKey("crm.Org", on_delete=models.CASCADE, related_name="digest_deliveries")
    manager_sf_id = models.CharField(max_length=18)
    week_start = models.DateField(help_text="Monday of the ISO week the digest covers.")
    status = models.CharField(max_length=7, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="A pending delivery is not tried again before this (back-off)."
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipient = models.EmailField(max_length=254, blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    note = models.CharField(max_length=255, blank=True, help_text="Why it was skipped.")
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "coaching_digestdelivery"  # the table kept its name when the model moved here
        verbose_name_plural = "digest deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["org", "manager_sf_id", "week_start"], name="digestdelivery_org_manager_week"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.manager_sf_id} week of {self.week_start}: {self.status}"
