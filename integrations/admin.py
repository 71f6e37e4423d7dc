"""Admin for Salesforce connections and sync history.

A connection's secrets are never shown or editable here: the form leaves ``credentials`` out and only
names which secrets are stored. Connections are added and re-keyed with ``manage.py add_org``. Sync runs
are a record of what happened, so they are read-only.
"""

from django.contrib import admin
from django.db.models import QuerySet, Sum
from django.http import HttpRequest

from integrations.models import (
    SalesforceConnection,
    SyncMark,
    SyncObjectRun,
    SyncPendingRecord,
    SyncRecordError,
    SyncRun,
)


@admin.register(SalesforceConnection)
class SalesforceConnectionAdmin(admin.ModelAdmin):
    list_display = (
        "org",
        "auth_method",
        "username",
        "login_domain",
        "instance_url",
        "sync_enabled",
        "api_reserve_percent",
    )
    list_filter = ("auth_method", "sync_enabled")
    search_fields = ("org__name", "org__display_name", "username", "instance_url")
    # Everything that identifies the login is set by add_org, together with its secrets.
    fields = (
        "org",
        "auth_method",
        "login_domain",
        "instance_url",
        "username",
        "consumer_key",
        "stored_secrets",
        "sync_enabled",
        "api_reserve_percent",
        "lock_expires_at",
        "created_at",
    )
    readonly_fields = tuple(name for name in fields if name not in ("sync_enabled", "api_reserve_percent"))

    @admin.display(description="Stored secrets")
    def stored_secrets(self, connection: SalesforceConnection) -> str:
        names = sorted(
            key
            for key, value in (connection.credentials or {}).items()
            if value and key not in ("login", "emulator_dir", "emulator_url")
        )
        login = (connection.credentials or {}).get("login")
        listed = ", ".join(names) or "none"
        extra = f" (logs in with {login})" if login else ""
        return f"{listed}{extra} — encrypted; change them with `manage.py add_org`"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # secrets come from add_org, never through a web form


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class SyncObjectRunInline(_ReadOnlyInline):
    model = SyncObjectRun
    fields = (
        "sobject",
        "status",
        "fetched",
        "upserted",
        "deleted",
        "failed",
        "api_calls",
        # Health: what the run absorbed without losing data (docs/sync.md, "What can go wrong").
        "retries",
        "repaired",
        "truncated",
        "flagged",
        "future_stamped",
        "lookback_fetched",
        "windows",
        "started_at",
        "finished_at",
        "message",
    )
    readonly_fields = fields


class SyncRecordErrorInline(_ReadOnlyInline):
    model = SyncRecordError
    fields = ("sobject", "sf_id", "field", "reason", "created_at")
    readonly_fields = fields


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = (
        "id", "org", "kind", "status", "started_at", "finished_at", "heartbeat_at", "api_calls", "api_usage",
        "retries", "repaired", "truncated",
    )  # fmt: skip
    list_filter = ("org", "status", "kind")
    date_hierarchy = "started_at"
    inlines = (SyncObjectRunInline, SyncRecordErrorInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[SyncRun]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                total_retries=Sum("object_runs__retries"),
                total_repaired=Sum("object_runs__repaired"),
                total_truncated=Sum("object_runs__truncated"),
            )
        )

    @admin.display(description="Retries", ordering="total_retries")
    def retries(self, run: SyncRun) -> int:
        return getattr(run, "total_retries", 0) or 0

    @admin.display(description="Repaired", ordering="total_repaired")
    def repaired(self, run: SyncRun) -> int:
        return getattr(run, "total_repaired", 0) or 0

    @admin.display(description="Truncated", ordering="total_truncated")
    def truncated(self, run: SyncRun) -> int:
        return getattr(run, "total_truncated", 0) or 0

    @admin.display(description="API usage after")
    def api_usage(self, run: SyncRun) -> str:
        if run.api_usage_used is None or run.api_usage_max is None:
            return "—"
        return f"{run.api_usage_used} / {run.api_usage_max}"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SyncMark)
class SyncMarkAdmin(admin.ModelAdmin):
    list_display = ("org", "sobject", "mark", "last_full_sync_at", "last_deletes_checked_at", "skipped_reason")
    list_filter = ("org", "sobject")
    search_fields = ("org__name", "sobject")
    # Moving a mark back makes the next sync re-read from there; nothing else here is the admin's to set.
    readonly_fields = ("org", "sobject", "last_full_sync_at", "last_deletes_checked_at", "skipped_reason")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(SyncRecordError)
class SyncRecordErrorAdmin(admin.ModelAdmin):
    """Every record a run could not save, searchable across runs (a run's page lists its own inline)."""

    list_display = ("created_at", "run", "sobject", "sf_id", "field", "reason")
    list_filter = ("run__org", "sobject")
    list_select_related = ("run__org",)
    search_fields = ("sf_id", "reason")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SyncPendingRecord)
class SyncPendingRecordAdmin(admin.ModelAdmin):
    """Records that did not land whole: every run of their object reads them again by id until they do."""

    list_display = ("org", "sobject", "sf_id", "field", "reason", "attempts", "first_failed_at", "last_tried_at")
    list_filter = ("org", "sobject")
    search_fields = ("sf_id", "reason")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
