"""The sync's strategies side by side, on the same org, at a stated latency: REST serial, Bulk API 2.0, COPY.

    .venv/bin/python -m bench sync --compare --latency realistic [--records N] [--strategies rest,bulk]
    .venv/bin/python -m bench sync --compare --latency off,realistic

For each latency profile (``sfemulator.latency``: figures in ``docs/benchmarks.md``) the org is served by a
``run_emulator --latency PROFILE`` process, and each strategy runs a whole initial sync
(``SALESFORCE_SYNC_STRATEGY``) in its own child process into emptied tables, so that its peak memory (the
child's own high-water mark, ``VmHWM``) is the sync's alone. The baseline, measured in the same run:
PostgreSQL binary COPY of the rows the last sync wrote into empty copies of the same tables.

The strategies: ``rest`` (serial REST pages), ``rest-parallel`` (REST in parallel windows, SYNC_PARALLEL_WINDOWS
at a time), ``bulk`` (Bulk API 2.0, one job per window so the queue waits overlap) and ``bulk-serial`` (one
Bulk job per object, as before parallel windows).
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

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
    "bulk": {"SALESFORCE_SYNC_STRATEGY": "auto", "SALESFORCE_BULK_MIN_RECORDS": "1", "SYNC_PARALLEL_WINDOWS": WINDOWS},
    "bulk-serial": {"SALESFORCE_SYNC_STRATEGY": "bulk", "SYNC_PARALLEL_WINDOWS": "1"},
}


def _child(argv: list[str]) -> int:
    """One strategy's initial sync, in this (child) process; prints its figures as one JSON line."""
    strategy, directory, emulator_url = argv
    os.environ.update(SETTINGS[strategy])
    import django

    django.setup()
    from integrations.salesforce.connect import register_org
    from integrations.sync.run import run_sync

    org = register_org(f"bench-{strategy}", method="emulator", emulator_dir=directory, emulator_login="password",
                       emulator_url=emulator_url)  # fmt: skip
    began = time.perf_counter()
    run = run_sync(org, rebuild=False)  # the sync alone: the agenda rebuild it announces is not its cost
    seconds = time.perf_counter() - began
    objects = list(run.object_runs.all())
    print(json.dumps({
        "status": run.status, "seconds": seconds, "fetched": sum(item.fetched for item in objects),
        "api_calls": run.api_calls, "errors": run.errors, "peak_mb": _own_peak_mb(),
        "objects": {item.sobject: [item.strategy, item.fetched, item.api_calls] for item in objects},
    }))  # fmt: skip
    return 0


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


def _run_strategy(strategy: str, directory: Path, emulator_url: str) -> dict:
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
    return json.loads(lines[-1])


def _empty_tables() -> None:
    from django.db import connection

    from crm.models import Org
    from integrations.salesforce.catalogue import CATALOGUE

    tables = sorted({spec.table for spec in CATALOGUE})
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
    Org.objects.filter(name__startswith="bench-").delete()


def compare(directory: Path, profiles: list[str], strategies: list[str]) -> int:
    from bench.sync import copy_baseline, start_emulator
    from integrations.salesforce.catalogue import CATALOGUE

    unknown = [name for name in strategies if name not in SETTINGS]
    if unknown:
        raise SystemExit(f"unknown strategies {unknown}; choose from {', '.join(SETTINGS)}")
    results: dict[str, dict[str, dict]] = {}
    copy_rate = None
    for profile in profiles:
        server, url = start_emulator(directory, latency=profile)
        try:
            results[profile] = {}
            for strategy in strategies:
                _empty_tables()
                result = results[profile][strategy] = _run_strategy(strategy, directory, url)
                rate = result["fetched"] / result["seconds"]
                print(
                    f"latency {profile:<9} {strategy:<13} {result['fetched']:>10,} records in "
                    f"{result['seconds']:8.1f} s = {rate:>9,.0f} records/s, {result['api_calls']:>6,} API calls, "
                    f"peak {result['peak_mb']:6.0f} MB ({result['status']})",
                    flush=True,
                )
                if result["errors"]:
                    print(f"  errors: {result['errors'][:3]}")
        finally:
            server.terminate()
            server.wait(timeout=10)
        if copy_rate is None:
            rows, seconds = copy_baseline(sorted({spec.table for spec in CATALOGUE}))
            copy_rate = rows / seconds
            print(f"PostgreSQL COPY of the same rows: {rows:,} rows in {seconds:.1f} s = {copy_rate:,.0f} rows/s")
    return _verdict(results, copy_rate or 0.0)


def _verdict(results: dict[str, dict[str, dict]], copy_rate: float) -> int:
    ok = True
    realistic = results.get("realistic", {})
    if "bulk" in realistic:
        bulk = realistic["bulk"]
        met = bulk["seconds"] <= BULK_REALISTIC_SECONDS
        ok &= met
        print(f"goal: Bulk initial sync <= {BULK_REALISTIC_SECONDS} s at realistic latency: "
              f"{bulk['seconds']:.0f} s, {'met' if met else 'NOT met'}")  # fmt: skip
        if "rest" in realistic:
            ratio = realistic["rest"]["seconds"] / bulk["seconds"]
            ok &= ratio >= BULK_OVER_REST
            print(f"goal: Bulk >= {BULK_OVER_REST:.0f}x faster than REST serial: {ratio:.1f}x, "
                  f"{'met' if ratio >= BULK_OVER_REST else 'NOT met'}")  # fmt: skip
    if "rest" in realistic and "rest-parallel" in realistic:
        speedup = realistic["rest"]["seconds"] / realistic["rest-parallel"]["seconds"]
        print(f"REST in parallel windows: {speedup:.1f}x REST serial at realistic latency")
    for strategy, result in results.get("off", {}).items():
        share = result["fetched"] / result["seconds"] / copy_rate if copy_rate else 0.0
        ok &= share >= OFF_SHARE_OF_COPY
        print(f"goal: latency off, {strategy} >= {OFF_SHARE_OF_COPY:.0%} of COPY: {share:.0%}, "
              f"{'met' if share >= OFF_SHARE_OF_COPY else 'NOT met'}")  # fmt: skip
    peak = max((result["peak_mb"] for runs in results.values() for result in runs.values()), default=0.0)
    ok &= peak < PEAK_MEMORY_MB
    print(f"goal: peak memory of the sync < {PEAK_MEMORY_MB} MB: {peak:.0f} MB, "
          f"{'met' if peak < PEAK_MEMORY_MB else 'NOT met'}")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        sys.exit(_child(sys.argv[2:]))
    sys.exit("run it through `python -m bench sync --compare`")
