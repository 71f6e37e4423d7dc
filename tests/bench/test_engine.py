"""The engine benchmark's code on a tiny generated org, so that it cannot rot between big runs.

The loader (the generator's records through the sync's mapping, COPYed into PostgreSQL), the cache check,
the GROUP BY baseline and one timed build of a week with its statement counts.
"""

from collections import Counter
from datetime import date, timedelta

import pytest
from django.db import connection

from bench.engine import STAGES, StatementCounter, group_by_baseline, prepare_history, run_engine
from bench.load import LoadError, load_org, loaded_org
from coaching.metrics.names import METRIC_NAMES
from coaching.models import Agenda, Gap, MetricSnapshot
from coaching.weeks import monday_of
from crm.models import Activity, Opportunity, Org, Person
from integrations.salesforce.catalogue import BY_NAME
from sfemulator.generator import GeneratorConfig, generate

END = date(2026, 3, 1)  # a Sunday
WEEK = monday_of(END)


def tiny(reps: int = 6, **changes) -> GeneratorConfig:
    values = {"reps": reps, "months": 4, "seed": 3, "end": END, "opportunities_per_rep_month": 6.0,
              "activities_per_opportunity": 3.0, **changes}  # fmt: skip
    return GeneratorConfig(**values)


@pytest.fixture
def loaded(postgres, db):
    return load_org("tiny", tiny())


@pytest.mark.postgres
def test_the_loader_writes_every_catalogued_record_the_generator_streams(loaded):
    streamed = Counter(sobject for sobject, _ in generate(tiny()) if sobject in BY_NAME)
    assert loaded.counts == dict(streamed)
    org = loaded.org
    assert Opportunity.objects.filter(org=org).count() == streamed["Opportunity"]
    assert Activity.objects.filter(org=org, kind="task").count() == streamed["Task"]
    assert Activity.objects.filter(org=org, kind="event").count() == streamed["Event"]
    assert Person.objects.filter(org=org).count() == streamed["User"]
    # Mapped as the sync maps: CRM references, converted values, unmapped fields kept in extra.
    deal = Opportunity.objects.filter(org=org).exclude(amount=None).first()
    assert deal.owner_sf_id in set(Person.objects.filter(org=org).values_list("sf_id", flat=True))
    assert "ExpectedRevenue" in deal.extra


@pytest.mark.postgres
def test_a_loaded_org_is_reused_only_for_the_same_config(loaded):
    again = loaded_org("tiny", tiny())
    assert again is not None and again.reused and again.org == loaded.org and again.counts == loaded.counts
    assert loaded_org("tiny", tiny(seed=4)) is None
    assert loaded_org("other", tiny()) is None


@pytest.mark.postgres
def test_an_org_with_outcome_links_is_reused_too(postgres, db):
    wired = load_org("wired", tiny(outcome_links=("stale",)))
    again = loaded_org("wired", tiny(outcome_links=("stale",)))
    assert again is not None and again.org == wired.org
    assert loaded_org("wired", tiny(outcome_links=("overdue",))) is None


@pytest.mark.postgres
def test_one_timed_build_of_a_week_and_the_baseline(loaded):
    org = loaded.org
    assert prepare_history(org, WEEK, END) is not None
    assert prepare_history(org, WEEK, END) is None  # kept: built once
    assert group_by_baseline(org) > 0
    run = run_engine(org, WEEK, END)
    assert set(run.stages) == set(STAGES) and run.total > 0
    assert run.snapshots == run.reps * len(METRIC_NAMES) > 0
    assert run.agendas == Agenda.objects.filter(org=org, week_start=WEEK).count() > 0
    assert run.gaps == Gap.objects.filter(org=org, week_start=WEEK).count()
    for stage in run.stages.values():
        assert 0 < stage.sql_seconds <= stage.seconds and 0 < len(stage.shapes) <= stage.statements
    # A second run builds the week from scratch again: the same rows, not twice as many.
    again = run_engine(org, WEEK, END)
    assert MetricSnapshot.objects.filter(org=org, week_start=WEEK).count() == again.snapshots == run.snapshots
    assert {name: stage.shapes for name, stage in again.stages.items()} == {
        name: stage.shapes for name, stage in run.stages.items()
    }
    assert Agenda.objects.filter(org=org, week_start=WEEK - timedelta(weeks=1)).exists()


def test_the_statement_counter_folds_batches_and_id_lists_into_one_shape(db):
    counter = StatementCounter()
    with connection.execute_wrapper(counter):
        for names in (["a"], ["a", "b", "c"]):
            list(Org.objects.filter(name__in=names))
        Org.objects.bulk_create([Org(name=f"org-{number}") for number in range(4)], batch_size=2)
        Org.objects.filter(name="org-1").update(display_name="One")
    assert counter.statements == 2 + 2 + 1
    assert len(counter.shapes) == 3  # the IN query, the insert, the update
    assert counter.seconds > 0


def test_the_loader_refuses_a_database_other_than_postgresql(db):
    if connection.vendor == "postgresql":
        pytest.skip("checks the refusal on the other backends")
    with pytest.raises(LoadError, match="PostgreSQL"):
        load_org("tiny", tiny())
    assert not Org.objects.filter(name="tiny").exists()
