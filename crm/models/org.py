from django.db import models


class Org(models.Model):
    """A company's sales org: the tenant every other row belongs to."""

    name = models.SlugField(
        max_length=64, unique=True, help_text="Short unique name used on the command line, e.g. 'acme'."
    )
    display_name = models.CharField(max_length=200, blank=True)
    crm_base_url = models.URLField(
        blank=True,
        help_text="Where links to CRM records start, e.g. https://acme.my.salesforce.com; set by the sync.",
    )
    agenda_rebuild_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        # Claimed by one conditional UPDATE per finishing sync (coaching/agendas/rebuilds.py).
        help_text="When the latest sync-triggered agenda rebuild was queued to run; set by the sync.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "coaching_org"  # the table kept its name when the model moved here
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name or self.name
