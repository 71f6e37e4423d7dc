"""An org directory on disk: ``org.json`` plus one ``<SObject>.json`` per object, loaded lazily.

Each file is parsed once and kept with its indexes; a change of its mtime, size or inode (an edit, or a
write-and-rename) reloads it on the next access, so edits show up on the next request. A loaded table is
never mutated afterwards: a reload builds a new one, which keeps readers on other threads consistent.
"""

import contextlib
import gc
import json
import logging
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sfemulator.bare import ensure_org_files
from sfemulator.sfids import to15
from sfemulator.standard_fields import KEY_PREFIXES, has_modstamp

logger = logging.getLogger(__name__)

# An sObject file is named for its API name, which starts with a capital letter; org.json, server.key
# and any lower-case notes file in the directory are not objects.
_OBJECT_FILE_RE = re.compile(r"^([A-Z][A-Za-z0-9_]*)\.json$")


class OrgDirectoryError(Exception):
    """The org directory or one of its files cannot be used; the message says which and why."""


@dataclass(frozen=True)
class OrgConfig:
    org_id: str
    instance_url: str
    api_daily_limit: int
    users: list[dict[str, Any]]
    connected_app: dict[str, Any] | None
    session_ids: list[str]
    bulk_query_jobs_daily_limit: int = 0  # 0: Salesforce's 10,000 a day


@dataclass
class Table:
    """One object's records in file order, with an index by the case-sensitive 15-character id."""

    name: str
    records: list[dict[str, Any]]
    by_id: dict[str, dict[str, Any]]
    fields: dict[str, str]  # lower-case name -> the name as the data spells it
    key_prefix: str | None
    problems: list[str]
    # Derived data (describe, picklist values) computed on demand and dropped with the table on reload.
    derived: dict[str, Any] = field(default_factory=dict)

    def get(self, record_id: str) -> dict[str, Any] | None:
        return self.by_id.get(to15(record_id))


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Parsing a million records allocates millions of objects without cycles; the cyclic collector would
    rescan the growing heap again and again (3x slower), so it waits until the last concurrent load ends."""
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


def _read_json(path: Path) -> Any:
    try:
        with path.open("rb") as handle, _gc_paused():
            return json.load(handle)
    except json.JSONDecodeError as exc:
        raise OrgDirectoryError(f"{path} is not valid JSON: {exc}") from exc
    except OSError as exc:
        raise OrgDirectoryError(f"{path} cannot be read: {exc}") from exc


def _parse_config(path: Path, data: Any) -> OrgConfig:
    if not isinstance(data, dict):
        raise OrgDirectoryError(f"{path} must hold a JSON object with org_id, instance_url and users.")
    missing = [key for key in ("org_id", "instance_url") if not data.get(key)]
    if missing:
        raise OrgDirectoryError(f"{path} lacks {', '.join(missing)}.")
    users = data.get("users") or []
    if not isinstance(users, list) or not all(isinstance(user, dict) and user.get("username") for user in users):
        raise OrgDirectoryError(f"{path}: users must be a list of objects, each with a username.")
    return OrgConfig(
        org_id=str(data["org_id"]),
        instance_url=str(data["instance_url"]).rstrip("/"),
        api_daily_limit=int(data.get("api_daily_limit") or 15000),
        users=users,
        connected_app=data.get("connected_app") or None,
        session_ids=[str(sid) for sid in data.get("session_ids") or []],
        bulk_query_jobs_daily_limit=int(data.get("bulk_query_jobs_daily_limit") or 0),
    )


def build_table(name: str, data: Any, source: str) -> Table:
    """Index ``data`` (a list of REST-shaped records) and apply Salesforce's defaults to each record."""
    if not isinstance(data, list):
        raise OrgDirectoryError(f"{source} must hold a JSON array of {name} records.")
    modstamp = has_modstamp(name)
    records: list[dict[str, Any]] = []
    by_id: dict[str, dict[str, Any]] = {}
    keys: set[str] = set()
    problems: list[str] = []
    for position, record in enumerate(data):
        record_id = record.get("Id") if isinstance(record, dict) else None
        if not isinstance(record_id, str) or len(record_id) not in (15, 18):
            problems.append(f"{source} record #{position} has no 15- or 18-character Id; it is left out.")
            continue
        short = record_id[:15]
        if short in by_id:
            problems.append(f"{source} record #{position} repeats Id {record_id}; the first one is kept.")
            continue
        if modstamp:
            if record.get("LastModifiedDate") is None and record.get("CreatedDate") is not None:
                record["LastModifiedDate"] = record["CreatedDate"]
            if record.get("SystemModstamp") is None:
                record["SystemModstamp"] = record.get("LastModifiedDate") or record.get("CreatedDate")
        if record.get("IsDeleted") is None:
            record["IsDeleted"] = False
        keys.update(record)
        by_id[short] = record
        records.append(record)
    keys.discard("attributes")
    for problem in problems[:20]:
        logger.warning("%s", problem)
    return Table(
        name=name,
        records=records,
        by_id=by_id,
        fields={key.lower(): key for key in keys},
        key_prefix=records[0]["Id"][:3] if records else None,
        problems=problems,
    )


class OrgStore:
    """The files of one org directory, each loaded on first use and reloaded when it changes."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        if not self.directory.is_dir():
            raise OrgDirectoryError(f"{self.directory} is not a directory; point the emulator at an org directory.")
        self._lock = threading.Lock()
        self._load_locks: dict[str, threading.Lock] = {}
        self._tables: dict[str, tuple[tuple[int, int, int], Table]] = {}
        self._config: tuple[tuple[int, int, int], OrgConfig] | None = None
        try:
            ensure_org_files(self.directory)  # a bare directory of object files gets default credentials
        except (OSError, ValueError) as exc:
            raise OrgDirectoryError(
                f"{self.directory} has no org.json and default credentials cannot be written beside the data: {exc}"
            ) from exc
        self.config()  # fail early on a directory without a usable org.json

    def config(self) -> OrgConfig:
        path = self.directory / "org.json"
        signature = _signature(path)
        if signature is None:
            raise OrgDirectoryError(f"{path} is missing: every org directory needs an org.json.")
        cached = self._config
        if cached and cached[0] == signature:
            return cached[1]
        config = _parse_config(path, _read_json(path))
        self._config = (signature, config)
        return config

    def object_names(self) -> list[str]:
        """The objects this org has: one per ``<SObject>.json`` file."""
        names = []
        with os.scandir(self.directory) as entries:
            for entry in entries:
                match = _OBJECT_FILE_RE.match(entry.name)
                if match and entry.is_file():
                    names.append(match.group(1))
        return sorted(names)

    def resolve(self, name: str) -> str | None:
        """The object's API name for ``name`` in any case, or None when the org lacks it."""
        wanted = name.lower()
        return next((candidate for candidate in self.object_names() if candidate.lower() == wanted), None)

    def table(self, name: str) -> Table | None:
        path = self.directory / f"{name}.json"
        signature = _signature(path)
        if signature is None:
            return None
        cached = self._tables.get(name)
        if cached and cached[0] == signature:
            return cached[1]
        with self._lock:
            load_lock = self._load_locks.setdefault(name, threading.Lock())
        with load_lock:
            cached = self._tables.get(name)
            signature = _signature(path)
            if signature is None:
                return None
            if cached and cached[0] == signature:
                return cached[1]
            table = build_table(name, _read_json(path), str(path))
            self._tables[name] = (signature, table)
            return table

    def tables_by_prefix(self, objects: list[str] | None = None) -> dict[str, Table]:
        """Loaded tables by id key prefix, among ``objects`` (default: every object of the org).

        Standard objects are matched by their well-known prefix without loading others' files.
        """
        result: dict[str, Table] = {}
        present = set(self.object_names())
        for name in objects if objects is not None else sorted(present):
            if name not in present:
                continue
            table = self.table(name)
            if table is None:
                continue
            prefix = table.key_prefix or KEY_PREFIXES.get(name)
            if prefix:
                result.setdefault(prefix, table)
        return result

    def table_for_prefix(self, prefix: str) -> Table | None:
        present = self.object_names()
        by_standard = {KEY_PREFIXES[name]: name for name in present if name in KEY_PREFIXES}
        if prefix in by_standard:
            return self.table(by_standard[prefix])
        for name in present:
            if name not in KEY_PREFIXES:
                table = self.table(name)
                if table is not None and table.key_prefix == prefix:
                    return table
        return None
