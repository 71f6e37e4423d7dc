"""The coaching app's admin lives beside what it administers: gap rules in ``gaps``, agendas in ``agendas``, the
deal flags' backtest in ``backtest``; memberships and the access log are here."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from coaching.agendas import admin as agendas_admin  # noqa: F401 - registers the agendas' admin
from coaching.backtest import admin as backtest_admin  # noqa: F401 - registers the backtest's overrides
from coaching.gaps import admin as gaps_admin  # noqa: F401 - registers the gap rules' admin
from coaching.models import AccessEvent, Membership


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Operators see and fix who belongs to which org; suspending is the org admin's job in the portal (it
    revokes keys and writes the access log). Deleting a membership here does not let the login be re-linked
    by email later: that only happens on a login's first sign-in."""

    list_display = ("user", "org", "role", "person_sf_id", "suspended_at", "created_at")
    list_filter = ("org", "role", ("suspended_at", admin.EmptyFieldListFilter))
    search_fields = ("user__username", "user__email", "person_sf_id")
    list_select_related = ("user", "org")
    readonly_fields = ("suspended_at", "suspended_by", "created_at")
    raw_id_fields = ("user",)


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    """The access log, read-only: it is a record."""

    list_display = ("at", "org", "actor_name", "action", "subject_name", "person_sf_id", "detail")
    list_filter = ("org", "action")
    search_fields = ("actor_name", "subject_name", "person_sf_id", "detail")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
