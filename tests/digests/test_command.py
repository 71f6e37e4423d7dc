"""``send_digests ORG [--week] [--dry-run]``: sends or previews, never twice, and says clearly what is wrong."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from coaching.digests.models import DigestDelivery
from tests.digests.conftest import DUE


def run(*args: str) -> str:
    out = StringIO()
    call_command("send_digests", *args, stdout=out)
    return out.getvalue()


def test_dry_run_prints_each_digest_and_sends_and_records_nothing(busy_week, smtp):
    out = run("acme", "--week", "2026-03-04", "--dry-run")

    assert "To: Maria Lopez <maria@acme.example>\nSubject: Your coaching week of 2 Mar: 4 topics for 4 reps" in out
    assert "To: Dana Director <dana@acme.example>" in out
    assert "Ana Ruiz (about 17 of 30 min)" in out
    assert "Dry run for acme: 3 digest(s) composed; nothing sent or recorded." in out
    assert smtp.messages == []
    assert not DigestDelivery.objects.exists()


def test_dry_run_writes_html_previews_when_asked(busy_week, tmp_path):
    run("acme", "--week", "2026-03-02", "--dry-run", "--html-dir", str(tmp_path))

    files = sorted(path.name for path in tmp_path.iterdir())
    assert files == sorted(f"{p.sf_id}-2026-03-02.html" for p in (busy_week.maria, busy_week.omar, busy_week.director))
    assert "Open this week's agenda" in (tmp_path / f"{busy_week.maria.sf_id}-2026-03-02.html").read_text()
    assert "Open your teams' week" in (tmp_path / f"{busy_week.director.sf_id}-2026-03-02.html").read_text()


def test_dry_run_says_who_would_be_skipped(chart):
    chart.build()

    out = run("acme", "--week", "2026-03-02", "--dry-run")

    assert "Maria Lopez (" in out and "would be skipped, nothing to say." in out


def test_week_sends_every_digest_now_and_a_second_run_sends_none_again(busy_week, smtp):
    with time_machine.travel(DUE - timedelta(hours=10), tick=False):  # before anyone's send time
        first = run("acme", "--week", "2026-03-02")
        second = run("acme", "--week", "2026-03-02")

    assert first.startswith("acme: 3 sent, 0 skipped, 0 failed, 0 retrying.")
    assert second.count(": already sent") == 3
    assert len(smtp.messages) == 3


def test_without_week_it_sends_only_what_is_due_now(busy_week, smtp):
    with time_machine.travel(DUE - timedelta(hours=10), tick=False):  # Monday 02:00 in New York
        assert run("acme").startswith("acme: 0 sent")
    with time_machine.travel(DUE, tick=False):
        assert run("acme").startswith("acme: 3 sent")
    assert len(smtp.messages) == 3


def test_a_failed_send_exits_with_an_error_that_says_what_to_check(busy_week, closed_smtp):
    with pytest.raises(CommandError, match=r"3 digest\(s\) could not be sent .* Check EMAIL_URL"):
        run("acme", "--week", "2026-03-02")
    assert set(DigestDelivery.objects.values_list("status", flat=True)) == {DigestDelivery.Status.PENDING}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nope",), "No org named 'nope'. Known orgs: acme."),
        (("acme", "--week", "2026-13-01"), "--week: a week is given as a date YYYY-MM-DD, got '2026-13-01'"),
        (("acme", "--week", "next monday"), "--week: a week is given as a date YYYY-MM-DD"),
        (
            ("acme", "--week", "2026-04-06"),
            "No agendas for acme in the week of 2026-04-06: build them first with build_agendas acme --week",
        ),
        (("acme", "--html-dir", "/tmp/x"), "--html-dir goes with --dry-run"),
    ],
)
def test_bad_input_gets_a_clear_error(busy_week, smtp, args, message):
    with pytest.raises(CommandError) as raised:
        run(*args)
    assert message in str(raised.value)
    assert smtp.messages == []
