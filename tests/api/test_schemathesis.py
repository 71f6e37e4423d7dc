"""Schemathesis against the served OpenAPI schema, in-process through the WSGI app: for every operation it
generates requests (valid ones, and ones that break the schema), sends them with an admin's API key, and checks
that nothing answers 5xx and that every response — status, content type, headers, body — is what the schema
declares. Path parameters are drawn partly from real rows, so the success paths are exercised too.

One check is left out: "positive data acceptance" expects every schema-valid request to succeed, but some rules
cannot be said in JSON Schema and rightly answer 400 — a week must be a Monday, an 18-character id's last
three characters must match its first 15, a snooze lasts from today to a year ahead, an empty PATCH changes
nothing. The negative check (schema-violating requests must be refused) stays.

Bounded (MAX_EXAMPLES per operation and phase, no shrinking) so the whole run stays well under a minute.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from coachapp.wsgi import application

MAX_EXAMPLES = 20


@pytest.fixture
def same_connection():
    """The WSGI handler closes "old" connections around each request; in a test that would end the test's
    transaction (and its data). Django's own test client does the same as this."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(world, same_connection, settings):
    # The fuzzer sends many requests without credentials; the per-address limit on those has its own tests
    # (test_hardening.py), so it is out of the way here.
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**rates, "anon": "100000/minute"}}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    real = {
        "sf_user_id": [world.sf("a1"), world.sf("fsm_a"), world.sf("a1")[:15], world.sf("x1")],
        "sf_opportunity_id": [world.deals["a1"].sf_id, world.deals["x1"].sf_id],
        "agenda-items": [world.item("fsm_a").pk, world.item("fsm_x").pk],
        "gaps": [world.gaps["a1"]["rep"].pk, world.gaps["a1"]["deal"].pk, world.gaps["x1"]["rep"].pk],
    }

    @schema.hook
    def before_generate_path_parameters(context, strategy):
        path = context.operation.path
        if "{id}" in path:
            values = real["agenda-items" if "agenda-items" in path else "gaps"]
            return st.one_of(strategy, st.sampled_from([{"id": value} for value in values]))
        for name in ("sf_user_id", "sf_opportunity_id"):
            if "{" + name + "}" in path:
                return st.one_of(strategy, st.sampled_from([{name: value} for value in real[name]]))
        return strategy

    @schema.hook
    def before_generate_body(context, strategy):
        if not context.operation.path.endswith("/snooze"):
            return strategy
        # Random dates almost never fall in the year a snooze may last: add bodies that do.
        today = datetime.now(UTC).date()
        valid = st.fixed_dictionaries(
            {
                "until": st.dates(today, today + timedelta(days=300)).map(date.isoformat),
                "reason": st.text(min_size=1, max_size=40),
            }
        )
        return st.one_of(strategy, valid)

    return schema


OPERATIONS = [
    "rep_metrics",
    "rep_gaps",
    "opportunity_flags",
    "opportunity_win_probability",
    "manager_agenda",
    "manager_pipeline",
    "calibration",
    "agenda_item",
    "agenda_item_update",
    "gap_snooze",
    "sync_runs",
    "ping",
]


def test_every_operation_is_fuzzed(api_schema):
    found = {result.ok().definition.raw["operationId"] for result in api_schema.get_all_operations()}
    assert found == set(OPERATIONS)


# Ping takes no parameters and no body: there is nothing to make invalid, so it is fuzzed with valid requests only.
CASES = [
    (operation_id, mode)
    for operation_id in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if not (operation_id == "ping" and mode is GenerationMode.NEGATIVE)
]


@pytest.mark.parametrize(("operation_id", "mode"), CASES, ids=lambda value: getattr(value, "value", value))
def test_the_api_answers_as_its_schema_says(api_schema, world, operation_id, mode):
    operation = api_schema.find_operation_by_id(operation_id)
    headers = {"Authorization": f"Api-Key {world.keys['admin']}"}

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def answers(case):
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    answers()
