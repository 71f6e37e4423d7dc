"""The sync's timings and the broker's must agree, or killed work is redone late or runs twice at once.

Checked when a worker starts (``integrations.tasks``) and by ``manage.py check``:

- a heartbeat comes well within the stale time, so a live step never looks dead;
- a step's window fits in the visibility timeout, so Redis never hands out a live step's message again;
- the visibility timeout plus the restore sweep come before the run is abandoned, so a killed worker's step
  is redone (by another worker) rather than the run given up;
- abandonment (the lock's life plus the reaper's period) comes within two minutes.
"""

from typing import Any

ABANDON_WITHIN_SECONDS = 120
PAGE_ALLOWANCE_SECONDS = 15  # a step ends at the first page boundary after its window: one page more


def restore_sweep_seconds(options: dict[str, Any]) -> float:
    return float(options.get("unacked_restore_interval", 10)) * float(options.get("unacked_restore_throttle", 10))


def problems(settings: Any) -> list[str]:
    found = []
    heartbeat, stale = float(settings.SYNC_HEARTBEAT_SECONDS), float(settings.SYNC_STEP_STALE_SECONDS)
    lock, reap, step = (
        float(settings.SYNC_LOCK_SECONDS),
        float(settings.SYNC_REAP_SECONDS),
        float(settings.SYNC_STEP_SECONDS),
    )
    if not 2 * heartbeat <= stale < lock:
        found.append(
            f"SYNC_STEP_STALE_SECONDS ({stale:g}) must be at least twice SYNC_HEARTBEAT_SECONDS ({heartbeat:g}) "
            f"and below SYNC_LOCK_SECONDS ({lock:g})"
        )
    if lock + reap > ABANDON_WITHIN_SECONDS:
        found.append(
            f"SYNC_LOCK_SECONDS + SYNC_REAP_SECONDS ({lock:g} + {reap:g}) must stay within "
            f"{ABANDON_WITHIN_SECONDS}s: a dead run is to be marked abandoned within two minutes"
        )
    if not getattr(settings, "CELERY_BROKER_URL", "") or not str(settings.CELERY_BROKER_URL).startswith(
        ("redis", "rediss")
    ):
        return found
    options = dict(getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {})
    visibility = float(options.get("visibility_timeout", 3600))
    if step + PAGE_ALLOWANCE_SECONDS > visibility:
        found.append(
            f"the visibility timeout ({visibility:g}s, CELERY_VISIBILITY_TIMEOUT) must exceed SYNC_STEP_SECONDS "
            f"({step:g}) plus a page ({PAGE_ALLOWANCE_SECONDS}s), or Redis hands out running steps again"
        )
    sweep = restore_sweep_seconds(options)
    if visibility + sweep > lock + reap:
        found.append(
            f"the visibility timeout plus the restore sweep ({visibility:g} + {sweep:g}s) must come before a run "
            f"is abandoned (SYNC_LOCK_SECONDS + SYNC_REAP_SECONDS = {lock + reap:g}s), or killed steps are "
            "given up instead of redone"
        )
    return found
