from django.db import models


class LeadingMeasure(models.Model):
    """One rep's gap of one week, re-measured on its code's leading metric (``coaching.calibration.leading``)
    once the 28 days after the gap week are over: written by the weekly build, read by every coaching effect.

    Whether the topic was discussed (or held out) is not stored here: a manager may mark it later, so it is
    read from the agenda when an effect is computed.
    """

    org = models.ForeignKey("crm.Org", on_delete=models.CASCADE, related_name="leading_measures")
    person_sf_id = models.CharField(max_length=18)
    manager_sf_id = models.CharField(max_length=18, blank=True)
    code = models.CharField(max_length=64)
    week_start = models.DateField(help_text="The gap's week.")
    severity = models.FloatField()
    before = models.FloatField(null=True, blank=True)
    after = models.FloatField(null=True, blank=True)
    measured_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "person_sf_id", "code", "week_start"], name="leadingmeasure_unique")
        ]
        indexes = [models.Index(fields=["org", "week_start"])]

    def __str__(self) -> str:
        return f"{self.person_sf_id} {self.code} {self.week_start}: {self.before} → {self.after}"


class HeldOutItem(models.Model):
    """A low-severity topic kept off an agenda at random, as the control of the coaching effect, for orgs that
    opt in (the HOLDOUT setting). ``draw`` is the seeded uniform number that put it there, so anyone can check
    the draw again from the org, week and item key (``coaching.calibration.holdout``)."""

    org = models.ForeignKey("crm.Org", on_delete=models.CASCADE, related_name="held_out_items")
    week_start = models.DateField()
    manager_sf_id = models.CharField(max_length=18, blank=True)
    person_sf_id = models.CharField(max_length=18)
    code = models.CharField(max_length=64)
    key = models.CharField(max_length=255, help_text="The agenda item key it would have had.")
    severity = models.FloatField()
    draw = models.FloatField(help_text="Seeded uniform draw in [0, 1); held out when below the share.")
    share = models.FloatField(help_text="The org's hold-out share that week.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "week_start", "key"], name="heldoutitem_unique")]

    def __str__(self) -> str:
        return f"{self.week_start} {self.key} (draw {self.draw:.3f} < {self.share})"
