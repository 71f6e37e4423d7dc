"""One manager's agenda for one week, planned in memory from the week's inputs (no queries).

Per rep: the gaps are grouped and ranked (``ranking``), dismissed ones stay out, gaps three or more reps
share go to the team meeting (``team``), a rep's flags that share a cause become one diagnosis
(``diagnoses``), rotation rests a family coached two weeks running (``rotation``),
the best three remain, then the strength to recognise (``peers``), last week's unfinished items
(``followups``) and the fit to the 1:1 length (``sizing``).
"""

from dataclasses import dataclass, field
from datetime import date

from coaching.agendas.diagnoses import group_by_cause, topic_item
from coaching.agendas.followups import follow_up_items, last_agenda
from coaching.agendas.inputs import WeekInputs
from coaching.agendas.items import PlannedItem, first_name, strength_item, team_item, week_label
from coaching.agendas.peers import learners_for, peer_hint, pick_strength, strengths_by_metric, teacher_for
from coaching.agendas.ranking import Candidate, candidates_for, item_key, typical_stake
from coaching.agendas.rotation import rotate
from coaching.agendas.sizing import fit_to_time, item_minutes, team_minutes
from coaching.agendas.team import TeamTopic, TeamTopics, Trend, team_topics
from coaching.agendas.teams import PersonRow, Team
from coaching.agendas.units import metric_label
from coaching.models import AgendaItem

MAX_TOPICS_PER_REP = 3
# Open gaps below the three shown, named in one line each so that nothing is hidden without a word.
LOWER_SHOWN = 2
# A dismissed gap comes back within the dismissal memory only if its severity rose by this much.
DISMISS_COMEBACK = 0.2


@dataclass(frozen=True)
class HeldBack:
    title: str
    reason: str

    def as_json(self) -> dict:
        return {"title": self.title, "reason": self.reason}


@dataclass
class RepPlan:
    rep: PersonRow
    topics: list[PlannedItem] = field(default_factory=list)
    strength: PlannedItem | None = None
    follow_ups: list[PlannedItem] = field(default_factory=list)
    held_back: list[HeldBack] = field(default_factory=list)
    in_team_session: list[str] = field(default_factory=list)
    open_commitments: int = 0
    minutes: int = 0

    def items(self) -> list[PlannedItem]:
        return [*self.topics, *([self.strength] if self.strength else []), *self.follow_ups]


@dataclass
class AgendaPlan:
    team: Team
    week_start: date
    one_on_one_minutes: int
    reps: list[RepPlan]
    team_items: list[PlannedItem]
    team_follow_ups: list[PlannedItem]
    also_shared: list[HeldBack]
    trends: list[Trend]
    team_minutes: int
    snoozed: int = 0

    def items(self) -> list[PlannedItem]:
        return [*self.team_items, *self.team_follow_ups, *(item for rep in self.reps for item in rep.items())]

    def content(self) -> dict:
        return {
            "manager": {"sf_id": self.team.manager.sf_id, "name": self.team.manager.name},
            "reps": [
                {
                    "sf_id": plan.rep.sf_id,
                    "name": plan.rep.name,
                    "minutes": plan.minutes,
                    "held_back": [held.as_json() for held in plan.held_back],
                    "in_team_session": plan.in_team_session,
                    "open_commitments": plan.open_commitments,
                }
                for plan in self.reps
            ],
            "team": {
                "minutes": self.team_minutes,
                "also_shared": [held.as_json() for held in self.also_shared],
                "trends": [trend.as_json() for trend in self.trends],
            },
            "snoozed": self.snoozed,
            "totals": {
                "reps": len(self.reps),
                "topics": sum(len(plan.topics) for plan in self.reps),
                "one_on_one_minutes": sum(plan.minutes for plan in self.reps),
            },
        }


def plan_agenda(team: Team, inputs: WeekInputs) -> AgendaPlan:
    history = inputs.history
    manager = team.manager_sf_id
    gaps = [gap for rep in team.reps for gap in inputs.gaps_by_person.get(rep.sf_id, [])]
    fallback = typical_stake(gaps)
    gap_candidates = candidates_for([gap for gap in gaps if not gap.is_strength], fallback)
    strengths = candidates_for([gap for gap in gaps if gap.is_strength], fallback)
    by_metric = strengths_by_metric(strengths)

    candidates, dismissed = _without_dismissed(gap_candidates, inputs, manager)
    topics = team_topics(candidates, manager, history)
    _rest_dismissed_topics(topics, inputs, manager)
    # Only the reps in a team topic leave its gap to the meeting: a fourth rep with the same code on another
    # product (or a rep beyond the shared group) keeps it in their 1:1.
    shared = {(m.person_sf_id, m.code) for topic in topics.shown + topics.also_shared for m in topic.members}
    last = last_agenda(history, manager)
    carried = last.by_key()
    deferred = last.deferred_keys

    rep_plans = []
    for rep in team.reps:
        plan = RepPlan(rep=rep, held_back=list(dismissed.get(rep.sf_id, [])))
        mine = [c for c in candidates if c.person_sf_id == rep.sf_id and (c.person_sf_id, c.code) not in shared]
        ordered = rotate(group_by_cause(mine), history, deferred)
        for candidate in [c for c in ordered if not c.rested][:MAX_TOPICS_PER_REP]:
            teacher = teacher_for(candidate, by_metric, team.rep_ids)
            hint = peer_hint(first_name(inputs, teacher)) if teacher else ""
            item = topic_item(candidate, inputs, peer_hint=hint)
            before = next((carried[key] for key in candidate.keys if key in carried), None)
            item.carried_from_id = before.id if before else None
            if before:
                item.details["carried"] = before.status
            plan.topics.append(item)
        plan.held_back += [HeldBack(_title(c, inputs), c.rotation_note) for c in ordered if c.rested][:2]
        waiting = [c for c in ordered if not c.rested][MAX_TOPICS_PER_REP:]
        plan.held_back += [HeldBack(_title(c, inputs), "lower priority this week") for c in waiting][:LOWER_SHOWN]
        strength = pick_strength([c for c in strengths if c.person_sf_id == rep.sf_id], history)
        if strength is not None:
            plan.strength = strength_item(strength, inputs, learners_for(strength, gap_candidates, team.rep_ids))
        plan.in_team_session = [topic.code for topic in topics.shown if rep.sf_id in topic.person_ids]
        rep_plans.append(plan)

    team_items = []
    for topic in topics.shown:
        teachers = [c.person_sf_id for c in by_metric.get(topic.metric, []) if c.person_sf_id not in topic.person_ids]
        team_items.append(team_item(topic, len(team.reps), inputs, teachers[:2]))
    titles = {item.code: item.title for item in team_items}
    for plan in rep_plans:
        plan.in_team_session = [titles[code] for code in plan.in_team_session]

    current = {key for plan in rep_plans for item in plan.topics for key in [item.key, *item.aliases]}
    current |= {item.key for item in team_items}
    flagged = {(gap.person_sf_id, gap.code) for gap in gaps}
    snoozed = {(gap.person_sf_id, gap.code) for gap, _ in inputs.snoozed if gap.person_sf_id in team.rep_ids}
    follow_ups = follow_up_items(last, current, flagged, snoozed)
    for follow_up in follow_ups:
        for plan in rep_plans:
            if plan.rep.sf_id == follow_up.person_sf_id:
                plan.follow_ups.append(follow_up)
    team_follow_ups = [item for item in follow_ups if not item.person_sf_id]

    limit = inputs.one_on_one_minutes(manager)
    for plan in rep_plans:
        plan.open_commitments = inputs.open_commitments(manager, plan.rep.sf_id)
        others = [*([plan.strength] if plan.strength else []), *plan.follow_ups]
        kept, held, plan.minutes = fit_to_time(plan.topics, others, plan.open_commitments, limit)
        plan.topics = kept
        plan.held_back += [HeldBack(item.title, f"not enough time in a {limit}-minute 1:1") for item in held]
        _number(plan.topics, start=1)
        _number(plan.follow_ups, start=1)

    _number(team_items, start=1)
    for item in team_items + team_follow_ups:
        item.minutes = item_minutes(item)
    trends = inputs.trends.get(manager, [])
    also = [HeldBack(_topic_title(t, inputs), t.rest_note) for t in topics.also_shared]
    return AgendaPlan(
        team=team,
        week_start=inputs.week_start,
        one_on_one_minutes=limit,
        reps=rep_plans,
        team_items=team_items,
        team_follow_ups=team_follow_ups,
        also_shared=also,
        trends=trends,
        team_minutes=team_minutes(len(team_items), bool(trends)),
        snoozed=len(snoozed),
    )


def _without_dismissed(
    candidates: list[Candidate], inputs: WeekInputs, manager: str
) -> tuple[list[Candidate], dict[str, list[HeldBack]]]:
    """Leave out gaps the manager dismissed, while they are the same episode and not clearly worse."""
    kept: list[Candidate] = []
    held: dict[str, list[HeldBack]] = {}
    for candidate in candidates:
        past = next((inputs.dismissed[(manager, k)] for k in candidate.keys if (manager, k) in inputs.dismissed), None)
        if past is not None and candidate.lead.first_week <= past.week_start:  # the same episode
            if candidate.severity < past.severity + DISMISS_COMEBACK:
                reason = f"dismissed in the week of {week_label(past.week_start)}: {past.status_reason}"
                mine = held.setdefault(candidate.person_sf_id, [])
                if HeldBack(past.title, reason) not in mine:  # the flags of one dismissed cause: said once
                    mine.append(HeldBack(past.title, reason))
                continue
            candidate.rotation_note = "back after a dismissal: it has grown clearly worse"
        kept.append(candidate)
    return kept, held


def _rest_dismissed_topics(topics: TeamTopics, inputs: WeekInputs, manager: str) -> None:
    """A team topic the manager dismissed stays off the meeting on the same terms as a rep's gap."""
    for topic in list(topics.shown):
        past = inputs.dismissed.get((manager, item_key(AgendaItem.Kind.TEAM, topic.code)))
        if past is None or topic.severity >= past.severity + DISMISS_COMEBACK:
            continue
        if all(member.lead.first_week <= past.week_start for member in topic.members):
            topics.shown.remove(topic)
            topic.rest_note = f"dismissed in the week of {week_label(past.week_start)}: {past.status_reason}"
            topics.also_shared.append(topic)


def _title(candidate: Candidate, inputs: WeekInputs) -> str:
    return topic_item(candidate, inputs).title


def _topic_title(topic: TeamTopic, inputs: WeekInputs) -> str:
    label = metric_label(topic.metric) if topic.metric else topic.code
    return f"{label}: " + ", ".join(first_name(inputs, c.person_sf_id) for c in topic.members)


def _number(items: list[PlannedItem], start: int) -> None:
    for position, item in enumerate(items, start=start):
        item.position = position
