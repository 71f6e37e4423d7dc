"""The one visibility rule: what a signed-in user may see, used by the portal, the API and the digests alike.

- an FSM sees themself and their direct reports;
- a director sees everyone below them in the manager tree, at any depth;
- an org admin sees the whole org;
- a rep sees only themself;
- a user without a membership sees nothing.

Surfaces ask for a ``Scope`` once per request and filter every query through it. Anything outside the scope
must answer as if it did not exist (404), never 403, so that guessed ids leak nothing.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.db.models import Q, QuerySet

from coaching.models import Membership
from crm.models import Person


@dataclass(frozen=True)
class Scope:
    org_id: int
    role: str
    person_sf_id: str
    # None means every person of the org (an admin); otherwise the CRM ids the user may see.
    people: frozenset[str] | None

    @property
    def is_admin(self) -> bool:
        return self.people is None

    def allows(self, person_sf_id: str) -> bool:
        return self.people is None or person_sf_id in self.people

    def filter(self, queryset: QuerySet, field: str = "person_sf_id") -> QuerySet:
        """Rows of this org whose ``field`` (a person's CRM id) is in scope."""
        queryset = queryset.filter(org_id=self.org_id)
        if self.people is None:
            return queryset
        return queryset.filter(**{f"{field}__in": self.people})

    def filter_agendas(self, queryset: QuerySet) -> QuerySet:
        """Agendas the user may open: their own, and (directors, admins) those of managers in scope."""
        queryset = queryset.filter(org_id=self.org_id)
        if self.people is None:
            return queryset
        if self.role == Membership.Role.REP:
            # A rep reads their own items through the item queries, never a manager's whole agenda.
            return queryset.none()
        if self.role == Membership.Role.FSM:
            return queryset.filter(manager_sf_id=self.person_sf_id)
        return queryset.filter(Q(manager_sf_id=self.person_sf_id) | Q(manager_sf_id__in=self.people))


def scope_for(user: User | AnonymousUser | None) -> Scope | None:
    """The user's scope, or None when they may see nothing."""
    if user is None or not user.is_authenticated:
        return None
    membership = _membership(user)
    if membership is None:
        return None
    role, me = membership.role, membership.person_sf_id
    if role == Membership.Role.ADMIN:
        return Scope(membership.org_id, role, me, None)
    if not me:
        return Scope(membership.org_id, role, me, frozenset())
    if role == Membership.Role.REP:
        people = frozenset({me})
    elif role == Membership.Role.FSM:
        reports = Person.live.filter(org_id=membership.org_id, manager_sf_id=me).values_list("sf_id", flat=True)
        people = frozenset({me, *reports})
    else:
        people = frozenset({me, *subordinates(membership.org_id, me)})
    return Scope(membership.org_id, role, me, people)


def _membership(user: User) -> Membership | None:
    # An authentication that read the membership with the user (the API key's, in one query) left it cached.
    if Membership._meta.get_field("user").remote_field.is_cached(user):
        return getattr(user, "membership", None)
    return Membership.objects.filter(user=user).first()


def subordinates(org_id: int, manager_sf_id: str) -> set[str]:
    """Everyone below ``manager_sf_id`` in the manager tree, at any depth, in one recursive query.

    UNION (not UNION ALL) stops on a cycle in bad CRM data instead of looping forever.
    """
    table = connection.ops.quote_name(Person._meta.db_table)
    sql = (
        f"WITH RECURSIVE below(sf_id) AS ("
        f" SELECT sf_id FROM {table} WHERE org_id = %s AND manager_sf_id = %s AND NOT is_deleted"
        f" UNION"
        f" SELECT p.sf_id FROM {table} p JOIN below b ON p.manager_sf_id = b.sf_id"
        f" WHERE p.org_id = %s AND NOT p.is_deleted"
        f") SELECT sf_id FROM below"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [org_id, manager_sf_id, org_id])
        return {row[0] for row in cursor.fetchall()} - {manager_sf_id}
