"""The director's calibration page: which managers coach and whether it works, for directors and org admins;
anyone else gets the 404 of a page that is not there."""

from django.http import Http404, HttpResponse

from coaching.calibration.director import calibration, may_calibrate
from coaching.portal.access import PortalRequest, portal_page, visible_agendas
from coaching.portal.queries.weeks import asked_week, this_week
from coaching.portal.views.base import render_page, today


@portal_page
def calibration_page(request: PortalRequest) -> HttpResponse:
    scope = request.scope
    if scope is None or not may_calibrate(scope):
        raise Http404("No such page.")
    week = asked_week(request) or this_week()
    page = calibration(scope, week, today())
    # The latest agenda of each manager up to the week: "open their agenda" from the page (one query, the
    # newest first; the first seen per manager is kept).
    agendas: dict[str, int] = {}
    for manager, pk in (
        visible_agendas(scope)
        .filter(manager_sf_id__in=[row.sf_id for row in page.managers], week_start__lte=week)
        .order_by("-week_start")
        .values_list("manager_sf_id", "pk")
    ):
        agendas.setdefault(manager, pk)
    return render_page(request, "portal/calibration.html", {"page": page, "agendas": agendas}, active="calibration")
