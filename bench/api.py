"""The widget endpoints under 50 concurrent clients against gunicorn, beside GET /api/v1/ping in the same run.

    make bench ARGS="api"
    .venv/bin/python -m bench api [--requests 2000] [--clients 50] [--seconds 60] [--rounds 2]
                                  [--org-db URL] [--reload]

Two org sizes, each in its own PostgreSQL database and served by its own ``gunicorn coachapp.wsgi -w 2
--threads 4`` (DJANGO_DEBUG=true, throttling set out of reach with API_THROTTLE_RATE):

- demo size: ``BENCH_DATABASE_URL`` (default postgres://postgres@127.0.0.1:5432/coachapp_bench_api), prepared
  once as the demo is (generate_org --reps 24 --months 12 --seed 7, add_org --emulator, sync_salesforce,
  build_agendas --history 1) and kept; ``--reload`` prepares it again.
- 1,000 reps: the org ``engine-1000`` in ``--org-db`` (default: the engine bench's database,
  coachapp_bench_engine), skipped with a message when that database or org is not there.

In each, a portal user ``bench-api`` gets an org-admin membership (``portal_access``) and an API key
(``create_api_key``). The ids cycled over are real: reps with metrics, deals with flags, managers with agendas.
Per endpoint, ``--rounds`` times in turn (so drift in machine load hits every endpoint alike), 50 clients —
threads with a ``requests.Session`` each — send the endpoint's share of ``--requests`` requests (each round
also stops after ``--seconds``). The clients run on the same machine as the server: the ping's figures show
what that costs. Target: every widget endpoint's p95 under 50 ms with no errors (exit 0), else exit 1.
"""

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

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
    "rep gaps": "/api/v1/reps/{rep}/gaps",
    "deal flags": "/api/v1/opportunities/{deal}/flags",
    "manager agenda": "/api/v1/managers/{manager}/agenda",
}


def manage(url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "true", "CELERY_BROKER_URL": "", "LOG_LEVEL": "WARNING"}
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
    """Real ids of the latest week: reps with metrics, deals with flags, managers with agendas."""
    import psycopg

    queries = {
        "rep": "SELECT DISTINCT person_sf_id FROM coaching_metricsnapshot WHERE org_id = %(org)s AND week_start = "
        "(SELECT max(week_start) FROM coaching_metricsnapshot WHERE org_id = %(org)s) ORDER BY 1 LIMIT %(n)s",
        "deal": "SELECT DISTINCT opportunity_sf_id FROM coaching_gap WHERE org_id = %(org)s AND opportunity_sf_id "
        "<> '' AND NOT is_strength AND week_start = (SELECT max(week_start) FROM coaching_gap WHERE org_id = %(org)s) "
        "ORDER BY 1 LIMIT %(n)s",
        "manager": "SELECT DISTINCT manager_sf_id FROM coaching_agenda WHERE org_id = %(org)s ORDER BY 1 LIMIT %(n)s",
    }
    with psycopg.connect(url) as conn:
        org_id = conn.execute("SELECT id FROM coaching_org WHERE name = %s", [org]).fetchone()[0]
        return {
            kind: [row[0] for row in conn.execute(sql, {"org": org_id, "n": SAMPLE}).fetchall()]
            for kind, sql in queries.items()
        }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(url: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "true",  # no SSL redirect on plain HTTP
        "ALLOWED_HOSTS": "127.0.0.1",
        "API_THROTTLE_RATE": "1000000/second",  # the bench measures latency, not the rate limit
        "CELERY_BROKER_URL": "",
        "LOG_LEVEL": "WARNING",
    }
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    command = [
        gunicorn,
        "coachapp.wsgi",
        "-w",
        "2",
        "--threads",
        "4",
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited ({process.returncode}):\n{process.stderr.read()[-2000:]}")
        try:
            requests.get(base + "/api/v1/ping", timeout=1)
            return process, base
        except requests.ConnectionError:
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


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # seconds, successful and failed alike
    errors: int = 0
    seconds: float = 0.0  # wall time of the rounds
    first_error: str = ""

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else float("nan")


def hammer(
    paths: Callable[[int], str], base: str, key: str, *, count: int, clients: int, seconds: float, result: Result
) -> None:
    """``count`` GETs from ``clients`` threads, each with its own session; stops early after ``seconds``."""
    import requests

    counter = iter(range(count))
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Api-Key {key}"
        latencies, errors, first = [], 0, ""
        while time.monotonic() < deadline:
            with lock:
                n = next(counter, None)
            if n is None:
                break
            began = time.perf_counter()
            try:
                response = session.get(base + paths(n), timeout=30)
                ok, what = response.status_code == 200, f"{response.status_code} {response.text[:200]}"
            except requests.RequestException as error:
                ok, what = False, repr(error)
            latencies.append(time.perf_counter() - began)
            if not ok:
                errors += 1
                first = first or f"{paths(n)}: {what}"
        session.close()
        with lock:
            result.latencies += latencies
            result.errors += errors
            result.first_error = result.first_error or first

    began = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for future in [pool.submit(client) for _ in range(clients)]:
            future.result()
    result.seconds += time.perf_counter() - began


def measure(url: str, org: str, args: argparse.Namespace) -> dict[str, Result] | None:
    ids = sample_ids(url, org)
    missing = [kind for kind, found in ids.items() if not found]
    if missing:
        print(f"{org}: no {', '.join(missing)} ids with data in the latest week; skipped")
        return None
    print(
        f"{org}: cycling over {len(ids['rep'])} reps, {len(ids['deal'])} flagged deals, {len(ids['manager'])} managers"
    )
    key = issue_key(url, org)
    server, base = start_gunicorn(url)
    try:
        results = {name: Result() for name in ENDPOINTS}

        def paths(template: str) -> Callable[[int], str]:
            return lambda n: template.format(**{kind: found[n % len(found)] for kind, found in ids.items()})

        for template in ENDPOINTS.values():  # warm-up: connections, caches; not counted
            hammer(
                paths(template), base, key, count=args.clients * 2, clients=args.clients, seconds=30, result=Result()
            )
        share = max(1, args.requests // args.rounds)
        for _ in range(args.rounds):
            for name, template in ENDPOINTS.items():
                hammer(
                    paths(template),
                    base,
                    key,
                    count=share,
                    clients=args.clients,
                    seconds=args.seconds,
                    result=results[name],
                )
        return results
    finally:
        stop(server)


def report(title: str, results: dict[str, Result]) -> bool:
    baseline = results["ping"].percentile(0.95)
    print(f"\n{title}")
    print("| endpoint | requests | errors | p50 ms | p95 ms | p99 ms | req/s | p95 ÷ ping p95 |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    ok = True
    for name, result in results.items():
        p95 = result.percentile(0.95)
        rate = len(result.latencies) / result.seconds if result.seconds else 0.0
        print(
            f"| {name} | {len(result.latencies):,} | {result.errors:,} | {result.percentile(0.5):.1f} | {p95:.1f} | "
            f"{result.percentile(0.99):.1f} | {rate:,.0f} | {p95 / baseline:.2f} |"
        )
        if name != "ping":
            ok &= p95 < TARGET_P95_MS and result.errors == 0
    for name, result in results.items():
        if result.first_error:
            print(f"  first error of {name}: {result.first_error}")
    return ok


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench api", description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="Per endpoint and org size (split over rounds).")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0, help="Time bound of each endpoint's round.")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--org-db", default=ENGINE_URL, help=f"Database holding the {LARGE_ORG} org (bench engine's).")
    parser.add_argument("--reload", action="store_true", help="Prepare the demo-size database again.")
    args = parser.parse_args(argv)
    if min(args.requests, args.clients, args.rounds) < 1:
        parser.error("--requests, --clients and --rounds must be at least 1")
    sys.path.insert(0, str(ROOT))
    redis = "Redis (REDIS_URL)" if os.environ.get("REDIS_URL") else "per-process memory (no REDIS_URL)"
    print(
        f"machine: {os.cpu_count()} cores, load average {_load()} at the start; {args.clients} clients on the same "
        f"machine; gunicorn -w 2 --threads 4, DEBUG on; throttle counts in {redis}"
    )
    demo_url = os.environ.get("BENCH_DATABASE_URL", DEMO_URL)
    prepare_demo(demo_url, reload=args.reload)
    sizes = [("demo size (24 reps)", demo_url, DEMO_ORG)]
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
        ok &= report(f"{title}: org {org!r} in {url.rsplit('/', 1)[-1]} (load average now {_load()})", results)
    if len(sizes) < 2:
        print("\nonly the demo size was measured: the 1,000-rep figures are missing from this run")
    print(
        f"\ntarget: every widget endpoint's p95 under {TARGET_P95_MS:.0f} ms, no errors: "
        f"{'met' if ok and measured else 'NOT met'}"
    )
    return 0 if ok and measured else 1
