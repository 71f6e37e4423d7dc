from django.db import models

from crm.models.base import SyncedRecord


class FiscalPeriod(SyncedRecord):
    """One period of the org's fiscal calendar (Salesforce ``Period``): a year, quarter, month or week.

    The pipeline inspection reads the quarters; an org without any synced quarter is on calendar quarters.
    """

    type = models.CharField(max_length=16, help_text="Year, Quarter, Month or Week.")
    start_date = models.DateField()
    end_date = models.DateField()
    number = models.IntegerField(null=True, blank=True, help_text="The period's number within its fiscal year.")
    label = models.CharField(max_length=255, blank=True, help_text="E.g. 'Q1 FY 2027'.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "sf_id"], name="fiscalperiod_org_sf_id")]
        indexes = [models.Index(fields=["org", "type", "start_date"])]
