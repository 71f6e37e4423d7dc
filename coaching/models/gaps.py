from django.conf import settings
from django.db import models


class Family(models.TextChoices):
    WHERE = "where", "Where they sell"
    HOW = "how", "How they sell"
    WHAT = "what", "What they sell"


class GapRuleSetting(models.Model):
    """An org's override of one gap rule: switched off, or with its own thresholds."""

    org = models.ForeignKey("crm.Org", on_delete=models.CASCADE, related_name="gap_rule_settings")
    code = models.CharField(max_length=64)
    enabled = models.BooleanField(default=True)
    thresholds = models.JSONField(
        default=dict, blank=True, help_text='Overrides of the rule\'s documented defaults, e.g. {"min_n": 12}.'
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "code"], name="gaprulesetting_org_code")]

    def __str__(self) -> str:
        return f"{self.org} {self.code} ({'on' if self.enabled else 'off'})"


class Gap(models.Model):
    """A gap (or a strength) open for one rep — or one of the rep's deals — in one ISO week.

    Built each week from the metric snapshots; a gap open in consecutive weeks keeps its ``first_week`` so
    that it reads "week N of this gap" instead of appearing new.
    """

    org = models.ForeignKey("crm.Org", on_delete=models.CASCADE, related_name="gaps")
    week_start = models.DateField(help_text="Monday of the ISO week.")
    code = models.CharField(max_length=64)
    family = models.CharField(max_length=5, choices=Family.choices)
    is_strength = models.BooleanField(default=False)
    person_sf_id = models.CharField(max_length=18)
    manager_sf_id = models.CharField(max_length=18, blank=True)
    opportunity_sf_id = models.CharField(max_length=18, blank=True, help_text="Set for a deal-level flag.")
    metric = models.CharField(max_length=64, blank=True)
    value = models.FloatField(null=True, blank=True)
    team_value = models.FloatField(null=True, blank=True)
    org_value = models.FloatField(null=True, blank=True)
    n = models.IntegerField(default=0)
    severity = models.FloatField(help_text="0 (mild) to 1 (severe).")
    confidence = models.FloatField(default=1.0, help_text="0 to 1: how sure the statistics are.")
    revenue_at_stake = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    first_week = models.DateField()
    weeks_open = models.PositiveIntegerField(default=1)
    evidence = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "week_start", "code", "person_sf_id", "opportunity_sf_id"], name="gap_identity"
            )
        ]
        indexes = [
            models.Index(fields=["org", "week_start", "manager_sf_id"]),
            models.Index(fields=["org", "opportunity_sf_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.person_sf_id} {self.week_start}"


class Snooze(models.Model):
    """A manager's decision to silence a gap for a rep (or one deal) until a date, with a reason."""

    org = models.ForeignKey("crm.Org", on_delete=models.CASCADE, related_name="snoozes")
    code = models.CharField(max_length=64)
    person_sf_id = models.CharField(max_length=18)
    opportunity_sf_id = models.CharField(max_length=18, blank=True, help_text="Blank: every deal of the rep.")
    reason = models.TextField()
    until = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["org", "person_sf_id", "until"])]

    def __str__(self) -> str:
        return f"{self.code} {self.person_sf_id} until {self.until}"
