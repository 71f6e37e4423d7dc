"""Taking a 1:1 elsewhere: a read-only page the manager shares with the rep, behind a signed, revocable link.

Only what the manager chose is shown — the items ticked when sharing, with their question, next step, deals
and the commitments made on them — never another rep's items, never notes, never a dismiss or defer reason.
Every check goes through the one visibility rule (``coaching.visibility``): sharing needs an agenda the
sharer may act on and a rep in their scope, and opening the link checks again that the sharer's current
scope still reaches the rep and the agenda — a manager who lost the team loses their links with it.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.core import signing
from django.utils import timezone

from coaching.models import Agenda, AgendaItem, Commitment, OneOnOneShare
from coaching.visibility import Scope, scope_for

SALT = "coaching.portal.share"
# Sentences the agenda writes for the manager about other reps (coaching.agendas.peers.peer_hint and the
# strength's teach hint): who does it well, who is below the team. Never on a page shared with a rep.
_ABOUT_OTHERS = (
    re.compile(r" ?[^.]*? does this well on the team; suggest they compare notes on one deal\."),
    re.compile(r" ?[^.]*? could show [^.]*? how \([^)]*\)\."),
)


def for_the_rep(text: str) -> str:
    """The manager's text without its sentences about other reps."""
    for pattern in _ABOUT_OTHERS:
        text = pattern.sub("", text)
    return text.strip()


SHAREABLE = (AgendaItem.Kind.GAP, AgendaItem.Kind.STRENGTH, AgendaItem.Kind.FOLLOW_UP)


def token_for(share: OneOnOneShare) -> str:
    return signing.Signer(salt=SALT).sign_object({"s": share.pk})


def _share_id(token: str) -> int | None:
    try:
        payload = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    share_id = payload.get("s") if isinstance(payload, dict) else None
    return share_id if isinstance(share_id, int) else None


def may_share(scope: Scope | None, agenda: Agenda, person_sf_id: str) -> bool:
    """The one rule: someone who may act on the agenda (not a rep), with the rep in their scope and on it."""
    if scope is None or not scope.may_act_on(person_sf_id):  # a manager, the rep in their scope today
        return False
    if not scope.filter_agendas(Agenda.objects.filter(pk=agenda.pk)).exists():
        return False
    return person_sf_id in {rep["sf_id"] for rep in agenda.content.get("reps", [])}


def share_one_on_one(
    scope: Scope | None, agenda: Agenda, person_sf_id: str, item_ids: Sequence[int | str], user=None
) -> tuple[OneOnOneShare, str]:
    """Share the chosen items of a rep's 1:1; returns (share, token). ValueError says what is wrong."""
    if not may_share(scope, agenda, person_sf_id):
        raise ValueError("You may not share this 1:1.")
    chosen = {int(pk) for pk in item_ids if str(pk).isdigit()}
    if not chosen:
        raise ValueError("Choose at least one item to share.")
    found = set(
        agenda.items.filter(pk__in=chosen, person_sf_id=person_sf_id, is_current=True, kind__in=SHAREABLE).values_list(
            "pk", flat=True
        )
    )
    if found != chosen:
        raise ValueError("Only this rep's current items can be shared.")
    share = OneOnOneShare.objects.create(
        agenda=agenda, person_sf_id=person_sf_id, item_ids=sorted(found), created_by=user
    )
    return share, token_for(share)


def revoke_share(scope: Scope | None, share: OneOnOneShare) -> None:
    if not may_share(scope, share.agenda, share.person_sf_id):
        raise ValueError("You may not revoke this link.")
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])


@dataclass
class SharedItem:
    title: str
    kind: str
    question: str
    action: str
    deals: list[dict]
    commitments: list[tuple[str, date]] = field(default_factory=list)


@dataclass
class SharedPage:
    rep_name: str
    manager_name: str
    week_start: date
    items: list[SharedItem]


def shared_page(token: str) -> SharedPage | None:
    """The page behind a link, or None (forged, revoked, or the sharer's scope no longer reaches the rep)."""
    share_id = _share_id(token)
    if share_id is None:
        return None
    share = OneOnOneShare.objects.select_related("agenda", "created_by").filter(pk=share_id).first()
    if share is None or share.revoked_at is not None or share.created_by is None:
        return None
    agenda = share.agenda
    if not may_share(scope_for(share.created_by), agenda, share.person_sf_id):
        return None
    rows = agenda.items.filter(
        pk__in=share.item_ids, person_sf_id=share.person_sf_id, is_current=True, kind__in=SHAREABLE
    ).order_by("kind", "position")
    commitments: dict[int, list[tuple[str, date]]] = {}
    for item_id, text, due in Commitment.objects.filter(item_id__in=share.item_ids, agenda=agenda).values_list(
        "item_id", "text", "due_date"
    ):
        commitments.setdefault(item_id, []).append((text, due))
    items = [
        SharedItem(
            title=item.title,
            kind=item.kind,
            question=for_the_rep(item.question),
            action=for_the_rep(item.action),
            deals=[{"name": d.get("name") or d.get("sf_id"), "url": d.get("url") or ""} for d in item.deals or []],
            commitments=commitments.get(item.pk, []),
        )
        for item in rows
    ]
    names = {rep["sf_id"]: rep["name"] for rep in agenda.content.get("reps", [])}
    manager = (agenda.content.get("manager") or {}).get("name") or ""
    return SharedPage(names.get(share.person_sf_id, ""), manager, agenda.week_start, items)
