"""A team and a week of hand-written deal history for the pipeline inspection's tests.

The week of WEEK (Monday 17 June 2024) reviews 10-16 June. Every deal below is commented with the
categories it must land in; amounts carry cents so that sums are checked to the cent.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from tests.factories import OpportunityChangeFactory, OpportunityFactory, OrgFactory, PersonFactory

WEEK = date(2024, 6, 17)
PROBABILITY = {
    "Prospecting": 10.0, "Qualification": 10.0, "Needs Analysis": 20.0, "Value Proposition": 50.0,
    "Perception Analysis": 70.0, "Proposal/Price Quote": 75.0, "Negotiation/Review": 90.0,
    "Closed Won": 100.0, "Closed Lost": 0.0,
}  # fmt: skip


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2024, 6, day, hour, 0, tzinfo=UTC)


def history(deal, when: datetime, stage: str, amount: str | None, close: date, **extra):
    return OpportunityChangeFactory(
        opportunity=deal, created_date=when, stage=stage, probability=PROBABILITY[stage],
        amount=None if amount is None else Decimal(amount), close_date=close, **extra,
    )  # fmt: skip


def deal(org, owner, stage: str, amount: str, close: date, **extra):
    closed = stage.startswith("Closed")
    return OpportunityFactory(
        org=org, owner_sf_id=owner.sf_id, stage=stage, probability=PROBABILITY[stage], amount=Decimal(amount),
        close_date=close, is_closed=closed, is_won=stage == "Closed Won", **extra,
    )  # fmt: skip


@pytest.fixture
def week_team(db):
    org = OrgFactory(name="pipe", crm_base_url="https://pipe.my.salesforce.com")
    director = PersonFactory(org=org, name="Dana Director")
    manager = PersonFactory(org=org, manager_sf_id=director.sf_id, name="Max Manager")
    ana = PersonFactory(org=org, manager_sf_id=manager.sf_id, name="Ana Rep")
    ben = PersonFactory(org=org, manager_sf_id=manager.sf_id, name="Ben Rep")
    july = date(2024, 7, 31)

    new = deal(org, ana, "Prospecting", "1234.56", july, name="New only")  # new 1234.56
    history(new, at(11), "Prospecting", "1234.56", july)

    new_won = deal(org, ana, "Closed Won", "600.20", date(2024, 6, 14), name="New and won")  # new + won 600.20
    history(new_won, at(11), "Prospecting", "500.10", july)
    history(new_won, at(14), "Closed Won", "600.20", date(2024, 6, 14))

    won = deal(org, ana, "Closed Won", "9100.99", date(2024, 6, 12), name="Won")  # won 9100.99 (no amount up)
    history(won, at(1), "Negotiation/Review", "9000.01", july)
    history(won, at(12), "Closed Won", "9100.99", date(2024, 6, 12))

    lost = deal(org, ana, "Closed Lost", "7000.00", date(2024, 6, 13), name="Lost")  # lost 7000.00
    history(lost, at(2), "Proposal/Price Quote", "7000.00", july)
    history(lost, at(13), "Closed Lost", "7000.00", date(2024, 6, 13))

    # pulled in 1750.75, amount up 750.75, stage forward 1750.75; the row after the week is not read.
    up = deal(org, ana, "Closed Lost", "1750.75", date(2024, 6, 18), name="Pulled in, up, forward")
    history(up, at(3), "Qualification", "1000.00", july)
    history(up, at(11, 9), "Needs Analysis", "1500.25", date(2024, 7, 15))
    history(up, at(13, 16), "Value Proposition", "1750.75", date(2024, 7, 20))
    history(up, at(18), "Closed Lost", "1750.75", date(2024, 6, 18))

    # pushed out 15000.50, amount down -4999.50, stage back 15000.50 (the last row of the week counts).
    down = deal(org, ana, "Perception Analysis", "15000.50", date(2024, 8, 31), name="Pushed, down, back")
    history(down, at(4), "Proposal/Price Quote", "20000.00", date(2024, 6, 30))
    history(down, at(16, 23), "Perception Analysis", "15000.50", date(2024, 8, 31))

    # Moved between two stages of the same probability, nothing else: changed, in no category.
    same = deal(org, ana, "Qualification", "3000.00", july, name="Sideways")
    history(same, at(5), "Prospecting", "3000.00", july)
    history(same, at(12), "Qualification", "3000.00", july)

    # Closed before the week, edited in it: left out.
    old = deal(org, ana, "Closed Won", "4000.00", date(2024, 6, 1), name="Closed earlier")
    history(old, at(1), "Closed Won", "4000.00", date(2024, 6, 1))
    history(old, at(12), "Closed Won", "4500.00", date(2024, 6, 1))

    # A deleted history row in the week does not count; nor does a deleted deal.
    ghost = deal(org, ana, "Prospecting", "800.00", july, name="Deleted row only")
    history(ghost, at(3), "Prospecting", "800.00", july)
    history(ghost, at(12), "Prospecting", "900.00", date(2024, 9, 30), is_deleted=True)
    gone = deal(org, ana, "Prospecting", "700.00", july, name="Deleted deal", is_deleted=True)
    history(gone, at(12), "Prospecting", "700.00", july)

    # Ben: a deal pushed out with a missing amount before (counts as zero): pushed 2500.00, amount up 2500.00.
    bens = deal(org, ben, "Needs Analysis", "2500.00", date(2024, 9, 30), name="Ben's push")
    history(bens, at(6), "Needs Analysis", None, date(2024, 7, 31))
    history(bens, at(10, 0), "Needs Analysis", "2500.00", date(2024, 9, 30))
    # Ben's change on Sunday 9 June, before the week: not counted.
    early = deal(org, ben, "Needs Analysis", "100.00", date(2024, 9, 30), name="Before the week")
    history(early, at(9, 23), "Needs Analysis", "100.00", date(2024, 9, 30))

    return {"org": org, "director": director, "manager": manager, "ana": ana, "ben": ben,
            "deals": {"new": new, "new_won": new_won, "won": won, "lost": lost, "up": up, "down": down,
                      "same": same, "bens": bens}}  # fmt: skip
