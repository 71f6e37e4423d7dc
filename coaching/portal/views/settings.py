"""Settings: a manager's weekly digest (on/off, day, time, time zone) and 1:1 length; for org admins, the
gap rules' switches and thresholds."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from coaching.agendas import set_one_on_one_minutes, set_one_on_one_schedule
from coaching.agendas.inputs import DEFAULT_ONE_ON_ONE_MINUTES
from coaching.digests.preferences import DigestSettingsForm, digest_settings_for, save_digest_settings
from coaching.digests.schedule import zone_name
from coaching.gaps.catalogue import GUARDS, RULES_BY_CODE, defaults_for, setting_codes
from coaching.models import GapRuleSetting, ManagerPreference, Membership
from coaching.portal.access import PortalRequest, portal_page, require_admin, require_org
from coaching.portal.actions import save_rule_setting
from coaching.portal.forms import OneOnOneForm, RuleForm
from coaching.portal.views.base import is_htmx, render_page
from crm.models import Person


@portal_page
def settings_page(request: PortalRequest) -> HttpResponse:
    scope = request.scope
    if scope is None:
        return render_page(request, "portal/unlinked.html", {})
    manager = scope.person_sf_id if scope.role != Membership.Role.REP else ""
    context: dict = {"manager": manager}
    if manager:
        org = require_org(request)
        digest = digest_settings_for(org, manager)
        minutes, weekday, at = ManagerPreference.objects.filter(org=org, manager_sf_id=manager).values_list(
            "one_on_one_minutes", "one_on_one_weekday", "one_on_one_time"
        ).first() or (DEFAULT_ONE_ON_ONE_MINUTES, None, None)
        one_on_one = OneOnOneForm(initial={"minutes": minutes, "weekday": weekday, "at": at})
        digest_form = DigestSettingsForm(
            initial={
                "enabled": digest.enabled,
                "send_weekday": digest.send_weekday,
                "send_time": digest.send_time,
                "time_zone": digest.time_zone,
            }
        )
        if request.method == "POST":
            if request.POST.get("form") == "one_on_one":
                one_on_one = OneOnOneForm(request.POST)
                if one_on_one.is_valid():
                    data = one_on_one.cleaned_data
                    set_one_on_one_minutes(org, manager, data["minutes"])
                    set_one_on_one_schedule(org, manager, data["weekday"], data["at"])
                    messages.success(request, "1:1 settings saved: the next agenda build uses the length.")
                    return redirect("portal:settings")
            elif request.POST.get("form") == "digest":
                digest_form = DigestSettingsForm(request.POST)
                if digest_form.is_valid():
                    save_digest_settings(org, manager, **digest_form.cleaned_data)
                    messages.success(request, "Digest settings saved.")
                    return redirect("portal:settings")
        person = Person.live.filter(org=org, sf_id=manager).only("time_zone").first()
        context.update(
            one_on_one=one_on_one,
            digest_form=digest_form,
            digest=digest,
            crm_zone=zone_name(person.time_zone if person else ""),
        )
    status = 400 if request.method == "POST" else 200
    return render_page(request, "portal/settings.html", context, active="settings", status=status)


@dataclass
class RuleRow:
    code: str
    title: str
    family: str
    measures: str
    setting: GapRuleSetting | None
    form: RuleForm
    saved: bool = False

    @property
    def enabled(self) -> bool:
        return self.setting.enabled if self.setting else True

    @property
    def overridden(self) -> dict:
        return (self.setting.thresholds or {}) if self.setting else {}


def _row(code: str, setting: GapRuleSetting | None, form: RuleForm | None = None) -> RuleRow:
    rule = RULES_BY_CODE.get(code)
    if form is None:
        initial = {"enabled": setting.enabled if setting else True, **((setting.thresholds or {}) if setting else {})}
        form = RuleForm(code=code, initial=initial)
    return RuleRow(
        code=code,
        title=rule.title if rule else GUARDS[code].title,  # a setting code is a rule's or a guard's
        family=("strength" if rule.is_strength else rule.family) if rule else "guard",
        measures=rule.measures if rule else "",
        setting=setting,
        form=form,
    )


@portal_page
def rules(request: PortalRequest) -> HttpResponse:
    scope = require_admin(request)
    settings = {row.code: row for row in GapRuleSetting.objects.filter(org_id=scope.org_id)}
    rows = [_row(code, settings.get(code)) for code in setting_codes()]
    groups = [
        (label, [row for row in rows if row.family == key])
        for key, label in (
            ("where", "Where they sell"),
            ("how", "How they sell"),
            ("what", "What they sell"),
            ("strength", "Strengths"),
            ("guard", "Guards"),
        )
    ]
    return render_page(request, "portal/rules.html", {"groups": groups}, active="settings")


@require_POST
@portal_page
def rule(request: PortalRequest, code: str) -> HttpResponse:
    scope = require_admin(request)
    if code not in setting_codes():
        raise Http404("No such rule.")
    form = RuleForm(request.POST, code=code)
    error = ""
    if form.is_valid():
        try:
            save_rule_setting(
                require_org(request), code, enabled=form.cleaned_data["enabled"], thresholds=form.thresholds()
            )
        except ValueError as exc:
            error = str(exc)
    else:
        error = "; ".join(f"{field}: {errors[0]}" for field, errors in form.errors.items())
    setting = GapRuleSetting.objects.filter(org_id=scope.org_id, code=code).first()
    row = _row(code, setting, form if error else None)
    row.saved = not error
    if not is_htmx(request):
        if error:
            messages.error(request, f"{code}: {error}")
        else:
            messages.success(request, f"{code} saved; it applies from the next gap evaluation.")
        return redirect(f"{reverse('portal:rules')}#rule-{code}")
    defaults = defaults_for(code)
    return render(
        request, "portal/_rule.html", {"row": row, "error": error, "defaults": defaults}, status=422 if error else 200
    )
