"""A generated org loaded straight into PostgreSQL, for benchmarks that need a big org but not a sync.

``generate(config)`` streams records; each is mapped by the sync's own ``RecordMapper`` (the catalogue's
specs, so the rows are the ones a sync would write) and COPYed (binary) into its table, a page at a time,
on Django's connection. No JSON files, no emulator, no HTTP: a 1,000-rep org of 15M rows loads in minutes
instead of the hours a sync of it takes.

Loading that much is still slow, so a benchmark database keeps what it loaded: ``bench_loaded_org`` records
per org name the generator config and the shape of the rows (the catalogue's columns), and ``loaded_org``
reuses an org whose record matches. Anything else — another config, a changed mapping, ``reload=True`` —
is the caller's cue to start from an empty database (``recreate_database``).
"""

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction
from psycopg.types.json import Jsonb

from integrations.salesforce.catalogue import BY_NAME, CATALOGUE, SObjectSpec
from integrations.salesforce.mapping import RecordMapper, plan_fields
from sfemulator.generator import GeneratorConfig, generate

MARKER_TABLE = "bench_loaded_org"
PAGE = 20_000  # rows per COPY: large enough that per-statement costs vanish, small enough to hold in memory
_EXTRA = 5  # position of ``extra`` in a mapped row (catalogue.BASE_COLUMNS)
Progress = Callable[[int, int], None]


class LoadError(Exception):
    """Records the sync's mapping refused: a loaded org must be the one the generator describes."""


@dataclass
class LoadedOrg:
    org: Any  # coaching.models.Org
    config: GeneratorConfig
    counts: dict[str, int]  # rows written per sObject
    seconds: float  # how long the load took (when it was loaded, if reused)
    reused: bool


def config_key(config: GeneratorConfig) -> dict[str, Any]:
    """The config as JSON, plus a fingerprint of the tables' columns: a changed mapping means a new load."""
    shape = [[spec.name, spec.table, list(spec.columns())] for spec in CATALOGUE]
    digest = hashlib.sha256(json.dumps(shape).encode()).hexdigest()[:16]
    values = {key: value.isoformat() if isinstance(value, date) else value for key, value in asdict(config).items()}
    # As JSON would give it back: a tuple (outcome_links) is stored as a list and must compare equal to it.
    return json.loads(json.dumps({**values, "columns": digest}, default=str))  # nested dates (coaching.week)


def _ensure_marker_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (name text PRIMARY KEY, config jsonb NOT NULL, "
            "counts jsonb NOT NULL, seconds double precision NOT NULL, loaded_at timestamptz NOT NULL DEFAULT now())"
        )


def loaded_org(name: str, config: GeneratorConfig) -> LoadedOrg | None:
    """The org ``name`` if this database holds it loaded from exactly ``config``; None otherwise."""
    from crm.models import Org

    _ensure_marker_table()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT config, counts, seconds FROM {MARKER_TABLE} WHERE name = %s", [name])
        found = cursor.fetchone()
    if found is None:
        return None
    stored, counts, seconds = (json.loads(item) if isinstance(item, str) else item for item in found)
    org = Org.objects.filter(name=name).first()
    if stored != config_key(config) or org is None:
        return None
    return LoadedOrg(org, config, counts, seconds, reused=True)


def load_org(name: str, config: GeneratorConfig, *, on_progress: Progress | None = None) -> LoadedOrg:
    """Generate the org described by ``config`` into this (PostgreSQL) database as the org ``name``.

    The org must not exist yet. Every catalogued object is written; objects the sync does not read
    (Contact, UserRole, PricebookEntry …) are skipped as the sync would skip them. Raises LoadError if the
    mapping refuses any record, after writing the others.
    """
    from crm.models import Org

    if connection.vendor != "postgresql":
        raise LoadError("the loader COPYs into PostgreSQL; point DATABASE_URL at a PostgreSQL database")
    _ensure_marker_table()
    began = time.perf_counter()
    org = Org.objects.create(name=name, display_name=f"{config.company} ({config.reps} reps, generated)")
    writer = _Writer(org.pk)
    for sobject, record in generate(config, on_progress):
        spec = BY_NAME.get(sobject)
        if spec is not None:
            writer.add(spec, record)
    writer.flush_all()
    if writer.errors:
        shown = "; ".join(f"{sf_id}: {reason}" for sf_id, reason in writer.errors[:5])
        raise LoadError(f"the mapping refused {len(writer.errors)} records (the others were loaded): {shown}")
    seconds = time.perf_counter() - began
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} (name, config, counts, seconds) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (name) DO UPDATE SET config = EXCLUDED.config, counts = EXCLUDED.counts, "
            "seconds = EXCLUDED.seconds, loaded_at = now()",
            [name, Jsonb(config_key(config)), Jsonb(writer.counts), seconds],
        )
    return LoadedOrg(org, config, dict(writer.counts), seconds, reused=False)


def analyze(tables: Iterable[str] | None = None) -> None:
    """VACUUM ANALYZE the loaded tables, as autovacuum would in time: fresh statistics and a visibility map
    (index-only scans), so the first benchmark run does not measure the catch-up. Needs autocommit."""
    names = sorted(set(tables) if tables is not None else {spec.table for spec in CATALOGUE})
    with connection.cursor() as cursor:
        for table in names:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")


class _Writer:
    """Pages of records per object: mapped by the sync's mapper, then one binary COPY per page."""

    def __init__(self, org_id: int) -> None:
        self.org_id = org_id
        self.counts: dict[str, int] = {}
        self.errors: list[tuple[str, str]] = []
        self._pending: dict[str, list[dict[str, Any]]] = {}
        self._mappers: dict[str, RecordMapper] = {}
        self._copies: dict[str, tuple[str, list[str]]] = {}

    def add(self, spec: SObjectSpec, record: dict[str, Any]) -> None:
        pending = self._pending.setdefault(spec.name, [])
        pending.append(record)
        if len(pending) >= PAGE:
            self.flush(spec)

    def flush_all(self) -> None:
        for name in list(self._pending):
            self.flush(BY_NAME[name])

    def flush(self, spec: SObjectSpec) -> None:
        records = self._pending.pop(spec.name, [])
        if not records:
            return
        mapper = self._mappers.get(spec.name)
        if mapper is None:
            # What a describe of the generated object would list: the fields its records carry.
            describe = {"fields": [{"name": key} for key in records[0] if key != "attributes"]}
            mapper = self._mappers[spec.name] = RecordMapper(plan_fields(spec, describe))
        page = mapper.map_page(records)
        self.errors.extend((error.sf_id, error.reason) for error in page.errors)
        statement, types = self._copy_for(spec)
        org_id = self.org_id
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            with cursor.copy(statement) as copy:
                copy.set_types(types)
                write = copy.write_row
                for row in page.rows:
                    write((org_id, *row[:_EXTRA], Jsonb(row[_EXTRA]), *row[_EXTRA + 1 :]))
        self.counts[spec.name] = self.counts.get(spec.name, 0) + len(page.rows)

    def _copy_for(self, spec: SObjectSpec) -> tuple[str, list[str]]:
        if spec.name not in self._copies:
            quote = connection.ops.quote_name
            columns = ["org_id", *spec.columns()]
            with connection.cursor() as cursor:
                # Binary COPY needs each column's exact type, as the database has it.
                cursor.execute(
                    "SELECT attname, format_type(atttypid, NULL) FROM pg_attribute "
                    "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                    [spec.table],
                )
                types = dict(cursor.fetchall())
            listed = ", ".join(quote(column) for column in columns)
            self._copies[spec.name] = (
                f"COPY {quote(spec.table)} ({listed}) FROM STDIN (FORMAT BINARY)",
                [types[column] for column in columns],
            )
        return self._copies[spec.name]
