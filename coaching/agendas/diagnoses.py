"""One diagnosis per topic: a rep's flags that share a cause (``coaching.agendas.causes``) become one candidate
before topics are chosen, so a rep's three topics are three different problems, not one problem three times.

The combined candidate ranks by its most pressing flag (the flags describe the same deals or the same
shortfall, so adding their stakes would count one risk several times) and leads with the cause's own flag:
new pipeline before coverage and activity, whichever scored higher. Its item says the cause in one line,
lists the deals all its flags name, and keeps each flag's own title, evidence and deals under
``details["members"]``, one click away on the card.
"""

from collections.abc import Sequence

from coaching.agendas.causes import cause_of
from coaching.agendas.inputs import WeekInputs
from coaching.agendas.items import PlannedItem, deals_for, gap_item
from coaching.agendas.ranking import Candidate


def group_by_cause(candidates: Sequence[Candidate]) -> list[Candidate]:
    """One candidate per rep and cause (flags of no cause stay as they are); best first."""
    grouped: list[Candidate] = []
    by_cause: dict[tuple[str, str], list[Candidate]] = {}
    for candidate in candidates:
        cause = None if candidate.is_strength else cause_of(candidate.code)
        if cause is None:
            grouped.append(candidate)
        else:
            by_cause.setdefault((candidate.person_sf_id, cause.key), []).append(candidate)
    for members in by_cause.values():
        grouped.append(members[0] if len(members) == 1 else _combined(members))
    grouped.sort(key=lambda c: (-c.score, c.person_sf_id, c.code))
    return grouped


def _combined(members: list[Candidate]) -> Candidate:
    cause = cause_of(members[0].code)
    assert cause is not None
    members = sorted(members, key=lambda member: cause.codes.index(member.code))
    lead = members[0]
    strongest = max(members, key=lambda member: (member.score, member.code))
    deal_gaps, seen = [], set()
    for member in members:
        for gap in member.deal_gaps:
            if gap.opportunity_sf_id not in seen:
                seen.add(gap.opportunity_sf_id)
                deal_gaps.append(gap)
    stakes = [member.stake for member in members if member.stake]
    return Candidate(
        code=lead.code,
        family=lead.family,
        person_sf_id=lead.person_sf_id,
        metric=lead.metric,
        is_strength=False,
        lead=lead.lead,
        deal_gaps=deal_gaps,
        stake=max(stakes) if stakes else None,
        ranked_stake=strongest.ranked_stake,
        severity=max(member.severity for member in members),
        confidence=strongest.confidence,
        score=strongest.score,
        adjusted=strongest.score,
        rotation_note="; ".join(dict.fromkeys(m.rotation_note for m in members if m.rotation_note)),
        members=members,
    )


def topic_item(candidate: Candidate, inputs: WeekInputs, *, peer_hint: str = "") -> PlannedItem:
    """A rep's topic: the flag's own item, or for a cause the cause's item with its flags under it."""
    item = gap_item(candidate, inputs, peer_hint=peer_hint)
    cause = cause_of(candidate.code)
    if cause is None:
        return item
    members = [gap_item(member, inputs) for member in candidate.members] or [item]
    item.details["cause"] = cause.key
    item.details["members"] = [_member_json(member) for member in members]
    if len(members) < 2:
        return item
    deals, _ = deals_for(candidate.members, inputs)
    # Each flag names a few deals and says how many more; the flags overlap (the same deals are stale and
    # overdue), so the distinct deals flagged or the largest flag's count, whichever is more, is the count.
    count = max(
        [len(deals), len(candidate.deal_gaps), *(len(m.deals) + m.details.get("more_deals", 0) for m in members)]
    )
    more = max(0, count - len(deals))
    noun = f"{count} deal{'' if count == 1 else 's'}" if count else "deals"
    item.title = cause.title.format(deals=noun, lead=members[0].title)[:255]
    also = "; ".join(member.title for member in members[1:])
    item.evidence = [*members[0].evidence, f"Same cause, also flagged: {also}"]
    item.question = cause.question or item.question
    item.action = cause.action or item.action
    item.deals = deals
    item.details["more_deals"] = more
    item.details["deals_are"] = "the deals these flags name" if deals else ""
    return item


def _member_json(item: PlannedItem) -> dict:
    return {
        "code": item.code,
        "title": item.title,
        "evidence": item.evidence,
        "deals": item.deals,
        "more_deals": item.details.get("more_deals", 0),
    }
