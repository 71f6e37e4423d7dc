"""Every lookup a portal page makes by a URL's id, through the one visibility rule (``coaching.visibility``).

Each ``*_or_404`` answers Http404 both for an id that does not exist and for one outside the user's scope,
so a guessed id tells nothing. Acting on an agenda (statuses, notes, commitments, snoozes) is allowed to
whoever may open it: its manager, and the directors and org admins above them; a rep opens no agenda. What
outlives the agenda (snoozes, commitments) is further limited to the reps in scope today
(``require_current_rep``), as in the API.
"""

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, cast

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from coaching.models import Agenda, AgendaItem, AgendaNote, Commitment, Membership
from coaching.visibility import Scope, scope_for
from crm.models import Org, Person
from integrations.models import SyncRun

P = ParamSpec("P")


class PortalRequest(HttpRequest):
    """A request ``portal_page`` let through: a signed-in user, their scope and their org."""

    user: User
    scope: Scope | None  # None for a user linked to no org
    org: Org | None  # None exactly when scope is None


def portal_page(
    view: Callable[Concatenate[PortalRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Sign-in required; sets ``request.scope`` (None for a user linked to no org) and ``request.org``."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        # login_required let only a signed-in user through; the two attributes are set right here.
        portal = cast(PortalRequest, request)
        portal.scope = scope_for(portal.user)
        portal.org = Org.objects.filter(pk=portal.scope.org_id).first() if portal.scope else None
        if portal.org is None:  # the org went away since the scope was read
            portal.scope = None
        return view(portal, *args, **kwargs)

    return wrapper


def require_scope(request: PortalRequest) -> Scope:
    if request.scope is None:
        raise Http404("Your account is not linked to a team.")
    return request.scope


def require_org(request: PortalRequest) -> Org:
    """The org of a user linked to a team (the same 404 as ``require_scope`` for anyone else)."""
    if request.org is None:
        raise Http404("Your account is not linked to a team.")
    return request.org


def require_admin(request: PortalRequest) -> Scope:
    """An org admin's scope; anyone else gets the same 404 as for a page that is not there."""
    scope = require_scope(request)
    if not scope.is_admin:
        raise Http404("Only an org admin can do this.")
    return scope


def may_act(scope: Scope) -> bool:
    return scope.role != Membership.Role.REP


def require_current_rep(scope: Scope, person_sf_id: str, what: str) -> None:
    """Snoozes and commitments outlive the agenda they were made on: only for someone in scope today.

    ValueError (the views show it and save nothing), the portal's side of the API's 404 for the same gap.
    """
    if person_sf_id and not scope.may_act_on(person_sf_id):
        raise ValueError(
            f"This rep is no longer on your team in the CRM: {what} is for your current reps only "
            "(their new manager decides)."
        )


def visible_agendas(scope: Scope) -> QuerySet:
    return scope.filter_agendas(Agenda.objects.all())


def agenda_or_404(scope: Scope, pk: int) -> Agenda:
    agenda = visible_agendas(scope).filter(pk=pk).first()
    if agenda is None:
        raise Http404("No such agenda.")
    return agenda


def item_or_404(scope: Scope, pk: int) -> AgendaItem:
    item = AgendaItem.objects.filter(pk=pk, agenda__in=visible_agendas(scope)).select_related("agenda").first()
    if item is None:
        raise Http404("No such agenda item.")
    return item


def note_or_404(scope: Scope, pk: int) -> AgendaNote:
    note = AgendaNote.objects.filter(pk=pk, agenda__in=visible_agendas(scope)).select_related("agenda").first()
    if note is None:
        raise Http404("No such note.")
    return note


def commitment_or_404(scope: Scope, pk: int) -> Commitment:
    found = Commitment.objects.filter(pk=pk, agenda__in=visible_agendas(scope)).select_related("agenda").first()
    if found is None:
        raise Http404("No such commitment.")
    return found


def person_or_404(scope: Scope, sf_id: str) -> Person:
    if not scope.allows(sf_id):
        raise Http404("No such person.")
    person = Person.live.filter(org_id=scope.org_id, sf_id=sf_id).first()
    if person is None:
        raise Http404("No such person.")
    return person


def manager_or_404(scope: Scope, sf_id: str) -> Person:
    """A manager whose team the user may see: the manager themself must be in scope."""
    if scope.role == Membership.Role.REP:
        raise Http404("No such team.")
    return person_or_404(scope, sf_id)


def run_or_404(scope: Scope, pk: int) -> SyncRun:
    run = SyncRun.objects.filter(pk=pk, org_id=scope.org_id).first()
    if run is None:
        raise Http404("No such sync run.")
    return run
