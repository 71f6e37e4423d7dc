"""Which gaps matter most: revenue at stake x severity x confidence, one candidate per rep and gap code.

A gap the rules flag on several of a rep's deals (five stale deals) is one conversation with five deals to
open, not five items that would fill the rep's three slots; so deal-level gaps of one code are grouped into
one candidate per (rep, code), whose stake is the sum of its deals' stakes. A gap with no revenue figure
(activity mix, say) is ranked as if it put the team's median stake at risk — neither buried under every
priced gap nor inflated above them; its own figure still reads "n/a".
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from statistics import median

from coaching.agendas.causes import cause_of
from coaching.models import Gap


def item_key(kind: str, code: str, person_sf_id: str = "", opportunity_sf_id: str = "") -> str:
    """The stable identity of an agenda item across rebuilds: kind, code, rep and deal."""
    return f"{kind}:{code}:{person_sf_id}:{opportunity_sf_id}"


@dataclass
class Candidate:
    """One possible agenda item: a rep's gap (or strength) of one code, with the deals flagged under it."""

    code: str
    family: str
    person_sf_id: str
    metric: str
    is_strength: bool
    lead: Gap  # the rep-level gap, or the most pressing deal-level one
    deal_gaps: list[Gap] = field(default_factory=list)
    stake: float | None = None  # the real revenue at stake; None when no gap priced it
    ranked_stake: float = 0.0  # the stake the score used (the team's typical stake stands in for none)
    severity: float = 0.0
    confidence: float = 0.0
    score: float = 0.0  # base score: ranked stake x severity x confidence
    adjusted: float = 0.0  # after rotation
    rested: bool = False  # held back by rotation this week
    rotation_note: str = ""
    # The flags of one cause this candidate stands for (coaching.agendas.diagnoses), the cause's own first;
    # empty for a single flag.
    members: list["Candidate"] = field(default_factory=list)

    @property
    def key(self) -> str:
        """One key per rep and cause, whichever of its flags are up this week, so that a rebuild that finds
        one flag more or fewer keeps the item, and with it the manager's status, notes and commitments."""
        cause = None if self.is_strength else cause_of(self.code)
        return item_key(self._kind, cause.item_code if cause else self.code, self.person_sf_id)

    @property
    def keys(self) -> list[str]:
        """Its key, then the per-flag keys its flags had before causes were keyed (older agendas' items)."""
        flags = [item_key(self._kind, member.code, self.person_sf_id) for member in self.members or [self]]
        return list(dict.fromkeys([self.key, *flags]))

    @property
    def _kind(self) -> str:
        return "strength" if self.is_strength else "gap"

    @property
    def gaps(self) -> list[Gap]:
        return [self.lead, *[gap for gap in self.deal_gaps if gap is not self.lead]]

    @property
    def opportunity_ids(self) -> list[str]:
        return [gap.opportunity_sf_id for gap in self.gaps if gap.opportunity_sf_id]


def gap_score(stake: float, severity: float, confidence: float) -> float:
    return max(stake, 0.0) * _unit(severity) * _unit(confidence)


def _unit(value: float | None) -> float:
    return min(max(value or 0.0, 0.0), 1.0)


def typical_stake(gaps: Iterable[Gap]) -> float:
    """The median revenue at stake of the priced gaps: the stand-in for an unpriced one (1 when none)."""
    stakes = [float(gap.revenue_at_stake) for gap in gaps if gap.revenue_at_stake and gap.revenue_at_stake > 0]
    return median(stakes) if stakes else 1.0


def candidates_for(gaps: Iterable[Gap], fallback_stake: float) -> list[Candidate]:
    """Group one rep's (or a team's) gaps into candidates and score them; best first."""
    groups: dict[tuple[str, str, bool], list[Gap]] = defaultdict(list)
    for gap in gaps:
        groups[(gap.person_sf_id, gap.code, gap.is_strength)].append(gap)
    candidates = [_candidate(group, fallback_stake) for group in groups.values()]
    candidates.sort(key=lambda c: (-c.score, c.person_sf_id, c.code))
    return candidates


def _candidate(group: list[Gap], fallback_stake: float) -> Candidate:
    rep_level = [gap for gap in group if not gap.opportunity_sf_id]
    deal_level = sorted(
        (gap for gap in group if gap.opportunity_sf_id),
        key=lambda gap: (-_priced(gap, fallback_stake) * _unit(gap.severity), gap.opportunity_sf_id),
    )
    lead = rep_level[0] if rep_level else deal_level[0]
    if rep_level:
        stake = float(lead.revenue_at_stake) if lead.revenue_at_stake is not None else None
        # A stake of 0 is read as "not priced", like None: an activity gap priced at 0 would never surface.
        ranked_stake = stake if stake else fallback_stake
        score = gap_score(ranked_stake, lead.severity, lead.confidence)
        severity, confidence = _unit(lead.severity), _unit(lead.confidence)
    else:
        priced = [float(gap.revenue_at_stake) for gap in deal_level if gap.revenue_at_stake is not None]
        stake = sum(priced) if priced else None
        ranked_stake = sum(_priced(gap, fallback_stake) for gap in deal_level)
        score = sum(gap_score(_priced(gap, fallback_stake), gap.severity, gap.confidence) for gap in deal_level)
        severity = max(_unit(gap.severity) for gap in deal_level)
        confidence = max(_unit(gap.confidence) for gap in deal_level)
    return Candidate(
        code=lead.code,
        family=lead.family,
        person_sf_id=lead.person_sf_id,
        metric=lead.metric,
        is_strength=lead.is_strength,
        lead=lead,
        deal_gaps=deal_level,
        stake=stake,
        ranked_stake=ranked_stake,
        severity=severity,
        confidence=confidence,
        score=score,
        adjusted=score,
    )


def _priced(gap: Gap, fallback_stake: float) -> float:
    if gap.revenue_at_stake is not None and gap.revenue_at_stake > 0:
        return float(gap.revenue_at_stake)
    return fallback_stake
