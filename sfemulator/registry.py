"""One shared ``OrgEmulator`` per org directory per process.

Clients log in again and again (a new ``Salesforce`` per sync run, a re-login after an expired session);
they must all meet the same org, so that API usage, sessions and injected faults persist between them.
"""

import os
import threading
from pathlib import Path

from sfemulator.app import OrgEmulator

_lock = threading.Lock()
_emulators: dict[Path, OrgEmulator] = {}


def emulator_for(directory: str | os.PathLike[str]) -> OrgEmulator:
    """The process's emulator for ``directory`` (created on first use; raises OrgDirectoryError if unusable)."""
    key = Path(directory).resolve()
    with _lock:
        emulator = _emulators.get(key)
        if emulator is None:
            emulator = _emulators[key] = OrgEmulator(key)
        return emulator


def reset_emulators() -> None:
    """Forget every shared emulator (tests: a fresh org, fresh usage and faults)."""
    with _lock:
        _emulators.clear()
