from django.db import models


class DealFlagWeek(models.Model):
    """One deal flag as it stood at one week end: one row per deal, week and flag raised (none when clear).

    Written every week from now on, so that a flag whose field has no history in the CRM (Next Step) can be
    backtested later; the flags with history are also rebuilt from OpportunityHistory for past weeks."""

    org = models.ForeignKey("crm.Org", on_delete=models.CASCADE, related_name="+")
    week_end = models.DateField(help_text="The Sunday the deal was looked at (end of day, UTC).")
    opportunity_sf_id = models.CharField(max_length=18)
    flag = models.CharField(max_length=16)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "week_end", "opportunity_sf_id", "flag"], name="dealflagweek_key")
        ]
        indexes = [models.Index(fields=["org", "flag", "opportunity_sf_id"])]

    def __str__(self) -> str:
        return f"{self.opportunity_sf_id} {self.flag} {self.week_end}"


class FlagBacktest(models.Model):
    """How well one deal flag predicted losses in one org: the weekly backtest's verdict, and an admin's override."""

    class Verdict(models.TextChoices):
        NOT_ENOUGH = "not_enough", "Not enough closed deals yet"
        PREDICTS_LOSS = "predicts_loss", "Predicts losses"
        NO_SIGNAL = "no_signal", "No measurable effect"
        PREDICTS_WIN = "predicts_win", "Flagged deals win more often"

    class Override(models.TextChoices):
        AUTO = "auto", "Follow the backtest"
        ON = "on", "Always show"
        OFF = "off", "Never show"

    org = models.ForeignKey("crm.Org", on_delete=models.CASCADE, related_name="flag_backtests")
    flag = models.CharField(max_length=16)
    as_of = models.DateField()
    computed_at = models.DateTimeField(auto_now=True)
    deals = models.IntegerField(default=0, help_text="Closed deals seen open at a backtest week end.")
    flagged_deals = models.IntegerField(default=0)
    win_rate_flagged = models.FloatField(null=True, blank=True)
    win_rate_unflagged = models.FloatField(null=True, blank=True)
    lift = models.FloatField(null=True, blank=True, help_text="Mantel-Haenszel win-rate ratio within rep and stage.")
    lift_low = models.FloatField(null=True, blank=True)
    lift_high = models.FloatField(null=True, blank=True)
    lead_time_days = models.FloatField(null=True, blank=True, help_text="Median days from first flag to a loss.")
    verdict = models.CharField(max_length=16, choices=Verdict.choices, default=Verdict.NOT_ENOUGH)
    override = models.CharField(max_length=4, choices=Override.choices, default=Override.AUTO)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "flag"], name="flagbacktest_org_flag")]

    def __str__(self) -> str:
        return f"{self.org} {self.flag}: {self.verdict}"

    @property
    def muted(self) -> bool:
        if self.override != self.Override.AUTO:
            return self.override == self.Override.OFF
        return self.verdict in (self.Verdict.NO_SIGNAL, self.Verdict.PREDICTS_WIN)


class WinModel(models.Model):
    """An org's fitted deal win probability (stage + flags + rep), with its calibration."""

    org = models.OneToOneField("crm.Org", on_delete=models.CASCADE, related_name="win_model")
    as_of = models.DateField()
    fitted_at = models.DateTimeField(auto_now=True)
    parameters = models.JSONField(default=dict, help_text="Coefficients, stage levels and rep effects.")
    deals = models.IntegerField(default=0)
    brier = models.FloatField(null=True, blank=True)
    stage_brier = models.FloatField(null=True, blank=True, help_text="Brier score of the Probability field alone.")
    calibration = models.JSONField(default=list, help_text="Per bin: mean predicted, observed win rate, count.")

    def __str__(self) -> str:
        return f"{self.org} win model as of {self.as_of}"
