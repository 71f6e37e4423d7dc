"""Follow-ups: what last week's agenda left unfinished comes back, with its status, once.

An item of the manager's previous agenda that is still open (not reached) or deferred is unfinished.
If its gap is on this week's agenda again, the new item simply records where it came from ("carried over:
deferred last week"). Otherwise it comes back as a follow-up line when there is something to do about it:

- deferred, and not a topic this week: the manager asked for it, so it is listed with the reason given;
- not reached, and no longer flagged: close it out, and recognise the progress if it was the rep's doing.

A topic not reached that is still flagged but not picked this week (rotation, time) is not repeated as a
follow-up: the rep's "held back" lines already name it and say why. A follow-up left open expires rather
than echo every week (a deferred one comes back again). Strengths are not homework and are not carried.
Commitments are carried differently: every open commitment stays on the agenda until it is marked done or
dropped (see ``inputs._commitments``).
"""

from dataclasses import dataclass

from coaching.agendas.causes import cause_of
from coaching.agendas.items import PlannedItem, week_label
from coaching.agendas.rotation import History, PastItem
from coaching.models import AgendaItem

FOLLOW_UPS_PER_REP = 3
_PREFIX = f"{AgendaItem.Kind.FOLLOW_UP}:"
_UNFINISHED = {AgendaItem.Status.OPEN, AgendaItem.Status.DEFERRED}


def original_key(key: str) -> str:
    return key[len(_PREFIX) :] if key.startswith(_PREFIX) else key


@dataclass
class LastAgenda:
    items: list[PastItem]

    @property
    def deferred_keys(self) -> set[str]:
        return {
            original_key(item.key)
            for item in self.items
            if item.status == AgendaItem.Status.DEFERRED and item.kind != AgendaItem.Kind.STRENGTH
        }

    def by_key(self) -> dict[str, PastItem]:
        """Unfinished items by the key they would have this week (a follow-up's by its original key)."""
        return {original_key(item.key): item for item in self.unfinished()}

    def unfinished(self) -> list[PastItem]:
        return [
            item
            for item in self.items
            if item.status in _UNFINISHED
            and item.is_current
            and item.kind != AgendaItem.Kind.STRENGTH
            and not (item.kind == AgendaItem.Kind.FOLLOW_UP and item.status == AgendaItem.Status.OPEN)
        ]


def last_agenda(history: History, manager_sf_id: str) -> LastAgenda:
    """The manager's most recent earlier agenda within the history's lookback."""
    mine = [item for item in history.items if item.manager_sf_id == manager_sf_id]
    if not mine:
        return LastAgenda([])
    latest = max(item.week_start for item in mine)
    return LastAgenda([item for item in mine if item.week_start == latest])


def follow_up_items(
    last: LastAgenda, current_keys: set[str], flagged: set[tuple[str, str]], snoozed: set[tuple[str, str]]
) -> list[PlannedItem]:
    """Follow-up items for last agenda's unfinished items not on this week's agenda.

    ``flagged`` and ``snoozed`` hold (rep, code) pairs of this week's gaps; a snoozed gap is not followed up.
    """
    follow_ups: list[PlannedItem] = []
    per_rep: dict[str, int] = {}
    for key, item in sorted(last.by_key().items(), key=lambda pair: (pair[1].person_sf_id, -pair[1].severity)):
        if key in current_keys or (item.person_sf_id, item.code) in snoozed:
            continue
        # A team topic is still flagged while any rep of the team still has its gap: "recognise the progress"
        # would be false while two of three reps are still flagged.
        if item.person_sf_id:
            codes = _codes(key, item.code)
            still_for = [item.person_sf_id] if any((item.person_sf_id, code) in flagged for code in codes) else []
        else:
            still_for = sorted(rep for rep, code in flagged if code == item.code and rep)
        still = bool(still_for)
        if still and item.status != AgendaItem.Status.DEFERRED:
            continue
        if per_rep.get(item.person_sf_id, 0) >= FOLLOW_UPS_PER_REP:
            continue
        per_rep[item.person_sf_id] = per_rep.get(item.person_sf_id, 0) + 1
        follow_ups.append(_follow_up(key, item, still, len(still_for)))
    return follow_ups


def _codes(key: str, code: str) -> set[str]:
    """The gap codes that keep an item flagged: any flag of its cause when it was keyed by the cause."""
    cause = cause_of(code)
    if cause is not None and f":{cause.item_code}:" in key:
        return set(cause.codes)
    return {code}


def _follow_up(key: str, item: PastItem, still_flagged: bool, reps_still: int = 0) -> PlannedItem:
    deferred = item.status == AgendaItem.Status.DEFERRED
    status = "deferred" if deferred else "not reached"
    reason = f" ({item.status_reason})" if deferred and item.status_reason else ""
    if still_flagged and not item.person_sf_id:
        who = "1 rep" if reps_still == 1 else f"{reps_still} reps"
        question = f"Still flagged this week for {who}. What has the team tried since, and what got in the way?"
        action = "Take it into those reps' 1:1s, or agree one more step for the whole team."
    elif still_flagged:
        question = "Still flagged this week. Is it still the right thing to work on, or has something changed?"
        action = "Spend five minutes on it, or dismiss it with a reason so it stops coming back."
    else:
        question = "No longer flagged after the latest data. What changed: the deals, the habits, or the timing?"
        action = "Close it out: mark it discussed, and recognise the progress if it was the rep's doing."
    return PlannedItem(
        key=f"{_PREFIX}{key}",
        kind=AgendaItem.Kind.FOLLOW_UP,
        code=item.code,
        family=item.family,
        person_sf_id=item.person_sf_id,
        metric=item.metric,
        carried_from_id=item.id,
        title=item.title,
        evidence=[f"From the week of {week_label(item.week_start)}: {status}{reason}"],
        question=question,
        action=action,
        details={
            "from_week": item.week_start.isoformat(),
            "status_then": item.status,
            "still_flagged": still_flagged,
            "reps_still_flagged": reps_still,
        },
        severity=item.severity,
    )
