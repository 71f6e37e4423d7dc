"""The Salesforce side of an org: how to reach it, how far each object has been synced, and every run."""

from django.conf import settings
from django.db import models

from integrations.crypto import EncryptedJSONField


class SalesforceConnection(models.Model):
    """How coachapp reaches one org. Secrets live only in ``credentials``, encrypted at rest."""

    class AuthMethod(models.TextChoices):
        JWT = "jwt", "OAuth 2.0 JWT bearer"
        PASSWORD = "password", "Username, password and security token"
        SESSION = "session", "Existing session id and instance URL"
        EMULATOR = "emulator", "Local org emulator"

    org = models.OneToOneField("crm.Org", on_delete=models.CASCADE, related_name="salesforce")
    auth_method = models.CharField(max_length=10, choices=AuthMethod.choices)
    login_domain = models.CharField(
        max_length=255, default="login", help_text="'login' for production, 'test' for a sandbox, or a My Domain."
    )
    instance_url = models.URLField(blank=True)
    username = models.CharField(max_length=255, blank=True)
    consumer_key = models.CharField(max_length=255, blank=True)
    # private_key / password / security_token / consumer_secret / session_id, as the method needs; an emulated
    # org's directory and server address too (emulator_dir, emulator_url), so the model never names the double.
    credentials = EncryptedJSONField(default=dict, blank=True)
    api_reserve_percent = models.PositiveSmallIntegerField(
        default=settings.SALESFORCE_API_RESERVE_PERCENT,
        help_text="Stop syncing when less than this share of the org's daily API allowance remains.",
    )
    sync_enabled = models.BooleanField(default=True)
    # The per-org lock: claimed with a conditional update, renewed while a run works, and it expires
    # so that a killed worker never blocks the org for good.
    lock_token = models.CharField(max_length=64, blank=True)
    lock_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.org} ({self.get_auth_method_display()})"


class SyncMark(models.Model):
    """How far one object of one org has been synced: the high-water mark, written after each commit."""

    org = models.ForeignKey("crm.Org", on_delete=models.CASCADE, related_name="sync_marks")
    sobject = models.CharField(max_length=64)
    mark = models.DateTimeField(null=True, blank=True)
    last_full_sync_at = models.DateTimeField(null=True, blank=True)
    last_deletes_checked_at = models.DateTimeField(null=True, blank=True)
    skipped_reason = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "sobject"], name="syncmark_org_sobject")]

    def __str__(self) -> str:
        return f"{self.org} {self.sobject} @ {self.mark}"


class SyncWindow(models.Model):
    """One range ``[start, end)`` of an object's mark field, fetched beside others (parallel windows).

    Each keeps its own resume point (``resume_from``: the newest stamp saved, for ordered REST pages; a Bulk
    job's id and results locator, for unordered Bulk sets) and ``done``; the object's mark moves only once
    every window of the set is done, and the rows are then deleted. Rows left open by a killed sync are picked
    up by the next step or run, each from its own point.
    """

    org = models.ForeignKey("crm.Org", on_delete=models.CASCADE, related_name="sync_windows")
    sobject = models.CharField(max_length=64)
    start = models.DateTimeField()
    end = models.DateTimeField()
    strategy = models.CharField(max_length=8)
    resume_from = models.DateTimeField(null=True, blank=True)
    high_water = models.DateTimeField(null=True, blank=True)
    fetched = models.PositiveIntegerField(default=0)
    done = models.BooleanField(default=False)
    # A Bulk window's job and the Sforce-Locator of the first results set not yet saved whole ("" for the
    # first set): a killed sync resumes the download there instead of queueing a new job.
    bulk_job = models.CharField(max_length=18, blank=True)
    bulk_locator = models.CharField(max_length=255, blank=True)
    # Cut, and its Bulk job queued, before its object's step (integrations.sync.ahead).
    queued_ahead = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["org", "sobject"], name="syncwindow_org_sobject")]
        ordering = ["start"]

    def __str__(self) -> str:
        return f"{self.org} {self.sobject} [{self.start}, {self.end}){' done' if self.done else ''}"


class SyncRun(models.Model):
    class Kind(models.TextChoices):
        INCREMENTAL = "incremental"
        FULL = "full"
        RECONCILE = "reconcile"

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        PARTIAL = "partial", "Partial (some objects or records failed)"
        STOPPED = "stopped", "Stopped (API reserve reached)"
        FAILED = "failed"
        ABANDONED = "abandoned", "Abandoned (its worker stopped answering)"

    org = models.ForeignKey("crm.Org", on_delete=models.CASCADE, related_name="sync_runs")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INCREMENTAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    api_calls = models.PositiveIntegerField(default=0)
    api_usage_used = models.PositiveIntegerField(null=True, blank=True)
    api_usage_max = models.PositiveIntegerField(null=True, blank=True)
    current_object = models.CharField(max_length=64, blank=True)
    errors = models.JSONField(default=list, blank=True)
    # Liveness and fencing (integrations.sync.steps): the run advances one short step at a time; step_seq
    # names the step due, step_lease the delivery executing it, heartbeat_at when that delivery last spoke.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    step_seq = models.PositiveIntegerField(default=0)
    step_lease = models.CharField(max_length=32, blank=True)
    # The org's manager tree when the run began ({sf_id: [manager_sf_id, active]}), cleared when it finishes,
    # and what the run changed in it (integrations/sync/people.py): the engine rebuilds at once on such a change.
    people_before = models.JSONField(null=True, blank=True, editable=False)
    tree_changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["org", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.org} {self.kind} sync #{self.pk} ({self.status})"


class SyncObjectRun(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        PARTIAL = "partial"
        SKIPPED = "skipped"
        STOPPED = "stopped"
        FAILED = "failed"

    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="object_runs")
    sobject = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    fetched = models.PositiveIntegerField(default=0)
    upserted = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    api_calls = models.PositiveIntegerField(default=0)
    # How the rows were fetched ("rest" or "bulk") and why that way (the estimate against the threshold).
    strategy = models.CharField(max_length=8, blank=True)
    strategy_reason = models.TextField(blank=True)
    # Health: what the sync absorbed without losing data, so an admin sees an org degrading.
    retries = models.PositiveIntegerField(default=0, help_text="Calls retried (transient trouble) and object retries.")
    repaired = models.PositiveIntegerField(default=0, help_text="Values repaired (lone surrogates, NUL characters).")
    truncated = models.PositiveIntegerField(default=0, help_text="Values cut to their column; full text in extra.")
    flagged = models.PositiveIntegerField(default=0, help_text="Fields that could not be converted; rest of row kept.")
    future_stamped = models.PositiveIntegerField(default=0, help_text="Records stamped later than the org's clock.")
    lookback_fetched = models.PositiveIntegerField(default=0, help_text="Rows read by the deep look-back.")
    windows = models.PositiveIntegerField(default=0, help_text="Steps (page windows) this object took.")
    # Where the next window of a full read resumes (an incremental read resumes from the mark).
    resume_from = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["run", "sobject"], name="syncobjectrun_run_sobject")]

    def __str__(self) -> str:
        return f"{self.sobject}: {self.status}"


class SyncRecordError(models.Model):
    """One record that could not be mapped or saved: reported with its id and reason; the rest are saved."""

    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="record_errors")
    sobject = models.CharField(max_length=64)
    sf_id = models.CharField(max_length=18, blank=True)
    field = models.CharField(max_length=80, blank=True)
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.sobject} {self.sf_id}: {self.reason[:80]}"


class SyncPendingRecord(models.Model):
    """A record that did not land whole (refused, unconvertible field): re-fetched by id on every run until
    it lands or the org no longer has it."""

    org = models.ForeignKey("crm.Org", on_delete=models.CASCADE, related_name="sync_pending_records")
    sobject = models.CharField(max_length=64)
    sf_id = models.CharField(max_length=18)
    field = models.CharField(max_length=80, blank=True)
    reason = models.TextField()
    attempts = models.PositiveIntegerField(default=1)
    first_failed_at = models.DateTimeField(auto_now_add=True)
    last_tried_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "sobject", "sf_id"], name="syncpendingrecord_org_sobject_id")
        ]

    def __str__(self) -> str:
        return f"{self.sobject} {self.sf_id} pending: {self.reason[:80]}"
