"""A 1:1 elsewhere: its calendar file, and the read-only page shared with the rep (create, open, revoke)."""

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from coaching.models import OneOnOneShare
from coaching.portal.access import PortalRequest, agenda_or_404, portal_page, require_scope
from coaching.portal.calendar import one_on_one_ics, schedule_for
from coaching.portal.queries.agenda import agenda_page
from coaching.portal.queries.todo import todo_list
from coaching.portal.sharing import revoke_share, share_one_on_one, shared_page
from coaching.portal.views.base import render_page, today
from coaching.portal.zones import zone_of


def _row(agenda, sf_id: str):
    page = agenda_page(agenda, today())
    rows = todo_list(page, sf_id).rows
    if not rows:
        raise Http404("No 1:1 with this person on this agenda.")
    return page, rows[0]


@portal_page
def calendar_file(request: PortalRequest, pk: int, sf_id: str) -> HttpResponse:
    scope = require_scope(request)
    agenda = agenda_or_404(scope, pk)
    page, row = _row(agenda, sf_id)
    at = None
    if request.GET.get("at"):
        try:
            at = datetime.fromisoformat(request.GET["at"])
        except ValueError:
            raise BadRequest("at must be a local date and time such as 2026-03-03T10:00") from None
        if at.tzinfo is not None:
            raise BadRequest("at is a local time in the manager's zone, without an offset: 2026-03-03T10:00")
    # The manager's 1:1, in the manager's zone, whoever downloads it (a director opening a manager's week).
    zone = zone_of(agenda.org_id, agenda.manager_sf_id)
    body = one_on_one_ics(page, row, zone, at, schedule_for(agenda.org_id, agenda.manager_sf_id, zone))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    name = f"1-1-{row.rep.name.lower().replace(' ', '-')}-{agenda.week_start.isoformat()}.ics"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@portal_page
def share_create(request: PortalRequest, pk: int, sf_id: str) -> HttpResponse:
    scope = require_scope(request)
    agenda = agenda_or_404(scope, pk)
    try:
        share, token = share_one_on_one(scope, agenda, sf_id, request.POST.getlist("item"), user=request.user)
    except ValueError as error:
        if str(error) == "You may not share this 1:1.":
            raise Http404(str(error)) from error
        messages.error(request, str(error))
        return redirect(f"{reverse('portal:agenda', args=[agenda.pk])}#rep-{sf_id}")
    link = request.build_absolute_uri(reverse("portal:shared", args=[token]))
    context = {"share": share, "link": link, "page": shared_page(token), "agenda": agenda}
    return render_page(request, "portal/share_created.html", context, active="week")


@require_POST
@portal_page
def share_revoke(request: PortalRequest, pk: int) -> HttpResponse:
    scope = require_scope(request)
    share = OneOnOneShare.objects.select_related("agenda").filter(pk=pk, agenda__org_id=scope.org_id).first()
    if share is None:
        raise Http404("No such link.")
    try:
        revoke_share(scope, share)
    except ValueError as error:
        raise Http404(str(error)) from error
    messages.success(request, "The link is revoked: it no longer opens anything.")
    return redirect(f"{reverse('portal:agenda', args=[share.agenda_id])}#rep-{share.person_sf_id}")


def shared(request: HttpRequest, token: str) -> HttpResponse:
    """The page a rep opens from the link: no sign-in, nothing but what was shared."""
    page = shared_page(token)
    if page is None:
        raise Http404("This link does not work (any more): ask your manager for a new one.")
    response = render(request, "portal/shared.html", {"page": page})
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
