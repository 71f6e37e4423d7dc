"""Weekly coaching agendas: what a frontline manager brings to each 1:1 and team meeting, and what came of it.

An ``Agenda`` is one manager's ISO week. Its ``AgendaItem`` rows are built from the week's gaps; each has a
stable ``key`` (kind, code, rep, deal) so that rebuilding the week after a new sync updates the content in
place while the manager's own state — status, notes, commitments — stays. Content fields (title, evidence,
question, action, deals, score …) belong to the builder; state fields belong to the manager.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class ManagerPreference(models.Model):
    """A manager's settings for agendas (the delivery issue adds digest settings here)."""

    org = models.ForeignKey("crm.Org", on_delete=models.CASCADE, related_name="manager_preferences")
    manager_sf_id = models.CharField(max_length=18)
    one_on_one_minutes = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(10), MaxValueValidator(120)],
        help_text="How long a 1:1 with each rep is; agendas are sized to it.",
    )
    # When the 1:1s usually are, in the manager's own zone (coaching.portal.zones): the calendar file is a
    # timed event then, and all day on the Monday while neither is set.
    one_on_one_weekday = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(6)], help_text="0 = Monday … 6 = Sunday."
    )
    one_on_one_time = models.TimeField(null=True, blank=True, help_text="Local time in the manager's zone.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "manager_sf_id"], name="managerpreference_org_manager")]

    def __str__(self) -> str:
        return f"{self.manager_sf_id}: {self.one_on_one_minutes} min 1:1s"


class Agenda(models.Model):
    """One frontline manager's coaching agenda for one ISO week.

    ``content`` holds the parts that are read, not acted on: per-rep time estimates and rotation notes,
    the team's week-over-week trends, and the totals. Items, notes and commitments are rows.
    """

    org = models.ForeignKey("crm.Org", on_delete=models.CASCADE, related_name="agendas")
    manager_sf_id = models.CharField(max_length=18)
    week_start = models.DateField(help_text="Monday of the ISO week.")
    one_on_one_minutes = models.PositiveSmallIntegerField(default=30, help_text="The 1:1 length it was sized to.")
    content = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    built_at = models.DateTimeField(help_text="When its content was last (re)built.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "manager_sf_id", "week_start"], name="agenda_org_manager_week")
        ]
        indexes = [models.Index(fields=["org", "week_start"])]

    def __str__(self) -> str:
        return f"{self.manager_sf_id} week of {self.week_start}"


class AgendaItem(models.Model):
    class Kind(models.TextChoices):
        GAP = "gap", "One-on-one topic"
        STRENGTH = "strength", "Strength to recognise"
        TEAM = "team", "Team-session topic"
        FOLLOW_UP = "follow_up", "Unfinished from last week"

    class Status(models.TextChoices):
        OPEN = "open"
        DISCUSSED = "discussed"
        DEFERRED = "deferred"
        DISMISSED = "dismissed"

    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="items")
    key = models.CharField(max_length=200, help_text="Stable per (kind, code, rep, deal) across rebuilds.")
    kind = models.CharField(max_length=9, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order within its rep or section.")
    code = models.CharField(max_length=64)
    family = models.CharField(max_length=5, blank=True)
    person_sf_id = models.CharField(max_length=18, blank=True, help_text="Blank for a team topic.")
    opportunity_sf_id = models.CharField(max_length=18, blank=True)
    metric = models.CharField(max_length=64, blank=True)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_to"
    )

    # Content: rewritten by every build.
    title = models.CharField(max_length=255)
    evidence = models.JSONField(default=list, blank=True, help_text="Lines of facts, most telling first.")
    question = models.TextField(blank=True)
    action = models.TextField(blank=True)
    deals = models.JSONField(default=list, blank=True, help_text="Deals to inspect: id, name, amount, stage, url.")
    details = models.JSONField(default=dict, blank=True, help_text="Structured facts for other renderings.")
    value = models.FloatField(null=True, blank=True, help_text="The metric's value that week.")
    team_value = models.FloatField(null=True, blank=True)
    severity = models.FloatField(default=0.0)
    confidence = models.FloatField(default=1.0)
    revenue_at_stake = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    score = models.FloatField(default=0.0, help_text="Revenue at stake x severity x confidence, after rotation.")
    minutes = models.PositiveSmallIntegerField(default=0, help_text="Estimated minutes it takes in the meeting.")
    is_current = models.BooleanField(default=True, help_text="False once a rebuild no longer finds it.")

    # State: the manager's, never touched by a rebuild.
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.OPEN)
    status_reason = models.TextField(blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agenda", "key"], name="agendaitem_agenda_key")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"


class AgendaNote(models.Model):
    """Free text a manager wrote on an agenda or on one of its items."""

    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="notes")
    item = models.ForeignKey(AgendaItem, null=True, blank=True, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class Commitment(models.Model):
    """Something someone agreed to do by a date; it carries over to later agendas until it is closed."""

    class Status(models.TextChoices):
        OPEN = "open"
        DONE = "done"
        DROPPED = "dropped"

    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="commitments")
    item = models.ForeignKey(AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="commitments")
    text = models.TextField()
    owner_sf_id = models.CharField(max_length=18, help_text="Who does it: the rep or the manager.")
    due_date = models.DateField()
    status = models.CharField(max_length=7, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return f"{self.text[:60]} ({self.owner_sf_id}, due {self.due_date})"


class CoachingEffect(models.Model):
    """Whether the metric behind a discussed topic moved, against the topics that were not discussed.

    Measured once the 28 days after the topic's week are over (``weeks_after`` 4), on its code's leading
    metric (``coaching.calibration.leading``): ``before`` / ``after`` are that metric before and after, and
    the change is compared with the matched controls' (same code and severity band, not discussed):
    ``control_change`` their mean change, ``controls`` how many, ``score`` this topic's change minus theirs in
    their standard deviations (positive: better). ``moved`` is None ("not enough data yet") until there are
    enough controls; then True when the topic's change is at least one control SD better than theirs.
    Rows with ``weeks_after`` 2 are from before the leading metrics and are no longer written.
    """

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="effects")
    weeks_after = models.PositiveSmallIntegerField(choices=[(2, "2 weeks"), (4, "4 weeks")])
    metric = models.CharField(max_length=64)
    target_week = models.DateField(help_text="The week whose measurement counts.")
    before = models.FloatField(null=True, blank=True)
    after = models.FloatField(null=True, blank=True)
    moved = models.BooleanField(null=True, blank=True, help_text="Improved by a meaningful step; None: unknown.")
    measured_on = models.DateField(null=True, blank=True)
    control_change = models.FloatField(null=True, blank=True, help_text="The matched controls' mean change.")
    controls = models.PositiveIntegerField(default=0)
    control_kind = models.CharField(max_length=10, blank=True, help_text="matched, randomised or mixed.")
    score = models.FloatField(null=True, blank=True, help_text="(change - control mean) / control SD.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "weeks_after"], name="coachingeffect_item_weeks"),
            models.CheckConstraint(condition=models.Q(weeks_after__in=[2, 4]), name="coachingeffect_weeks_2_or_4"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} +{self.weeks_after}w {self.metric}: {self.before} → {self.after}"
