"""Admin for API keys: issue one (its plaintext is shown once, in the confirmation message), see when each was
last used, and revoke. The hash is never shown. Imported from ``CoachingConfig.ready``."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest

from coaching.api.models import ApiKey
from coaching.memberships import revoke_key
from coaching.models import Membership


class ApiKeyForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["org", "user", "name"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        org, user = cleaned.get("org"), cleaned.get("user")
        if org and user and not Membership.objects.filter(user=user, org=org).exists():
            raise forms.ValidationError(
                f"{user} is not a member of {org}: link them to the org (Membership) first; a key sees what its "
                "user sees."
            )
        return cleaned


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "shown_prefix", "org", "user", "created_at", "last_used_at", "expires_at", "revoked_at")
    list_filter = ("org", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "prefix", "user__username")
    actions = ["revoke"]

    def get_form(
        self, request: HttpRequest, obj: ApiKey | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        if obj is None:
            kwargs["form"] = ApiKeyForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("org", "user", "name")
        return ("org", "user", "name", "shown_prefix", "created_at", "last_used_at", "expires_at", "revoked_at")

    def get_readonly_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> list[str]:
        if obj is None:
            return []
        return ["org", "user", "shown_prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]

    @admin.display(description="Key starts")
    def shown_prefix(self, key: ApiKey) -> str:
        return f"coach_{key.prefix}…"

    def save_model(self, request: HttpRequest, obj: ApiKey, form: forms.ModelForm, change: bool) -> None:
        if change:
            obj.save(update_fields=["name"])
            return
        key, plaintext = ApiKey.issue(obj.org, obj.user, obj.name)
        obj.pk, obj.prefix, obj.hashed_secret, obj.created_at = key.pk, key.prefix, key.hashed_secret, key.created_at
        obj._state.adding = False
        expiry = f"it expires on {key.expires_at:%Y-%m-%d}" if key.expires_at else "it never expires"
        messages.warning(
            request,
            f"The API key for {key.user} is: {plaintext} — copy it now; it is stored hashed and cannot be shown again "
            f"({expiry}).",
        )

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet) -> None:
        keys = list(queryset.filter(revoked_at__isnull=True))
        for key in keys:
            revoke_key(key, by=request.user if isinstance(request.user, User) else None)
        self.message_user(request, f"Revoked {len(keys)} key(s); requests with them now get 401.")
