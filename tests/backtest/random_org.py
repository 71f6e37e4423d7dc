"""A seeded, hand-rolled org for comparing backtest implementations on both databases: a few hundred deals
with stage moves, pushes, regressions, touches, contact roles and stored weeks, drawn at random so that every
flag takes both values. Bulk-created (no sync, no COPY), so it loads on SQLite as well as PostgreSQL."""

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from coaching.models import DealFlagWeek
from crm.models import Activity, ContactRole, Opportunity, OpportunityChange, Org, Person

STAGES = (("Prospecting", 10.0), ("Qualification", 20.0), ("Proposal", 60.0), ("Negotiation", 80.0))


def _stamp(day: date, rng: random.Random) -> datetime:
    return datetime(day.year, day.month, day.day, rng.randrange(24), rng.randrange(60), tzinfo=UTC)


def build_org(name: str, end: date, *, seed: int = 3, reps: int = 8, deals: int = 320) -> Org:
    """Deals created over the year before ``end``; about four in five closed by then."""
    rng = random.Random(seed)
    org = Org.objects.create(name=name, display_name=name.title())
    people = [Person(org=org, sf_id=f"005R{index:05d}", name=f"Rep {index}") for index in range(reps)]
    Person.objects.bulk_create(people)
    opportunities, changes, activities, roles, stored = [], [], [], [], []
    for number in range(deals):
        sf_id, owner = f"006D{number:06d}", people[number % reps].sf_id
        day = end - timedelta(days=rng.randrange(20, 380))
        close = day + timedelta(days=rng.randrange(20, 120))
        stage = 0
        rows = [(day, STAGES[0], close)]
        skill = rng.random()
        while True:
            day += timedelta(days=rng.choice((3, 9, 15, 25, 40, 70)))
            roll = rng.random()
            if roll < 0.15:
                close += timedelta(days=rng.randrange(7, 45))  # a push
            elif roll < 0.25 and stage > 0:
                stage -= 1  # back a stage
            elif roll < 0.75 and stage < len(STAGES) - 1:
                stage += 1
            else:
                break
            rows.append((day, STAGES[stage], close))
        closed = day <= end and rng.random() < 0.85
        won = closed and rng.random() < 0.25 + 0.5 * skill * (1 - 0.2 * sum(1 for r in rows if r[2] > rows[0][2]))
        if closed:
            rows.append((day, ("Closed Won", 100.0) if won else ("Closed Lost", 0.0), day))
        rows = [row for row in rows if row[0] <= end]
        last_stage, last_probability = rows[-1][1]
        opportunities.append(
            Opportunity(org=org, sf_id=sf_id, name=f"Deal {number}", owner_sf_id=owner, stage=last_stage,
                        amount=Decimal(rng.randrange(5, 200) * 1000), close_date=rows[-1][2] if closed else close,
                        probability=last_probability, is_closed=closed, is_won=won,
                        next_step="" if rng.random() < 0.3 else "Call back", created_date=_stamp(rows[0][0], rng))
        )  # fmt: skip
        previous = None
        for index, (when, (stage_name, probability), close_on) in enumerate(rows):
            changes.append(
                OpportunityChange(org=org, sf_id=f"008H{number:06d}{index:02d}", opportunity_sf_id=sf_id,
                                  stage=stage_name, probability=probability, close_date=close_on,
                                  amount=Decimal(10000), prev_close_date=previous if rng.random() < 0.5 else None,
                                  created_date=_stamp(when, rng))
            )  # fmt: skip
            previous = close_on
        first, last = rows[0][0], rows[-1][0]
        span = max(1, (last - first).days)
        for index in range(rng.randrange(0, 2 + int(span * skill / 5))):  # the better deals are touched more
            when = first + timedelta(days=rng.randrange(span + 10))
            if rng.random() < 0.6:
                activities.append(Activity(org=org, sf_id=f"00TA{number:06d}{index:02d}", kind=Activity.Kind.TASK,
                                           what_sf_id=sf_id, activity_date=when))  # fmt: skip
            else:
                activities.append(Activity(org=org, sf_id=f"00UA{number:06d}{index:02d}", kind=Activity.Kind.EVENT,
                                           what_sf_id=sf_id, start_at=_stamp(when, rng)))  # fmt: skip
        for index in range(rng.choice((0, 1, 1, 2, 3))):
            when = first + timedelta(days=rng.randrange(span + 1))
            roles.append(ContactRole(org=org, sf_id=f"00KR{number:06d}{index:02d}", opportunity_sf_id=sf_id,
                                     created_date=_stamp(when, rng)))  # fmt: skip
    # Two stored weeks (no next step is known for them): a random third of the deals flagged in each.
    last_sunday = end - timedelta(days=(end.weekday() + 1) % 7)
    for weeks_back in (4, 10):
        week_end = last_sunday - timedelta(weeks=weeks_back)
        for opportunity in opportunities:
            if rng.random() < 0.3:
                stored.append(DealFlagWeek(org=org, week_end=week_end, opportunity_sf_id=opportunity.sf_id,
                                           flag="no_next_step"))  # fmt: skip
    Opportunity.objects.bulk_create(opportunities)
    OpportunityChange.objects.bulk_create(changes)
    Activity.objects.bulk_create(activities)
    ContactRole.objects.bulk_create(roles)
    DealFlagWeek.objects.bulk_create(stored)
    return org
