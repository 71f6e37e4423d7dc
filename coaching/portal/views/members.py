"""An org admin's access pages: who has a login (suspend, restore, their API keys, revoke one) and the access
log. Every lookup is by the org admin's own org (``require_admin``); anything else is a 404."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from coaching import memberships
from coaching.api.models import ApiKey
from coaching.models import AccessEvent, Membership
from coaching.portal.access import PortalRequest, portal_page, require_admin
from coaching.portal.views.base import render_page
from coaching.visibility import Scope
from crm.models import Person

LOG_ROWS = 200


def _membership_or_404(scope: Scope, pk: int) -> Membership:
    found = Membership.objects.filter(pk=pk, org_id=scope.org_id).select_related("user").first()
    if found is None:
        raise Http404("No such login.")
    return found


def _key_or_404(scope: Scope, pk: int) -> ApiKey:
    found = ApiKey.objects.filter(pk=pk, org_id=scope.org_id).select_related("user").first()
    if found is None:
        raise Http404("No such API key.")
    return found


@portal_page
def members(request: PortalRequest) -> HttpResponse:
    scope = require_admin(request)
    rows = list(
        Membership.objects.filter(org_id=scope.org_id).select_related("user").order_by("role", "user__username")
    )
    people = {
        sf_id: (name, active and not deleted)
        for sf_id, name, active, deleted in Person.objects.filter(
            org_id=scope.org_id, sf_id__in=[row.person_sf_id for row in rows if row.person_sf_id]
        ).values_list("sf_id", "name", "is_active", "is_deleted")
    }
    keys: dict[int, list[ApiKey]] = {}
    for key in ApiKey.objects.filter(org_id=scope.org_id).order_by("-created_at"):
        keys.setdefault(key.user_id, []).append(key)
    entries = [
        {
            "membership": row,
            "name": people.get(row.person_sf_id, (row.person_sf_id, False))[0] if row.person_sf_id else "",
            # A CRM user who is inactive or deleted has no access whatever the membership says.
            "crm_left": bool(row.person_sf_id) and not people.get(row.person_sf_id, ("", False))[1],
            "keys": keys.get(row.user_id, []),
            "is_me": row.user_id == request.user.pk,
        }
        for row in rows
    ]
    return render_page(request, "portal/members.html", {"entries": entries}, active="settings")


@require_POST
@portal_page
def suspend(request: PortalRequest, pk: int) -> HttpResponse:
    membership = _membership_or_404(require_admin(request), pk)
    try:
        memberships.suspend(membership, by=request.user, reason=request.POST.get("reason", "")[:300])
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{membership.user} is suspended: no portal, API or digest; their keys are revoked.")
    return redirect("portal:members")


@require_POST
@portal_page
def restore(request: PortalRequest, pk: int) -> HttpResponse:
    membership = _membership_or_404(require_admin(request), pk)
    try:
        memberships.restore(membership, by=request.user)
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{membership.user} has access again (revoked keys stay revoked).")
    return redirect("portal:members")


@require_POST
@portal_page
def revoke_key(request: PortalRequest, pk: int) -> HttpResponse:
    key = _key_or_404(require_admin(request), pk)
    try:
        memberships.revoke_key(key, by=request.user)
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{key} is revoked: requests with it now get 401.")
    return redirect("portal:members")


@portal_page
def access_log(request: PortalRequest) -> HttpResponse:
    scope = require_admin(request)
    events = AccessEvent.objects.filter(org_id=scope.org_id).order_by("-at", "-id")[:LOG_ROWS]
    return render_page(request, "portal/access_log.html", {"events": events, "limit": LOG_ROWS}, active="settings")
