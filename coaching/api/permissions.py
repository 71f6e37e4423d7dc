"""Who may call the API, and every lookup by a URL's id through the one visibility rule.

``InScope`` gives each request its ``Scope`` (``coaching.visibility.scope_for``). Each ``*_in_scope`` lookup
answers 404 with one message both for an id that does not exist and for one outside the caller's scope, so
a guessed id tells nothing. Acting (statuses, notes, snoozes) is for managers: a rep who can see their own
gap is told 403 when snoozing it, which reveals nothing they could not already read.
"""

from typing import TYPE_CHECKING, cast

from django.db.models import QuerySet
from rest_framework.exceptions import AuthenticationFailed, NotFound, PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from coaching.api.models import ApiKey
from coaching.api.params import row_id
from coaching.models import Agenda, AgendaItem, Gap, Membership
from coaching.visibility import Scope, scope_for
from crm.models import Opportunity, Person

if TYPE_CHECKING:  # rest_framework.views imports this module through the settings
    from rest_framework.views import APIView


class ScopedRequest(Request):
    """A request ``InScope`` let through (it is every API view's permission): it carries the caller's scope."""

    scope: Scope


def scoped(request: Request) -> ScopedRequest:
    # Only a request InScope passed reaches a view's handler, and InScope set the scope on it.
    return cast(ScopedRequest, request)


class InScope(BasePermission):
    """Signed in (session or API key) and linked to a team: sets ``request.scope``."""

    def has_permission(self, request: Request, view: "APIView") -> bool:
        if not (request.user and request.user.is_authenticated):
            return False  # DRF answers 401 with the key challenge
        scope = scope_for(request.user)
        if isinstance(request.auth, ApiKey) and (scope is None or scope.org_id != request.auth.org_id):
            raise AuthenticationFailed(
                "This API key's user no longer has access to the key's org (suspended, gone from the CRM, or "
                "no longer a member); ask your admin."
            )
        if scope is None:
            raise NotFound("Your account is not linked to a team, so there is nothing to show.")
        scoped(request).scope = scope
        return True


def require_manager(scope: Scope, action: str) -> None:
    if scope.role == Membership.Role.REP:
        raise PermissionDenied(f"Reps cannot {action}; ask your manager.")


def person_in_scope(scope: Scope, sf_id: str) -> Person:
    person = Person.live.filter(org_id=scope.org_id, sf_id=sf_id).first() if scope.allows(sf_id) else None
    if person is None:
        raise NotFound(f"No user {sf_id} on your team.")
    return person


def deal_in_scope(scope: Scope, sf_id: str) -> Opportunity:
    deal = Opportunity.live.filter(org_id=scope.org_id, sf_id=sf_id).first()
    if deal is None or not deal.owner_sf_id or not scope.allows(deal.owner_sf_id):
        raise NotFound(f"No opportunity {sf_id} owned by your team.")
    return deal


def gap_in_scope(scope: Scope, raw_id: str) -> Gap:
    pk = row_id(raw_id, field="id")
    gap = scope.filter(Gap.objects.filter(pk=pk)).select_related("org").first() if pk is not None else None
    if gap is None:
        raise NotFound(f"No gap {raw_id} on your team.")
    return gap


def visible_agendas(scope: Scope) -> QuerySet:
    return scope.filter_agendas(Agenda.objects.all())


def item_in_scope(scope: Scope, raw_id: str) -> AgendaItem:
    pk = row_id(raw_id, field="id")
    item = (
        AgendaItem.objects.filter(pk=pk, agenda__in=visible_agendas(scope)).select_related("agenda").first()
        if pk is not None
        else None
    )
    if item is None:
        raise NotFound(f"No agenda item {raw_id} on an agenda you can open.")
    return item
