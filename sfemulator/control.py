"""``/_emulator/...``: fault injection, the clock and the request counts, for a standalone server's tests.

``POST /_emulator/faults`` takes one fault object or a list (see ``Faults.apply``); ``POST /_emulator/clock``
takes ``{"now": "2026-11-28T00:00:00Z"}`` (or null for the real time); ``GET /_emulator/state`` reports.
"""

import json
from typing import Any

from sfemulator.parts import EmulatedOrg
from sfemulator.replies import Reply, json_reply
from sfemulator.temporal import format_datetime, parse_datetime


def _state(emulator: EmulatedOrg) -> dict[str, Any]:
    return {
        **emulator.faults.state(),
        "now": format_datetime(emulator.now()),
        "sessions": emulator.sessions.active_count(emulator.store.config().session_ids),
        "directory": str(emulator.directory),
    }


def handle_control(emulator: EmulatedOrg, method: str, path: str, body: bytes) -> Reply:
    route = path.rstrip("/")
    if route == "/_emulator/state" and method == "GET":
        return json_reply(200, _state(emulator))
    if route not in ("/_emulator/faults", "/_emulator/clock") or method != "POST":
        return json_reply(404, {"error": "unknown control path: use GET /_emulator/state, POST /_emulator/faults"})
    try:
        spec = json.loads(body or b"null")
    except json.JSONDecodeError as exc:
        return json_reply(400, {"error": f"the body must be JSON: {exc}"})
    try:
        if route == "/_emulator/clock":
            now = spec.get("now") if isinstance(spec, dict) else None
            parsed = parse_datetime(now) if isinstance(now, str) else None
            if now is not None and parsed is None:
                raise ValueError(f"now must be an ISO-8601 datetime or null, not {now!r}")
            emulator.clock = parsed
        else:
            for item in spec if isinstance(spec, list) else [spec]:
                emulator.faults.apply(item)
    except (ValueError, TypeError) as exc:
        return json_reply(400, {"error": str(exc)})
    return json_reply(200, _state(emulator))
