"""The widget endpoints under 50 concurrent clients against gunicorn, beside GET /api/v1/ping in the same run.

    make bench ARGS="api"
    .venv/bin/python -m bench api [--requests 2000] [--clients 50] [--rate 100] [--paced-seconds 15]
                                  [--rounds 2] [--workers 2] [--threads 4] [--org-db URL] [--reload]

Two org sizes, each in its own PostgreSQL database, each served by its own ``gunicorn coachapp.wsgi`` with the
production settings (DEBUG off, persistent database connections; the clients send ``X-Forwarded-Proto: https``
as the TLS proxy in front of it would; throttling set out of reach with API_THROTTLE_RATE):

- demo size: ``BENCH_DATABASE_URL`` (default postgres://postgres@127.0.0.1:5432/coachapp_bench_api), prepared
  once as the demo is (generate_org --reps 24 --months 12 --seed 7, add_org --emulator, sync_salesforce,
  build_agendas --history 1) and kept; ``--reload`` prepares it again.
- 1,000 reps: the org ``engine-1000`` in ``--org-db`` (default: the engine bench's database,
  coachapp_bench_engine), skipped with a message when that database or org is not there.

In each, a portal user ``bench-api`` gets an org-admin membership (``portal_access``) and an API key
(``create_api_key``): the widget's Named Credential holds one key. The ids cycled over are real ones of the
latest week: reps with metrics, reps with gaps, deals with flags (deal-level gaps, or deals named in a gap's
evidence), managers with agendas.

The clients are ``bench.http_load``: one asyncio process, ``--clients`` keep-alive connections, on the same
two cores as gunicorn (the ping shows what that costs). Each endpoint is measured twice, ``--rounds`` times in
turn (so drift in machine load hits every endpoint alike):

- **saturation**: every client sends its next request as soon as the last one answers, ``--requests`` per
  endpoint. Throughput, and latency that is mostly queueing: with 50 requests always in flight, p50 is about
  50 ÷ throughput, so no endpoint here, the ping included, has a p95 under 50 ms this way on two cores.
- **paced**: the 50 clients share a schedule of ``--rate`` requests per second (default 100: every rep and
  manager of a 1,000-rep org opening a page with the widget every 12 s), ``--paced-seconds`` per endpoint.
  Latency counts from when each request was due. This is the figure the 50 ms target is judged on.

Exit 0 when every widget endpoint's paced p95 is under 50 ms with no errors in either mode, at every size.
"""

import argparse
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from bench.django_env import load_average
from bench.http_load import Result, run

ROOT = Path(__file__).resolve().parent.parent
DEMO_URL = "postgres://postgres@127.0.0.1:5432/coachapp_bench_api"
ENGINE_URL = "postgres://postgres@127.0.0.1:5432/coachapp_bench_engine"
DEMO_ORG = "bench-api"
LARGE_ORG = "engine-1000"
USERNAME = "bench-api"
TARGET_P95_MS = 50.0
SAMPLE = 200  # ids per kind to cycle over
ENDPOINTS = {
    "ping": "/api/v1/ping",
    "rep metrics": "/api/v1/reps/{rep}/metrics",
    "rep gaps": "/api/v1/reps/{rep_with_gaps}/gaps",
    "deal flags": "/api/v1/opportunities/{deal}/flags",
    "manager agenda": "/api/v1/managers/{manager}/agenda",
}
_LATEST_GAP_WEEK = "(SELECT max(week_start) FROM coaching_gap WHERE org_id = %(org)s)"
SAMPLE_QUERIES = {
    "rep": "SELECT DISTINCT person_sf_id FROM coaching_metricsnapshot WHERE org_id = %(org)s AND week_start = "
    "(SELECT max(week_start) FROM coaching_metricsnapshot WHERE org_id = %(org)s) ORDER BY 1 LIMIT %(n)s",
    "rep_with_gaps": "SELECT DISTINCT person_sf_id FROM coaching_gap WHERE org_id = %(org)s AND NOT is_strength "
    f"AND week_start = {_LATEST_GAP_WEEK} ORDER BY 1 LIMIT %(n)s",
    # A deal's flags are its deal-level gaps and its owner's gaps whose evidence lists it (coaching.api.queries).
    "deal": "SELECT DISTINCT deal FROM (SELECT opportunity_sf_id AS deal FROM coaching_gap WHERE org_id = %(org)s "
    f"AND opportunity_sf_id <> '' AND NOT is_strength AND week_start = {_LATEST_GAP_WEEK} UNION ALL "
    "SELECT jsonb_path_query(evidence, '$.deals[*].sf_id') #>> '{}' FROM coaching_gap WHERE org_id = %(org)s "
    f"AND NOT is_strength AND week_start = {_LATEST_GAP_WEEK}) AS named ORDER BY 1 LIMIT %(n)s",
    "manager": "SELECT DISTINCT manager_sf_id FROM coaching_agenda WHERE org_id = %(org)s ORDER BY 1 LIMIT %(n)s",
}
# The orgs are prepared with the development settings (so their credentials use the development encryption key).
DEV_ENV = {"DJANGO_DEBUG": "true", "CELERY_BROKER_URL": "", "LOG_LEVEL": "WARNING"}


def manage(url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, **DEV_ENV, "DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if check and done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args[:2])} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return done


def database_exists(url: str) -> bool:
    import psycopg

    parsed = urlparse(url)
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as conn:
        return (
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [parsed.path.lstrip("/")]).fetchone()
            is not None
        )


def org_exists(url: str, org: str) -> bool:
    import psycopg

    if not database_exists(url):
        return False
    with psycopg.connect(url) as conn:
        try:
            return conn.execute("SELECT 1 FROM coaching_org WHERE name = %s", [org]).fetchone() is not None
        except psycopg.errors.UndefinedTable:
            return False


def prepare_demo(url: str, *, reload: bool) -> None:
    """The demo-size org, prepared as the demo is; kept for the next run."""
    from bench.sync import recreate_database

    if not reload and org_exists(url, DEMO_ORG) and sample_ids(url, DEMO_ORG)["manager"]:
        print(f"demo org {DEMO_ORG!r}: reusing {url.rsplit('/', 1)[-1]} (--reload prepares it again)")
        return
    began = time.perf_counter()
    directory = ROOT / "bench-data" / "api-demo"
    recreate_database(url)
    manage(url, "migrate", "--verbosity", "0")
    manage(url, "generate_org", str(directory), "--reps", "24", "--months", "12", "--seed", "7", "--force")
    manage(url, "add_org", DEMO_ORG, "--emulator", str(directory))
    manage(url, "sync_salesforce", DEMO_ORG)
    manage(url, "build_agendas", DEMO_ORG, "--history", "1")
    print(f"demo org {DEMO_ORG!r} prepared in {url.rsplit('/', 1)[-1]} ({time.perf_counter() - began:.0f} s)")


def issue_key(url: str, org: str) -> str:
    """An org-admin portal user (sees every team) and a fresh API key for it."""
    create = (
        f"from django.contrib.auth import get_user_model; get_user_model().objects.get_or_create(username={USERNAME!r})"
    )
    manage(url, "shell", "-c", create)
    manage(url, "portal_access", USERNAME, "--org", org, "--role", "admin")
    return manage(url, "create_api_key", org, USERNAME, "--name", "bench api").stdout.strip()


def sample_ids(url: str, org: str) -> dict[str, list[str]]:
    """Real ids of the latest week, per kind (``SAMPLE_QUERIES``)."""
    import psycopg

    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        return sample_ids_in(cursor, org)


def sample_ids_in(cursor: Any, org: str) -> dict[str, list[str]]:
    """``sample_ids`` through an open DB-API cursor (psycopg's, or Django's in tests)."""
    cursor.execute("SELECT id FROM coaching_org WHERE name = %s", [org])
    org_id = cursor.fetchone()[0]
    found = {}
    for kind, sql in SAMPLE_QUERIES.items():
        cursor.execute(sql, {"org": org_id, "n": SAMPLE})
        found[kind] = [row[0] for row in cursor.fetchall()]
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(url: str) -> dict[str, str]:
    """The settings a deployment runs with, plus the dev encryption key so the prepared orgs stay readable."""
    dev_key = manage(url, "shell", "-c", "from django.conf import settings; print(settings.FIELD_ENCRYPTION_KEYS[0])")
    from cryptography.fernet import Fernet

    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEY": f"{Fernet.generate_key().decode()},{dev_key.stdout.strip()}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "API_THROTTLE_RATE": "1000000/second",  # the bench measures latency, not the rate limit
        "CELERY_BROKER_URL": "",
        "LOG_LEVEL": "WARNING",
    }


def start_gunicorn(url: str, *, workers: int, threads: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    command = [gunicorn, "coachapp.wsgi", "-w", str(workers), "--threads", str(threads)]
    command += ["-b", f"127.0.0.1:{port}", "--log-level", "warning"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=production_env(url), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    base = f"http://127.0.0.1:{port}"
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited ({process.returncode}):\n{process.stderr.read()[-2000:]}")
        try:
            # Any answer will do (401: no key); without the proxy's header it would be a redirect to https.
            requests.get(base + "/api/v1/ping", headers={"X-Forwarded-Proto": "https"}, timeout=5)
            return process, base
        except requests.RequestException:  # refused while starting, or slow on its first request
            time.sleep(0.3)
    stop(process)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def measure(url: str, org: str, args: argparse.Namespace) -> dict[str, dict[str, Result]] | None:
    """{mode: {endpoint: result}} for one org, or None when it lacks ids to cycle over."""
    manage(url, "migrate", "--verbosity", "0")  # a kept database follows the code's migrations
    ids = sample_ids(url, org)
    missing = [kind for kind, found in ids.items() if not found]
    if missing:
        print(f"{org}: no {', '.join(missing)} ids with data in the latest week; skipped")
        return None
    counts = ", ".join(f"{len(found)} {kind}" for kind, found in ids.items())
    print(f"{org}: cycling over {counts}")
    headers = {"Authorization": f"Api-Key {issue_key(url, org)}", "X-Forwarded-Proto": "https"}
    server, base = start_gunicorn(url, workers=args.workers, threads=args.threads)
    try:

        def paths(template: str) -> Callable[[int], str]:
            return lambda n: template.format(**{kind: found[n % len(found)] for kind, found in ids.items()})

        load = {"headers": headers, "clients": args.clients}
        endpoints = {name: ENDPOINTS[name] for name in ENDPOINTS if name == "ping" or name in args.endpoints}
        for template in endpoints.values():  # warm-up: connections, caches; not counted
            run(base, paths(template), count=args.clients * 4, seconds=30, **load)
        results = {mode: {name: Result() for name in endpoints} for mode in ("saturation", "paced")}
        share = max(1, args.requests // args.rounds)
        paced = max(1.0, args.paced_seconds / args.rounds)
        for _ in range(args.rounds):
            for name, template in endpoints.items():
                results["saturation"][name].add(run(base, paths(template), count=share, seconds=60, **load))
            for name, template in endpoints.items():
                paced_run = run(
                    base, paths(template), count=int(args.rate * paced), seconds=paced, rate=args.rate, **load
                )
                results["paced"][name].add(paced_run)
        return results
    finally:
        stop(server)


def report(title: str, results: dict[str, dict[str, Result]], rate: float) -> bool:
    print(f"\n{title}")
    ok = True
    for mode, by_endpoint in results.items():
        what = f"paced at {rate:g} req/s" if mode == "paced" else "saturation (back to back)"
        baseline = by_endpoint["ping"].percentile(0.95)
        print(f"\n{what}:\n")
        print("| endpoint | requests | errors | p50 ms | p95 ms | p99 ms | req/s | p95 ÷ ping p95 |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for name, result in by_endpoint.items():
            p95 = result.percentile(0.95)
            print(
                f"| {name} | {len(result.latencies):,} | {result.errors:,} | {result.percentile(0.5):.1f} | "
                f"{p95:.1f} | {result.percentile(0.99):.1f} | {result.rate:,.0f} | {p95 / baseline:.2f} |"
            )
            if name != "ping":
                ok &= result.errors == 0 and (mode != "paced" or p95 < TARGET_P95_MS)
        for name, result in by_endpoint.items():
            if result.first_error:
                print(f"  first error of {name}: {result.first_error}")
    return ok


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench api", description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="Saturation requests per endpoint and size.")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rate", type=float, default=100.0, help="Paced mode: requests per second, all clients.")
    parser.add_argument("--paced-seconds", type=float, default=15.0, help="Paced mode: seconds per endpoint.")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes.")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker.")
    widgets = [name for name in ENDPOINTS if name != "ping"]
    parser.add_argument(
        "--endpoint", dest="endpoints", action="append", choices=widgets, help="Only these (repeatable); ping always."
    )
    parser.add_argument("--size", choices=["demo", "1000"], help="Only this org size (default: both).")
    parser.add_argument("--org-db", default=ENGINE_URL, help=f"Database holding the {LARGE_ORG} org (bench engine's).")
    parser.add_argument("--reload", action="store_true", help="Prepare the demo-size database again.")
    args = parser.parse_args(argv)
    args.endpoints = args.endpoints or widgets
    if min(args.requests, args.clients, args.rounds, args.workers, args.threads) < 1 or args.rate <= 0:
        parser.error("--requests, --clients, --rounds, --workers, --threads and --rate must be positive")
    sys.path.insert(0, str(ROOT))
    redis = "Redis (REDIS_URL)" if os.environ.get("REDIS_URL") else "per-process memory (no REDIS_URL)"
    print(
        f"machine: {os.cpu_count()} cores, load average {load_average()} at the start; {args.clients} clients "
        f"(one asyncio process) on the same machine; gunicorn -w {args.workers} --threads {args.threads}, "
        f"production settings; throttle counts in {redis}"
    )
    demo_url = os.environ.get("BENCH_DATABASE_URL", DEMO_URL)
    sizes = []
    if args.size in (None, "demo"):
        prepare_demo(demo_url, reload=args.reload)
        sizes.append(("demo size (24 reps)", demo_url, DEMO_ORG))
    if args.size in (None, "1000"):
        if org_exists(args.org_db, LARGE_ORG):
            sizes.append(("1,000 reps", args.org_db, LARGE_ORG))
        else:
            print(f"1,000-rep size SKIPPED: no org {LARGE_ORG!r} in {args.org_db} (run `python -m bench engine` first)")
    ok, measured = True, 0
    for title, url, org in sizes:
        results = measure(url, org, args)
        if results is None:
            ok = False
            continue
        measured += 1
        title = f"{title}: org {org!r} in {url.rsplit('/', 1)[-1]} (load average now {load_average()})"
        ok &= report(title, results, args.rate)
    complete = measured == 2 and len(args.endpoints) == len(widgets)
    if not complete:
        print("\nnot every size and endpoint was measured: the figures of this run are incomplete")
    met = ok and complete
    print(
        f"\ntarget: every widget endpoint's paced p95 under {TARGET_P95_MS:.0f} ms at both sizes, no errors: "
        f"{'met' if met else 'NOT met'}"
    )
    return 0 if met else 1
