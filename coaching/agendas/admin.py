"""Admin for agendas: read the built content, see and fix what managers recorded, set 1:1 lengths.

Built content is read-only here (the next build rewrites it); statuses, notes and commitments can be
corrected by an admin. Status changes go through ``set_item_status`` so that the coaching effect follows.
"""

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from coaching.agendas.persist import CONTENT_FIELDS
from coaching.agendas.render import render_agenda_text
from coaching.agendas.state import set_item_status
from coaching.models import Agenda, AgendaItem, AgendaNote, CoachingEffect, Commitment, ManagerPreference

# The builder's content (read-only here: the next build rewrites it), then who last changed the status.
_CONTENT = (
    "agenda",
    "key",
    *(name for name in CONTENT_FIELDS if name != "updated_at"),
    "status_changed_at",
    "status_changed_by",
)


class ItemInline(admin.TabularInline):
    model = AgendaItem
    fields = ("kind", "person_sf_id", "position", "title", "status", "status_reason", "is_current")
    readonly_fields = ("kind", "person_sf_id", "position", "title", "status", "status_reason", "is_current")
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Agenda)
class AgendaAdmin(admin.ModelAdmin):
    list_display = ("manager_sf_id", "week_start", "org", "one_on_one_minutes", "built_at")
    list_filter = ("org", "week_start")
    search_fields = ("manager_sf_id",)
    date_hierarchy = "week_start"
    readonly_fields = ("org", "manager_sf_id", "week_start", "one_on_one_minutes", "content", "built_at", "text")
    inlines = [ItemInline]

    @admin.display(description="As text")
    def text(self, agenda: Agenda) -> str:
        return render_agenda_text(agenda) if agenda.pk else ""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class AgendaItemForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ("status", "status_reason")

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("status") == AgendaItem.Status.DISMISSED and not (cleaned.get("status_reason") or "").strip():
            raise forms.ValidationError({"status_reason": "Dismissing an item needs a reason."})
        return cleaned


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    form = AgendaItemForm
    list_display = ("title", "kind", "person_sf_id", "status", "is_current", "agenda")
    list_filter = ("kind", "status", "is_current", "agenda__org", "agenda__week_start")
    search_fields = ("title", "code", "person_sf_id", "key")
    fields = (*_CONTENT[:12], "status", "status_reason", *_CONTENT[12:])
    readonly_fields = _CONTENT

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: AgendaItem, form, change: bool) -> None:
        if {"status", "status_reason"} & set(form.changed_data):
            set_item_status(obj, obj.status, reason=obj.status_reason, user=request.user)
        else:
            super().save_model(request, obj, form, change)


@admin.register(AgendaNote)
class AgendaNoteAdmin(admin.ModelAdmin):
    list_display = ("text", "agenda", "item", "created_by", "created_at")
    list_filter = ("agenda__org",)
    raw_id_fields = ("agenda", "item")
    readonly_fields = ("created_by", "created_at")


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ("text", "owner_sf_id", "due_date", "status", "agenda")
    list_filter = ("status", "agenda__org")
    search_fields = ("text", "owner_sf_id")
    raw_id_fields = ("agenda", "item")
    readonly_fields = ("closed_at", "created_by", "created_at")


@admin.register(CoachingEffect)
class CoachingEffectAdmin(admin.ModelAdmin):
    list_display = ("item", "weeks_after", "metric", "before", "after", "moved", "target_week", "measured_on")
    list_filter = ("weeks_after", "moved", "metric")
    readonly_fields = ("item", "weeks_after", "metric", "target_week", "before", "after", "moved", "measured_on")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ManagerPreference)
class ManagerPreferenceAdmin(admin.ModelAdmin):
    list_display = ("manager_sf_id", "org", "one_on_one_minutes", "updated_at")
    list_filter = ("org",)
    search_fields = ("manager_sf_id",)
