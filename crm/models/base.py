from django.db import models


class LiveManager(models.Manager):
    """Rows not deleted in the CRM: what analysis reads."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(is_deleted=False)


class SyncedRecord(models.Model):
    """Columns every synced row shares."""

    # No foreign key constraint and no index of its own. A foreign key checks each row at commit (about 2.6 s of
    # PostgreSQL's time per million synced rows, as much as the COPY itself), so triggers check the org once per
    # statement instead (crm/migrations/0003_org_checked_per_statement.py); the unique (org, sf_id) index serves
    # what an index of org alone would. The ORM still cascades an org's deletion.
    org = models.ForeignKey("crm.Org", on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False)
    sf_id = models.CharField(max_length=18, help_text="The record's 18-character id in the CRM.")
    created_date = models.DateTimeField(null=True, blank=True)
    # No index: no query reads rows by it (the sync keeps its marks in SyncMark), and one would be paid on every
    # row written.
    system_modstamp = models.DateTimeField(null=True, blank=True)
    is_deleted = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Fields the org has beyond the ones we model (custom fields, methodology fields …), kept raw so
    # that later rules can read them without a schema change.
    extra = models.JSONField(default=dict, blank=True)

    objects = models.Manager()
    live = LiveManager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return getattr(self, "name", "") or self.sf_id
