"""The This-week page of a 10-rep team: its HTML size and its median answer time, beside a trivial page.

    make bench ARGS="week"
    .venv/bin/python -m bench week [--requests 20] [--reload]

A generated org (``generate_org --reps 10 --months 6 --seed 13 --scenario planted``: half the reps are clear
standouts, so the page carries the cards of a team with real problems, not the near-empty week an honest
engine gives a team of alike reps) whose two teams are merged into one before
the sync (the generator makes teams of 5-8; every rep's ``ManagerId`` in ``User.json`` is pointed at the
first frontline manager, the other manager keeping no reps), synced over HTTP through the org emulator,
with agendas built for three weeks (so follow-ups, rotation and effects are there) — kept in
``BENCH_DATABASE_URL`` (default postgres://postgres@127.0.0.1:5432/coachapp_bench_week) for the next run.

The manager signs in (a session, as in the browser) and ``GET /week/`` is answered ``--requests`` times
through Django's full request stack (middleware, session, auth, the view, the templates) in one process,
alternating with ``GET /accounts/signin/`` from a client not signed in (a page that reads nothing: the
baseline of the same run), after
three warm-up requests each. No socket: what is measured is the server's own time. Exit 0 when the week page
is under 150 KB of HTML and its median under 150 ms.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.api import DEV_ENV, ROOT, database_exists, manage, org_exists

URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/coachapp_bench_week")
ORG = "bench-week"
USERNAME = "bench-week"
MAX_BYTES = 150 * 1024
MAX_MEDIAN_MS = 150.0


def one_team(directory: Path) -> tuple[str, int]:
    """Point every rep of the generated org at the first frontline manager; returns (manager id, reps)."""
    path = directory / "User.json"
    users = json.loads(path.read_text())
    by_id = {user["Id"]: user for user in users}
    managers_of_reps = {
        user["ManagerId"]
        for user in users
        if user["ManagerId"] and user["Id"] not in {other["ManagerId"] for other in users}
    }
    frontline = sorted(manager for manager in managers_of_reps if manager in by_id)
    target = frontline[0]
    reps = [user for user in users if user["ManagerId"] in frontline and user["Id"] not in managers_of_reps]
    for rep in reps:
        rep["ManagerId"] = target
    path.write_text(json.dumps(users))
    return target, len(reps)


def prepare(reload: bool) -> None:
    from bench.sync import recreate_database

    if not reload and database_exists(URL) and org_exists(URL, ORG):
        print(f"org {ORG!r}: reusing {URL.rsplit('/', 1)[-1]} (--reload prepares it again)")
        return
    began = time.perf_counter()
    directory = ROOT / "bench-data" / "week"
    recreate_database(URL)
    manage(URL, "migrate", "--verbosity", "0")
    manage(
        URL,
        "generate_org",
        str(directory),
        "--reps",
        "10",
        "--months",
        "6",
        "--seed",
        "13",
        "--scenario",
        "planted",
        "--force",
    )
    manager, reps = one_team(directory)
    manage(URL, "add_org", ORG, "--emulator", str(directory))
    manage(URL, "sync_salesforce", ORG)
    manage(URL, "build_agendas", ORG, "--history", "2")
    create = (
        f"from django.contrib.auth import get_user_model; get_user_model().objects.get_or_create(username={USERNAME!r})"
    )
    manage(URL, "shell", "-c", create)
    manage(URL, "portal_access", USERNAME, "--org", ORG, "--role", "fsm", "--person", manager)
    print(f"org {ORG!r}: one team of {reps} reps, prepared in {time.perf_counter() - began:.0f} s")


MEASURE = r"""
import json, statistics, sys, time
import django
django.setup()
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
settings.ALLOWED_HOSTS = ["*"]
client, anonymous = Client(), Client()
client.force_login(get_user_model().objects.get(username=sys.argv[1]))
week = client.get("/week/", follow=True)
assert week.status_code == 200, week.status_code
path = week.request["PATH_INFO"]
html = week.content.decode()
reps = html.count('<li class="todo__row')  # one row per rep's 1:1
items = html.count('<article class="item ')
def timed(url, who=client):
    began = time.perf_counter()
    response = who.get(url)
    elapsed = (time.perf_counter() - began) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, len(response.content)
for _ in range(3):
    timed(path); timed("/accounts/signin/", anonymous)
page, trivial, sizes = [], [], []
for _ in range(int(sys.argv[2])):
    ms, size = timed(path); page.append(ms); sizes.append(size)
    ms, _ = timed("/accounts/signin/", anonymous); trivial.append(ms)
print(json.dumps({"path": path, "reps": reps, "items": items, "bytes": max(sizes), "page": page, "trivial": trivial}))
"""


def measure(requests: int) -> dict:
    env = {**os.environ, **DEV_ENV, "DATABASE_URL": URL, "DJANGO_SETTINGS_MODULE": "coachapp.settings"}
    # The trivial page is the sign-in form, asked by a second client that is not signed in (it reads nothing).
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, USERNAME, str(requests)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"measuring failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench week", description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--reload", action="store_true")
    args = parser.parse_args(argv)
    if args.requests < 1:
        parser.error("--requests must be at least 1")
    prepare(args.reload)
    result = measure(args.requests)
    median, baseline = statistics.median(result["page"]), statistics.median(result["trivial"])
    kb = result["bytes"] / 1024
    load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"week page {result['path']} for a team of {result['reps']} reps and {result['items']} item cards, "
        f"{args.requests} requests each"
    )
    print(f"  (load average {load} on {os.cpu_count()} cores: compare with the trivial page, not alone)")
    print(f"  HTML          {kb:8.1f} KB   (target < {MAX_BYTES // 1024} KB)")
    print(f"  median        {median:8.1f} ms   (target < {MAX_MEDIAN_MS:.0f} ms)")
    print(f"  p90           {sorted(result['page'])[int(0.9 * len(result['page'])) - 1]:8.1f} ms")
    print(f"  trivial page  {baseline:8.1f} ms   (GET /accounts/signin/, same run)")
    ok = result["bytes"] < MAX_BYTES and median < MAX_MEDIAN_MS and result["reps"] >= 10
    print("  meets the targets" if ok else "  MISSES a target (or the team is not 10 reps)")
    return 0 if ok else 1
