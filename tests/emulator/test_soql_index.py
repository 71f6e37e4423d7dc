"""Queries the emulator answers from its SystemModstamp index (a range, the first or last stamps) select and order
exactly what a scan of every row does."""

import dataclasses
import random

from sfemulator.soql_run import prepare
from sfemulator.temporal import dt_key
from tests.emulator.test_soql import opportunity


def test_a_datetime_range_read_by_the_index_selects_what_a_full_scan_selects(make_org, emulator_of):
    chooser = random.Random(5)
    stamps = ["2026-11-01T08:00:00.000+0000", "2026-11-01T08:00:00.000Z", "2026-11-01T09:30:00.000+0100", None,
              "2026-10-31T23:59:59.999+0000", "2026-11-02T00:00:00.000+0000", "not a date"]  # fmt: skip
    rows = [
        opportunity(
            n, Name=f"D{n}", SystemModstamp=chooser.choice(stamps), IsDeleted=n % 7 == 0, CloseDate="2026-12-01"
        )
        for n in range(1, 120)
    ]
    emulator = emulator_of(make_org({"Opportunity": rows}))
    bounds = [
        "2026-10-31T23:59:59.999Z",
        "2026-11-01T08:00:00Z",
        "2026-11-01T08:30:00.000+01:00",
        "2026-11-02T00:00:00Z",
    ]
    wheres = [f"SystemModstamp {op} {bound}" for op in ("<", "<=", ">", ">=") for bound in bounds]
    wheres += [
        f"SystemModstamp >= {low} AND SystemModstamp < {high} AND Name != 'D3'" for low in bounds for high in bounds
    ]
    wheres += ["SystemModstamp > 2026-11-01T08:00:00Z OR Name = 'D4'", "CreatedDate < 2026-11-02T00:00:00Z"]
    for where in wheres:
        for include_deleted in (False, True):
            text = f"SELECT Id FROM Opportunity WHERE {where} ORDER BY SystemModstamp, Id"
            prepared = prepare(
                emulator.store, text, include_deleted=include_deleted, now=emulator.now(), version="59.0"
            )
            scanned = dataclasses.replace(prepared, span=None).run(emulator.store).rows
            assert prepared.run(emulator.store).rows == scanned, where
    window = f"SystemModstamp >= {bounds[1]} AND SystemModstamp < {bounds[3]}"
    ranged = prepare(emulator.store, f"SELECT Id FROM Opportunity WHERE {window}", include_deleted=False,
                     now=emulator.now(), version="59.0")  # fmt: skip
    assert ranged.span is not None and 0 < len(ranged.candidates(emulator.store.table("Opportunity"))) < len(rows)


def test_the_first_and_last_stamps_read_from_the_index_are_what_sorting_gives(make_org, emulator_of):
    # Equal instants written three ways (ties, to be kept in file order either direction), deleted rows.
    stamps = ["2026-11-01T08:00:00.000+0000", "2026-11-01T08:00:00.000Z", "2026-11-01T09:00:00.000+0100",
              "2026-10-31T23:59:59.999+0000", "2026-11-02T00:00:00.000+0000"]  # fmt: skip
    rows = [
        opportunity(n, Name=f"D{n % 4}", SystemModstamp=stamps[n * 7 % 5], IsDeleted=n % 6 == 0) for n in range(1, 60)
    ]
    emulator = emulator_of(make_org({"Opportunity": rows}))
    now = emulator.now()
    for where in ("", " WHERE Name != 'D1'", " WHERE SystemModstamp > 2026-10-31T23:59:59.999Z"):
        for include_deleted in (False, True):
            text = f"SELECT Id, SystemModstamp FROM Opportunity{where}"
            scan = prepare(emulator.store, text, include_deleted=include_deleted, now=now, version="59.0")
            matching = scan.run(emulator.store).rows
            for direction in ("ASC", "DESC"):
                expected = sorted(matching, key=lambda row: dt_key(row["SystemModstamp"]), reverse=direction == "DESC")
                for limit in (1, 2, 7, 100):
                    text = f"SELECT Id FROM Opportunity{where} ORDER BY SystemModstamp {direction} LIMIT {limit}"
                    prepared = prepare(emulator.store, text, include_deleted=include_deleted, now=now, version="59.0")
                    got = prepared.run(emulator.store).rows
                    assert [row["Id"] for row in got] == [row["Id"] for row in expected[:limit]], (
                        text,
                        include_deleted,
                    )
