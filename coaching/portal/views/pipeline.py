"""The Monday pipeline inspection page: a manager's team, last week's pipeline changes per rep, coverage on
the org's fiscal calendar and the deals to inspect. Who may open it is the team page's rule."""

from django.http import Http404, HttpResponse

from coaching.models import Membership
from coaching.pipeline.inspection import inspection, team_reps
from coaching.portal.access import PortalRequest, manager_or_404, portal_page, require_org, visible_agendas
from coaching.portal.queries.weeks import asked_week, this_week
from coaching.portal.views.base import render_page
from crm.models import Person

COVERAGE = ("next_90_days", "current_quarter", "next_quarter")


@portal_page
def pipeline(request: PortalRequest, manager_sf_id: str | None = None) -> HttpResponse:
    scope = request.scope
    if scope is None or scope.role == Membership.Role.REP:
        raise Http404("No such team.")
    week = asked_week(request) or this_week()
    if manager_sf_id is None:
        me = scope.person_sf_id
        if not (me and team_reps(require_org(request), me)):
            return render_page(request, "portal/pipeline_pick.html", {"managers": _managers(scope)}, active="pipeline")
        manager_sf_id = me
    manager = manager_or_404(scope, manager_sf_id)
    context = {
        "manager": manager,
        "inspection": inspection(require_org(request), manager.sf_id, week),
        "coverage_keys": COVERAGE,
    }
    return render_page(request, "portal/pipeline.html", context, active="pipeline")


def _managers(scope) -> list[Person]:
    """The managers whose agendas the user may open: the teams a director or admin can inspect."""
    ids = visible_agendas(scope).values_list("manager_sf_id", flat=True).distinct()
    return list(Person.live.filter(org_id=scope.org_id, sf_id__in=ids).order_by("name"))
