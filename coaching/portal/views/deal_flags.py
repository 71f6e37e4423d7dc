"""Settings → Deal flags in your org: the weekly backtest in plain words; an admin overrides a flag's mute."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect

from coaching.backtest.mute import set_override
from coaching.backtest.report import org_report
from coaching.models import FlagBacktest
from coaching.portal.access import PortalRequest, portal_page, require_admin, require_org
from coaching.portal.views.base import render_page


@portal_page
def deal_flags(request: PortalRequest) -> HttpResponse:
    org = require_org(request)
    status = 200
    if request.method == "POST":
        require_admin(request)
        try:
            row = set_override(org, request.POST.get("flag", ""), request.POST.get("override", ""))
        except ValueError as error:
            messages.error(request, str(error))
            status = 400
        else:
            state = "muted" if row.muted else "shown"
            messages.success(request, f"{row.flag}: {FlagBacktest.Override(row.override).label} — now {state}.")
            return redirect("portal:deal-flags")
    context = {"report": org_report(org), "overrides": FlagBacktest.Override.choices}
    return render_page(request, "portal/deal_flags.html", context, active="settings", status=status)
