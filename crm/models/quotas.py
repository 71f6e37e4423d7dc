from django.db import models

from crm.models.base import SyncedRecord


class Quota(SyncedRecord):
    """A quota for one person and period: synced from the CRM, or entered / imported by an admin.

    Admin-entered quotas have no CRM id; their ``sf_id`` is a local key ``manual:<owner>:<start>``
    so that every quota shares one uniqueness rule and an import can be re-run safely.
    """

    class Source(models.TextChoices):
        CRM = "crm"
        MANUAL = "manual"

    sf_id = models.CharField(max_length=64)
    source = models.CharField(max_length=6, choices=Source.choices, default=Source.CRM)
    owner_sf_id = models.CharField(max_length=18)
    amount = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    quantity = models.FloatField(null=True, blank=True)
    start_date = models.DateField()

    class Meta:
        db_table = "coaching_quota"  # the table kept its name when the model moved here
        constraints = [models.UniqueConstraint(fields=["org", "sf_id"], name="quota_org_sf_id")]
        indexes = [models.Index(fields=["org", "owner_sf_id", "start_date"])]
