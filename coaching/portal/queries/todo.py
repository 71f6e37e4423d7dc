"""The first screen: this week's 1:1s as a to-do list.

One row per rep: the one diagnosis to discuss (``coaching.agendas.causes``), the deals to open, what was
promised last time (the rep's open commitments and last week's follow-ups), and whether the 1:1 is handled.
A 1:1 is handled once none of its items is left open (each discussed, deferred or dismissed); a rep with
nothing on the agenda has nothing to handle and is listed last. "Why" is the item's evidence in a
manager's words and what makes it the one to discuss, never the ranking arithmetic.
"""

from dataclasses import dataclass

from coaching.agendas.causes import Diagnosis, diagnose
from coaching.agendas.units import money
from coaching.models import AgendaItem, Commitment
from coaching.portal.queries.agenda import AgendaPage, ItemCard, RepSection

OPEN = AgendaItem.Status.OPEN


@dataclass
class TodoRow:
    rep: RepSection
    diagnosis: Diagnosis | None
    first_name: str

    @property
    def cards(self) -> list[ItemCard]:
        return self.rep.cards

    @property
    def has_work(self) -> bool:
        return bool(self.cards)

    @property
    def handled(self) -> bool:
        return self.has_work and all(card.item.status != OPEN for card in self.cards)

    @property
    def open_items(self) -> int:
        return sum(1 for card in self.cards if card.item.status == OPEN)

    @property
    def title(self) -> str:
        if self.diagnosis is not None:
            return self.diagnosis.title
        if self.rep.follow_ups:
            return self.rep.follow_ups[0].item.title
        if self.rep.strengths:
            return f"Recognise: {self.rep.strengths[0].item.title}"
        return "Nothing flagged: ask what is going well and where they want help"

    @property
    def deals(self) -> list[dict]:
        return self.diagnosis.deals[:3] if self.diagnosis else []

    @property
    def promised(self) -> list[str]:
        """What was promised last time: open commitments about this rep, and last week's follow-ups."""
        promises = [_commitment_line(commitment) for commitment in self.rep.commitments]
        promises += [_commitment_line(c) for card in self.rep.cards for c in card.commitments if c.status == "open"]
        promises += [f"Follow up: {card.item.title}" for card in self.rep.follow_ups]
        return promises

    @property
    def why(self) -> list[str]:
        """The reasoning behind the diagnosis, as a manager would say it."""
        if self.diagnosis is None or self.diagnosis.lead is None:
            return []
        lines: list[str] = []
        if self.diagnosis.cause:
            flags = "; ".join(self.diagnosis.flags)
            lines.append(f"{len(self.diagnosis.flags)} flags on {self.first_name}'s agenda share one cause: {flags}.")
        lead = self.diagnosis.lead
        lines.extend(line for line in lead.evidence if not line.startswith("Rank score"))
        if lead.revenue_at_stake:
            lines.append(f"About {money(float(lead.revenue_at_stake))} of business depends on it.")
        if lead.position == 1 and len(self.rep.topics) > 1:
            lines.append(f"It comes first: of {self.first_name}'s flags, it puts the most business at risk.")
        if lead.details.get("carried"):
            lines.append("It was on last week's agenda and not reached.")
        return lines


@dataclass
class TodoList:
    rows: list[TodoRow]

    @property
    def to_handle(self) -> list[TodoRow]:
        return [row for row in self.rows if row.has_work]

    @property
    def handled(self) -> int:
        return sum(1 for row in self.rows if row.handled)

    @property
    def total(self) -> int:
        return len(self.to_handle)

    @property
    def count_text(self) -> str:
        return f"{self.handled} of {self.total} handled"


def todo_list(page: AgendaPage, rep_filter: str = "") -> TodoList:
    rows = []
    for rep in page.reps:
        if rep_filter and rep.sf_id != rep_filter:
            continue
        topics = [card.item for card in rep.topics]
        rows.append(TodoRow(rep=rep, diagnosis=diagnose(topics), first_name=page.view.first_name(rep.sf_id)))
    # Still to do first, then handled, then the 1:1s with nothing flagged; the agenda's order within each.
    rows.sort(key=lambda row: (not row.has_work, row.handled))
    return TodoList(rows)


def _commitment_line(commitment: Commitment) -> str:
    return f"{commitment.text} (by {commitment.due_date:%d %b})".replace("(by 0", "(by ")
