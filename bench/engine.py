"""The coaching engine on a 1,000-rep org: one week's metrics, gaps and agendas, beside one GROUP BY.

    make bench ARGS="engine"
    .venv/bin/python -m bench engine [--reps 1000] [--months 24] [--deals-per-month 45]
                                     [--activities-per-deal 4] [--runs 3] [--reload]

Loads a generated org (``bench.load``: the generator's records through the sync's mapping, COPYed into
PostgreSQL) into its own database (``BENCH_DATABASE_URL``, default
postgres://postgres@127.0.0.1:5432/coachapp_bench_engine), which it keeps: a later run with the same
arguments reuses it (``--reload`` rebuilds it). The week before is built once, untimed, so that this week
has history (rotation, trends, "week N of this gap").

Then, ``--runs`` times, alternately: the baseline — one ``SELECT owner_sf_id, count(*) … GROUP BY owner_sf_id``
over the org's activity table, what the database needs for the simplest pass over the largest table — and
the Monday build of the week from scratch: ``compute_metrics`` + ``store_snapshots``, ``evaluate_gaps``,
``build_week`` (what ``build_agendas`` runs). It prints medians, the ratio to the baseline, the statements
each stage issued (and how many distinct ones), and the same for a 20-rep org kept in the same database:
the distinct statements must be the same at 20 and at 1,000 reps (more reps only add batches of rows and of
ids, never a statement per rep). Target: under 60 s in total.
"""

import argparse
import os
import re
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.django_env import load_average, setup_django

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60.0
MIN_MANAGERS = 150
MIN_OPPORTUNITIES = 1_000_000
MIN_ACTIVITIES = 5_000_000
# The last day with data: fixed, so that a kept database stays valid from one day to the next. A Sunday,
# so the measured week is a whole one.
END = date(2026, 11, 22)
SEED = 7
SMALL_REPS = 20
STAGES = ("metrics", "gaps", "agendas")


def _database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/coachapp_bench_engine")


@dataclass
class Stage:
    """One stage of a build: wall time, the part of it spent waiting on SQL, and the statements issued."""

    seconds: float
    sql_seconds: float
    statements: int
    shapes: frozenset[str]  # distinct statements, IN lists and VALUES rows folded: what batching cannot grow


@dataclass
class EngineRun:
    """One build of a week: each stage's figures and what the build produced."""

    stages: dict[str, Stage] = field(default_factory=dict)
    reps: int = 0
    snapshots: int = 0
    gaps: int = 0
    agendas: int = 0
    topics: int = 0

    @property
    def total(self) -> float:
        return sum(stage.seconds for stage in self.stages.values())


_PLACEHOLDERS = re.compile(r"%s(?:\s*,\s*%s)*")
_ROWS = re.compile(r"\(%s\)(?:\s*,\s*\(%s\))+")
_SAVEPOINT = re.compile(r'"s\d+_x\d+"')  # Django's savepoint names, new for each one


class StatementCounter:
    """A Django execute wrapper: statements issued, their distinct shapes, and the time spent in them."""

    def __init__(self) -> None:
        self.statements = 0
        self.seconds = 0.0
        self.shapes: set[str] = set()

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: dict) -> Any:
        self.statements += 1
        self.shapes.add(_SAVEPOINT.sub('"s"', _ROWS.sub("(%s)", _PLACEHOLDERS.sub("%s", sql))))
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - began


@contextmanager
def _stage(run: EngineRun, name: str) -> Iterator[None]:
    from django.db import connection

    counter = StatementCounter()
    began = time.perf_counter()
    with connection.execute_wrapper(counter):
        yield
    run.stages[name] = Stage(
        time.perf_counter() - began, counter.seconds, counter.statements, frozenset(counter.shapes)
    )


def clear_week(org: Any, week: date) -> None:
    """Forget the week's agendas, gaps and snapshots: the next build is the week's first (the Monday one)."""
    from coaching.models import Agenda, Gap, MetricSnapshot

    Agenda.objects.filter(org=org, week_start=week).delete()
    Gap.objects.filter(org=org, week_start=week).delete()
    MetricSnapshot.objects.filter(org=org, week_start=week).delete()


def prepare_history(org: Any, week: date, today: date) -> float | None:
    """Build the week before ``week`` once (kept in the database); seconds taken, None if it was there."""
    from coaching.agendas.weekly import refresh_week
    from coaching.models import Agenda

    before = week - timedelta(weeks=1)
    if Agenda.objects.filter(org=org, week_start=before).exists():
        return None
    began = time.perf_counter()
    refresh_week(org, before, today=today)
    return time.perf_counter() - began


def run_engine(org: Any, week: date, today: date) -> EngineRun:
    """Build ``week`` from scratch, timing each stage: what the Monday beat runs for an org."""
    from coaching.agendas.build import build_week
    from coaching.gaps.evaluate import evaluate_gaps
    from coaching.metrics.compute import compute_metrics
    from coaching.metrics.snapshots import store_snapshots
    from coaching.weeks import judging_day

    clear_week(org, week)
    as_of = judging_day(week, today=today)
    run = EngineRun()
    with _stage(run, "metrics"):
        metrics = compute_metrics(org, as_of)
        run.snapshots = store_snapshots(metrics)
    with _stage(run, "gaps"):
        run.gaps = len(evaluate_gaps(org, week, as_of=as_of))
    with _stage(run, "agendas"):
        summary = build_week(org, week, today=today)
    run.reps, run.agendas, run.topics = len(metrics.reps), len(summary.agendas), summary.topics
    return run


def group_by_baseline(org: Any) -> float:
    """Seconds for one grouped count over the org's whole activity table."""
    from django.db import connection

    from crm.models import Activity

    table = connection.ops.quote_name(Activity._meta.db_table)
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT owner_sf_id, count(*) FROM {table} WHERE org_id = %s GROUP BY owner_sf_id", [org.pk])
        cursor.fetchall()
    return time.perf_counter() - began


def org_size(org: Any) -> dict[str, int]:
    from crm.models import Activity, LineItem, Opportunity, OpportunityChange, Person

    return {
        "opportunities": Opportunity.objects.filter(org=org).count(),
        "history rows": OpportunityChange.objects.filter(org=org).count(),
        "line items": LineItem.objects.filter(org=org).count(),
        "activities": Activity.objects.filter(org=org).count(),
        "CRM users": Person.objects.filter(org=org).count(),
    }


def _configs(args: argparse.Namespace) -> dict[str, Any]:
    from sfemulator.generator import GeneratorConfig

    def config(reps: int) -> GeneratorConfig:
        return GeneratorConfig(
            reps=reps,
            months=args.months,
            seed=SEED,
            end=END,
            opportunities_per_rep_month=args.deals_per_month,
            activities_per_opportunity=args.activities_per_deal,
        )

    # The small org is loaded beside the big one, to show which statement counts grow with reps. The big
    # one's name says its size: other benchmarks (bench api) look for "engine-1000" in this database.
    return {f"engine-{args.reps}": config(args.reps), f"engine-{SMALL_REPS}-small": config(SMALL_REPS)}


def ensure_orgs(url: str, configs: dict[str, Any], *, reload: bool) -> dict[str, Any]:
    """The loaded orgs by name: reused when the database holds them as configured, else loaded afresh."""
    from django.core.management import call_command

    from bench.load import analyze, load_org, loaded_org
    from bench.sync import recreate_database

    _create_database(url)
    call_command("migrate", verbosity=0)
    found = {name: loaded_org(name, config) for name, config in configs.items()}
    if not reload and all(found.values()):
        return found
    # Another config, a changed mapping or a half-finished load: start from an empty database.
    from django.db import connections

    connections.close_all()
    recreate_database(url)
    call_command("migrate", verbosity=0)
    loaded = {}
    for name, config in configs.items():
        print(f"loading {name} ({config.reps} reps, {config.months} months) into {url.rsplit('/', 1)[-1]} …")
        loaded[name] = load_org(name, config, on_progress=_progress(time.perf_counter()))
        counts = loaded[name].counts
        print(f"  {sum(counts.values()):,} rows in {loaded[name].seconds:.0f} s")
    began = time.perf_counter()
    analyze()
    print(f"VACUUM ANALYZE of the loaded tables: {time.perf_counter() - began:.0f} s")
    return loaded


def _progress(began: float) -> Callable[[int, int], None]:
    step = 50

    def report(done: int, total: int) -> None:
        if done % step == 0 or done == total:
            elapsed = time.perf_counter() - began
            print(f"  {done:>5}/{total} reps, {elapsed:.0f} s, about {elapsed / done * (total - done):.0f} s to go",
                  flush=True)  # fmt: skip

    return report


def _create_database(url: str) -> None:
    """Create the benchmark database unless it exists (never drop it: it holds the loaded orgs)."""
    from urllib.parse import urlparse

    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench engine", description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--deals-per-month", type=float, default=45.0, help="New opportunities per rep and month.")
    parser.add_argument("--activities-per-deal", type=float, default=4.0)
    parser.add_argument("--runs", type=int, default=3, help="Timed builds (and baselines); medians are reported.")
    parser.add_argument("--reload", action="store_true", help="Load the orgs again even if the database has them.")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    url = _database_url()
    setup_django(url)
    from coaching.weeks import monday_of

    print(f"machine: {os.cpu_count()} cores, load average {load_average()} at the start")
    orgs = ensure_orgs(url, _configs(args), reload=args.reload)
    big, small = (loaded.org for loaded in orgs.values())
    week = monday_of(END)
    for org in (big, small):
        seconds = prepare_history(org, week, END)
        if seconds is not None:
            print(f"{org.name}: the week of {week - timedelta(weeks=1)} built once for history ({seconds:.0f} s)")

    size = org_size(big)
    print(f"{big.name} ({big.display_name}): " + ", ".join(f"{count:,} {name}" for name, count in size.items()))
    baselines, runs = [], []
    for number in range(1, args.runs + 1):
        baselines.append(group_by_baseline(big))
        runs.append(run_engine(big, week, END))
        print(
            f"run {number}: GROUP BY {baselines[-1]:.2f} s; "
            + ", ".join(f"{name} {runs[-1].stages[name].seconds:.1f} s" for name in STAGES)
            + f"; total {runs[-1].total:.1f} s (load average {load_average()})",
            flush=True,
        )
    small_run = run_engine(small, week, END)
    return _report(big, week, size, baselines, runs, small_run)


def _report(
    org: Any, week: date, size: dict[str, int], baselines: list[float], runs: list[EngineRun], small: EngineRun
) -> int:
    last = runs[-1]
    baseline = statistics.median(baselines)
    total = statistics.median(run.total for run in runs)
    print(
        f"\nweek of {week}: {last.reps:,} reps, {last.agendas} agendas, {last.snapshots:,} snapshots, "
        f"{last.gaps:,} gaps, {last.topics:,} 1:1 topics"
    )
    print(
        f"medians of {len(runs)} runs; 'in SQL' = time inside statements; statements (distinct) at "
        f"{last.reps:,} reps | at {small.reps} reps"
    )
    print(f"  {'GROUP BY baseline':<17} {baseline:6.2f} s")
    for name in STAGES:
        seconds = statistics.median(run.stages[name].seconds for run in runs)
        in_sql = statistics.median(run.stages[name].sql_seconds for run in runs)
        big, little = last.stages[name], small.stages[name]
        print(
            f"  {name:<17} {seconds:6.2f} s  {seconds / baseline:6.1f}x baseline  {in_sql:6.2f} s in SQL  "
            f"{big.statements:>3} ({len(big.shapes):>2}) | {little.statements:>3} ({len(little.shapes):>2})"
        )
    ratios = ", ".join(f"{run.total / base:.0f}x" for run, base in zip(runs, baselines, strict=True))
    print(f"  {'total':<17} {total:6.2f} s  {total / baseline:6.1f}x baseline  (run by run: {ratios})")
    grown = [name for name in STAGES if last.stages[name].shapes != small.stages[name].shapes]
    if grown:
        print(f"  distinct statements differ between {small.reps} and {last.reps:,} reps in: {', '.join(grown)}")
    else:
        print(
            f"  the same distinct statements at {small.reps} and {last.reps:,} reps: more statements are only more "
            "batches of rows (bulk inserts) and of ids (IN lists)"
        )
    checks = {
        f"under {TARGET_SECONDS:.0f} s": total < TARGET_SECONDS,
        f"at least {MIN_MANAGERS} agendas": last.agendas >= MIN_MANAGERS,
        f"at least {MIN_OPPORTUNITIES:,} opportunities": size["opportunities"] >= MIN_OPPORTUNITIES,
        f"at least {MIN_ACTIVITIES:,} activities": size["activities"] >= MIN_ACTIVITIES,
    }
    print("target: " + "; ".join(f"{name}: {'met' if ok else 'NOT met'}" for name, ok in checks.items()))
    return 0 if all(checks.values()) else 1
