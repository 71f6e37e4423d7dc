from django.db import models


class MetricSnapshot(models.Model):
    """One metric for one rep and one ISO week, as computed on ``as_of``: the coaching engine's memory.

    Snapshots are kept week after week so that trends, and whether coaching helped, can be read back.
    Re-computing a week replaces its rows (unique per org, person, week and metric). ``value`` is null when
    the metric has no data (a rate without a denominator); ``n`` is the sample behind it. ``details`` holds
    what later rules need beyond the number: breakdowns (per stage, per product) and the ids of the records
    behind it (``evidence``). The metric names and their definitions live in ``coaching.metrics.names``.
    """

    org = models.ForeignKey("crm.Org", on_delete=models.CASCADE, related_name="metric_snapshots")
    person_sf_id = models.CharField(max_length=18, help_text="The rep's CRM user id.")
    manager_sf_id = models.CharField(max_length=18, blank=True, help_text="The rep's manager on the as-of date.")
    week_start = models.DateField(help_text="Monday of the ISO week the snapshot belongs to.")
    as_of = models.DateField(help_text="The day the trailing windows end on (inclusive).")
    name = models.CharField(max_length=64)
    value = models.FloatField(null=True, blank=True)
    n = models.IntegerField(default=0, help_text="How many records the value rests on (its denominator).")
    window_start = models.DateField(null=True, blank=True)
    window_end = models.DateField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "person_sf_id", "week_start", "name"], name="metricsnapshot_person_week_name"
            )
        ]
        indexes = [
            # A team's week (agendas) and one rep's trend of one metric.
            models.Index(fields=["org", "week_start", "manager_sf_id"]),
            models.Index(fields=["org", "person_sf_id", "name", "week_start"]),
        ]

    def __str__(self) -> str:
        return f"{self.person_sf_id} {self.week_start} {self.name}={self.value}"
