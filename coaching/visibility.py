"""The one visibility rule: what a signed-in user may see, used by the portal, the API and the digests alike.

- an FSM sees themself and their direct reports;
- a director sees everyone below them in the manager tree, at any depth;
- an org admin sees the whole org;
- a rep sees only themself;
- a user without a membership sees nothing; nor does one whose membership an org admin suspended, nor one
  whose CRM user is inactive or deleted (offboarding follows the CRM from the sync that saw it).

A manager acts only on reps currently under them: ``Scope.allows`` is about today's manager tree. Agendas
are read by who held them (``filter_agendas``), so a past agenda stays readable after a rep moves, but what
outlives an agenda (snoozes, commitments) is refused for a rep the manager no longer has
(``Scope.may_act_on``).

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

    @property
    def is_rep(self) -> bool:
        return self.role == Membership.Role.REP

    def may_act_on(self, person_sf_id: str) -> bool:
        """Whether the user may change what outlives an agenda (snoozes, commitments) about this person: a
        manager, for someone in their scope today (a rep moved to another team is no longer theirs)."""
        return not self.is_rep and bool(person_sf_id) and self.allows(person_sf_id)

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


# What a gap's evidence says about teammates (their ids and values): for managers, never for a rep.
PEER_EVIDENCE = ("best_on_team", "learn_from", "can_help")


def evidence_for(scope: "Scope | None", evidence: object) -> object:
    """A gap's evidence as ``scope`` may read it: a rep's scope loses the teammates' identities and values."""
    if scope is None or not scope.is_rep or not isinstance(evidence, dict):
        return evidence
    return {key: value for key, value in evidence.items() if key not in PEER_EVIDENCE}


def scope_for(user: User | AnonymousUser | None) -> Scope | None:
    """The user's scope, or None when they may see nothing."""
    if user is None or not user.is_authenticated:
        return None
    membership = _membership(user)
    if membership is None or membership.suspended_at is not None:
        return None
    role, me, org_id = membership.role, membership.person_sf_id, membership.org_id
    if not me:
        # Only an admin outside the CRM has no CRM user; any other role without one sees nothing.
        return Scope(org_id, role, me, None if role == Membership.Role.ADMIN else frozenset())
    if role == Membership.Role.FSM:
        # The manager's own row and their direct reports in one query.
        rows = list(
            Person.objects.filter(org_id=org_id)
            .filter(Q(sf_id=me) | Q(manager_sf_id=me, is_deleted=False))
            .values_list("sf_id", "is_active", "is_deleted")
        )
        if not any(sf_id == me and active and not deleted for sf_id, active, deleted in rows):
            return None
        return Scope(org_id, role, me, frozenset(sf_id for sf_id, _, _ in rows))
    if role == Membership.Role.DIRECTOR:
        below = subordinates(org_id, me, require_active=True)
        return Scope(org_id, role, me, frozenset({me, *below})) if below is not None else None
    if not in_crm(org_id, me):
        return None
    if role == Membership.Role.ADMIN:
        return Scope(org_id, role, me, None)
    return Scope(org_id, role, me, frozenset({me}))


def in_crm(org_id: int, sf_id: str) -> bool:
    """Whether a CRM user is active and not deleted: inactive, deleted or unknown users have no scope."""
    return Person.live.filter(org_id=org_id, sf_id=sf_id, is_active=True).exists()


def _membership(user: User) -> Membership | None:
    # An authentication that read the membership with the user (the API key's, in one query) left it cached.
    if Membership._meta.get_field("user").remote_field.is_cached(user):
        return getattr(user, "membership", None)
    return Membership.objects.filter(user=user).first()


def subordinates(org_id: int, manager_sf_id: str, *, require_active: bool = False) -> set[str] | None:
    """Everyone below ``manager_sf_id`` in the manager tree, at any depth, in one recursive query.

    UNION (not UNION ALL) stops on a cycle in bad CRM data instead of looping forever. ``require_active``:
    None when the manager themself is inactive or deleted in the CRM (checked in the same query).
    """
    table = connection.ops.quote_name(Person._meta.db_table)
    sql = (
        f"WITH RECURSIVE below(sf_id) AS ("
        f" SELECT sf_id FROM {table} WHERE org_id = %s AND manager_sf_id = %s AND NOT is_deleted"
        f" UNION"
        f" SELECT p.sf_id FROM {table} p JOIN below b ON p.manager_sf_id = b.sf_id"
        f" WHERE p.org_id = %s AND NOT p.is_deleted"
        f") SELECT sf_id, 0 FROM below"
        f" UNION ALL SELECT sf_id, 1 FROM {table} WHERE org_id = %s AND sf_id = %s AND is_active AND NOT is_deleted"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [org_id, manager_sf_id, org_id, org_id, manager_sf_id])
        rows = cursor.fetchall()
    if require_active and not any(flag for _, flag in rows):
        return None
    return {sf_id for sf_id, flag in rows if not flag} - {manager_sf_id}
