"""What PostgreSQL alone needs for the rows a sync wrote: the sync benchmark's baseline, and the checkpoint and
WAL position that keep its parts apart (``bench.sync``, ``bench.sync_compare``)."""

import time
from dataclasses import dataclass


@dataclass(frozen=True)
class CopyBaseline:
    """What PostgreSQL alone needs for the rows a sync wrote, measured two ways."""

    rows: int
    seconds: float  # binary COPY into the same tables, emptied: indexes, the org's check, WAL (the goals' baseline)
    temporary_seconds: float  # into temporary copies: same indexes, no org check, no WAL (the baseline until 3 Dec)
    wal_bytes: int = 0  # WAL written by the COPY into the same tables

    @property
    def rate(self) -> float:
        return self.rows / self.seconds

    @property
    def temporary_rate(self) -> float:
        return self.rows / self.temporary_seconds


def wal_position() -> int:
    """Where the database's WAL stands, in bytes: the difference of two is the WAL written between them (by
    everything on the server, so only a quiet server's figure is the measured part's)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint")
        return int(cursor.fetchone()[0])


def checkpoint() -> bool:
    """``CHECKPOINT``, so that a timed part does not pay for writing out the WAL of the parts before it: a sync of
    1M rows writes about 600 MB of it, so with ``max_wal_size`` at its default of 1 GB the second part would start
    a checkpoint mid-way. False, with nothing done, where the role may not (it needs superuser or ``pg_checkpoint``)."""
    from django.db import DatabaseError, connection, transaction

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    except DatabaseError:
        return False
    return True


def copy_baseline(tables: list[str]) -> CopyBaseline:
    """Binary COPY of the rows the sync wrote, read back into memory first: into temporary copies of their tables
    (``LIKE … INCLUDING ALL``), then into the tables themselves, emptied, one transaction per table with
    ``synchronous_commit`` off as the sync's pages have it. The tables are the like-for-like baseline: a temporary
    table writes no WAL and ``LIKE`` copies neither the org's foreign key (until 3 December) nor the triggers that
    replaced it (crm/migrations/0003), and both are work the sync cannot skip (docs/benchmarks.md has the two
    figures side by side). Each COPY starts after a checkpoint (``checkpoint``), as each sync run of
    ``bench sync --compare`` does. The tables hold the same rows afterwards."""
    from django.db import connection, transaction

    saved: list[tuple[str, str, bytes]] = []
    rows, temporary = 0, 0.0
    checkpoint()
    for table in tables:
        with transaction.atomic(), connection.cursor() as cursor:
            columns = [col.name for col in connection.introspection.get_table_description(cursor, table)]
            listed = ", ".join(f'"{name}"' for name in columns)
            data = bytearray()
            with cursor.copy(f'COPY "{table}" ({listed}) TO STDOUT (FORMAT BINARY)') as copy:
                for chunk in copy:
                    data += chunk
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            rows += cursor.fetchone()[0]
            saved.append((table, listed, bytes(data)))
            cursor.execute(f'CREATE TEMP TABLE "copy_{table}" (LIKE "{table}" INCLUDING ALL) ON COMMIT DROP')
            began = time.perf_counter()
            with cursor.copy(f'COPY "copy_{table}" ({listed}) FROM STDIN (FORMAT BINARY)') as copy:
                copy.write(saved[-1][2])
            temporary += time.perf_counter() - began
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
    checkpoint()
    wal_began = wal_position()
    seconds = 0.0
    for table, listed, data in saved:
        began = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            with cursor.copy(f'COPY "{table}" ({listed}) FROM STDIN (FORMAT BINARY)') as copy:
                copy.write(data)
        seconds += time.perf_counter() - began
    return CopyBaseline(rows, seconds, temporary, wal_position() - wal_began)
