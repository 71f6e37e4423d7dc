"""What a run leaves behind in the database session: nothing (no temporary table, no changed settings)."""

import pytest
from django.db import DatabaseError, connection, transaction

from coaching.metrics.compute import compute_metrics
from coaching.metrics.reps import scope_for
from coaching.metrics.stage_history import TABLE, deal_history
from tests.factories import OpportunityChangeFactory, OpportunityFactory
from tests.metrics.conftest import AS_OF, days_before, moment


def table_exists() -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")
        return True
    except DatabaseError:
        return False


def test_the_deal_history_table_lives_only_during_a_run(org, rep):
    deal = OpportunityFactory(org=org, owner=rep)
    OpportunityChangeFactory(opportunity=deal, created_date=moment(days_before(3)))
    scope = scope_for(org, AS_OF)
    with deal_history(scope) as history:
        assert table_exists()
        assert history.fetch(f"SELECT opp, is_move FROM {TABLE}") == [(deal.sf_id, 1)]
    assert not table_exists()
    compute_metrics(org, AS_OF)
    assert not table_exists()


def test_the_deal_history_table_is_dropped_when_a_step_fails(org, rep):
    OpportunityFactory(org=org, owner=rep)
    with pytest.raises(ZeroDivisionError), deal_history(scope_for(org, AS_OF)):
        _ = 1 / 0
    assert not table_exists()


@pytest.mark.postgres
def test_a_callers_postgresql_settings_survive_a_run(postgres, org, rep):
    OpportunityFactory(org=org, owner=rep)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '5MB'")
        cursor.execute("SELECT current_setting('jit')")
        jit = cursor.fetchone()[0]
        compute_metrics(org, AS_OF)
        cursor.execute("SELECT current_setting('work_mem'), current_setting('jit')")
        assert cursor.fetchone() == ("5MB", jit)
