"""Admin for the gap rules: per-org rule settings (switch a rule off, override its thresholds), the week's
gaps (read-only: they are rebuilt each week) and snoozes. Imported from ``CoachingConfig.ready``."""

import json
from datetime import UTC, datetime
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html_join

from coaching.gaps.catalogue import GUARDS, RULES_BY_CODE, clean_thresholds, defaults_for, setting_codes
from coaching.gaps.rule import THRESHOLD_HELP
from coaching.gaps.snoozes import validate_snooze
from coaching.models import Gap, GapRuleSetting, Snooze


def _label(code: str) -> str:
    if code in GUARDS:
        return f"{code} — {GUARDS[code].title}"
    return f"{code} — {RULES_BY_CODE[code].title}"


class GapRuleSettingForm(forms.ModelForm):
    code = forms.ChoiceField(choices=[(code, _label(code)) for code in setting_codes()])

    class Meta:
        model = GapRuleSetting
        fields = ["org", "code", "enabled", "thresholds"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        code = cleaned.get("code")
        if code:
            try:
                cleaned["thresholds"] = clean_thresholds(code, cleaned.get("thresholds") or {})
            except ValueError as error:
                self.add_error("thresholds", str(error))
        return cleaned


@admin.register(GapRuleSetting)
class GapRuleSettingAdmin(admin.ModelAdmin):
    form = GapRuleSettingForm
    list_display = ("org", "code", "enabled", "overrides", "updated_at")
    list_filter = ("enabled", "org", "code")
    readonly_fields = ("documented_defaults",)
    fields = ("org", "code", "enabled", "thresholds", "documented_defaults")

    @admin.display(description="Overrides")
    def overrides(self, setting: GapRuleSetting) -> str:
        return json.dumps(setting.thresholds or {}, sort_keys=True)

    @admin.display(description="Defaults (docs/gaps.md)")
    def documented_defaults(self, setting: GapRuleSetting) -> str:
        if not setting.code:
            return "Pick a rule and save to see its defaults; every rule's are in docs/gaps.md."
        defaults = defaults_for(setting.code)
        return format_html_join(
            "",
            "<div><code>{}</code> = {} — {}</div>",
            ((key, value, THRESHOLD_HELP.get(key, "")) for key, value in defaults.items()),
        )


@admin.register(Gap)
class GapAdmin(admin.ModelAdmin):
    list_display = (
        "week_start",
        "org",
        "code",
        "person_sf_id",
        "opportunity_sf_id",
        "severity",
        "weeks_open",
        "revenue_at_stake",
    )
    list_filter = ("org", "week_start", "family", "is_strength", "code")
    search_fields = ("person_sf_id", "manager_sf_id", "opportunity_sf_id", "code")
    ordering = ("-week_start", "manager_sf_id", "person_sf_id", "code")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class SnoozeForm(forms.ModelForm):
    code = forms.ChoiceField(choices=[(code, _label(code)) for code in RULES_BY_CODE])

    class Meta:
        model = Snooze
        fields = ["org", "code", "person_sf_id", "opportunity_sf_id", "reason", "until"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        org = cleaned.get("org")
        if org is None:
            return cleaned
        for key in ("person_sf_id", "opportunity_sf_id", "reason"):
            cleaned[key] = (cleaned.get(key) or "").strip()
        try:
            validate_snooze(
                org,
                cleaned.get("code", ""),
                cleaned["person_sf_id"],
                cleaned["opportunity_sf_id"],
                cleaned["reason"],
                cleaned.get("until"),
                datetime.now(UTC).date(),
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                if field not in self.errors:  # a missing field already says so
                    self.add_error(field if field in self.fields else None, messages)
        return cleaned


@admin.register(Snooze)
class SnoozeAdmin(admin.ModelAdmin):
    form = SnoozeForm
    list_display = ("org", "code", "person_sf_id", "opportunity_sf_id", "until", "created_by", "created_at")
    list_filter = ("org", "code")
    search_fields = ("person_sf_id", "opportunity_sf_id", "reason")

    def save_model(self, request: Any, obj: Snooze, form: Any, change: bool) -> None:
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
