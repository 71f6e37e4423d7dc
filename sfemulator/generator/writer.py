"""Writing a generated org to an org directory, streaming: one JSON array per object, one record per line.

Files are written under temporary names and renamed into place only once all are complete, so an
emulator serving the directory never reads half a file, and a failed run leaves the old org intact.
"""

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from sfemulator.generator.config import GeneratorConfig
from sfemulator.generator.org import OBJECTS, OrgBuild, ProgressCallback

ORG_FILE = "org.json"
KEY_FILE = "server.key"
MANIFEST_FILE = "generator.json"
_PARTIAL = ".partial"
_BUFFER = 1 << 20


class OrgDirectoryError(Exception):
    """The target directory cannot take a generated org; the message says why and what to do."""


@dataclass
class WriteSummary:
    directory: Path
    counts: dict[str, int]
    sizes: dict[str, int]  # bytes per file written
    seconds: float
    unrelated_objects: list[str] = field(default_factory=list)  # <SObject>.json files we did not write

    @property
    def total_records(self) -> int:
        return sum(self.counts.values())

    @property
    def total_bytes(self) -> int:
        return sum(self.sizes.values())


def prepare_directory(directory: Path, force: bool) -> None:
    """Create ``directory`` or check that it may be written; refuse a non-empty one unless ``force``."""
    if directory.exists() and not directory.is_dir():
        raise OrgDirectoryError(f"{directory} is a file, not a directory; choose a directory for the org.")
    if directory.is_dir():
        if any(directory.iterdir()) and not force:
            raise OrgDirectoryError(
                f"{directory} is not empty; choose an empty or new directory, or pass --force to replace the "
                "generated files in it."
            )
    else:
        try:
            directory.mkdir(parents=True)
        except OSError as exc:
            raise OrgDirectoryError(f"cannot create {directory}: {exc.strerror or exc}.") from exc
    if not os.access(directory, os.W_OK | os.X_OK):
        raise OrgDirectoryError(f"{directory} is not writable; fix its permissions or choose another directory.")


def write_org(
    config: GeneratorConfig, directory: str | os.PathLike[str], *, force: bool = False,
    on_progress: ProgressCallback | None = None,
) -> WriteSummary:  # fmt: skip
    """Generate the org described by ``config`` into ``directory``; OrgDirectoryError when it cannot."""
    started = time.perf_counter()
    target = Path(directory)
    prepare_directory(target, force)
    build = OrgBuild(config)
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode
    partials: dict[str, Path] = {}
    handles: dict[str, IO[str]] = {}
    counts = dict.fromkeys(OBJECTS, 0)
    try:
        for name in OBJECTS:
            partials[name] = target / f"{name}.json{_PARTIAL}"
            handles[name] = partials[name].open("w", encoding="utf-8", buffering=_BUFFER, newline="\n")
            handles[name].write("[")
        for sobject, record in build.records(on_progress):
            handle = handles[sobject]
            handle.write(",\n" if counts[sobject] else "\n")
            handle.write(encode(record))
            counts[sobject] += 1
        for name, handle in handles.items():
            handle.write("\n]\n" if counts[name] else "]\n")
            handle.close()
        credentials = build.credentials()
        extra = {
            ORG_FILE: json.dumps(credentials.settings, indent=2, ensure_ascii=False) + "\n",
            MANIFEST_FILE: json.dumps(build.manifest(counts), indent=2, ensure_ascii=False) + "\n",
        }
        for filename, text in extra.items():
            partials[filename] = target / f"{filename}{_PARTIAL}"
            partials[filename].write_text(text, encoding="utf-8")
        partials[KEY_FILE] = target / f"{KEY_FILE}{_PARTIAL}"
        _write_private(partials[KEY_FILE], credentials.private_key_pem)
    except BaseException:
        for handle in handles.values():
            handle.close()
        for path in partials.values():
            path.unlink(missing_ok=True)
        raise
    sizes = {}
    for name, path in partials.items():
        final = target / (name if name in (ORG_FILE, MANIFEST_FILE, KEY_FILE) else f"{name}.json")
        os.replace(path, final)
        sizes[final.name] = final.stat().st_size
    written = {f"{name}.json" for name in OBJECTS}
    unrelated = sorted(
        path.name for path in target.glob("*.json") if path.name[:1].isupper() and path.name not in written
    )
    return WriteSummary(target, counts, sizes, time.perf_counter() - started, unrelated)


def _write_private(path: Path, content: bytes) -> None:
    # Created 0600 from the start: the key is never readable by others, not even for a moment.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
    os.chmod(path, 0o600)
