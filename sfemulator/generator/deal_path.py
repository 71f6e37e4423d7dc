"""The life of one deal as a list of snapshots: each a change of stage, amount or close date.

A deal's fate (won, or lost at some stage) and its cycle length are decided up front; the path then walks
the stages (skipping some, sometimes falling back), and time runs out at the horizon for deals still open.
Close dates start optimistic and get pushed when they pass - promptly by disciplined reps, late or never
by others, which leaves open deals past their close date. Amounts start as a rough estimate, become the
products' list total less the quoted discount once products are added (Value Proposition), and drop to
the negotiated discount in Negotiation.
"""

from dataclasses import dataclass
from random import Random

from sfemulator.generator.picklists import (
    LOST,
    NEGOTIATION,
    PROSPECTING,
    QUALIFICATION,
    VALUE_PROPOSITION,
    WON,
)
from sfemulator.generator.timeline import DAY, HOUR, month_end, weekday, work_time
from sfemulator.generator.traits import RepTraits


@dataclass(frozen=True)
class Snapshot:
    ts: int
    stage: int
    amount_cents: int | None
    close_day: int


@dataclass(frozen=True)
class DealPlan:
    created: int
    horizon: int  # the org's now, or the day the owner left
    won: bool
    loss_stage: int
    cycle_days: float
    estimate_cents: int | None
    quoted_cents: int
    final_cents: int
    offset: int  # the owner's UTC offset, hours
    abandon_at_horizon: bool = False  # the owner left: whatever is open gets closed lost soon after
    goes_dark: bool = False  # a lost deal nobody closes: it stays open, untouched, its close date passing
    # Outcome wiring (wiring.py): the close-date behaviours the deal shows; None: close dates as usual.
    wired: frozenset[str] | None = None


@dataclass
class DealLife:
    snapshots: list[Snapshot]
    products_at: int | None = None  # when line items were added
    negotiated_at: int | None = None  # when the negotiated discount replaced the quoted one
    dark_since: int | None = None  # when the rep stopped working a deal they never closed

    @property
    def last(self) -> Snapshot:
        return self.snapshots[-1]

    @property
    def is_closed(self) -> bool:
        return self.last.stage in (WON, LOST)


def stage_path(rng: Random, won: bool, loss_stage: int, regression: float) -> list[int]:
    start = PROSPECTING if rng.random() < 0.8 else QUALIFICATION
    last = NEGOTIATION if won else max(start, loss_stage)
    stages = [start] + [stage for stage in range(start + 1, last + 1) if stage == last or rng.random() > 0.2]
    if len(stages) >= 3 and rng.random() < regression:
        index = rng.randrange(2, len(stages))
        current = stages[index]
        back = max(start, current - rng.choice((1, 1, 2)))
        if back < current:
            stages = [*stages[: index + 1], back, current, *stages[index + 1 :]]
    stages.append(WON if won else LOST)
    return stages


class _Walk:
    def __init__(self, rng: Random, traits: RepTraits, plan: DealPlan) -> None:
        self.rng, self.traits, self.plan = rng, traits, plan
        self.life = DealLife(snapshots=[])
        self.planned_close = plan.created + int(plan.cycle_days * DAY)

    def local_day(self, ts: int) -> int:
        return (ts + self.plan.offset * HOUR) // DAY

    def at_work(self, ts: int, previous: int) -> int:
        """The business-hours moment on the local day of ``ts`` (weekends move to Monday), after ``previous``."""
        day = self.local_day(ts)
        if weekday(day) >= 5:
            day += 7 - weekday(day)
        moment = work_time(self.rng, day, self.plan.offset)
        return moment if moment > previous + 300 else previous + self.rng.randint(600, 4 * HOUR)

    def estimate_close(self, ts: int) -> int:
        """A close date as the rep would set it at ``ts``: too early by their optimism, often a month end."""
        wired = self.plan.wired
        if wired is not None:
            # Wired: the first close date passes mid-deal only for an "overdue" deal, else lies well ahead.
            span = self.planned_close - self.plan.created
            target = self.plan.created + int(0.4 * span) if "overdue" in wired else self.planned_close + 60 * DAY
            return self.local_day(target)
        remaining = max(7.0, (self.planned_close - ts) / DAY) * (1.0 - 0.75 * self.traits.optimism)
        day = self.local_day(ts) + max(5, round(remaining * self.rng.uniform(0.8, 1.2)))
        return month_end(day) if self.rng.random() < 0.5 else day

    def add(self, ts: int, stage: int, amount: int | None, close_day: int) -> None:
        self.life.snapshots.append(Snapshot(ts, stage, amount, close_day))

    def push_overdue(self, until: int) -> None:
        """Close-date pushes while the stage stands still, as the old date passes."""
        if self.plan.wired is not None:
            return  # wired: pushes come only from the "pushed" behaviour, at stage moves
        discipline = self.traits.discipline
        while True:
            last = self.life.last
            due = (last.close_day + 1) * DAY - self.plan.offset * HOUR
            if due >= until or self.rng.random() > 0.25 + 0.75 * discipline:
                return
            lag = self.rng.expovariate(1.0 / (1.0 + 20.0 * (1.0 - discipline)))
            moment = self.at_work(due + int(lag * DAY), max(last.ts, due))
            if moment >= until:
                return
            close_day = max(self.estimate_close(moment), self.local_day(moment) + 7)
            self.add(moment, last.stage, last.amount_cents, close_day)


def simulate(rng: Random, traits: RepTraits, plan: DealPlan) -> DealLife:
    walk = _Walk(rng, traits, plan)
    stages = stage_path(rng, plan.won, plan.loss_stage, traits.regression)
    if plan.goes_dark:
        stages.pop()
    weights = [rng.expovariate(1.0) + 0.3 for _ in stages[1:]]
    scale = plan.cycle_days * DAY / sum(weights) if weights else 0.0
    if rng.random() < traits.stall and len(weights) > 1:
        # A stall lengthens the deal: one stage takes several times its share.
        weights[rng.randrange(len(weights) - 1)] *= rng.uniform(4.0, 8.0)

    walk.add(plan.created, stages[0], plan.estimate_cents, walk.estimate_close(plan.created))
    planned = plan.created
    ran_out = False
    for stage, weight in zip(stages[1:], weights, strict=True):
        planned += int(weight * scale)
        if planned >= plan.horizon:
            ran_out = True
            break
        walk.push_overdue(planned)
        last = walk.life.last
        moment = walk.at_work(planned, last.ts)
        if moment >= plan.horizon:
            ran_out = True
            break
        amount = _amount_at(walk, stage, last.amount_cents, moment)
        if stage in (WON, LOST):
            close_day = walk.local_day(moment)
        elif plan.wired is not None:
            close_day = last.close_day
            if "pushed" in plan.wired and rng.random() < 0.6:
                close_day = max(last.close_day, walk.local_day(moment)) + rng.choice((14, 21, 30))
        elif last.close_day < walk.local_day(moment) + 3 and rng.random() < 0.25 + 0.75 * traits.discipline:
            close_day = max(walk.estimate_close(moment), walk.local_day(moment) + 7)
        elif rng.random() < 0.1:
            close_day = max(walk.local_day(moment) + 5, last.close_day + rng.choice((-10, 7, 14, 21)))
        else:
            close_day = last.close_day
        walk.add(moment, stage, amount, close_day)
    if plan.goes_dark and not ran_out:
        dark = walk.life.last.ts + int(rng.uniform(2, 20) * DAY)
        if dark < plan.horizon:
            walk.life.dark_since = dark
    if not walk.life.is_closed:
        walk.push_overdue(walk.life.dark_since or plan.horizon)
        if plan.abandon_at_horizon:
            # The owner left: their manager closes what was still open within a couple of weeks.
            last = walk.life.last
            moment = walk.at_work(plan.horizon + int(rng.uniform(1, 14) * DAY), last.ts)
            walk.add(moment, LOST, last.amount_cents, walk.local_day(moment))
    return walk.life


def _amount_at(walk: _Walk, stage: int, current: int | None, moment: int) -> int | None:
    life, plan = walk.life, walk.plan
    if stage == LOST:
        return current
    if life.products_at is None and stage >= VALUE_PROPOSITION:
        life.products_at = moment
        current = plan.quoted_cents
    if life.negotiated_at is None and stage in (NEGOTIATION, WON):
        life.negotiated_at = moment
        if life.products_at is None:
            life.products_at = moment
        return plan.final_cents
    if life.products_at is None and current is not None and walk.rng.random() < 0.08:
        return int(round(current * walk.rng.uniform(0.8, 1.25), -5))
    return current
