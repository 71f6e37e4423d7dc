"""One diagnosis per rep: flags that share a cause are read as that cause, led by it.

A rep with stale deals, overdue close dates, stalled deals and deals without a next step does not have four
problems: the same deals look dead. Low activity, low coverage and little new pipeline are one problem:
pipeline generation, and new pipeline is the cause the others follow from. A low win rate and a low win rate
on one product are one closing topic. ``diagnose`` turns a rep's items into the one thing to discuss: the
cause (when two or more of its flags are on the agenda) with its flags under it, or else the top item.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol


class ItemLike(Protocol):
    code: str
    title: str
    deals: list


@dataclass(frozen=True)
class Cause:
    key: str
    title: str  # a sentence with {deals} (how many distinct deals are named) where it helps
    codes: tuple[str, ...]  # the flags it explains, the cause itself first


CAUSES = (
    Cause(
        "dead_deals",
        "At least {deals} look dead: close them or re-date them with the buyer",
        ("STALE_DEALS", "FORECAST_OVERDUE", "STAGE_STALL", "NO_NEXT_STEP", "CLOSE_DATE_SLIPPAGE"),
    ),
    Cause(
        "pipeline_generation",
        "Pipeline generation: not enough new pipeline to make the number",
        ("NEW_PIPELINE_LOW", "PIPELINE_COVERAGE_LOW", "ACTIVITY_LOW"),
    ),
    Cause(
        "closing", "Closing: deals are lost more often than they should be", ("WIN_RATE_LOW", "PRODUCT_WIN_RATE_LOW")
    ),
)
_BY_CODE = {code: cause for cause in CAUSES for code in cause.codes}


@dataclass
class Diagnosis:
    title: str
    cause: str  # the cause's key, "" for a single flag
    items: list = field(default_factory=list)  # the flags it stands for, the cause's own first
    deals: list[dict] = field(default_factory=list)  # distinct deals to open, in the items' order

    @property
    def lead(self):
        return self.items[0] if self.items else None


def diagnose(items: Sequence[ItemLike]) -> Diagnosis | None:
    """The one thing to discuss with a rep, from their topics in agenda order (None without a topic)."""
    if not items:
        return None
    groups: dict[str, list] = {}
    for item in items:
        cause = _BY_CODE.get(item.code)
        if cause is not None:
            groups.setdefault(cause.key, []).append(item)
    # The cause with the most flags wins; on a tie, the one whose first flag ranks higher on the agenda.
    best = max(groups.items(), key=lambda pair: (len(pair[1]), -items.index(pair[1][0])), default=None)
    if best is None or len(best[1]) < 2:
        return Diagnosis(items[0].title, "", [items[0]], _deals([items[0]]))
    cause = next(c for c in CAUSES if c.key == best[0])
    members = sorted(best[1], key=lambda item: cause.codes.index(item.code))
    deals = _deals(members)
    # Each flag names at most a few deals and says how many more; the distinct ones named or the largest
    # flag's total, whichever is more, is a floor on how many deals are concerned.
    count = max([len(deals), *(len(item.deals or []) + _more(item) for item in members)])
    title = cause.title.format(deals=f"{count} deal{'' if count == 1 else 's'}" if count else "deals")
    return Diagnosis(title, cause.key, members, deals)


def lead_with_causes(items: list) -> list:
    """The rep's topics in agenda order, except that flags of one cause take the places they hold in the
    cause's own order: "new pipeline" before "customer touches" when both are on the agenda, whichever
    ranked higher. Topics of no cause, and causes with one flag, keep their places."""
    groups: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        cause = _BY_CODE.get(item.code)
        if cause is not None:
            groups.setdefault(cause.key, []).append(index)
    ordered = list(items)
    for key, places in groups.items():
        if len(places) < 2:
            continue
        codes = next(c for c in CAUSES if c.key == key).codes
        members = sorted((items[i] for i in places), key=lambda item: codes.index(item.code))
        for place, item in zip(places, members, strict=True):
            ordered[place] = item
    return ordered


def _deals(items: Sequence[ItemLike]) -> list[dict]:
    seen: dict[str, dict] = {}
    for item in items:
        for deal in item.deals or []:
            seen.setdefault(deal.get("sf_id") or deal.get("name"), deal)
    return list(seen.values())


def _more(item) -> int:
    details = getattr(item, "details", None) or {}
    return int(details.get("more_deals") or 0)
