"""``build_agendas ORG [--week] [--history]``: metrics, gaps and agendas of a week, end to end."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from coaching.agendas import render_agenda_text
from coaching.models import Agenda, AgendaItem, Gap, MetricSnapshot
from coaching.weeks import monday_of
from tests.factories import OrgFactory


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.slow
def test_a_generated_org_synced_from_the_emulator_gets_its_agendas(db, tmp_path):
    org_dir = tmp_path / "org"
    run("generate_org", str(org_dir), "--reps", "12", "--months", "6", "--seed", "7")
    run("add_org", "acme", "--emulator", str(org_dir))
    run("sync_salesforce", "acme")
    this_week = monday_of(timezone.now().date())

    output = run("build_agendas", "acme", "--history", "1")

    lines = output.splitlines()
    assert lines[0].startswith(f"acme, week of {(this_week - timedelta(weeks=1)).isoformat()}: 2 agendas for 12 reps")
    assert any(line.startswith(f"acme, week of {this_week.isoformat()}: 2 agendas for 12 reps") for line in lines)
    # Metrics and gaps were computed for both weeks first.
    assert MetricSnapshot.objects.filter(week_start=this_week).exists()
    assert Gap.objects.filter(week_start=this_week).exists()
    agendas = Agenda.objects.filter(week_start=this_week)
    assert agendas.count() == 2
    assert AgendaItem.objects.filter(agenda__in=agendas, kind=AgendaItem.Kind.GAP).exists()
    for agenda in agendas:
        text = render_agenda_text(agenda)
        assert "1:1 WITH" in text and "{" not in text
    # A rebuild of the week is safe to run again.
    again = run("build_agendas", "acme", "--week", (this_week + timedelta(days=2)).isoformat())
    assert again.startswith(f"acme, week of {this_week.isoformat()}: 2 agendas")


def test_command_errors_say_what_to_do(db):
    OrgFactory(name="acme")
    with pytest.raises(CommandError, match=r"No org named 'nope'\. Known orgs: acme\."):
        run("build_agendas", "nope")
    with pytest.raises(CommandError, match=r"--week: a week is given as a date YYYY-MM-DD, got '2026/03/02'"):
        run("build_agendas", "acme", "--week", "2026/03/02")
    future = (timezone.now().date() + timedelta(days=14)).isoformat()
    with pytest.raises(CommandError, match="has not started yet"):
        run("build_agendas", "acme", "--week", future)
    with pytest.raises(CommandError, match="--history must be from 0 to 12, got 13"):
        run("build_agendas", "acme", "--history", "13")


def test_an_org_without_people_builds_nothing_and_says_so(db):
    OrgFactory(name="empty")
    output = run("build_agendas", "empty", "--week", "2026-03-04")
    assert (
        output.splitlines()[0]
        == "empty, week of 2026-03-02: 0 agendas for 0 reps; 0 1:1 topics, 0 team topics, 0 follow-ups."
    )
