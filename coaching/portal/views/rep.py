"""Rep: every metric's trend against the team and the org, open gaps with their 'why' card, and the coaching
history with its measured effect. A rep sees their own page only (without their manager's notes)."""

from django.http import HttpResponse

from coaching.agendas.team import TREND_METRICS
from coaching.agendas.units import metric_value
from coaching.models import Membership
from coaching.portal.access import PortalRequest, person_or_404, portal_page, require_scope
from coaching.portal.charts import Series, line_chart
from coaching.portal.queries.rep import RepPage, rep_page
from coaching.portal.queries.weeks import asked_week, latest_data_week
from coaching.portal.views.base import render_page, today


@portal_page
def rep(request: PortalRequest, sf_id: str) -> HttpResponse:
    scope = require_scope(request)
    person = person_or_404(scope, sf_id)
    week = asked_week(request) or latest_data_week(scope.org_id)
    page = rep_page(person, week, today(), with_notes=scope.role != Membership.Role.REP)
    charts = metric_charts(page)
    # The figures behind a gap and the team's headline figures first; the rest one click away.
    main = [chart for chart in charts if chart[2] or chart[0].metric in TREND_METRICS]
    more = [chart for chart in charts if chart not in main]
    context = {"page": page, "charts": main, "more_charts": more}
    return render_page(request, "portal/rep.html", context, active="team")


def metric_charts(page: RepPage) -> list[tuple]:
    first = page.person.name.split()[0] if page.person.name.strip() else page.person.sf_id
    flagged = {card.gap.metric for card in page.gaps}
    charts = []
    # The figures behind this week's gaps first: they are what the manager came to look at.
    for trend in sorted(page.trends, key=lambda trend: trend.metric not in flagged):

        def fmt(value: float, metric: str = trend.metric) -> str:
            return metric_value(metric, value)

        series = [
            Series("Org average", trend.org, "org"),
            Series("Team average", trend.team, "team"),
            Series(first, trend.rep, "rep"),
        ]
        svg = line_chart(series, page.weeks, fmt=fmt, title=f"{trend.label}: {first}, team and org")
        charts.append((trend, svg, trend.metric in flagged))
    return charts
