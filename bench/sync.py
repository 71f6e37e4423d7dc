"""Initial-sync throughput into PostgreSQL, beside a plain COPY of the same rows.

    make bench ARGS="sync --records 1000000"
    .venv/bin/python -m bench sync [--records N] [--in-process] [--keep]
    .venv/bin/python -m bench sync --compare --latency realistic   # REST vs Bulk API 2.0 vs COPY

Writes (once, cached under bench-data/) an org directory of about N records spread over the synced
objects as a real org is (mostly activities and history), serves it with ``run_emulator`` in its own
process (as Salesforce is another machine), and runs ``run_sync`` into a fresh PostgreSQL database
(``BENCH_DATABASE_URL``, default postgres://postgres@127.0.0.1:5432/coachapp_bench, dropped afterwards
unless --keep). Then it COPYs the very rows the sync wrote into the same tables, emptied
(``bench.sync_baseline``),
to show what the database alone needs, and times an incremental re-run that finds nothing new.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

from bench.django_env import setup_django

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/coachapp_bench"
TARGET_RECORDS_PER_SECOND = 20_000
# Shares of the records per object, roughly those of a generated org.
MIX = {
    "User": 0.0005,
    "Product2": 0.0001,
    "Account": 0.03,
    "Opportunity": 0.1,
    "OpportunityHistory": 0.25,
    "OpportunityLineItem": 0.05,
    "OpportunityContactRole": 0.03,
    "Task": 0.44,
    "Event": 0.0994,
}
STAGES = ["Prospecting", "Qualification", "Needs Analysis", "Proposal/Price Quote", "Negotiation/Review", "Closed Won"]


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _record(sobject: str, n: int, ids, when: str, day: str) -> dict:
    base = {
        "attributes": {"type": sobject},
        "Id": ids(sobject, n),
        "IsDeleted": False,
        "CreatedDate": when,
        "LastModifiedDate": when,
        "SystemModstamp": when,
    }
    owner = ids("User", n % 500)
    opp = ids("Opportunity", n % 100_000)
    if sobject == "User":
        return {
            **base,
            "Name": f"Rep {n}",
            "Username": f"rep{n}@bench.example",
            "Email": f"rep{n}@bench.example",
            "IsActive": True,
            "ManagerId": ids("User", n // 8),
            "TimeZoneSidKey": "Europe/Berlin",
            "Title": "Account Executive",
            "Department": "Sales",
        }
    if sobject == "Product2":
        return {**base, "Name": f"Product {n}", "ProductCode": f"P{n}", "Family": "Software", "IsActive": True}
    if sobject == "Account":
        return {
            **base,
            "Name": f"Account {n}",
            "OwnerId": owner,
            "Industry": "Technology",
            "Type": "Customer",
            "BillingCountry": "Germany",
            "NumberOfEmployees": 50 + n % 5000,
            "AnnualRevenue": 1e6 + n,
            "Tier__c": "Gold",
        }
    if sobject == "Opportunity":
        return {
            **base,
            "Name": f"Deal {n}",
            "AccountId": ids("Account", n % 30_000),
            "OwnerId": owner,
            "StageName": STAGES[n % 6],
            "Amount": 1000.0 + n % 90_000 + 0.5,
            "CloseDate": day,
            "Probability": 10.0 * (n % 10),
            "ForecastCategoryName": "Pipeline",
            "IsClosed": n % 6 == 5,
            "IsWon": n % 6 == 5,
            "Type": "New Business",
            "LeadSource": "Web",
            "NextStep": "Follow up",
            "LastActivityDate": day,
            "FiscalQuarter": 4,
            "FiscalYear": 2026,
            "HasOpportunityLineItem": False,
            "MEDDIC_Score__c": float(n % 100),
        }
    if sobject == "OpportunityHistory":
        return {
            **base,
            "OpportunityId": opp,
            "StageName": STAGES[n % 6],
            "Amount": 5000.0 + n % 1000,
            "CloseDate": day,
            "Probability": 20.0,
            "ForecastCategory": "Pipeline",
            "ExpectedRevenue": 1000.0,
            "PrevAmount": 4000.0,
            "PrevCloseDate": day,
            "CreatedById": owner,
        }
    if sobject == "OpportunityLineItem":
        return {
            **base,
            "OpportunityId": opp,
            "Product2Id": ids("Product2", n % 100),
            "Quantity": 2.0,
            "UnitPrice": 100.0,
            "ListPrice": 120.0,
            "TotalPrice": 200.0,
            "Discount": 16.67,
            "ServiceDate": day,
        }
    if sobject == "OpportunityContactRole":
        return {
            **base,
            "OpportunityId": opp,
            "ContactId": ids("Contact", n),
            "Role": "Decision Maker",
            "IsPrimary": n % 3 == 0,
        }
    if sobject == "Task":
        return {
            **base,
            "Subject": "Follow-up call",
            "OwnerId": owner,
            "WhatId": opp,
            "WhoId": ids("Contact", n % 9999),
            "ActivityDate": day,
            "Status": "Completed",
            "IsClosed": True,
            "Priority": "Normal",
            "Type": "Call",
            "TaskSubtype": "Call",
            "CallDurationInSeconds": 300,
            "CompletedDateTime": when,
            "IsArchived": False,
        }
    return {
        **base,
        "Subject": "Product demo",
        "OwnerId": owner,
        "WhatId": opp,
        "StartDateTime": when,
        "EndDateTime": when,
        "ActivityDate": day,
        "DurationInMinutes": 60,
        "Type": "Meeting",
        "EventSubtype": "Event",
        "IsAllDayEvent": False,
        "IsArchived": False,
    }


def write_org(directory: Path, records: int) -> dict[str, int]:
    from integrations.salesforce.ids import salesforce_id

    prefixes = {
        "User": "005",
        "Product2": "01t",
        "Account": "001",
        "Opportunity": "006",
        "Contact": "003",
        "OpportunityHistory": "008",
        "OpportunityLineItem": "00k",
        "OpportunityContactRole": "00K",
        "Task": "00T",
        "Event": "00U",
    }

    def ids(sobject: str, n: int) -> str:
        return salesforce_id(prefixes[sobject], n)

    counts = {name: max(1, int(records * share)) for name, share in MIX.items()}
    manifest = directory / "bench.json"
    if manifest.exists() and json.loads(manifest.read_text()) == counts:
        return counts
    directory.mkdir(parents=True, exist_ok=True)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for name, count in counts.items():
        with (directory / f"{name}.json").open("w") as handle:
            handle.write("[")
            for n in range(count):
                moment = start + timedelta(seconds=n * 7)
                handle.write(
                    ("," if n else "") + json.dumps(_record(name, n, ids, _stamp(moment), moment.date().isoformat()))
                )
            handle.write("]")
    org = {
        "org_id": "00DD00000001benEAA",
        "instance_url": "https://bench.my.salesforce.com",
        "api_daily_limit": 5_000_000,
        "users": [{"username": "bench@bench.example", "password": "bench-pass", "security_token": "T"}],
        "session_ids": ["00DD00000001ben!bench"],
    }
    (directory / "org.json").write_text(json.dumps(org))
    manifest.write_text(json.dumps(counts))
    return counts


def recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    parsed = urlparse(url)
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.path.lstrip("/")}"')


def start_emulator(directory: Path, latency: str = "off") -> tuple[subprocess.Popen, str]:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_emulator", str(directory), "--port", str(port), "--latency", latency],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "DJANGO_DEBUG": "true"},
    )
    # Django's start-up alone takes 40 s of wall time on a host loaded 10+ deep (7 s of CPU).
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the emulator server did not start within 180 s")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench sync", description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--in-process", action="store_true", help="Serve the org in this process instead.")
    parser.add_argument("--keep", action="store_true", help="Keep the benchmark database afterwards.")
    parser.add_argument(
        "--compare", action="store_true", help="Compare the strategies (bench/sync_compare.py) instead."
    )
    parser.add_argument(
        "--latency", default="off", help="--compare: latency profiles, e.g. realistic or off,realistic."
    )
    parser.add_argument(
        "--strategies",
        default="rest,rest-parallel,bulk",
        help="--compare: which of rest, rest-parallel, bulk, bulk-serial (default rest,rest-parallel,bulk).",
    )
    parser.add_argument(
        "--runs", type=int, default=1, help="--compare: runs of each strategy and of the baseline; goals on medians."
    )
    args = parser.parse_args(argv)

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    setup_django(url)
    from django.core.management import call_command

    directory = ROOT / "bench-data" / f"sync-{args.records}"
    began = time.perf_counter()
    counts = write_org(directory, args.records)
    print(f"org directory {directory}: {sum(counts.values()):,} records ({time.perf_counter() - began:.0f} s)")
    recreate_database(url)
    call_command("migrate", verbosity=0)
    if args.compare:
        from bench.sync_compare import compare

        try:
            return compare(directory, args.latency.split(","), args.strategies.split(","), args.runs)
        finally:
            if not args.keep:
                drop_database(url)
    server = None
    try:
        if args.in_process:
            emulator_url = ""
        else:
            server, emulator_url = start_emulator(directory)
        return _measure(directory, emulator_url, keep=args.keep, url=url)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)


def warm_up(org: "Org", directory: Path, emulator_url: str) -> None:  # noqa: F821 - imported late
    """Load every object file into the emulator before timing, with the index Salesforce keeps on SystemModstamp:
    the org exists before the sync starts."""
    from integrations.salesforce.catalogue import SOBJECT_NAMES
    from integrations.sync.run import make_client

    if not emulator_url:
        from sfemulator.registry import emulator_for

        store = emulator_for(directory).store
        for name in SOBJECT_NAMES:
            store.table(name)
        return
    client = make_client(org)
    for name in SOBJECT_NAMES:
        if (directory / f"{name}.json").exists():
            client.count(f"SELECT COUNT() FROM {name}")
            # Salesforce keeps SystemModstamp indexed; the emulator builds its index on the first query that uses
            # it (a few seconds for the 1M org), which would otherwise land inside the timed sync.
            list(client.query_pages(f"SELECT Id FROM {name} ORDER BY SystemModstamp LIMIT 1"))


def _measure(directory: Path, emulator_url: str, *, keep: bool, url: str) -> int:
    from bench.sync_baseline import copy_baseline
    from integrations.models import SyncRun
    from integrations.salesforce.catalogue import CATALOGUE
    from integrations.salesforce.connect import register_org
    from integrations.sync.run import run_sync

    login = {"emulator_url": emulator_url} if emulator_url else {}
    org = register_org("bench", method="emulator", emulator_dir=str(directory), emulator_login="password", **login)
    began = time.perf_counter()
    warm_up(org, directory, emulator_url)
    print(
        f"emulator loaded the org in {time.perf_counter() - began:.1f} s "
        f"({'in this process' if not emulator_url else 'in its own process'})"
    )

    began = time.perf_counter()
    # The sync alone: the week's rebuild it announces (metrics, gaps, backtest) is the engine's cost (bench engine).
    run = run_sync(org, rebuild=False)
    elapsed = time.perf_counter() - began
    objects = list(run.object_runs.all())
    fetched = sum(item.fetched for item in objects)
    rate = fetched / elapsed
    print(
        f"initial sync: {fetched:,} records in {elapsed:.1f} s = {rate:,.0f} records/s "
        f"({run.status}, {run.api_calls:,} API calls)"
    )
    for item in objects:
        print(f"  {item.sobject:<24} {item.fetched:>10,} fetched {item.upserted:>10,} upserted")
    baseline = copy_baseline(sorted({spec.table for spec in CATALOGUE}))
    print(
        f"PostgreSQL COPY of the same rows into the same tables, emptied: {baseline.rows:,} rows in "
        f"{baseline.seconds:.1f} s = {baseline.rate:,.0f} rows/s; the sync runs at {rate / baseline.rate:.0%} of that"
    )
    print(
        f"  into temporary copies (no WAL, no org check): {baseline.temporary_seconds:.1f} s = "
        f"{baseline.temporary_rate:,.0f} rows/s; the sync runs at {rate / baseline.temporary_rate:.0%} of that"
    )
    began = time.perf_counter()
    rerun = run_sync(org, rebuild=False)
    written = sum(item.upserted for item in rerun.object_runs.all())
    print(f"incremental re-run with nothing new: {time.perf_counter() - began:.1f} s, {written} rows written")
    if not keep:
        drop_database(url)
    ok = run.status == SyncRun.Status.SUCCEEDED and rate >= TARGET_RECORDS_PER_SECOND
    print(f"target {TARGET_RECORDS_PER_SECOND:,} records/s: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1
