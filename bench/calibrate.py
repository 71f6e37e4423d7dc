"""``python -m bench calibrate``: the Monday pipeline changes for a big org's week, and the director's
calibration page, each beside a baseline measured in the same run.

Two generated orgs are loaded (``bench.load``: the generator's records through the sync's mapping, COPYed
into PostgreSQL) into their own database (``BENCH_CALIBRATE_DATABASE_URL``, default
postgres://postgres@127.0.0.1:5432/coachapp_bench_calibrate), kept between runs:

- ``pipeline``: ``--reps`` reps (default 1,000). Timed, alternately ``--runs`` times: the baseline, one
  ``SELECT opportunity_sf_id, count(*) … GROUP BY opportunity_sf_id`` over the org's whole history table, and
  ``rep_changes`` for every rep of the org for the last full week (the stages' two GROUP BYs included).
  Target: under 10 s.
- ``director``: 160 reps (25 frontline teams: the generator's teams hold 5 to 8 reps, so 160 reps make more
  than the 20 managers of the target). Its coaching use is simulated once, seeded: 17 weeks of rep-level
  gaps, each manager's agendas with items marked by the manager's style — the generator's coaching styles
  (``sfemulator.generator.coaching``: engaged, talks, absent), whose engaged teams' reps also log more calls
  after the coaching week in the CRM data — and commitments. Timed: the whole page as an org admin
  (all 25 managers) through Django's test client, cold (a new database connection, caches cleared) and warm,
  beside the trivial page (``/api/v1/ping``) and a GROUP BY over the gaps table. Target: 300 ms. The page reads
  the leading measures the weekly build stores (``measure_leading``, run once here and timed).
"""

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any

from bench.django_env import load_average, setup_django

ROOT = Path(__file__).resolve().parent.parent
END = date(2026, 11, 22)  # a Sunday
SEED = 14
DIRECTOR_REPS = 160
SIM_WEEKS = 17
CODES = ("ACTIVITY_LOW", "NEW_PIPELINE_LOW", "WIN_RATE_LOW", "CLOSE_DATE_SLIPPAGE", "STAGE_STALL", "NO_NEXT_STEP")
COACHING_WEEK = date(2026, 8, 24)
REASONS = ("Not this week", "rep on leave", "Known issue, in hand", "data is wrong")


def _database_url() -> str:
    return os.environ.get("BENCH_CALIBRATE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/coachapp_bench_calibrate")


def _configs(args: argparse.Namespace) -> dict[str, Any]:
    from sfemulator.generator import GeneratorConfig

    return {
        f"pipeline-{args.reps}": GeneratorConfig(
            reps=args.reps, months=args.months, seed=SEED, end=END, opportunities_per_rep_month=args.deals_per_month,
            activities_per_opportunity=0.5, fiscal_year_start_month=2,
        ),
        f"director-{DIRECTOR_REPS}": director_config(),
    }  # fmt: skip


def director_config() -> Any:
    from sfemulator.generator import CoachingStyles, GeneratorConfig

    # The generator's coaching styles: engaged, talks and absent teams; engaged teams' reps log more calls
    # after the 1:1s of COACHING_WEEK (a Monday 13 weeks before the page's week).
    return GeneratorConfig(reps=DIRECTOR_REPS, months=6, seed=SEED, end=END, opportunities_per_rep_month=8.0,
                           activities_per_opportunity=3.0, coaching=CoachingStyles(week=COACHING_WEEK))  # fmt: skip


def history_baseline(org: Any) -> float:
    """Seconds for one grouped count over the org's whole history table."""
    from django.db import connection

    from crm.models import OpportunityChange

    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT opportunity_sf_id, count(*) FROM {OpportunityChange._meta.db_table} WHERE org_id = %s"
            " GROUP BY opportunity_sf_id",
            [org.pk],
        )
        cursor.fetchall()
    return time.perf_counter() - began


def gaps_baseline(org: Any) -> float:
    from django.db import connection

    from coaching.models import Gap

    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT manager_sf_id, code, count(*) FROM {Gap._meta.db_table} WHERE org_id = %s GROUP BY 1, 2",
            [org.pk],
        )
        cursor.fetchall()
    return time.perf_counter() - began


def time_changes(org: Any, week: date) -> tuple[float, int, dict[str, int]]:
    from coaching.pipeline.changes import CATEGORIES, rep_changes

    began = time.perf_counter()
    result = rep_changes(org, week)
    seconds = time.perf_counter() - began
    counts = {name: sum(changes.tallies[name].count for changes in result.values()) for name in CATEGORIES}
    return seconds, len(result), counts


def simulate_coaching(org: Any, last_week: date) -> int:
    """Seed ``SIM_WEEKS`` weeks of gaps, agendas, item statuses and commitments, once (kept): returns rows made."""
    from coaching.agendas.teams import PersonRow, org_chart
    from coaching.models import Agenda, AgendaItem, Commitment, Gap
    from crm.models import Person
    from sfemulator.generator import OrgBuild
    from sfemulator.generator.coaching import HABITS

    if Agenda.objects.filter(org=org).exists():
        return 0
    rng = Random(SEED)
    people = Person.live.filter(org=org).values_list("sf_id", "name", "manager_sf_id", "is_active")
    teams = list(org_chart(PersonRow(*row) for row in people).teams.values())
    styles = OrgBuild(director_config()).styles  # the generator's: what each manager does with a topic
    weeks = [last_week - timedelta(weeks=offset) for offset in range(SIM_WEEKS - 1, -1, -1)]
    open_since: dict[tuple[str, str], tuple[date, int]] = {}
    gaps, agendas, items, commitments = [], [], [], []
    built = datetime.combine(weeks[0], datetime.min.time(), tzinfo=UTC)
    for week in weeks:
        for team in teams:
            agenda = Agenda(org=org, manager_sf_id=team.manager_sf_id, week_start=week, built_at=built)
            agendas.append(agenda)
            discuss, defer, dismiss, kept = HABITS[styles[team.manager_sf_id]]
            for rep in team.reps:
                for code in CODES:
                    key = (rep.sf_id, code)
                    if key in open_since and rng.random() < 0.3:
                        del open_since[key]  # closed
                    elif key not in open_since and rng.random() < 0.12:
                        open_since[key] = (week, 0)
                    if key not in open_since:
                        continue
                    first, length = open_since[key]
                    open_since[key] = (first, length + 1)
                    gaps.append(Gap(org=org, week_start=week, code=code, family="how", person_sf_id=rep.sf_id,
                                    manager_sf_id=team.manager_sf_id, severity=rng.uniform(0.2, 0.9),
                                    first_week=first, weeks_open=length + 1))  # fmt: skip
                    draw = rng.random()
                    status = ("discussed" if draw < discuss else "deferred" if draw < discuss + defer
                              else "dismissed" if draw < discuss + defer + dismiss else "open")  # fmt: skip
                    items.append((agenda, AgendaItem(
                        key=f"gap:{code}:{rep.sf_id}", kind="gap", code=code, person_sf_id=rep.sf_id, title=code,
                        status=status, status_reason=rng.choice(REASONS) if status == "dismissed" else "",
                    )))  # fmt: skip
                    if status == "discussed" and rng.random() < 0.5:
                        done = rng.random() < kept
                        due = week + timedelta(days=11)
                        commitments.append((agenda, Commitment(
                            text="Follow up", owner_sf_id=rep.sf_id, due_date=due, status="done" if done else "open",
                            closed_at=datetime.combine(due, datetime.min.time(), tzinfo=UTC) if done else None,
                        )))  # fmt: skip
    Gap.objects.bulk_create(gaps, batch_size=2000)
    Agenda.objects.bulk_create(agendas, batch_size=2000)
    for agenda, item in items:
        item.agenda_id = agenda.pk
    AgendaItem.objects.bulk_create([item for _agenda, item in items], batch_size=2000)
    for agenda, commitment in commitments:
        commitment.agenda_id = agenda.pk
    Commitment.objects.bulk_create([commitment for _agenda, commitment in commitments], batch_size=2000)
    return len(gaps) + len(agendas) + len(items) + len(commitments)


def director_client(org: Any) -> Any:
    from django.contrib.auth.models import User
    from django.test import Client

    from coaching.models import Membership

    user, _ = User.objects.get_or_create(username="bench-calibrate-admin")
    Membership.objects.get_or_create(user=user, defaults={"org": org, "role": Membership.Role.ADMIN})
    client = Client()
    client.force_login(user)
    return client


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench calibrate", description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000, help="Reps of the pipeline org (default 1,000).")
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--deals-per-month", type=float, default=12.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--only", choices=("pipeline", "director"), help="Measure one part (the run says so).")
    args = parser.parse_args(argv)
    url = _database_url()
    setup_django(url, ALLOWED_HOSTS="testserver,localhost")
    from bench.engine import ensure_orgs

    print(f"machine: {os.cpu_count()} cores, load average {load_average()} at the start")
    configs = _configs(args)
    if args.only:
        print(f"measuring only the {args.only} part: this run is incomplete")
        configs = {name: config for name, config in configs.items() if name.startswith(args.only)}
    orgs = ensure_orgs(url, configs, reload=args.reload)
    loaded = {name.split("-")[0]: entry.org for name, entry in orgs.items()}
    if "pipeline" in loaded:
        changes = measure_pipeline(loaded["pipeline"], args)
    if "director" not in loaded:
        return 0 if changes < 10 else 1
    page = measure_director(loaded["director"], args)
    return 0 if page < 0.3 and ("pipeline" not in loaded or changes < 10) else 1


def measure_pipeline(big: Any, args: argparse.Namespace) -> float:
    from bench.engine import org_size
    from coaching.weeks import monday_of

    week = monday_of(END) + timedelta(weeks=1)  # reviews the last full week of data
    print(f"{big.name}: " + ", ".join(f"{count:,} {name}" for name, count in org_size(big).items()))

    baselines, timings = [], []
    for number in range(1, args.runs + 1):
        baselines.append(history_baseline(big))
        seconds, reps, counts = time_changes(big, week)
        timings.append(seconds)
        print(f"run {number}: GROUP BY over history {baselines[-1]:.2f} s; pipeline changes {seconds:.2f} s "
              f"({reps:,} reps with changes; load average {load_average()})", flush=True)  # fmt: skip
    print("  changes that week: " + ", ".join(f"{name} {count:,}" for name, count in counts.items()))
    base, changes = statistics.median(baselines), statistics.median(timings)
    reviewed = f"{week - timedelta(days=7)} to {week - timedelta(days=1)}"
    print(f"pipeline changes, week of {week} (reviews {reviewed}): median {changes:.2f} s = "
          f"{changes / base:.1f}x the GROUP BY baseline ({base:.2f} s); target 10 s")  # fmt: skip
    return changes


def measure_director(director: Any, args: argparse.Namespace) -> float:
    from coaching.calibration.measure import measure_leading
    from coaching.models import LeadingMeasure
    from coaching.weeks import monday_of

    made = simulate_coaching(director, monday_of(END))
    if made:
        print(f"{director.name}: simulated coaching use, {made:,} rows")
    if not LeadingMeasure.objects.filter(org=director).exists():
        began = time.perf_counter()
        measured = measure_leading(director.pk, monday_of(END), monday_of(END))  # the weekly build's part
        print(f"weekly build's leading measures (once, kept): {measured:,} gap weeks in "
              f"{time.perf_counter() - began:.2f} s")  # fmt: skip
        made += measured
    if made:
        # As autovacuum would in time (it may be off on a bench machine): the page's plans on fresh statistics.
        from bench.load import analyze
        from coaching.models import Agenda, AgendaItem, Commitment, Gap, HeldOutItem

        analyze(model._meta.db_table for model in (Gap, Agenda, AgendaItem, Commitment, HeldOutItem, LeadingMeasure))
    client = director_client(director)
    page_week = monday_of(END)
    url_path = f"/calibration/?week={page_week.isoformat()}"
    response = client.get(url_path)  # warm: templates, the session, the connection
    if response.status_code != 200:
        print(f"the calibration page answered {response.status_code}", file=sys.stderr)
        raise SystemExit(1)
    managers = response.content.decode().count('<th scope="row">') // 3
    from django.core.cache import cache
    from django.db import connection

    page_times, cold_times, gap_bases, trivial_times = [], [], [], []
    for _ in range(args.runs * 2):
        gap_bases.append(gaps_baseline(director))
        began = time.perf_counter()
        client.get("/api/v1/ping")  # the trivial page: session auth, one membership read, no work
        trivial_times.append(time.perf_counter() - began)
        cache.clear()  # this process's own cache (no REDIS_URL here)
        connection.close()  # cold: a new database connection, nothing prepared
        began = time.perf_counter()
        client.get(url_path)
        cold_times.append(time.perf_counter() - began)
        began = time.perf_counter()
        client.get(url_path)
        page_times.append(time.perf_counter() - began)
    page, cold, gap_base, trivial = (
        statistics.median(values) for values in (page_times, cold_times, gap_bases, trivial_times)
    )
    print(f"director page, {DIRECTOR_REPS} reps / about {managers} managers: median {page * 1000:.0f} ms warm "
          f"(max {max(page_times) * 1000:.0f} ms), {cold * 1000:.0f} ms cold: new connection, caches cleared (max "
          f"{max(cold_times) * 1000:.0f} ms), beside the trivial page (ping) {trivial * 1000:.1f} ms and a GROUP BY "
          f"over the gaps table {gap_base * 1000:.1f} ms; load average {load_average()}; target 300 ms")  # fmt: skip
    return page
