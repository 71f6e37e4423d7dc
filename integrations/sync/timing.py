"""The sync's timings and the broker's must agree, or killed work is redone late, given up, or run twice.

Checked when a worker starts (``integrations.tasks``) and by ``manage.py check`` (``integrations.E001``):

- a heartbeat comes well within the stale time, so a live step never looks dead, and a stale step is
  noticed before its run is abandoned;
- a killed step is re-queued (stale time plus one reaper period) and a dead run abandoned (lock time plus
  one reaper period) within two minutes;
- with Redis, the visibility timeout stays above a step, the task time limit and the longest ETA (the
  debounced agenda rebuild): below any of them Redis would hand out a message that is still being worked
  on or waited for, and run it twice.
"""

from typing import Any

WITHIN_SECONDS = 120
PAGE_ALLOWANCE_SECONDS = 15  # a step ends at the first page boundary after its window: one page more


def problems(settings: Any) -> list[str]:
    found = []
    heartbeat, stale = float(settings.SYNC_HEARTBEAT_SECONDS), float(settings.SYNC_STEP_STALE_SECONDS)
    lock, reap = float(settings.SYNC_LOCK_SECONDS), float(settings.SYNC_REAP_SECONDS)
    step = float(settings.SYNC_STEP_SECONDS)
    if not 2 * heartbeat <= stale < lock:
        found.append(
            f"SYNC_STEP_STALE_SECONDS ({stale:g}) must be at least twice SYNC_HEARTBEAT_SECONDS ({heartbeat:g}) "
            f"and below SYNC_LOCK_SECONDS ({lock:g})"
        )
    if lock + reap > WITHIN_SECONDS:
        found.append(
            f"SYNC_LOCK_SECONDS + SYNC_REAP_SECONDS ({lock:g} + {reap:g}) must stay within {WITHIN_SECONDS}s: "
            "a dead run is to be marked abandoned, and a killed step redone, within two minutes"
        )
    broker = str(getattr(settings, "CELERY_BROKER_URL", "") or "")
    if not broker.startswith(("redis://", "rediss://", "redis+socket://")):
        return found
    options = dict(getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {})
    visibility = float(options.get("visibility_timeout", 3600))
    longest = {
        "a sync step (SYNC_STEP_SECONDS plus a page)": step + PAGE_ALLOWANCE_SECONDS,
        "CELERY_TASK_TIME_LIMIT": float(getattr(settings, "CELERY_TASK_TIME_LIMIT", 0) or 0),
        "the agenda rebuild's wait (AGENDA_REBUILD_INTERVAL_MINUTES)": 60.0
        * float(getattr(settings, "AGENDA_REBUILD_INTERVAL_MINUTES", 0) or 0),
    }
    for what, seconds in longest.items():
        if seconds >= visibility:
            found.append(
                f"the visibility timeout ({visibility:g}s, CELERY_VISIBILITY_TIMEOUT) must exceed {what} "
                f"({seconds:g}s), or Redis hands that work out again while it runs or waits"
            )
    return found
