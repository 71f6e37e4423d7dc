"""A speed measurement, not a test: ``query_all`` through the real client over a large Opportunity file.

    .venv/bin/python -m tests.emulator.bench_query_all [ROWS] [--million]

Writes a throw-away org directory under /tmp, then times loading, a filtered COUNT(), and a full
``query_all`` (default 200,000 rows) through simple-salesforce and the in-process adapter.
"""

import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from simple_salesforce import Salesforce

from sfemulator.adapter import EmulatorAdapter
from sfemulator.app import OrgEmulator
from sfemulator.sfids import make_id

STAGES = ["Prospecting", "Qualification", "Proposal/Price Quote", "Negotiation/Review", "Closed Won", "Closed Lost"]


def write_org(directory: Path, rows: int) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    users = [{"attributes": {"type": "User"}, "Id": make_id("005", n), "Name": f"Rep {n}"} for n in range(50)]
    (directory / "User.json").write_text(json.dumps(users))
    with (directory / "Opportunity.json").open("w") as handle:
        handle.write("[")
        for n in range(rows):
            stamp = (start + timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
            record = {
                "attributes": {"type": "Opportunity"},
                "Id": make_id("006", n),
                "Name": f"Deal {n}",
                "OwnerId": users[n % 50]["Id"],
                "StageName": STAGES[n % 6],
                "Amount": float(1000 + n % 90000),
                "CloseDate": (start + timedelta(days=n % 365)).date().isoformat(),
                "IsDeleted": n % 97 == 0,
                "CreatedDate": stamp,
                "LastModifiedDate": stamp,
            }
            handle.write(("," if n else "") + json.dumps(record))
        handle.write("]")
    org = {"org_id": "00DD00000001abcEAA", "instance_url": "https://bench.my.salesforce.com", "session_ids": ["S"]}
    (directory / "org.json").write_text(json.dumps({**org, "api_daily_limit": 1_000_000, "users": []}))


def main() -> None:
    rows = int(next((arg for arg in sys.argv[1:] if arg.isdigit()), 200_000))
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        write_org(directory, rows)
        size_mb = (directory / "Opportunity.json").stat().st_size / 1e6
        emulator = OrgEmulator(directory, clock=datetime(2026, 11, 28, tzinfo=UTC))
        session = requests.Session()
        session.mount("https://", EmulatorAdapter(emulator))
        sf = Salesforce(instance_url="https://bench.my.salesforce.com", session_id="S", session=session)

        began = time.perf_counter()
        emulator.store.table("Opportunity")
        print(f"load {rows} rows ({size_mb:.0f} MB): {time.perf_counter() - began:.2f}s")

        began = time.perf_counter()
        count = sf.query("SELECT COUNT() FROM Opportunity WHERE Amount > 50000 AND StageName != 'Closed Lost'")
        print(f"filtered COUNT() = {count['totalSize']}: {time.perf_counter() - began:.2f}s")

        began = time.perf_counter()
        ordered = sf.query("SELECT Id FROM Opportunity ORDER BY Amount DESC, Name LIMIT 10")
        print(f"ORDER BY two keys over all rows, LIMIT 10: {time.perf_counter() - began:.2f}s ({ordered['totalSize']})")

        began = time.perf_counter()
        result = sf.query_all(
            "SELECT Id, Name, StageName, Amount, CloseDate, IsDeleted, SystemModstamp, Owner.Name FROM Opportunity "
            "WHERE SystemModstamp > 2026-01-01T00:00:00Z"
        )
        elapsed = time.perf_counter() - began
        pages = emulator.faults.count("query") + emulator.faults.count("query_more")
        print(
            f"query_all: {result['totalSize']} records in {pages} requests, {elapsed:.2f}s "
            f"({result['totalSize'] / elapsed:,.0f} records/s)"
        )


if __name__ == "__main__":
    main()
