"""Admin for the backtest: an admin may override a flag's mute (``override``); the figures are the weekly run's."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from coaching.models import FlagBacktest, WinModel


@admin.register(FlagBacktest)
class FlagBacktestAdmin(admin.ModelAdmin):
    list_display = ("org", "flag", "verdict", "override", "muted", "lift", "lift_low", "lift_high", "deals", "as_of")
    list_filter = ("org", "verdict", "override")
    list_editable = ("override",)
    readonly_fields = tuple(
        field for field in ("org", "flag", "as_of", "deals", "flagged_deals", "win_rate_flagged",
                            "win_rate_unflagged", "lift", "lift_low", "lift_high", "lead_time_days", "verdict")
    )  # fmt: skip

    @admin.display(boolean=True)
    def muted(self, row: FlagBacktest) -> bool:
        return row.muted

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(WinModel)
class WinModelAdmin(admin.ModelAdmin):
    list_display = ("org", "as_of", "deals", "brier", "stage_brier", "fitted_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
