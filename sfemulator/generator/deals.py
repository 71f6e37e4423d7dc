"""A rep's opportunities with their history, line items, contact roles and activities.

Deals are created month by month (a rep's pipeline trait, ramp-up after hiring), on accounts of the
rep's book. Whether a deal is won depends on the rep's skill, the segment and industry, and whether the
account already buys from us; its size on the segment and the rep; its discount on the rep's habit.
"""

import math
from collections.abc import Iterator
from random import Random
from typing import Any

from sfemulator.generator.accounts import AccountInfo
from sfemulator.generator.activities import ActivityMaker
from sfemulator.generator.deal_path import DealLife, DealPlan, simulate
from sfemulator.generator.people import Person
from sfemulator.generator.picklists import (
    CONTACT_ROLES,
    LAST_OPEN,
    LEAD_SOURCES,
    LOST,
    NEXT_STEPS,
    SEGMENTS,
    STAGES,
    WON,
)
from sfemulator.generator.products import Catalogue, Line
from sfemulator.generator.record_ids import IdAllocator
from sfemulator.generator.sampling import clamp, pick_weighted, poisson, round_to, spread
from sfemulator.generator.timeline import DAY, Timeline, datetime_text, day_text, fiscal_quarter, work_moment
from sfemulator.generator.wiring import draw_behaviours, wired_traits

BASE_WIN_RATE = 0.24
# Median list value of a deal, and cycle-length factor, by segment.
SEGMENT_VALUE = {"SMB": 14_000.0, "Mid-Market": 40_000.0, "Enterprise": 120_000.0}
SEGMENT_CYCLE = {"SMB": 0.55, "Mid-Market": 1.0, "Enterprise": 1.7}
BASE_CYCLE_DAYS = 70.0
VALUE_SIGMA = 0.55
_EXISTING_TYPES = ("Existing Customer - Upgrade", "Existing Customer - Replacement", "Existing Customer - Downgrade")


def _loss_weights(qualification: float) -> list[float]:
    """Where lost deals die: good qualifiers drop them early, poor ones carry them to the late stages."""
    return [
        qualification * math.exp(-stage / 1.5) + (1 - qualification) * math.exp(-(LAST_OPEN - stage) / 1.8)
        for stage in range(LAST_OPEN + 1)
    ]


class DealMaker:
    def __init__(
        self, timeline: Timeline, ids: IdAllocator, catalogue: Catalogue, activities: ActivityMaker,
        per_rep_month: float, outcome_links: tuple[str, ...] | None = None,
    ) -> None:  # fmt: skip
        self.timeline = timeline
        self.ids = ids
        self.catalogue = catalogue
        self.activities = activities
        self.per_rep_month = per_rep_month
        self.outcome_links = outcome_links

    def creation_times(self, rng: Random, rep: Person) -> list[int]:
        """When the rep opens new deals: month by month, fewer while ramping up after hiring."""
        horizon = rep.left if rep.left is not None else self.timeline.as_of
        times = []
        for first, stop in self.timeline.month_spans():
            begin, end = max(first, rep.hired), min(stop, horizon)
            if end - begin < DAY:
                continue
            tenure_days = (begin - rep.hired) / DAY
            ramp = 0.35 if tenure_days < 30 else 0.7 if tenure_days < 75 else 1.0
            share = (end - begin) / (stop - first)
            for _ in range(poisson(rng, self.per_rep_month * rep.rep_traits.pipeline * ramp * share)):
                times.append(work_moment(rng, begin, end, rep.offset))
        times.sort()
        return times

    def for_rep(self, rng: Random, rep: Person, book: list[AccountInfo]) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every deal of ``rep`` with its children; updates the accounts' customer status as deals are won."""
        for created in self.creation_times(rng, rep):
            eligible = [account for account in book if account.created < created - DAY]
            if not eligible:
                continue
            yield from self.deal(rng, rep, rng.choice(eligible), created)

    def deal(
        self, rng: Random, rep: Person, account: AccountInfo, created: int
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        traits = rep.rep_traits
        timeline = self.timeline
        existing = account.customer_since is not None and account.customer_since < created
        kind = pick_weighted(rng, _EXISTING_TYPES, (0.6, 0.25, 0.15)) if existing else "New Business"

        # An empty strong segment (the scenarios' even-handed reps) wins alike in every segment.
        edge = 1.0 if not traits.strong_segment else 1.3 if account.segment == traits.strong_segment else 0.8
        chance = BASE_WIN_RATE * traits.win_skill * edge * traits.segment_win[SEGMENTS.index(account.segment)]
        chance *= (0.45 if account.industry == traits.weak_industry else 1.0) * (1.5 if existing else 1.0)
        won = rng.random() < clamp(chance, 0.02, 0.85)
        loss_stage = pick_weighted(rng, range(LAST_OPEN + 1), _loss_weights(traits.qualification))

        list_value = SEGMENT_VALUE[account.segment] * traits.deal_size * spread(rng, 1.0, VALUE_SIGMA)
        list_value *= {"New Business": 1.0, "Existing Customer - Downgrade": 0.4}.get(kind, 0.7)
        early = created < timeline.start + (timeline.as_of - timeline.start) // 3
        picked = self.catalogue.lines(rng, list_value, account.segment, traits.breadth, early)
        negotiated, quoted = [], []
        for product, quantity in picked:
            depth = rng.gauss(traits.discount, 2.5) + (3.0 if account.segment == "Enterprise" else 0.0)
            depth = clamp(round_to(depth * (0.5 if product.family == "Services" else 1.0), 0.5), 0.0, 45.0)
            negotiated.append(Line(product, quantity, depth))
            quoted.append(Line(product, quantity, round_to(depth * rng.uniform(0.2, 0.5), 0.5)))

        wired = self.outcome_links is not None
        shown = draw_behaviours(rng, won, self.outcome_links) if self.outcome_links is not None else None
        if shown is not None:
            traits = wired_traits(traits, shown)
        cycle = BASE_CYCLE_DAYS * traits.cycle * SEGMENT_CYCLE[account.segment] * spread(rng, 1.0, 0.45)
        if not won and wired:
            # Wired: a lost deal moves through its stages at a won deal's pace, so time in stage tells nothing.
            cycle *= (loss_stage + 1) / (LAST_OPEN + 1)
        elif not won:
            cycle *= 0.25 + 0.75 * (loss_stage + 1) / (LAST_OPEN + 1)
        horizon = rep.left if rep.left is not None else timeline.as_of
        estimate = None if rng.random() < 0.12 else int(round(list_value * spread(rng, 1.0, 0.3) * 100, -5))
        plan = DealPlan(
            created=created, horizon=horizon, won=won, loss_stage=loss_stage, cycle_days=cycle,
            estimate_cents=estimate, quoted_cents=sum(line.total_cents() for line in quoted),
            final_cents=sum(line.total_cents() for line in negotiated), offset=rep.offset,
            abandon_at_horizon=rep.left is not None, wired=shown,
            goes_dark=not wired and not won and rep.left is None
            and rng.random() < 0.5 * (1.0 - traits.discipline) ** 2,
        )  # fmt: skip
        life = simulate(rng, traits, plan)
        if life.last.stage == WON and (account.customer_since is None or account.customer_since > life.last.ts):
            account.customer_since = life.last.ts

        opportunity_id = self.ids.new("Opportunity")
        lines = negotiated if life.negotiated_at is not None else quoted
        children: list[tuple[str, dict[str, Any]]] = list(self._history(opportunity_id, rep, life))
        if life.products_at is not None:
            children.extend(self._line_items(opportunity_id, lines, life, life.products_at))
        roles = self._contact_roles(rng, opportunity_id, account, life, traits.contacts)
        children.extend(roles)
        who = [record["ContactId"] for _, record in roles]
        activities, last_activity = self.activities.for_deal(
            rng, rep, opportunity_id, account, who, life, horizon, traits
        )
        children.extend(activities)
        yield "Opportunity", self._opportunity(rng, rep, opportunity_id, account, kind, lines, life, last_activity)
        yield from children

    def _opportunity(
        self, rng: Random, rep: Person, opportunity_id: str, account: AccountInfo, kind: str, lines: list[Line],
        life: DealLife, last_activity: str | None,
    ) -> dict[str, Any]:  # fmt: skip
        traits, last = rep.rep_traits, life.last
        name, probability, category = STAGES[last.stage]
        closed = last.stage in (WON, LOST)
        amount = None if last.amount_cents is None else last.amount_cents / 100
        modified = last.ts
        next_step = None
        if not closed and life.dark_since is None and rng.random() < traits.discipline:
            next_step = rng.choice(NEXT_STEPS)
            # Keeping the next step current is an edit of the opportunity: disciplined reps touch it often.
            edited = self.timeline.as_of - int(rng.expovariate(1.0 / (2.0 + 25.0 * (1.0 - traits.discipline))) * DAY)
            modified = max(modified, min(edited, self.timeline.as_of - 1))
        elif closed and rng.random() < 0.25:
            next_step = rng.choice(NEXT_STEPS)  # left over from when it was open
        elif life.dark_since is not None and rng.random() < 0.5 * traits.discipline:
            next_step = rng.choice(NEXT_STEPS)  # left over from when it was worked
        reached = max(snapshot.stage for snapshot in life.snapshots if snapshot.stage != LOST)
        score = None
        if rng.random() < 0.4 + 0.6 * traits.discipline:
            score = float(
                clamp(round(min(reached, LAST_OPEN) * 9 + rng.gauss(15 + 20 * traits.qualification, 8)), 0, 100)
            )
        quarter, year = fiscal_quarter(last.close_day, self.timeline.fiscal_start_month)
        lead = lines[0].product.name if lines else "Platform"
        stamp = datetime_text(modified)
        return {
            "attributes": {"type": "Opportunity"}, "Id": opportunity_id,
            "Name": f"{account.name} - {lead}" + ("" if kind == "New Business" else " expansion"),
            "AccountId": account.id, "OwnerId": rep.id, "StageName": name, "Amount": amount,
            "CloseDate": day_text(last.close_day), "Probability": probability, "ForecastCategoryName": category,
            "ExpectedRevenue": None if amount is None else round(amount * probability / 100, 2),
            "IsClosed": closed, "IsWon": last.stage == WON, "Type": kind,
            "LeadSource": rng.choice(LEAD_SOURCES) if kind == "New Business" else "Existing Customer",
            "NextStep": next_step, "LastActivityDate": last_activity, "FiscalQuarter": quarter, "FiscalYear": year,
            "HasOpportunityLineItem": life.products_at is not None,
            "Pricebook2Id": self.catalogue.pricebook_id if life.products_at is not None else None,
            "MEDDIC_Score__c": score, "CreatedDate": datetime_text(life.snapshots[0].ts),
            "LastModifiedDate": stamp, "SystemModstamp": stamp, "IsDeleted": False,
        }  # fmt: skip

    def _history(self, opportunity_id: str, rep: Person, life: DealLife) -> Iterator[tuple[str, dict[str, Any]]]:
        previous = None
        for snapshot in life.snapshots:
            name, probability, category = STAGES[snapshot.stage]
            amount = None if snapshot.amount_cents is None else snapshot.amount_cents / 100
            stamp = datetime_text(snapshot.ts)
            yield "OpportunityHistory", {
                "attributes": {"type": "OpportunityHistory"}, "Id": self.ids.new("OpportunityHistory"),
                "OpportunityId": opportunity_id, "StageName": name, "Amount": amount,
                "CloseDate": day_text(snapshot.close_day), "Probability": probability, "ForecastCategory": category,
                "ExpectedRevenue": None if amount is None else round(amount * probability / 100, 2),
                "PrevAmount": None if previous is None or previous.amount_cents is None
                else previous.amount_cents / 100,
                "PrevCloseDate": None if previous is None else day_text(previous.close_day),
                "FromOpportunityStageName": None if previous is None else STAGES[previous.stage][0],
                "FromForecastCategory": None if previous is None else STAGES[previous.stage][2],
                "CreatedById": rep.id if rep.left is None or snapshot.ts < rep.left else rep.reports_to.id,
                "CreatedDate": stamp, "SystemModstamp": stamp, "IsDeleted": False,
            }  # fmt: skip
            previous = snapshot

    def _line_items(
        self, opportunity_id: str, lines: list[Line], life: DealLife, products_at: int
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        created = datetime_text(products_at)
        modified = datetime_text(life.negotiated_at or products_at)
        for line in lines:
            product = line.product
            yield "OpportunityLineItem", {
                "attributes": {"type": "OpportunityLineItem"}, "Id": self.ids.new("OpportunityLineItem"),
                "OpportunityId": opportunity_id, "Product2Id": product.id, "PricebookEntryId": product.entry_id,
                "Name": product.name, "ProductCode": product.code, "Quantity": float(line.quantity),
                "UnitPrice": product.list_price, "ListPrice": product.list_price,
                "TotalPrice": line.total_cents() / 100, "Discount": line.discount or None,
                "ServiceDate": day_text(life.last.close_day), "CreatedDate": created, "LastModifiedDate": modified,
                "SystemModstamp": modified, "IsDeleted": False,
            }  # fmt: skip

    def _contact_roles(
        self, rng: Random, opportunity_id: str, account: AccountInfo, life: DealLife, contacts: float
    ) -> list[tuple[str, dict[str, Any]]]:
        """0-5 buyer contacts on the deal; multi-threaders add more as the deal advances."""
        reached = max(snapshot.stage for snapshot in life.snapshots if snapshot.stage != LOST)
        mean = contacts * (0.5 + 0.5 * min(reached, LAST_OPEN) / LAST_OPEN)
        count = min(5, len(account.contacts), poisson(rng, mean))
        start, stop = life.snapshots[0].ts, life.last.ts
        roles = []
        for position, contact in enumerate(rng.sample(account.contacts, count)):
            created = start + int(rng.uniform(0, 0.6) * (stop - start)) if position else start + 600
            stamp = datetime_text(min(created, self.timeline.as_of - 1))
            role = rng.choice(("Decision Maker", "Economic Buyer")) if position == 0 else rng.choice(CONTACT_ROLES)
            roles.append(("OpportunityContactRole", {
                "attributes": {"type": "OpportunityContactRole"}, "Id": self.ids.new("OpportunityContactRole"),
                "OpportunityId": opportunity_id, "ContactId": contact, "Role": role, "IsPrimary": position == 0,
                "CreatedDate": stamp, "LastModifiedDate": stamp, "SystemModstamp": stamp, "IsDeleted": False,
            }))  # fmt: skip
        return roles
