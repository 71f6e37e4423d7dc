from django.db import models

from crm.models.base import SyncedRecord


class Person(SyncedRecord):
    """A CRM user: a rep, a frontline manager (has direct reports), a director (has managers below)."""

    name = models.CharField(max_length=255)
    username = models.CharField(max_length=255, blank=True)
    email = models.EmailField(max_length=255, blank=True)
    title = models.CharField(max_length=255, blank=True)
    is_active = models.BooleanField(default=True)
    manager_sf_id = models.CharField(max_length=18, blank=True, db_index=True)
    role_sf_id = models.CharField(max_length=18, blank=True)
    time_zone = models.CharField(max_length=64, blank=True, help_text="IANA name, e.g. America/New_York.")

    class Meta:
        db_table = "coaching_person"  # the table kept its name when the model moved here
        constraints = [models.UniqueConstraint(fields=["org", "sf_id"], name="person_org_sf_id")]
        indexes = [models.Index(fields=["org", "manager_sf_id"])]
