"""The sync benchmark's COPY baseline: both COPYs timed, and the tables left holding exactly the rows they held."""

from django.db import connection

from bench.sync_baseline import checkpoint, copy_baseline
from crm.models import Account, Opportunity
from tests.factories import AccountFactory, OpportunityFactory


def _contents(model) -> list[tuple]:
    return sorted(model.objects.values_list(*[field.attname for field in model._meta.concrete_fields]))


def test_the_baseline_copies_the_rows_and_leaves_them_as_they_were(postgres, db):
    for number in range(3):
        OpportunityFactory(name=f"Deal {number}", extra={"X__c": number})
    AccountFactory()
    opportunities, accounts = _contents(Opportunity), _contents(Account)

    baseline = copy_baseline([Opportunity._meta.db_table, Account._meta.db_table])

    assert baseline.rows == len(opportunities) + len(accounts) == 3 + Account.objects.count()
    assert baseline.seconds > 0 and baseline.temporary_seconds > 0
    assert (_contents(Opportunity), _contents(Account)) == (opportunities, accounts)


def test_a_checkpoint_is_taken_where_the_role_may_and_refused_quietly_where_it_may_not(postgres, db):
    assert checkpoint() is True
    with connection.cursor() as cursor:
        cursor.execute("SET ROLE pg_monitor")  # a built-in role without pg_checkpoint
        try:
            assert checkpoint() is False
            cursor.execute("SELECT 1")  # the refusal did not spoil the transaction around it
            assert cursor.fetchone() == (1,)
        finally:
            cursor.execute("RESET ROLE")
