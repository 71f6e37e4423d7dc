"""Building a week's agendas for a whole org: load once, plan each manager in memory, save in bulk.

``build_week`` is what the command, the Celery task and a post-sync rebuild call; ``build_agendas`` is the
plain function the delivery layer calls. Building the same week again after a new sync updates each
agenda's content and keeps the manager's statuses, notes and commitments (``persist``).
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from coachapp.errors import InvalidInput
from coaching.agendas.effects import measure_effects
from coaching.agendas.inputs import load_week
from coaching.agendas.persist import save_plans
from coaching.agendas.plan import AgendaPlan, plan_agenda
from coaching.calibration.holdout import record as record_held_out
from coaching.calibration.measure import measure_leading
from coaching.models import Agenda
from coaching.weeks import require_monday
from crm.models import Org


@dataclass
class BuildSummary:
    org: Org
    week_start: date
    agendas: list[Agenda] = field(default_factory=list)
    reps: int = 0
    topics: int = 0
    team_topics: int = 0
    follow_ups: int = 0
    snoozed: int = 0
    orphan_reps: int = 0
    unassigned_gaps: int = 0
    effects_measured: int = 0
    over_time: int = 0  # reps whose 1:1 estimate still exceeds its length

    def lines(self) -> list[str]:
        lines = [
            f"{self.org.name}, week of {self.week_start.isoformat()}: {len(self.agendas)} agendas for "
            f"{self.reps} reps; {self.topics} 1:1 topics, {self.team_topics} team topics, "
            f"{self.follow_ups} follow-ups."
        ]
        if self.snoozed:
            lines.append(f"{self.snoozed} snoozed gaps left out.")
        if self.effects_measured:
            lines.append(f"{self.effects_measured} coaching effects measured.")
        if self.orphan_reps:
            lines.append(
                f"{self.orphan_reps} reps have no active manager in the CRM and no agenda: fix their Manager field."
            )
        if self.unassigned_gaps:
            lines.append(f"{self.unassigned_gaps} gaps belong to people on no frontline team and were left out.")
        if self.over_time:
            lines.append(f"{self.over_time} reps need more than their manager's 1:1 length even with one topic.")
        return lines


def build_agendas(org: Org, week_start: date) -> list[Agenda]:
    """Build (or rebuild) every frontline manager's agenda of one org for the ISO week starting on Monday."""
    return build_week(org, week_start).agendas


def build_week(org: Org, week_start: date, *, today: date | None = None) -> BuildSummary:
    if not isinstance(org, Org):
        raise InvalidInput(f"org must be an Org, got {org!r}")
    require_monday(week_start)
    today = today or timezone.now().date()
    with transaction.atomic():
        # One build of an org at a time (PostgreSQL): the beat task and an on-demand rebuild queue up here.
        list(Org.objects.select_for_update().filter(pk=org.pk).values_list("pk", flat=True))
        inputs = load_week(org, week_start)
        plans = [plan_agenda(team, inputs) for team in inputs.chart.teams.values()]
        agendas = save_plans(org, week_start, plans, timezone.now())
        record_held_out(org.pk, week_start, inputs.held_out)
        measure_leading(org.pk, week_start, today)
        measured = measure_effects(org, week_start, today)
    return _summary(org, week_start, plans, agendas, inputs, measured)


def _summary(org, week_start, plans: list[AgendaPlan], agendas, inputs, measured: int) -> BuildSummary:
    return BuildSummary(
        org=org,
        week_start=week_start,
        agendas=agendas,
        reps=sum(len(plan.reps) for plan in plans),
        topics=sum(len(rep.topics) for plan in plans for rep in plan.reps),
        team_topics=sum(len(plan.team_items) for plan in plans),
        follow_ups=sum(len(rep.follow_ups) for plan in plans for rep in plan.reps)
        + sum(len(plan.team_follow_ups) for plan in plans),
        snoozed=len(inputs.snoozed),
        orphan_reps=len(inputs.chart.orphans),
        unassigned_gaps=inputs.unassigned_gaps,
        effects_measured=measured,
        over_time=sum(1 for plan in plans for rep in plan.reps if rep.minutes > plan.one_on_one_minutes),
    )
