"""One diagnosis per rep: flags that share a cause are read as that cause, led by it.

A rep with stale deals, overdue close dates, stalled deals and deals without a next step does not have four
problems: the same deals look dead. Low activity, low coverage and little new pipeline are one problem:
pipeline generation, and new pipeline is the cause the others follow from. A low win rate and a low win rate
on one product are one closing topic. This module holds the table of causes; the agenda engine groups a
rep's flags by it before choosing topics (``coaching.agendas.diagnoses``), and ``diagnose`` reads the result
for the to-do list and the digest.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol


class ItemLike(Protocol):
    code: str
    title: str
    deals: list
    details: dict


@dataclass(frozen=True)
class Cause:
    key: str
    title: str  # a sentence with {deals} (how many distinct deals are named) or {lead} (the cause's own title)
    codes: tuple[str, ...]  # the flags it explains, the cause itself first
    question: str = ""
    action: str = ""

    @property
    def item_code(self) -> str:
        """The code slot of its agenda items' key: one key per rep and cause, whichever flags are in it."""
        return self.key.upper()


CAUSES = (
    Cause(
        "dead_deals",
        "These {deals} look dead: close them or re-date them with the buyer",
        ("STALE_DEALS", "FORECAST_OVERDUE", "STAGE_STALL", "NO_NEXT_STEP", "CLOSE_DATE_SLIPPAGE"),
        question="Which of these deals has a buyer who would take your call this week, and which are you keeping "
        "for the number?",
        action="Go through the deals below together: close each as lost, or agree a dated next step and a close "
        "date the buyer has confirmed.",
    ),
    Cause(
        "pipeline_generation",
        "Pipeline generation: {lead}",
        ("NEW_PIPELINE_LOW", "PIPELINE_COVERAGE_LOW", "ACTIVITY_LOW"),
        question="Where does next quarter's number come from if little new pipeline opens? What takes the time "
        "that prospecting should get?",
        action="Block two prospecting sessions this week and list five accounts with a reason to buy now; aim to "
        "open one new deal before we next meet.",
    ),
    Cause(
        "closing",
        "Closing: {lead}",
        ("WIN_RATE_LOW", "PRODUCT_WIN_RATE_LOW"),
        question="Of the deals you lost lately, where did they turn, and was it the same stage or product each time?",
        action="Walk through the last two lost deals stage by stage and agree one change for the next deal at "
        "that stage.",
    ),
)
_BY_CODE = {code: cause for cause in CAUSES for code in cause.codes}


def cause_of(code: str) -> Cause | None:
    """The cause a gap code is read as, if any."""
    return _BY_CODE.get(code)


@dataclass
class Diagnosis:
    title: str
    cause: str  # the cause's key when two or more flags share it, "" for a single flag
    items: list = field(default_factory=list)  # the agenda item that holds it
    deals: list[dict] = field(default_factory=list)  # the deals to open
    flags: list[str] = field(default_factory=list)  # the titles of the flags it stands for, the cause's own first

    @property
    def lead(self):
        return self.items[0] if self.items else None


def diagnose(items: Sequence[ItemLike]) -> Diagnosis | None:
    """The one thing to discuss with a rep: their first topic in agenda order (None without a topic).

    The engine already made each topic one diagnosis (``coaching.agendas.diagnoses``): flags sharing a
    cause are one item whose ``details["members"]`` keep each flag's own title and evidence.
    """
    if not items:
        return None
    top = items[0]
    details = getattr(top, "details", None) or {}
    members = [member for member in details.get("members") or [] if isinstance(member, dict)]
    cause = str(details.get("cause") or "") if len(members) > 1 else ""
    return Diagnosis(top.title, cause, [top], list(top.deals or []), [str(m.get("title", "")) for m in members])
