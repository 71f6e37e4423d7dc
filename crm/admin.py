"""Admin for orgs and the sales data synced into them.

Synced rows mirror the CRM: the next sync would overwrite any edit, so they are view-only. Quotas are the
exception when an admin entered them (``source = manual``): those are added, changed and deleted here.
"""

from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from crm.models import (
    Account,
    Activity,
    ContactRole,
    LineItem,
    Opportunity,
    OpportunityChange,
    Org,
    Person,
    Product,
    Quota,
)


@admin.register(Org)
class OrgAdmin(admin.ModelAdmin):
    list_display = ("name", "display_name", "created_at")
    search_fields = ("name", "display_name")


class SyncedRecordAdmin(admin.ModelAdmin):
    """View-only: the CRM owns these rows."""

    list_filter: ClassVar[tuple[str, ...]] = ("org", "is_deleted")
    list_select_related = ("org",)
    show_full_result_count = False  # counting millions of rows on every page view is slow

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Person)
class PersonAdmin(SyncedRecordAdmin):
    list_display = ("name", "title", "username", "is_active", "manager_sf_id", "sf_id", "org", "is_deleted")
    list_filter = ("org", "is_active", "is_deleted")
    search_fields = ("name", "username", "email", "sf_id")


@admin.register(Account)
class AccountAdmin(SyncedRecordAdmin):
    list_display = ("name", "industry", "type", "billing_country", "owner_sf_id", "sf_id", "org", "is_deleted")
    search_fields = ("name", "sf_id")


@admin.register(Opportunity)
class OpportunityAdmin(SyncedRecordAdmin):
    list_display = ("name", "stage", "amount", "close_date", "is_closed", "is_won", "owner_sf_id", "sf_id", "org")
    list_filter = ("org", "is_closed", "is_won", "is_deleted")
    search_fields = ("name", "sf_id", "account_sf_id")
    date_hierarchy = "close_date"


@admin.register(OpportunityChange)
class OpportunityChangeAdmin(SyncedRecordAdmin):
    list_display = ("opportunity_sf_id", "created_date", "stage", "amount", "close_date", "sf_id", "org")
    search_fields = ("sf_id", "opportunity_sf_id")


@admin.register(Product)
class ProductAdmin(SyncedRecordAdmin):
    list_display = ("name", "code", "family", "is_active", "sf_id", "org", "is_deleted")
    list_filter = ("org", "is_active", "is_deleted")
    search_fields = ("name", "code", "sf_id")


@admin.register(LineItem)
class LineItemAdmin(SyncedRecordAdmin):
    list_display = ("opportunity_sf_id", "product_sf_id", "quantity", "unit_price", "total_price", "sf_id", "org")
    search_fields = ("sf_id", "opportunity_sf_id", "product_sf_id")


@admin.register(ContactRole)
class ContactRoleAdmin(SyncedRecordAdmin):
    list_display = ("opportunity_sf_id", "contact_sf_id", "role", "is_primary", "sf_id", "org", "is_deleted")
    search_fields = ("sf_id", "opportunity_sf_id", "contact_sf_id")


@admin.register(Activity)
class ActivityAdmin(SyncedRecordAdmin):
    list_display = ("subject", "kind", "subtype", "activity_date", "owner_sf_id", "what_sf_id", "sf_id", "org")
    list_filter = ("org", "kind", "subtype", "is_deleted")
    search_fields = ("subject", "sf_id", "what_sf_id")
    date_hierarchy = "activity_date"


def _is_manual(quota: Quota | None) -> bool:
    return quota is None or quota.source == Quota.Source.MANUAL


def manual_quota_key(owner_sf_id: str, start_date: Any) -> str:
    return f"manual:{owner_sf_id}:{start_date.isoformat()}"


class ManualQuotaForm(forms.ModelForm):
    class Meta:
        model = Quota
        fields = ("org", "owner_sf_id", "start_date", "amount", "quantity")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        org, owner, start = data.get("org"), data.get("owner_sf_id"), data.get("start_date")
        if org and owner and start:
            others = Quota.objects.filter(org=org, sf_id=manual_quota_key(owner, start))
            if self.instance.pk:
                others = others.exclude(pk=self.instance.pk)
            if others.exists():
                raise forms.ValidationError("A manual quota for this owner and start date exists already; change it.")
        return data


@admin.register(Quota)
class QuotaAdmin(admin.ModelAdmin):
    """CRM quotas are view-only; quotas entered here are the admin's to change."""

    list_display = ("owner_sf_id", "start_date", "amount", "quantity", "source", "sf_id", "org", "is_deleted")
    list_filter = ("org", "source", "is_deleted")
    list_select_related = ("org",)
    search_fields = ("sf_id", "owner_sf_id")
    fields = ("org", "owner_sf_id", "start_date", "amount", "quantity", "source", "sf_id", "is_deleted")
    form = ManualQuotaForm

    def get_readonly_fields(self, request: HttpRequest, obj: Quota | None = None) -> tuple[str, ...]:
        if not _is_manual(obj):
            return self.fields
        # The key and source follow from what is entered: ``manual:<owner>:<start>``.
        return ("source", "sf_id", "is_deleted")

    def has_change_permission(self, request: HttpRequest, obj: Quota | None = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or _is_manual(obj))

    def has_delete_permission(self, request: HttpRequest, obj: Quota | None = None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or _is_manual(obj))

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Bulk delete would take CRM quotas along; manual ones are deleted one by one.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request: HttpRequest, obj: Quota, form: Any, change: bool) -> None:
        obj.source = Quota.Source.MANUAL
        obj.sf_id = manual_quota_key(obj.owner_sf_id, obj.start_date)
        super().save_model(request, obj, form, change)
