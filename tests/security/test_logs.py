"""Tokens never reach a log line: Django's loggers (the request log of runserver, 404 warnings) go through the
``RedactTokens`` filter; gunicorn's access log through ``GunicornLogger`` (tests/security/test_production_server.py
runs it for real)."""

import logging

from django.test import Client

from coachapp.logs import RedactTokens, redact

TOKEN = "eyJvIjoxfQ:1tAbC:SecretPart123"


def test_every_token_path_is_redacted_and_nothing_else():
    assert redact(f'"GET /invite/{TOKEN}/ HTTP/1.1" 404') == '"GET /invite/[redacted]/ HTTP/1.1" 404'
    assert redact(f"/digests/unsubscribe/{TOKEN}/") == "/digests/unsubscribe/[redacted]/"
    assert redact(f"/digests/preferences/{TOKEN}/?x=1") == "/digests/preferences/[redacted]/?x=1"
    assert (
        redact("/agendas/12/ /api/v1/reps/005000000000001AAA/gaps")
        == "/agendas/12/ /api/v1/reps/005000000000001AAA/gaps"
    )


def test_the_filter_cleans_formatted_records():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", (f"/invite/{TOKEN}/",), None
    )
    assert RedactTokens().filter(record) is True
    assert record.getMessage() == "Not Found: /invite/[redacted]/"


def test_a_bad_invite_link_logs_no_token(db, caplog):
    handler = logging.getLogger().handlers[0]
    assert any(isinstance(f, RedactTokens) for f in handler.filters), "the console handler has the filter"
    with caplog.at_level(logging.WARNING, logger="django.request"):
        Client().get(f"/invite/{TOKEN}/")
    lines = [handler.format(record) for record in caplog.records if all(f.filter(record) for f in handler.filters)]
    assert lines and all("SecretPart123" not in line for line in lines)
