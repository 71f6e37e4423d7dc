"""What every portal page shares: rendering with the navigation context, htmx detection, the org's state
for empty pages that explain themselves."""

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from coaching.models import Membership
from crm.models import Person
from integrations.models import SalesforceConnection, SyncRun


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def today():
    return timezone.now().date()


@dataclass(frozen=True)
class OrgState:
    """Enough to tell an empty page why it is empty: no connection, no sync yet, no people synced."""

    connected: bool
    last_run: SyncRun | None
    people: bool

    @property
    def synced(self) -> bool:
        return self.people


def org_state(org_id: int) -> OrgState:
    return OrgState(
        connected=SalesforceConnection.objects.filter(org_id=org_id).exists(),
        last_run=SyncRun.objects.filter(org_id=org_id).order_by("-started_at", "-id").first(),
        people=Person.live.filter(org_id=org_id).exists(),
    )


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], *, active: str = "", status: int = 200
) -> HttpResponse:
    scope = getattr(request, "scope", None)
    me = None
    if scope is not None and scope.person_sf_id:
        me = Person.live.filter(org_id=scope.org_id, sf_id=scope.person_sf_id).only("name", "sf_id").first()
    context = {
        "scope": scope,
        "org": getattr(request, "org", None),
        "me": me,
        "is_admin": bool(scope and scope.is_admin),
        "is_rep": bool(scope and scope.role == Membership.Role.REP),
        "may_act": bool(scope and scope.role != Membership.Role.REP),
        "active": active,
        **context,
    }
    return render(request, template, context, status=status)
