"""An agenda as plain text: docs/sample-agenda.txt and the text part of the weekly e-mail digest.

Order follows a good 1:1 week: the team meeting (trends, shared topics), what came of earlier coaching,
the commitments still open, then each rep's 1:1 — opening with something to recognise, then last week's
loose ends, then at most three focus topics with their numbers, a question, a next action and the deals.
"""

from datetime import date

from coachapp.errors import InvalidInput
from coaching.agendas.lookup import AgendaView, load_view
from coaching.agendas.rotation import family_label
from coaching.agendas.units import difference, metric_label, metric_value, money
from coaching.calibration.wording import effect_words
from coaching.models import Agenda, AgendaItem, CoachingEffect, Commitment

WIDTH_RULE = 78
# A metric discussed this many times without moving calls for another approach, and the agenda says so.
STUCK_AFTER_TALKS = 3
_STATUS: dict[str, str] = {
    AgendaItem.Status.DISCUSSED: "discussed",
    AgendaItem.Status.DEFERRED: "deferred",
    AgendaItem.Status.DISMISSED: "dismissed",
}


def render_agenda_text(agenda: Agenda) -> str:
    if not isinstance(agenda, Agenda) or not agenda.pk:
        raise InvalidInput(f"agenda must be a saved Agenda, got {agenda!r}")
    view = load_view(agenda)
    lines: list[str] = []
    _header(view, lines)
    _team(view, lines)
    _effects(view, lines)
    _commitments(view, None, lines, heading="COMMITMENTS (yours and the team's)")
    for rep in agenda.content.get("reps", []):
        _rep(view, rep, lines)
    notes = view.notes_of(None)
    if notes:
        lines += ["", "NOTES"]
        lines += [f"  - {note.text}" for note in notes]
    return "\n".join(lines).rstrip() + "\n"


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _short(day: date) -> str:
    return f"{day.day} {day:%b}"


def _header(view: AgendaView, lines: list[str]) -> None:
    agenda = view.agenda
    content = agenda.content
    reps = content.get("reps", [])
    totals = content.get("totals", {})
    lines.append(f"Coaching agenda for {view.name(agenda.manager_sf_id)}, week of {_day(agenda.week_start)}")
    lines.append(
        f"{len(reps)} reps, 1:1s of {agenda.one_on_one_minutes} min "
        f"(about {totals.get('one_on_one_minutes', 0)} min planned in all); "
        f"team meeting about {content.get('team', {}).get('minutes', 0)} min."
    )
    lines.append(f"Built {agenda.built_at:%d %b %Y %H:%M} UTC from the latest CRM data.")
    if content.get("no_longer_frontline"):
        lines.append("Note: this manager no longer leads a frontline team in the CRM; this agenda is kept as it was.")
    lines.append("=" * WIDTH_RULE)


def _team(view: AgendaView, lines: list[str]) -> None:
    team = view.agenda.content.get("team", {})
    topics = view.items_of(AgendaItem.Kind.TEAM)
    follow_ups = view.items_of(AgendaItem.Kind.FOLLOW_UP, "")
    trends = team.get("trends", [])
    lines += ["", f"TEAM MEETING (about {team.get('minutes', 0)} min)"]
    if trends:
        lines.append("  This week vs last week:")
        for trend in trends:
            metric = trend["metric"]
            before, now = trend["last_week"], trend["this_week"]
            moved = {"better": "better", "worse": "worse", "flat": "steady"}.get(trend.get("direction") or "", "")
            lines.append(
                f"    {metric_label(metric):<26} {metric_value(metric, before):>10} -> {metric_value(metric, now):<10}"
                f" {difference(metric, before, now):>9}  {moved}".rstrip()
            )
    if not topics and not follow_ups:
        lines.append("  No gap is shared by three or more reps this week: keep the meeting for wins and pipeline.")
    for item in topics:
        lines.append("")
        _item(view, item, lines, label=f"  Team topic {item.position}:")
    for item in follow_ups:
        _follow_up(view, item, lines, indent="  ")
    for held in team.get("also_shared", []):
        lines.append(f"  Also shared: {held['title']} ({held['reason']})")


def _effects(view: AgendaView, lines: list[str]) -> None:
    shown = view.effects_shown()
    if not shown:
        return
    lines += ["", "COACHING EFFECT (what moved after earlier conversations)"]
    for effect in shown:
        lines.append("  " + _effect_line(view, effect))


def _effect_line(view: AgendaView, effect: CoachingEffect) -> str:
    item = effect.item
    who = view.first_name(item.person_sf_id) if item.person_sf_id else "Team"
    words = effect_words(effect, item.code)
    when = f"discussed week of {_short(item.agenda.week_start)}"
    mark = {"moved": "[+]", "worse": "[-]", "flat": "[=]"}.get(words.verdict, "[?]")
    line = f"{mark} {who}, {words.label} ({when}): {words.text}"
    talks = view.discussions.get((item.person_sf_id, effect.metric), [])
    if words.verdict in ("flat", "worse") and len(talks) >= STUCK_AFTER_TALKS:
        line += f"; {len(talks)} talks since {_short(talks[0])}: try a different angle (a joint call, a peer)"
    return line


def _commitments(view: AgendaView, person: str | None, lines: list[str], *, heading: str, indent: str = "  ") -> None:
    commitments = view.commitments_of(person)
    if not commitments:
        return
    lines += ["", heading] if person is None else [f"{indent}Commitments:"]
    inner = indent + ("" if person is None else "  ")
    for commitment in commitments:
        lines.append(f"{inner}- {_commitment_line(view, commitment)}")


def _commitment_line(view: AgendaView, commitment: Commitment) -> str:
    week = view.agenda.week_start
    status = commitment.status
    if status == Commitment.Status.OPEN and commitment.due_date < week:
        status = "open, overdue"
    carried = (
        f", from the week of {_short(commitment.agenda.week_start)}" if commitment.agenda_id != view.agenda.pk else ""
    )
    return (
        f"[{status}] {view.first_name(commitment.owner_sf_id)}: {commitment.text} "
        f"(due {_short(commitment.due_date)}{carried})"
    )


def _rep(view: AgendaView, rep: dict, lines: list[str]) -> None:
    sf_id = rep["sf_id"]
    limit = view.agenda.one_on_one_minutes
    over = " - over the 1:1 length" if rep.get("minutes", 0) > limit else ""
    lines += [
        "",
        "-" * WIDTH_RULE,
        f"1:1 WITH {rep['name'].upper()} (about {rep.get('minutes', 0)} of {limit} min{over})",
    ]
    for item in view.items_of(AgendaItem.Kind.STRENGTH, sf_id):
        lines.append("")
        _item(view, item, lines, label="  Recognise:")
    follow_ups = view.items_of(AgendaItem.Kind.FOLLOW_UP, sf_id)
    if follow_ups:
        lines += ["", "  From last week:"]
        for item in follow_ups:
            _follow_up(view, item, lines, indent="    ")
    _commitments(view, sf_id, lines, heading="", indent="  ")
    topics = view.items_of(AgendaItem.Kind.GAP, sf_id)
    if not topics:
        lines += ["", "  No gap flagged this week: ask what is going well and where they want help."]
    for item in topics:
        lines.append("")
        label = f"  Focus {item.position}:" if item.is_current else "  No longer flagged (kept: you worked on it):"
        _item(view, item, lines, label=label)
    for title in rep.get("in_team_session", []):
        lines.append(f"  In the team meeting: {title}")
    for held in rep.get("held_back", []):
        lines.append(f"  Held back: {held['title']} ({held['reason']})")


def _item(view: AgendaView, item: AgendaItem, lines: list[str], *, label: str) -> None:
    family = f" [{family_label(item.family).lower()}]" if item.family and item.kind != AgendaItem.Kind.STRENGTH else ""
    lines.append(f"{label} {item.title}{family}{_status(item)}")
    pad = " " * 4
    carried = item.details.get("carried")
    if carried:
        lines.append(f"{pad}Carried over: {'deferred' if carried == 'deferred' else 'not reached'} last week.")
    for line in item.evidence:
        lines.append(f"{pad}{line}")
    note = item.details.get("rotation_note")
    if note:
        lines.append(f"{pad}Rotation: {note}.")
    if item.question:
        lines.append(f"{pad}Ask: {item.question}")
    if item.action:
        lines.append(f"{pad}Next: {item.action}")
    if item.deals:
        about = item.details.get("deals_are")
        lines.append(f"{pad}Deals to look at ({about}):" if about else f"{pad}Deals to look at:")
        for deal in item.deals:
            lines.append(f"{pad}  - {_deal_line(deal)}")
        more = item.details.get("more_deals") or 0
        if more:
            lines.append(f"{pad}  - and {more} more")
    for note in view.notes_of(item):
        lines.append(f"{pad}Note: {note.text}")
    for commitment in view.commitments:
        if commitment.item_id == item.pk and commitment.agenda_id == view.agenda.pk:
            lines.append(f"{pad}Committed: {_commitment_line(view, commitment)}")


def _follow_up(view: AgendaView, item: AgendaItem, lines: list[str], *, indent: str) -> None:
    still = "still flagged" if item.details.get("still_flagged") else "no longer flagged"
    lines.append(f"{indent}- {item.title}{_status(item)}")
    for line in item.evidence:
        lines.append(f"{indent}  {line}; {still}.")
    lines.append(f"{indent}  {item.action}")
    for note in view.notes_of(item):
        lines.append(f"{indent}  Note: {note.text}")


def _status(item: AgendaItem) -> str:
    status = _STATUS.get(item.status)
    if not status:
        return ""
    reason = f": {item.status_reason}" if item.status_reason else ""
    return f"  <{status}{reason}>"


def _deal_line(deal: dict) -> str:
    parts = [deal.get("name") or deal.get("sf_id", "")]
    if deal.get("amount") is not None:
        parts.append(money(deal["amount"]))
    if deal.get("stage"):
        parts.append(deal["stage"])
    if deal.get("close_date"):
        parts.append(f"closes {_short(date.fromisoformat(deal['close_date']))}")
    text = ", ".join(parts)
    return f"{text} <{deal['url']}>" if deal.get("url") else f"{text} ({deal.get('sf_id', '')})"
