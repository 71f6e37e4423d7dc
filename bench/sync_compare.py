"""The sync's strategies side by side, on the same org, at a stated latency: REST serial, Bulk API 2.0, COPY.

    .venv/bin/python -m bench sync --compare --latency realistic [--records N] [--strategies rest,bulk]
    .venv/bin/python -m bench sync --compare --latency off,realistic
    .venv/bin/python -m bench sync --compare --latency off --strategies rest,bulk --runs 3

For each latency profile (``sfemulator.latency``: figures in ``docs/benchmarks.md``) the org is served by a
``run_emulator --latency PROFILE`` process, and each strategy runs a whole initial sync
(``SALESFORCE_SYNC_STRATEGY``) in its own child process into emptied tables, so that its peak memory (the
child's own high-water mark, ``VmHWM``) is the sync's alone. The baseline, measured in the same run:
PostgreSQL binary COPY of the rows the last sync wrote into the same tables, emptied (``bench.sync_baseline``,
which also times COPY into temporary copies, the baseline until 3 December). With ``--runs N`` each strategy runs
N times, the strategies taking turns, then the baseline N times, and the goals are judged on the medians: on a
shared 2-core machine one run of the same code moves by 10 % or more (docs/benchmarks.md, ninth session).

Each row also says where the CPU went while the sync ran: the sync process (every thread), the emulator (which
on a real org is Salesforce's machines, here it shares ours) and PostgreSQL (every server process of the
cluster, those that exited included: run the bench on an otherwise idle cluster). Their sum over the machine's
cores is a floor under the wall time that no overlap of waits can beat.

The strategies: ``rest`` (serial REST pages), ``rest-parallel`` (REST in parallel windows, SYNC_PARALLEL_WINDOWS
at a time), ``bulk`` (the sync as deployed: Bulk API 2.0 for every object of at least SALESFORCE_BULK_MIN_RECORDS
rows, 10,000 unless set, one job per window, all of the run's jobs queued before the first is read; REST for the
smaller objects) and ``bulk-serial`` (every object by one Bulk job, as before parallel windows).
"""

import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The goals, for the records of a 1M-record org.
BULK_REALISTIC_SECONDS = 180
BULK_OVER_REST = 5.0
OFF_SHARE_OF_COPY = 0.30
PEAK_MEMORY_MB = 500
WINDOWS = os.environ.get("SYNC_PARALLEL_WINDOWS", "4")
SETTINGS = {
    "rest": {"SALESFORCE_SYNC_STRATEGY": "rest", "SYNC_PARALLEL_WINDOWS": "1"},
    # Windows are cut from the COUNT() estimate, which a forced strategy skips: these choose by threshold.
    "rest-parallel": {
        "SALESFORCE_SYNC_STRATEGY": "auto",
        "SALESFORCE_BULK_MIN_RECORDS": str(10**12),
        "SYNC_PARALLEL_WINDOWS": WINDOWS,
    },
    # As deployed: Bulk from SALESFORCE_BULK_MIN_RECORDS rows on (10,000 unless set), REST for smaller objects.
    "bulk": {"SALESFORCE_SYNC_STRATEGY": "auto", "SYNC_PARALLEL_WINDOWS": WINDOWS},
    "bulk-serial": {"SALESFORCE_SYNC_STRATEGY": "bulk", "SYNC_PARALLEL_WINDOWS": "1"},
}


def _child(argv: list[str]) -> int:
    """One strategy's initial sync, in this (child) process; prints its figures as one JSON line."""
    strategy, directory, emulator_url = argv
    os.environ.update(SETTINGS[strategy])
    # As deployed: DEBUG off, so Django does not record each of the run's queries (the benchmark's own process
    # keeps DEBUG on, which lends it the development keys); the keys this needs are made up for the run.
    from cryptography.fernet import Fernet

    os.environ.update(DJANGO_DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50),
                      FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode())  # fmt: skip
    import django

    django.setup()
    from integrations.salesforce.connect import register_org
    from integrations.sync.run import run_sync

    org = register_org(f"bench-{strategy}", method="emulator", emulator_dir=directory, emulator_login="password",
                       emulator_url=emulator_url)  # fmt: skip
    began, cpu_began = time.perf_counter(), time.process_time()
    run = run_sync(org, rebuild=False)  # the sync alone: the agenda rebuild it announces is not its cost
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    objects = list(run.object_runs.order_by("started_at"))
    print(json.dumps({
        "status": run.status, "seconds": seconds, "fetched": sum(item.fetched for item in objects),
        "api_calls": run.api_calls, "errors": run.errors, "peak_mb": _own_peak_mb(), "cpu": cpu,
        "objects": {item.sobject: [item.strategy, item.fetched, item.api_calls, *_span(run, item)] for item in objects},
    }))  # fmt: skip
    return 0


def _span(run: Any, item: Any) -> list[float]:
    """When an object's step began and ended, in seconds from the run's start (where the wall time went)."""
    if not (item.started_at and item.finished_at):
        return []
    return [(moment - run.started_at).total_seconds() for moment in (item.started_at, item.finished_at)]


def _own_peak_mb() -> float:
    """This process's peak resident set since it was exec'd (VmHWM of its own memory map). Not ``ru_maxrss``
    from wait4: Linux carries a process's high-water mark across exec, so a child forked from this bench
    (which holds the COPY baseline's rows by then) reported the parent's peak as its own (552 MB for each of
    three syncs in a row on 2026-12-03)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    raise RuntimeError("no VmHWM in /proc/self/status: peak memory is measured on Linux only")


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) of these processes and of their children that exited and were waited for."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rpartition(")")[2].split()
        except OSError:
            continue  # exited meanwhile: its parent's children times carry it
        total += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return total / _CLOCK_TICKS


def _postgres_pids() -> list[int]:
    """Every PostgreSQL server process on this machine: the postmaster (whose children times hold the backends
    that exited) and the live backends and helpers."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == "postgres":
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def _run_strategy(strategy: str, directory: Path, emulator_url: str, emulator_pid: int) -> dict:
    from bench.sync_baseline import wal_position

    emulator_began, database_began = _cpu_seconds([emulator_pid]), _cpu_seconds(_postgres_pids())
    wal_began = wal_position()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.sync_compare", "--child", strategy, str(directory), emulator_url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        env=os.environ.copy(),
        text=True,
    )
    output = process.stdout.read() if process.stdout else ""
    process.wait()
    lines = [line for line in output.splitlines() if line.startswith("{")]
    if process.returncode or not lines:
        raise SystemExit(f"the {strategy} sync failed (exit {process.returncode}): {output[-2000:]}")
    result = json.loads(lines[-1])
    # Over the child's whole life (Django's start included, a second or two): the emulator and the database
    # do nothing else meanwhile, and the sync's own figure is its run's alone.
    result["cpu_emulator"] = _cpu_seconds([emulator_pid]) - emulator_began
    result["cpu_database"] = _cpu_seconds(_postgres_pids()) - database_began
    result["wal_mb"] = (wal_position() - wal_began) / 1e6
    return result


def _empty_tables() -> None:
    from django.db import connection

    from crm.models import Org
    from integrations.salesforce.catalogue import CATALOGUE

    tables = sorted({spec.table for spec in CATALOGUE})
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
    Org.objects.filter(name__startswith="bench-").delete()


def _warm_up(directory: Path, url: str) -> None:
    """Have the emulator load every object file before the first strategy runs: the org exists before a sync."""
    from bench import sync
    from integrations.salesforce.connect import register_org

    org = register_org("bench-warm-up", method="emulator", emulator_dir=str(directory), emulator_login="password",
                       emulator_url=url)  # fmt: skip
    sync.warm_up(org, directory, url)


def compare(directory: Path, profiles: list[str], strategies: list[str], runs: int = 1) -> int:
    """Each strategy ``runs`` times per profile (the strategies taking turns, so that a machine that speeds up or
    slows down weighs on all of them alike), then the COPY baseline ``runs`` times; the goals are judged on
    medians."""
    from bench.sync import start_emulator
    from bench.sync_baseline import checkpoint

    unknown = [name for name in strategies if name not in SETTINGS]
    if unknown:
        raise SystemExit(f"unknown strategies {unknown}; choose from {', '.join(SETTINGS)}")
    if runs < 1:
        raise SystemExit(f"--runs must be at least 1, not {runs}")
    results: dict[str, dict[str, list[dict]]] = {}
    copy_rates: tuple[float, float] | None = None
    for profile in profiles:
        server, url = start_emulator(directory, latency=profile)
        try:
            _warm_up(directory, url)
            results[profile] = {strategy: [] for strategy in strategies}
            for turn in range(runs):
                for strategy in strategies:
                    _empty_tables()
                    if not checkpoint():
                        print("  (no CHECKPOINT before the run: the role may not; the WAL before may weigh on it)")
                    result = _run_strategy(strategy, directory, url, server.pid)
                    results[profile][strategy].append(result)
                    _print_run(profile, strategy, result, f" (run {turn + 1} of {runs})" if runs > 1 else "")
        finally:
            server.terminate()
            server.wait(timeout=10)
        if runs > 1:
            for strategy, done in results[profile].items():
                times = sorted(result["seconds"] for result in done)
                print(f"latency {profile:<9} {strategy:<13} median {_median(done):.1f} s of {runs} runs "
                      f"({times[0]:.1f}-{times[-1]:.1f} s)")  # fmt: skip
        if copy_rates is None:
            copy_rates = _copy_baselines(runs)
    return _verdict(results, *(copy_rates or (0.0, 0.0)))


def _median(done: list[dict]) -> float:
    return statistics.median(result["seconds"] for result in done)


def _print_run(profile: str, strategy: str, result: dict, label: str) -> None:
    rate = result["fetched"] / result["seconds"]
    print(
        f"latency {profile:<9} {strategy:<13} {result['fetched']:>10,} records in "
        f"{result['seconds']:8.1f} s = {rate:>9,.0f} records/s, {result['api_calls']:>6,} API calls, "
        f"peak {result['peak_mb']:6.0f} MB ({result['status']}){label}",
        flush=True,
    )
    cpu, cores = result["cpu"] + result["cpu_emulator"] + result["cpu_database"], os.cpu_count() or 1
    print(
        f"  CPU seconds: sync {result['cpu']:.1f}, emulator {result['cpu_emulator']:.1f}, PostgreSQL "
        f"{result['cpu_database']:.1f}; {cpu:.1f} in all = {cpu / result['seconds']:.2f} of "
        f"{cores} cores busy on average (at best {cpu / cores:.1f} s of wall time); WAL written "
        f"{result['wal_mb']:,.0f} MB",
        flush=True,
    )
    steps = [f"{name} {span[3]:.0f}-{span[4]:.0f}" for name, span in result["objects"].items() if len(span) > 4]
    print(f"  objects (seconds from the run's start): {', '.join(steps)}", flush=True)
    if result["errors"]:
        print(f"  errors: {result['errors'][:3]}")


def _copy_baselines(runs: int) -> tuple[float, float]:
    """The COPY baseline ``runs`` times over the rows the last sync wrote: the median rates into the same tables
    and into temporary copies."""
    from bench.sync_baseline import copy_baseline
    from integrations.salesforce.catalogue import CATALOGUE

    tables = sorted({spec.table for spec in CATALOGUE})
    same, temporary = [], []
    for turn in range(runs):
        database_began, own_began = _cpu_seconds(_postgres_pids()), time.process_time()
        baseline = copy_baseline(tables)
        same.append(baseline.seconds)
        temporary.append(baseline.temporary_seconds)
        label = f" (run {turn + 1} of {runs})" if runs > 1 else ""
        print(
            f"PostgreSQL COPY of the same rows into the same tables: {baseline.rows:,} rows in "
            f"{baseline.seconds:.1f} s = {baseline.rate:,.0f} rows/s; into temporary copies (no WAL, no org "
            f"check; the baseline before 3 December): {baseline.temporary_seconds:.1f} s = "
            f"{baseline.temporary_rate:,.0f} rows/s{label}"
        )
        print(
            f"  CPU seconds: this process {time.process_time() - own_began:.1f} (the rows read back and written), "
            f"PostgreSQL {_cpu_seconds(_postgres_pids()) - database_began:.1f} (both COPYs and the checkpoints "
            f"before them); WAL written {baseline.wal_bytes / 1e6:,.0f} MB (into the same tables)"
        )
    if runs > 1:
        print(f"PostgreSQL COPY: median {statistics.median(same):.1f} s into the same tables "
              f"({min(same):.1f}-{max(same):.1f} s), {statistics.median(temporary):.1f} s into temporary copies "
              f"({min(temporary):.1f}-{max(temporary):.1f} s), of {runs} runs")  # fmt: skip
    return baseline.rows / statistics.median(same), baseline.rows / statistics.median(temporary)


def _verdict(results: dict[str, dict[str, list[dict]]], copy_rate: float, temporary_rate: float) -> int:
    """The issue's goals, judged on each strategy's median time (its only time with one run)."""
    ok = True
    realistic = results.get("realistic", {})
    if "bulk" in realistic:
        bulk = _median(realistic["bulk"])
        met = bulk <= BULK_REALISTIC_SECONDS
        ok &= met
        print(f"goal: Bulk initial sync <= {BULK_REALISTIC_SECONDS} s at realistic latency: "
              f"{bulk:.0f} s, {'met' if met else 'NOT met'}")  # fmt: skip
        if "rest" in realistic:
            ratio = _median(realistic["rest"]) / bulk
            ok &= ratio >= BULK_OVER_REST
            print(f"goal: Bulk >= {BULK_OVER_REST:.0f}x faster than REST serial: {ratio:.1f}x, "
                  f"{'met' if ratio >= BULK_OVER_REST else 'NOT met'}")  # fmt: skip
    if "rest" in realistic and "rest-parallel" in realistic:
        speedup = _median(realistic["rest"]) / _median(realistic["rest-parallel"])
        print(f"REST in parallel windows: {speedup:.1f}x REST serial at realistic latency")
    for strategy, done in results.get("off", {}).items():
        rate = done[0]["fetched"] / _median(done)
        share = rate / copy_rate if copy_rate else 0.0
        before = rate / temporary_rate if temporary_rate else 0.0
        ok &= share >= OFF_SHARE_OF_COPY
        print(f"goal: latency off, {strategy} >= {OFF_SHARE_OF_COPY:.0%} of COPY into the same tables: {share:.0%}, "
              f"{'met' if share >= OFF_SHARE_OF_COPY else 'NOT met'} ({before:.0%} of COPY into "
              "temporary copies)")  # fmt: skip
    peak = max((result["peak_mb"] for by in results.values() for done in by.values() for result in done), default=0.0)
    ok &= peak < PEAK_MEMORY_MB
    print(f"goal: peak memory of the sync < {PEAK_MEMORY_MB} MB: {peak:.0f} MB, "
          f"{'met' if peak < PEAK_MEMORY_MB else 'NOT met'}")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        sys.exit(_child(sys.argv[2:]))
    sys.exit("run it through `python -m bench sync --compare`")
