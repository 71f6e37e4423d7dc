"""A manager's digest settings: read, change, unsubscribe — the functions every surface calls.

The portal's Settings page and the token page behind an email's "preferences" link both go through
``save_digest_settings``; the one-click unsubscribe goes through ``unsubscribe``. The page here needs no login
(the signed token in the link is the credential) and touches only the digest settings of the manager the
token names, never any coaching data.
"""

from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from coachapp.errors import InvalidInput
from coaching.digests.links import PREFERENCES, link_for, read_token
from coaching.digests.models import DigestSettings
from coaching.digests.schedule import zone_name
from crm.models import Org, Person


def digest_settings_for(org: Org, manager_sf_id: str) -> DigestSettings:
    """The manager's settings; an unsaved row with the defaults when they never changed any."""
    found = DigestSettings.objects.filter(org=org, manager_sf_id=manager_sf_id).first()
    return found or DigestSettings(org=org, manager_sf_id=manager_sf_id)


def save_digest_settings(
    org: Org, manager_sf_id: str, *, enabled: bool, send_weekday: int, send_time: time, time_zone: str = ""
) -> DigestSettings:
    """Store the manager's choice; turning the digest on again clears an earlier unsubscribe."""
    if not isinstance(send_weekday, int) or not 0 <= send_weekday <= 6:
        raise InvalidInput(f"send_weekday must be 0 (Monday) to 6 (Sunday), got {send_weekday!r}")
    if not isinstance(send_time, time):
        raise InvalidInput(f"send_time must be a time of day, got {send_time!r}")
    time_zone = (time_zone or "").strip()
    if time_zone and zone_name(time_zone) != time_zone:
        raise InvalidInput(f"time_zone must be an IANA time zone such as Europe/Berlin, got {time_zone!r}")
    row = digest_settings_for(org, manager_sf_id)
    row.enabled, row.send_weekday, row.send_time, row.time_zone = enabled, send_weekday, send_time, time_zone
    if enabled:
        row.unsubscribed_at = None
    row.save()
    return row


def unsubscribe(org: Org, manager_sf_id: str, now: datetime | None = None) -> DigestSettings:
    """Stop the manager's digests (idempotent: a second click keeps the first time)."""
    row, _ = DigestSettings.objects.get_or_create(org=org, manager_sf_id=manager_sf_id)
    if row.enabled or row.unsubscribed_at is None:
        row.enabled = False
        row.unsubscribed_at = row.unsubscribed_at or now or timezone.now()
        row.save(update_fields=["enabled", "unsubscribed_at", "updated_at"])
    return row


class DigestSettingsForm(forms.Form):
    enabled = forms.BooleanField(required=False, label="Send me the weekly digest")
    send_weekday = forms.TypedChoiceField(
        choices=DigestSettings.Weekday.choices, coerce=int, label="Day", initial=DigestSettings.Weekday.MONDAY
    )
    send_time = forms.TimeField(label="Time", widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}))
    time_zone = forms.CharField(
        required=False, max_length=64, label="Time zone", help_text="Blank: your time zone in the CRM."
    )

    def clean_time_zone(self) -> str:
        name = self.cleaned_data["time_zone"].strip()
        if name:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                raise forms.ValidationError(
                    f"{name!r} is not a time zone name; use one like Europe/Berlin or America/Chicago."
                ) from None
        return name


def preferences_view(request: HttpRequest, token: str) -> HttpResponse:
    owner = owner_of(token, PREFERENCES)
    if owner is None:
        return invalid_link(request)
    org, manager_sf_id = owner
    person = Person.live.filter(org=org, sf_id=manager_sf_id).only("name", "time_zone").first()
    current = digest_settings_for(org, manager_sf_id)
    saved = False
    if request.method == "POST":
        form = DigestSettingsForm(request.POST)
        if form.is_valid():
            current = save_digest_settings(org, manager_sf_id, **form.cleaned_data)
            saved = True
    else:
        form = DigestSettingsForm(
            initial={
                "enabled": current.enabled,
                "send_weekday": current.send_weekday,
                "send_time": current.send_time,
                "time_zone": current.time_zone,
            }
        )
    context = {
        "form": form,
        "saved": saved,
        "settings": current,
        "name": person.name if person else "",
        "crm_zone": zone_name(person.time_zone if person else ""),
        "action": link_for(PREFERENCES, org.pk, manager_sf_id),
    }
    return render(request, "digests/preferences.html", context)


def owner_of(token: str, purpose: str) -> tuple[Org, str] | None:
    """The org and manager a link names; None for a forged, cut or misused token, or a deleted org."""
    found = read_token(token, purpose)
    if found is None:
        return None
    org = Org.objects.filter(pk=found[0]).first()
    return (org, found[1]) if org is not None else None


def invalid_link(request: HttpRequest) -> HttpResponse:
    # 404, as for anything a visitor may not see; the page says what to do instead.
    return render(request, "digests/invalid_link.html", status=404)
