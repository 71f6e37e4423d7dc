"""Team: a manager's reps x where/how/what heat grid, 13 weeks of team trends, the team-session topics; for a
director or an org admin without a team of their own, the teams they oversee."""

from django.db.models import Max
from django.http import Http404, HttpResponse

from coaching.agendas.units import metric_value
from coaching.models import Membership
from coaching.portal.access import PortalRequest, manager_or_404, portal_page, visible_agendas
from coaching.portal.charts import Series, line_chart
from coaching.portal.queries.team import TeamPage, team_page, teams_overview
from coaching.portal.queries.weeks import asked_week, latest_data_week, this_week
from coaching.portal.views.base import org_state, render_page
from crm.models import Person


@portal_page
def team(request: PortalRequest, manager_sf_id: str | None = None) -> HttpResponse:
    scope = request.scope
    if scope is None and manager_sf_id is None:
        return render_page(request, "portal/unlinked.html", {})
    if scope is None or scope.role == Membership.Role.REP:
        raise Http404("No such team.")
    asked = asked_week(request)
    if manager_sf_id is None:
        me = scope.person_sf_id
        leads_a_team = bool(me) and Person.live.filter(org_id=scope.org_id, manager_sf_id=me, is_active=True).exists()
        if not leads_a_team or (scope.role != Membership.Role.FSM and _oversees_teams(scope)):
            week = asked or visible_agendas(scope).filter(week_start__lte=this_week()).aggregate(
                latest=Max("week_start")
            ).get("latest")
            context = {"week": week, "summaries": teams_overview(scope, week), "state": org_state(scope.org_id)}
            return render_page(request, "portal/teams.html", context, active="team")
        manager_sf_id = me
    manager = manager_or_404(scope, manager_sf_id)
    page = team_page(scope, manager, asked or latest_data_week(scope.org_id))
    context = {"page": page, "charts": trend_charts(page)}
    return render_page(request, "portal/team.html", context, active="team")


def _oversees_teams(scope) -> bool:
    """A director or admin whose scope holds other managers' agendas: their Team page is the overview."""
    return visible_agendas(scope).exclude(manager_sf_id=scope.person_sf_id).exists()


def trend_charts(page: TeamPage) -> list[tuple]:
    charts = []
    for trend in page.trends:

        def fmt(value: float, metric: str = trend.metric) -> str:
            return metric_value(metric, value)

        svg = line_chart(
            [Series("Team", trend.values, "rep")],
            page.weeks,
            fmt=fmt,
            title=f"{trend.label}, team, last {len(page.weeks)} weeks",
            width=300,
            height=110,
        )
        charts.append((trend, svg))
    return charts
