"""Agenda items as planned: a candidate (or team topic, or carried-over item) turned into readable content.

Every item says what the number is against the team and the org, how long the gap has been open, what is
at stake and why it ranks where it does — so that no score has to be taken on trust — then a question to
ask and a next action, and the deals to open.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from coaching.agendas.coaching_text import BARE_TITLE, GENERIC, GENERIC_STRENGTH, fill, strength_wording, wording_for
from coaching.agendas.figures import evidence_keys, metric_figure, peer_line, reference_keys, reference_of, shown
from coaching.agendas.inputs import DealRow, WeekInputs, evidence_deals
from coaching.agendas.ranking import Candidate, item_key
from coaching.agendas.team import TeamTopic
from coaching.agendas.units import metric_label, money
from coaching.gaps.stakes import RANKED_AS
from coaching.models import AgendaItem

DEALS_SHOWN = 3


@dataclass
class PlannedItem:
    key: str
    kind: str
    code: str
    title: str
    family: str = ""
    person_sf_id: str = ""
    opportunity_sf_id: str = ""
    metric: str = ""
    carried_from_id: int | None = None
    evidence: list[str] = field(default_factory=list)
    question: str = ""
    action: str = ""
    deals: list[dict] = field(default_factory=list)
    details: dict = field(default_factory=dict)
    value: float | None = None
    team_value: float | None = None
    severity: float = 0.0
    confidence: float = 1.0
    revenue_at_stake: Decimal | None = None
    score: float = 0.0
    minutes: int = 0
    position: int = 0
    aliases: list[str] = field(default_factory=list)  # keys it had on older agendas (Candidate.keys)


def first_name(inputs: WeekInputs, sf_id: str) -> str:
    """The first name, or the full name when someone else in the org has the same first name (two Jasmines
    on a team make "Jasmine does this well" useless)."""
    name = inputs.chart.names.get(sf_id, "")
    if not name.strip():
        return sf_id
    return name if inputs.chart.first_name_shared(sf_id) else name.split()[0]


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def deals_for(candidates: list[Candidate], inputs: WeekInputs) -> tuple[list[dict], int]:
    """The deals to inspect — flagged ones by their stake, then those the evidence names, in its order —
    at most three, and how many more there are."""
    flagged = sorted(
        (gap for candidate in candidates for gap in candidate.deal_gaps),
        key=lambda gap: (-float(gap.revenue_at_stake or 0), gap.opportunity_sf_id),
    )
    ids: list[str] = []
    total = 0
    # Each deal's one-line backtest verdict, where the pricing wrote one (docs/backtest.md).
    lines = {
        record["sf_id"]: str(record["flag_line"])
        for candidate in candidates
        for record in evidence_deals(candidate.lead.evidence)
        if record.get("flag_line")
    }
    chances = {
        record["sf_id"]: float(record["win_probability"])
        for candidate in candidates
        for record in evidence_deals(candidate.lead.evidence)
        if record.get("win_probability") is not None
    }
    for gap in flagged:
        if gap.opportunity_sf_id not in ids:
            ids.append(gap.opportunity_sf_id)
    for candidate in candidates:
        named = evidence_deals(candidate.lead.evidence)
        ids.extend(record["sf_id"] for record in named if record["sf_id"] not in ids)
        evidence = candidate.lead.evidence if isinstance(candidate.lead.evidence, dict) else {}
        total += max(int(evidence.get("deals_total") or 0), len(named))
    known = [inputs.deals[sf_id] for sf_id in ids if sf_id in inputs.deals]
    caption = " ".join(_deals_are(candidate.lead.evidence) for candidate in candidates)
    if not closed_deals_meant(caption):
        # A list of deals to act on this week holds open deals only: a won or lost one is not actionable.
        known = [deal for deal in known if not deal.is_closed] or known
    if "largest first" in caption:
        known.sort(key=lambda deal: (-(float(deal.amount) if deal.amount is not None else 0.0), deal.sf_id))
    else:
        known.sort(key=lambda deal: deal.is_closed)
    total = max(total, len(known))
    shown = known[:DEALS_SHOWN]
    found = [_deal_json(deal, inputs, lines.get(deal.sf_id), chances.get(deal.sf_id)) for deal in shown]
    return found, max(0, total - len(shown))


def closed_deals_meant(caption: str) -> bool:
    """Whether a list's caption is about decided deals ("won deals …", "lost deals …")."""
    words = caption.lower()
    return any(word in words for word in ("won deals", "lost deals", "closed deals", "decided deals"))


def _deal_json(deal: DealRow, inputs: WeekInputs, flag_line: str | None = None, chance: float | None = None) -> dict:
    known = ({"flag_line": flag_line} if flag_line else {}) | (
        {"win_probability": chance} if chance is not None else {}
    )
    return known | {
        "sf_id": deal.sf_id,
        "name": deal.name,
        "amount": float(deal.amount) if deal.amount is not None else None,
        "stage": deal.stage,
        "close_date": deal.close_date.isoformat() if deal.close_date else None,
        "owner_sf_id": deal.owner_sf_id,
        "url": inputs.deal_url(deal.sf_id),
    }


def _context(candidate: Candidate, inputs: WeekInputs, deals: list[dict], more: int) -> dict[str, str]:
    lead, metric = candidate.lead, candidate.metric
    label = metric_label(metric)
    flagged = len(candidate.deal_gaps) or len(deals) + more
    return {
        "rep": first_name(inputs, candidate.person_sf_id),
        "label": label,
        "label_lower": label[:1].lower() + label[1:],
        "value": shown(lead, lead.value),
        "team_value": shown(lead, lead.team_value),
        "org_value": shown(lead, lead.org_value),
        **reference_keys(lead),
        "n": str(lead.n) if lead.n else "",
        "stake": money(candidate.stake) if candidate.stake else "",
        "deals": str(flagged) if flagged else "",
        "top_deal": deals[0]["name"] if deals else "",
        "weeks_open": str(lead.weeks_open),
    } | evidence_keys(lead)


def rank_line(candidate: Candidate) -> str:
    """Why the item ranks where it does, in the terms of the formula (no score taken on trust)."""
    stake = money(candidate.ranked_stake)
    priced = candidate.lead.evidence.get("stake") if isinstance(candidate.lead.evidence, dict) else None
    kind = priced.get("kind") if isinstance(priced, dict) else None
    at_stake = RANKED_AS.get(str(kind), "at stake")
    basis = f"{stake} {at_stake}" if candidate.stake else f"no revenue figure, so the team's typical {stake}"
    if candidate.lead.opportunity_sf_id and len(candidate.deal_gaps) > 1:
        formula = f"{basis} over {len(candidate.deal_gaps)} deals, each x its severity x confidence"
    else:
        formula = f"{basis} x severity {candidate.severity:.2f} x confidence {candidate.confidence:.2f}"
    halved = ", halved by rotation" if candidate.adjusted < candidate.score and not candidate.rested else ""
    return f"Rank score {money(candidate.adjusted)} = {formula}{halved}"


def _evidence_lines(candidate: Candidate, more: int, inputs: WeekInputs) -> list[str]:
    lead = candidate.lead
    lines = [line for line in [peer_line(lead)] if line]
    if candidate.deal_gaps:
        count = len(candidate.deal_gaps)
        lines.append(f"Flagged on {count} deal{'s' if count != 1 else ''}")
    if lead.weeks_open > 1:
        lines.append(f"Open for {lead.weeks_open} weeks (since the week of {week_label(lead.first_week)})")
    else:
        lines.append("New this week")
    lines.extend(_notes(lead.evidence))
    return lines


def _notes(evidence: object) -> list[str]:
    """Sentences written into the evidence for people to read ("note", "notes"; the rules' one-line
    "summary" repeats what the item already says)."""
    if not isinstance(evidence, dict):
        return []
    notes = []
    for key in ("note", "notes"):
        value = evidence.get(key)
        if isinstance(value, str) and value.strip():
            notes.append(value.strip())
        elif isinstance(value, list):
            notes.extend(str(entry).strip() for entry in value if str(entry).strip())
    return notes[:3]


def gap_item(candidate: Candidate, inputs: WeekInputs, *, peer_hint: str = "") -> PlannedItem:
    deals, more = deals_for([candidate], inputs)
    context = _context(candidate, inputs, deals, more) | {"peer_hint": peer_hint}
    words = wording_for(candidate.code)
    lead = candidate.lead
    return PlannedItem(
        key=candidate.key,
        kind=AgendaItem.Kind.GAP,
        code=candidate.code,
        family=candidate.family,
        person_sf_id=candidate.person_sf_id,
        metric=candidate.metric,
        title=fill(words.title, GENERIC.title, context, BARE_TITLE)[:255],
        evidence=_evidence_lines(candidate, more, inputs),
        question=fill(words.question, GENERIC.question, context),
        action=fill(words.action, GENERIC.action, context),
        deals=deals,
        details={
            "more_deals": more,
            "deals_are": _deals_are(lead.evidence),
            "first_week": lead.first_week.isoformat(),
            "weeks_open": lead.weeks_open,
            "org_value": lead.org_value,
            "n": lead.n,
            "rotation_note": candidate.rotation_note,
            "reference": reference_of(lead),
            # The ranking in the formula's terms, for the API and the admin: never printed on a card.
            "rank_reason": rank_line(candidate),
        },
        value=metric_figure(lead),
        team_value=lead.team_value,
        severity=candidate.severity,
        confidence=candidate.confidence,
        revenue_at_stake=_decimal(candidate.stake),
        score=round(candidate.adjusted, 2),
        aliases=candidate.keys[1:],
    )


def strength_item(candidate: Candidate, inputs: WeekInputs, learners: list[str]) -> PlannedItem:
    words = strength_wording(candidate.code)
    rep = first_name(inputs, candidate.person_sf_id)
    label = metric_label(candidate.metric)
    teach_hint = ""
    if learners:
        names = _join([first_name(inputs, sf_id) for sf_id in learners])
        whose = f"{names}'s {label.lower()} is" if len(learners) == 1 else f"their {label.lower()} figures are"
        teach_hint = f" {rep} could show {names} how ({whose} below the team's)."
    context = _context(candidate, inputs, [], 0) | {"teach_hint": teach_hint}
    lead = candidate.lead
    evidence = []
    line = peer_line(lead)
    if line:
        evidence.append(line)
    evidence.extend(_notes(lead.evidence))
    return PlannedItem(
        key=candidate.key,
        kind=AgendaItem.Kind.STRENGTH,
        code=candidate.code,
        family=candidate.family,
        person_sf_id=candidate.person_sf_id,
        metric=candidate.metric,
        title=fill(words.title, GENERIC_STRENGTH.title, context, BARE_TITLE)[:255],
        evidence=evidence,
        question=fill(words.question, GENERIC_STRENGTH.question, context),
        action=fill(words.action, GENERIC_STRENGTH.action, context),
        details={"can_teach": learners},
        value=lead.value,
        team_value=lead.team_value,
        severity=candidate.severity,
        confidence=candidate.confidence,
        score=round(candidate.severity * candidate.confidence, 3),
    )


def team_item(topic: TeamTopic, team_size: int, inputs: WeekInputs, teachers: list[str]) -> PlannedItem:
    lead = topic.members[0]
    words = wording_for(topic.code)
    deals, more = deals_for(topic.members, inputs)
    stake_total = sum(member.stake or 0 for member in topic.members)
    context = _context(lead, inputs, deals, more) | {
        "count": str(len(topic.members)),
        "team_size": str(team_size),
        "stake": money(stake_total) if stake_total else "",
        "reps": _join([first_name(inputs, member.person_sf_id) for member in topic.members]),
    }
    per_rep = ", ".join(
        f"{first_name(inputs, member.person_sf_id)} {shown(member.lead, member.lead.value)}".strip()
        for member in topic.members
    )
    evidence = [f"{metric_label(topic.metric)} by rep: {per_rep}"]
    if lead.lead.team_value is not None:
        # The rules' yardstick for the first rep: their teammates' median (the rep left out), named as such.
        org = f"; org median {shown(lead.lead, lead.lead.org_value)}" if lead.lead.org_value is not None else ""
        evidence.append(f"Teammates' median {shown(lead.lead, lead.lead.team_value)}{org}")
    if stake_total:
        evidence.append(f"Together {money(stake_total)} at stake")
    action = fill(words.team_action, GENERIC.team_action, context)
    if teachers:
        names = _join([first_name(inputs, sf_id) for sf_id in teachers])
        action += f" Ask {names} to open with what works for them."
    return PlannedItem(
        key=item_key(AgendaItem.Kind.TEAM, topic.code),
        kind=AgendaItem.Kind.TEAM,
        code=topic.code,
        family=topic.family,
        metric=topic.metric,
        title=fill(words.team_title, GENERIC.team_title, context)[:255],
        evidence=evidence,
        question=fill(words.team_question, GENERIC.team_question, context),
        action=action,
        deals=deals,
        details={
            "reps": topic.person_ids,
            "values": {member.person_sf_id: member.lead.value for member in topic.members},
            "more_deals": more,
            "teachers": teachers,
        },
        team_value=lead.lead.team_value,
        severity=topic.severity,
        confidence=sum(member.confidence for member in topic.members) / len(topic.members),
        revenue_at_stake=_decimal(stake_total or None),
        score=round(topic.score, 2),
    )


def _deals_are(evidence: object) -> str:
    """What the rules say the listed deals are ("lost deals, largest first" …)."""
    if not isinstance(evidence, dict):
        return ""
    return str(evidence.get("deals_are") or evidence.get("records_are") or "")


def _decimal(value: float | None) -> Decimal | None:
    return Decimal(str(round(value, 2))) if value else None


def week_label(day: date) -> str:
    return f"{day:%d %b}".lstrip("0")
