"""The API benchmark's load generator against a small HTTP server in a thread: counts, errors, pacing, and
latency counted from when a request was due (a slow server cannot hide behind its own slowness)."""

import string
import threading
import time
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection

from bench.api import ENDPOINTS, SAMPLE_QUERIES, sample_ids_in
from bench.http_load import Result, run
from tests.factories import GapFactory, OrgFactory


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as gunicorn answers
    delay = 0.0
    seen: list[tuple[str, str]] = []

    def do_GET(self) -> None:
        Handler.seen.append((self.path, self.headers.get("Authorization", "")))
        time.sleep(Handler.delay)
        status = 500 if self.path.startswith("/broken") else 200
        body = b'{"ok": true}' if status == 200 else b'{"message": "boom"}'
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    Handler.delay, Handler.seen = 0.0, []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_saturation_sends_every_request_with_the_headers(server):
    result = run(server, lambda n: f"/item/{n}", count=40, clients=5, seconds=30, headers={"Authorization": "k"})
    assert len(result.latencies) == 40 and result.errors == 0 and not result.first_error
    assert sorted(path for path, _ in Handler.seen) == sorted(f"/item/{n}" for n in range(40))
    assert {auth for _, auth in Handler.seen} == {"k"}
    assert result.rate > 0 and 0 < result.percentile(0.5) <= result.percentile(0.95)


def test_errors_are_counted_and_the_first_one_named(server):
    result = run(server, lambda n: "/broken" if n % 4 == 0 else "/fine", count=20, clients=3, seconds=30)
    assert len(result.latencies) == 20 and result.errors == 5
    assert result.first_error.startswith("/broken: 500") and "boom" in result.first_error


def test_a_server_that_is_not_there_is_an_error_per_request_not_a_crash():
    result = run("http://127.0.0.1:9", lambda n: "/", count=3, clients=2, seconds=10)
    assert result.errors == 3 and "Connect" in result.first_error


def test_paced_requests_keep_to_the_schedule(server):
    began = time.monotonic()
    result = run(server, lambda n: "/fine", count=20, clients=4, seconds=30, rate=40)
    # Request 19 is due 19/40 s after the start: the run cannot be over sooner.
    assert time.monotonic() - began >= 19 / 40
    assert len(result.latencies) == 20 and result.rate < 45


def test_paced_latency_counts_from_when_a_request_was_due(server):
    Handler.delay = 0.1
    # One client, 5 requests due 10 ms apart, each taking 100 ms: the last is due at 40 ms but can only go out
    # at about 400 ms, so its latency is about 460 ms, not the 100 ms the server spent on it.
    result = run(server, lambda n: "/fine", count=5, clients=1, seconds=30, rate=100)
    assert max(result.latencies) >= 0.4


def test_a_round_stops_at_its_time_bound(server):
    Handler.delay = 0.05
    result = run(server, lambda n: "/fine", count=10_000, clients=2, seconds=0.3)
    assert 0 < len(result.latencies) < 100


def test_results_of_rounds_add_up():
    total = Result()
    total.add(Result(latencies=[0.01, 0.02], errors=1, seconds=1.0, first_error="first"))
    total.add(Result(latencies=[0.03], errors=0, seconds=2.0, first_error="second"))
    assert total.latencies == [0.01, 0.02, 0.03] and total.errors == 1 and total.first_error == "first"
    assert total.rate == 1.0 and total.percentile(0.5) == pytest.approx(20.0)
    assert Result().percentile(0.95) != Result().percentile(0.95)  # NaN: nothing measured


def test_a_non_positive_rate_is_refused():
    with pytest.raises(ValueError, match="rate must be positive"):
        run("http://127.0.0.1:9", lambda n: "/", count=1, clients=1, seconds=1, rate=0)


def test_every_kind_of_id_the_endpoints_cycle_over_has_a_sample_query():
    kinds = {name for template in ENDPOINTS.values() for name in _fields(template)}
    assert kinds <= set(SAMPLE_QUERIES)


def _fields(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


@pytest.mark.postgres
def test_the_sampled_ids_are_those_of_the_latest_week(postgres, db):
    org = OrgFactory(name="sampled")
    old, new = date(2026, 11, 9), date(2026, 11, 16)
    GapFactory(org=org, week_start=old, person_sf_id="005OLD", opportunity_sf_id="006OLD")
    GapFactory(org=org, week_start=new, person_sf_id="005A", opportunity_sf_id="006LEVEL")
    GapFactory(org=org, week_start=new, person_sf_id="005B", evidence={"deals": [{"sf_id": "006NAMED"}, {"x": 1}]})
    GapFactory(org=org, week_start=new, person_sf_id="005C", evidence={"deals": "not a list"})
    GapFactory(org=org, week_start=new, person_sf_id="005S", is_strength=True, opportunity_sf_id="006STRONG")
    with connection.cursor() as cursor:
        found = sample_ids_in(cursor, "sampled")
    assert found["deal"] == ["006LEVEL", "006NAMED"]
    assert found["rep_with_gaps"] == ["005A", "005B", "005C"]
    assert found["rep"] == [] and found["manager"] == []
