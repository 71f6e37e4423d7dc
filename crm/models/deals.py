from django.db import models

from crm.models.base import SyncedRecord


class Opportunity(SyncedRecord):
    name = models.CharField(max_length=255)
    account_sf_id = models.CharField(max_length=18, blank=True, db_index=True)
    owner_sf_id = models.CharField(max_length=18, blank=True)
    stage = models.CharField(max_length=255, blank=True)
    amount = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    close_date = models.DateField(null=True, blank=True)
    probability = models.FloatField(null=True, blank=True)
    forecast_category = models.CharField(max_length=64, blank=True)
    type = models.CharField(max_length=255, blank=True)
    lead_source = models.CharField(max_length=255, blank=True)
    is_closed = models.BooleanField(default=False)
    is_won = models.BooleanField(default=False)
    next_step = models.CharField(max_length=255, blank=True)
    last_activity_date = models.DateField(null=True, blank=True)
    has_line_items = models.BooleanField(default=False)

    class Meta:
        db_table = "coaching_opportunity"  # the table kept its name when the model moved here
        verbose_name_plural = "opportunities"
        constraints = [models.UniqueConstraint(fields=["org", "sf_id"], name="opportunity_org_sf_id")]
        indexes = [
            models.Index(fields=["org", "owner_sf_id", "is_closed"]),
            models.Index(fields=["org", "close_date"]),
        ]


class OpportunityChange(SyncedRecord):
    """One snapshot of an opportunity after a change of stage, amount, close date or probability."""

    opportunity_sf_id = models.CharField(max_length=18)
    stage = models.CharField(max_length=255, blank=True)
    amount = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    close_date = models.DateField(null=True, blank=True)
    probability = models.FloatField(null=True, blank=True)
    forecast_category = models.CharField(max_length=64, blank=True)
    expected_revenue = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    prev_amount = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    prev_close_date = models.DateField(null=True, blank=True)
    created_by_sf_id = models.CharField(max_length=18, blank=True)

    class Meta:
        db_table = "coaching_opportunitychange"  # the table kept its name when the model moved here
        constraints = [models.UniqueConstraint(fields=["org", "sf_id"], name="opportunitychange_org_sf_id")]
        indexes = [models.Index(fields=["org", "opportunity_sf_id", "created_date"])]


class Product(SyncedRecord):
    name = models.CharField(max_length=255)
    code = models.CharField(max_length=255, blank=True)
    family = models.CharField(max_length=255, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        db_table = "coaching_product"  # the table kept its name when the model moved here
        constraints = [models.UniqueConstraint(fields=["org", "sf_id"], name="product_org_sf_id")]


class LineItem(SyncedRecord):
    opportunity_sf_id = models.CharField(max_length=18)
    product_sf_id = models.CharField(max_length=18, blank=True)
    quantity = models.FloatField(null=True, blank=True)
    unit_price = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    list_price = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    total_price = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    discount = models.FloatField(null=True, blank=True, help_text="Percent, 0-100.")
    service_date = models.DateField(null=True, blank=True)

    class Meta:
        db_table = "coaching_lineitem"  # the table kept its name when the model moved here
        constraints = [models.UniqueConstraint(fields=["org", "sf_id"], name="lineitem_org_sf_id")]
        indexes = [models.Index(fields=["org", "opportunity_sf_id"])]


class ContactRole(SyncedRecord):
    opportunity_sf_id = models.CharField(max_length=18)
    contact_sf_id = models.CharField(max_length=18, blank=True)
    role = models.CharField(max_length=255, blank=True)
    is_primary = models.BooleanField(default=False)

    class Meta:
        db_table = "coaching_contactrole"  # the table kept its name when the model moved here
        constraints = [models.UniqueConstraint(fields=["org", "sf_id"], name="contactrole_org_sf_id")]
        indexes = [models.Index(fields=["org", "opportunity_sf_id"])]
