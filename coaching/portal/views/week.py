"""This week: the signed-in manager's agenda (or, for a director or an org admin, the agendas of the managers
they oversee), any agenda by id, and its print view."""

from datetime import date, timedelta

from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from coaching.calibration.agenda import effect_context
from coaching.models import Agenda, Membership
from coaching.pipeline.agenda import pipeline_context
from coaching.portal.access import PortalRequest, agenda_or_404, portal_page, require_scope, visible_agendas
from coaching.portal.calendar import calendar_when
from coaching.portal.queries.agenda import agenda_page, names_of, owners_of
from coaching.portal.queries.team import teams_overview
from coaching.portal.queries.todo import todo_list
from coaching.portal.queries.weeks import asked_week, latest_agenda_week, this_week
from coaching.portal.views.base import org_state, render_page, today
from crm.models import Person


@portal_page
def home(request: PortalRequest) -> HttpResponse:
    scope = request.scope
    if scope is None:
        return render_page(request, "portal/unlinked.html", {})
    if scope.role == Membership.Role.REP and scope.person_sf_id:
        return redirect("portal:rep", sf_id=scope.person_sf_id)
    return redirect("portal:week")


@portal_page
def week(request: PortalRequest) -> HttpResponse:
    scope = request.scope
    if scope is None:
        return render_page(request, "portal/unlinked.html", {})
    if scope.role == Membership.Role.REP:
        return redirect("portal:home")
    asked = asked_week(request)
    me = scope.person_sf_id
    if me:
        week_start = asked or latest_agenda_week(scope.org_id, me)
        agenda = (
            Agenda.objects.filter(org_id=scope.org_id, manager_sf_id=me, week_start=week_start).first()
            if week_start
            else None  # no agenda of theirs yet
        )
        if agenda is not None:
            return agenda_response(request, agenda)
    if scope.role in (Membership.Role.DIRECTOR, Membership.Role.ADMIN):
        week_start = asked or visible_agendas(scope).filter(week_start__lte=this_week()).aggregate(
            latest=Max("week_start")
        ).get("latest")
        summaries = teams_overview(scope, week_start)
        if summaries or asked:
            return render_page(
                request,
                "portal/overview.html",
                {"week": week_start, "summaries": summaries, "weeks": _overview_weeks(scope)},
                active="week",
            )
    return render_page(request, "portal/week_empty.html", _empty_reason(scope, asked), active="week")


def _overview_weeks(scope) -> list:
    return list(visible_agendas(scope).order_by("-week_start").values_list("week_start", flat=True).distinct()[:13])


def _empty_reason(scope, asked) -> dict:
    """Why there is no agenda to show, in the order a new installation meets the reasons."""
    state = org_state(scope.org_id)
    me = scope.person_sf_id
    if not state.synced:
        reason = "no_sync"
    elif asked is not None:
        reason = "no_agenda_that_week"
    elif not me:
        reason = "no_teams"
    elif not Person.live.filter(org_id=scope.org_id, manager_sf_id=me, is_active=True).exists():
        reason = "no_reps"
    else:
        reason = "new_manager"
    return {"reason": reason, "state": state, "asked": asked}


@portal_page
def agenda(request: PortalRequest, pk: int) -> HttpResponse:
    return agenda_response(request, agenda_or_404(require_scope(request), pk))


@portal_page
def agenda_print(request: PortalRequest, pk: int) -> HttpResponse:
    page = agenda_page(agenda_or_404(require_scope(request), pk), today())
    return render_page(request, "portal/agenda_print.html", {"page": page, "names": page.view.names})


def agenda_response(request: HttpRequest, found: Agenda) -> HttpResponse:
    day = today()
    page = agenda_page(found, day)
    rep_filter = request.GET.get("rep", "")
    if rep_filter and rep_filter not in {rep.sf_id for rep in page.reps}:
        rep_filter = ""  # a rep no longer on this agenda: show everyone rather than an empty page
    context = {
        **item_defaults(found, day),
        "page": page,
        "names": page.view.names,
        "todo": todo_list(page, rep_filter),
        "rep_filter": rep_filter,
        **pipeline_context(found),
        **effect_context(found),
        "calendar_when": calendar_when(found),
    }
    return render_page(request, "portal/agenda.html", context, active="week")


def item_defaults(found: Agenda, day: date) -> dict:
    """Defaults the item forms start from: who a commitment can be for, its due date, a snooze's end.

    Every card has these forms, so what they show is prepared once per page: the owner ``<option>`` lists
    (one per rep who can be preselected) and the dates as the inputs want them.
    """
    owners = owners_of(found)
    due, until = found.week_start + timedelta(days=11), day + timedelta(weeks=4)
    return {
        "owners": owners,
        "owner_options": owner_options(owners),
        "names": names_of(found),
        "default_due": due,
        "default_until": until,
        "min_until": day,
        "default_due_iso": due.isoformat(),
        "default_until_iso": until.isoformat(),
        "min_until_iso": day.isoformat(),
    }


def owner_options(owners: list[tuple[str, str]]) -> dict[str, str]:
    """{person preselected: the <option>s of the commitment form's "Who"} ("" preselects nobody)."""

    def options(chosen: str) -> str:
        return "".join(
            format_html(
                '<option value="{}"{}>{}</option>', sf_id, mark_safe(" selected") if sf_id == chosen else "", name
            )
            for sf_id, name in owners
        )

    return {chosen: mark_safe(options(chosen)) for chosen in ["", *(sf_id for sf_id, _ in owners)]}
