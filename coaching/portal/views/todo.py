"""The to-do list's one action: mark a rep's 1:1 handled (every item still open becomes discussed).

Works as a plain form (redirects back to the list) and, from htmx, answers with the list re-rendered and the
rep's section of the agenda swapped out of band, so the count, the collapsed row and the cards agree.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from coaching.agendas import set_item_status
from coaching.models import AgendaItem
from coaching.portal.access import PortalRequest, agenda_or_404, may_act, portal_page, require_scope
from coaching.portal.calendar import calendar_when
from coaching.portal.queries.agenda import agenda_page
from coaching.portal.queries.todo import todo_list
from coaching.portal.views.base import is_htmx, today
from coaching.portal.views.week import item_defaults


def handle_one_on_one(agenda, rep_sf_id: str, user=None) -> int:
    """Mark every open, current item of the rep's 1:1 discussed; returns how many changed."""
    if rep_sf_id not in {rep["sf_id"] for rep in agenda.content.get("reps", [])}:
        raise ValueError(f"{rep_sf_id!r} has no 1:1 on this agenda")
    items = agenda.items.filter(person_sf_id=rep_sf_id, is_current=True, status=AgendaItem.Status.OPEN)
    changed = 0
    for item in items:
        set_item_status(item, AgendaItem.Status.DISCUSSED, user=user)
        changed += 1
    return changed


@require_POST
@portal_page
def one_on_one_handled(request: PortalRequest, pk: int, sf_id: str) -> HttpResponse:
    scope = require_scope(request)
    if not may_act(scope):
        raise Http404("Nothing to change here.")
    agenda = agenda_or_404(scope, pk)
    try:
        handle_one_on_one(agenda, sf_id, user=request.user)
    except ValueError as error:
        raise Http404(str(error)) from error
    if not is_htmx(request):
        return redirect(f"{reverse('portal:agenda', args=[agenda.pk])}#todo")
    page = agenda_page(agenda, today())
    rep = next(rep for rep in page.reps if rep.sf_id == sf_id)
    context = {
        **item_defaults(agenda, today()),
        "page": page,
        "agenda": agenda,
        "todo": todo_list(page),
        "rep": rep,
        "may_act": True,
        "calendar_when": calendar_when(agenda),
    }
    return render(request, "portal/_todo_swap.html", context)
