"""The weekly coaching run for a 1,000-rep org: metrics, gaps and agendas, in PostgreSQL.

    make bench ARGS="coaching --reps 1000"
    .venv/bin/python -m bench coaching [--reps N] [--keep]

Generates (once a day, cached under bench-data/) a demo org of N reps with the generator, syncs it from the
org emulator into a fresh PostgreSQL database (``BENCH_DATABASE_URL``, default
postgres://postgres@127.0.0.1:5432/coachapp_bench_coaching, dropped afterwards unless --keep), builds last
week once so that this week has history (rotation, follow-ups, trends), then times what the Monday beat
runs for this week: ``compute_metrics`` + ``store_snapshots``, ``evaluate_gaps`` and ``build_week``. The
target: all three in under 60 s for 1,000 reps and at least 150 managers.
"""

import argparse
import json
import os
import time
from datetime import date, timedelta
from pathlib import Path

from bench.django_env import setup_django
from bench.sync import DEFAULT_DATABASE_URL, drop_database, recreate_database

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60.0
MIN_MANAGERS = 150


def _database_url() -> str:
    default = DEFAULT_DATABASE_URL.rsplit("/", 1)[0] + "/coachapp_bench_coaching"
    return os.environ.get("BENCH_DATABASE_URL", default)


def _org_directory(reps: int, end: date) -> Path:
    from sfemulator.generator import GeneratorConfig, write_org

    directory = ROOT / "bench-data" / f"coaching-{reps}"
    wanted = {"reps": reps, "months": 12, "seed": 7, "end": end.isoformat()}
    stamp = directory / "bench.json"
    if stamp.exists() and json.loads(stamp.read_text()) == wanted:
        return directory
    began = time.perf_counter()
    write_org(GeneratorConfig(reps=reps, months=12, seed=7, end=end), directory, force=True)
    stamp.write_text(json.dumps(wanted))
    print(f"generated {directory} ({time.perf_counter() - began:.0f} s)")
    return directory


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench coaching", description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="Keep the benchmark database afterwards.")
    args = parser.parse_args(argv)

    url = _database_url()
    setup_django(url)
    from django.core.management import call_command
    from django.utils import timezone

    today = timezone.now().date()
    directory = _org_directory(args.reps, today)
    recreate_database(url)
    try:
        call_command("migrate", verbosity=0)
        return _measure(directory, today)
    finally:
        if not args.keep:
            drop_database(url)


def _measure(directory: Path, today: date) -> int:
    from coaching.agendas.build import build_week
    from coaching.agendas.weekly import refresh_week
    from coaching.gaps.evaluate import evaluate_gaps
    from coaching.metrics.compute import compute_metrics
    from coaching.metrics.snapshots import store_snapshots
    from coaching.weeks import judging_day, monday_of
    from integrations.salesforce.connect import register_org
    from integrations.sync.run import run_sync

    org = register_org("bench", method="emulator", emulator_dir=str(directory), emulator_login="password")
    began = time.perf_counter()
    run = run_sync(org)
    print(f"synced the org from the emulator: {run.status} ({time.perf_counter() - began:.0f} s, not timed)")

    week = monday_of(today)
    began = time.perf_counter()
    refresh_week(org, week - timedelta(weeks=1), today=today)
    print(f"last week built for history ({time.perf_counter() - began:.1f} s)")

    as_of = judging_day(week, today=today)
    timings = {}
    began = time.perf_counter()
    metrics = compute_metrics(org, as_of)
    store_snapshots(metrics)
    timings["metrics"] = time.perf_counter() - began
    began = time.perf_counter()
    gaps = evaluate_gaps(org, week, as_of=as_of)
    timings["gaps"] = time.perf_counter() - began
    began = time.perf_counter()
    summary = build_week(org, week, today=today)
    timings["agendas"] = time.perf_counter() - began
    total = sum(timings.values())

    managers = len(summary.agendas)
    print(
        f"week of {week.isoformat()}: {len(metrics.reps):,} reps, {len(gaps):,} gaps, {managers} agendas "
        f"({summary.topics:,} 1:1 topics, {summary.team_topics} team topics, {summary.follow_ups} follow-ups)"
    )
    for stage, seconds in timings.items():
        print(f"  {stage:<8} {seconds:6.1f} s")
    print(f"  {'total':<8} {total:6.1f} s")
    ok = total < TARGET_SECONDS and managers >= MIN_MANAGERS
    print(f"target under {TARGET_SECONDS:.0f} s with at least {MIN_MANAGERS} managers: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1
