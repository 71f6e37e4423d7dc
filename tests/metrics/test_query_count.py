"""A run's number of queries is fixed: it does not grow with the number of reps or their records."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coaching.metrics.compute import compute_metrics
from tests.factories import (
    ContactRoleFactory,
    EventFactory,
    LineItemFactory,
    OpportunityChangeFactory,
    OpportunityFactory,
    PersonFactory,
    ProductFactory,
    QuotaFactory,
    TaskFactory,
)
from tests.metrics.conftest import AS_OF, days_before, moment

# What a run takes: a few grouped queries per module, the deal-history table and its drop, and on PostgreSQL
# the transaction settings.
MAX_QUERIES = 45


def add_rep_with_everything(org, manager, product):
    """A rep with data for every metric: open and closed deals, history, line items, roles, activities."""
    rep = PersonFactory(org=org, manager=manager)
    QuotaFactory(org=org, owner=rep, start_date=date(2024, 4, 1))
    for index, outcome in enumerate(("won", "lost", "open", "open")):
        closed = outcome != "open"
        deal = OpportunityFactory(
            org=org,
            owner=rep,
            close_date=days_before(10) if closed else days_before(-20),
            created_date=moment(days_before(60)),
            amount=Decimal(1000 * (index + 1)),
            probability=60 if not closed else None,
            next_step="" if index == 3 else "Call",
            **({outcome: True} if closed else {"stage": "Negotiation"}),
        )
        OpportunityChangeFactory(opportunity=deal, created_date=moment(days_before(60)), stage="Prospecting")
        OpportunityChangeFactory(
            opportunity=deal,
            created_date=moment(days_before(30)),
            stage="Negotiation",
            probability=90,
            prev_close_date=date(2024, 6, 1),
            close_date=date(2024, 7, 20),
        )
        LineItemFactory(opportunity=deal, product=product, discount=5.0)
        ContactRoleFactory(opportunity=deal)
        TaskFactory(org=org, owner=rep, what_sf_id=deal.sf_id, activity_date=days_before(2))
        EventFactory(org=org, owner=rep, what_sf_id=deal.sf_id, start_at=moment(days_before(3)))
    return rep


def queries_for(org) -> int:
    with CaptureQueriesContext(connection) as captured:
        result = compute_metrics(org, AS_OF)
    assert all(rep.metrics["won_count"].value == 1 for rep in result.reps)
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_queries_do_not_grow_with_reps(org, manager, django_assert_max_num_queries):
    product = ProductFactory(org=org)
    add_rep_with_everything(org, manager, product)
    with django_assert_max_num_queries(MAX_QUERIES):
        one_rep = queries_for(org)

    second_team = PersonFactory(org=org)
    for _ in range(5):
        add_rep_with_everything(org, manager, product)
        add_rep_with_everything(org, second_team, product)
    with django_assert_max_num_queries(MAX_QUERIES):
        eleven_reps = queries_for(org)

    assert eleven_reps == one_rep
