from django.db import models

from crm.models.base import SyncedRecord


class Account(SyncedRecord):
    name = models.CharField(max_length=255)
    owner_sf_id = models.CharField(max_length=18, blank=True, db_index=True)
    parent_sf_id = models.CharField(max_length=18, blank=True)
    industry = models.CharField(max_length=255, blank=True)
    type = models.CharField(max_length=255, blank=True)
    billing_country = models.CharField(max_length=255, blank=True)
    billing_state = models.CharField(max_length=255, blank=True)
    employees = models.IntegerField(null=True, blank=True)
    annual_revenue = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)

    class Meta:
        db_table = "coaching_account"  # the table kept its name when the model moved here
        constraints = [models.UniqueConstraint(fields=["org", "sf_id"], name="account_org_sf_id")]
