"""Admin for digests: every delivery's outcome (read-only, with a "send again" for failed ones) and settings."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from coaching.digests.models import DigestDelivery, DigestSettings
from coaching.digests.send import requeue_failed


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    list_display = ("week_start", "org", "manager_sf_id", "status", "attempts", "recipient", "sent_at", "note")
    list_filter = ("status", "org", "week_start")
    search_fields = ("manager_sf_id", "recipient", "message_id", "last_error")
    date_hierarchy = "week_start"
    actions = ["send_again"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: DigestDelivery | None = None) -> bool:
        return False

    @admin.action(description="Send failed digests again (after fixing the mail setup)")
    def send_again(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = requeue_failed(queryset)
        self.message_user(
            request,
            f"{count} failed digest(s) will be sent at the next scheduler run (every 15 minutes); "
            "digests that were not failed were left alone.",
            messages.SUCCESS if count else messages.WARNING,
        )


@admin.register(DigestSettings)
class DigestSettingsAdmin(admin.ModelAdmin):
    list_display = ("org", "manager_sf_id", "enabled", "send_weekday", "send_time", "time_zone", "unsubscribed_at")
    list_filter = ("enabled", "org", "send_weekday")
    search_fields = ("manager_sf_id",)
    readonly_fields = ("unsubscribed_at", "updated_at")
