"""Changing who has access, each change recorded in the access audit log (``AccessEvent``).

An org admin suspends and restores logins and revokes API keys from the portal; the sync takes access away
from a CRM user who became inactive or was deleted (the visibility rule already gives them no scope; the
sync records it and revokes their keys, so a reactivation in the CRM does not bring old keys back). These
functions are what the portal views, the commands and the tests call.
"""

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from coaching.api.models import ApiKey
from coaching.models import AccessEvent, Membership
from crm.models import Org

Action = AccessEvent.Action


def record(
    org: Org | int,
    action: str,
    *,
    actor: User | None = None,
    subject: User | None = None,
    person_sf_id: str = "",
    detail: str = "",
) -> AccessEvent:
    return AccessEvent.objects.create(
        org_id=org if isinstance(org, int) else org.pk,
        action=action,
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "",
        subject_user=subject,
        subject_name=subject.get_username() if subject is not None else "",
        person_sf_id=person_sf_id,
        detail=detail[:500],
    )


def suspend(membership: Membership, *, by: User, reason: str = "") -> None:
    """Suspend a login: no scope in the portal, the API or the digests, and its API keys revoked."""
    if membership.user_id == by.pk:
        raise ValueError("You cannot suspend your own login: ask another org admin.")
    if membership.is_suspended:
        raise ValueError(f"{membership.user} is already suspended.")
    with transaction.atomic():
        now = timezone.now()
        Membership.objects.filter(pk=membership.pk).update(suspended_at=now, suspended_by=by)
        membership.suspended_at, membership.suspended_by = now, by
        revoked = _revoke_all(membership.org_id, [membership.user_id], by=by)
        detail = reason.strip() or "suspended by an org admin"
        if revoked:
            detail += f"; {revoked} API key(s) revoked"
        record(membership.org_id, Action.SUSPENDED, actor=by, subject=membership.user, detail=detail)


def restore(membership: Membership, *, by: User) -> None:
    """Lift a suspension. Revoked keys stay revoked: the user asks for new ones."""
    if not membership.is_suspended:
        raise ValueError(f"{membership.user} is not suspended.")
    with transaction.atomic():
        Membership.objects.filter(pk=membership.pk).update(suspended_at=None, suspended_by=None)
        membership.suspended_at = membership.suspended_by = None
        record(membership.org_id, Action.RESTORED, actor=by, subject=membership.user)


def revoke_key(key: ApiKey, *, by: User | None) -> None:
    if key.is_revoked:
        raise ValueError(f"{key} was already revoked.")
    with transaction.atomic():
        key.revoke()
        record(key.org_id, Action.KEY_REVOKED, actor=by, subject=key.user, detail=str(key))


def _revoke_all(org_id: int, user_ids: Iterable[int], *, by: User | None) -> int:
    return ApiKey.objects.filter(org_id=org_id, user_id__in=list(user_ids), revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def record_crm_access(sender: object, *, org_id: int, tree: object = None, **_: object) -> None:
    """``crm.signals.sync_finished`` receiver: the people the run saw leave the CRM, or come back."""
    left, returned = getattr(tree, "left", None), getattr(tree, "returned", None)
    if left or returned:
        crm_access_changed(org_id, deactivated=left or (), reactivated=returned or ())


def crm_access_changed(org_id: int, deactivated: Iterable[str], reactivated: Iterable[str]) -> int:
    """The sync saw CRM users become inactive or deleted (or come back): record it for each linked login and
    revoke the keys of those who left. Their scope already follows the CRM (``visibility.scope_for``)."""
    gone, back = set(deactivated), set(reactivated)
    members = list(
        Membership.objects.filter(org_id=org_id, person_sf_id__in=gone | back).select_related("user").order_by("pk")
    )
    with transaction.atomic():
        left = [member for member in members if member.person_sf_id in gone]
        revoked = _revoke_all(org_id, [member.user_id for member in left], by=None)
        for member in members:
            leaving = member.person_sf_id in gone
            record(
                org_id,
                Action.CRM_DEACTIVATED if leaving else Action.CRM_REACTIVATED,
                subject=member.user,
                person_sf_id=member.person_sf_id,
                detail="seen by the sync; API keys revoked" if leaving else "seen by the sync",
            )
    return revoked


def on_membership_deleted(sender: type, instance: Membership, origin: object = None, **kwargs: object) -> None:
    """Record a membership deleted on its own (an operator, in the admin). One deleted with its user or org is
    not: the log's rows would point at what is being deleted, and those deletions are the operator's."""
    model = getattr(origin, "model", type(origin))
    if model is not Membership:
        return
    from django.contrib.auth import get_user_model

    name = get_user_model().objects.filter(pk=instance.user_id).values_list("username", flat=True).first()
    AccessEvent.objects.create(
        org_id=instance.org_id,
        action=Action.MEMBERSHIP_DELETED,
        subject_name=name or f"user #{instance.user_id}",
        person_sf_id=instance.person_sf_id,
        detail="the login keeps no access and is not linked again by email",
    )
