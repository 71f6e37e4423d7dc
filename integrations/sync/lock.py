"""The per-org sync lock, kept on ``SalesforceConnection`` (``lock_token``, ``lock_expires_at``).

One sync per org at a time: two runs of the same org would fetch the same pages twice and race on the
marks. The lock is claimed with a conditional UPDATE (only one claimer's UPDATE matches), renewed by the
holder after every saved page, and it expires, so a killed worker blocks the org for ``SYNC_LOCK_SECONDS``
at most. A holder whose renewal fails has lost the lock to another run and must stop.
"""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from coachapp.errors import CoachappError
from integrations.models import SalesforceConnection


class LockLost(CoachappError):
    """This run's lock expired and another run claimed the org."""


def lock_seconds() -> int:
    # Longer than any single page or retry back-off, short enough that a crashed run frees the org soon.
    return int(settings.SYNC_LOCK_SECONDS)


def _expiry() -> datetime:
    return timezone.now() + timedelta(seconds=lock_seconds())


def claim(org_id: int) -> str | None:
    """A new token if the org was free (or its lock had expired), None while another run holds it."""
    token = secrets.token_hex(16)
    free = Q(lock_token="") | Q(lock_expires_at__isnull=True) | Q(lock_expires_at__lt=timezone.now())
    won = SalesforceConnection.objects.filter(free, org_id=org_id).update(lock_token=token, lock_expires_at=_expiry())
    return token if won else None


def renew(org_id: int, token: str) -> None:
    """Push the expiry forward; LockLost if ``token`` no longer holds the org."""
    kept = SalesforceConnection.objects.filter(org_id=org_id, lock_token=token).update(lock_expires_at=_expiry())
    if not kept:
        raise LockLost(
            "this sync lost the org's lock (it expired while the run was stalled and another sync took over); "
            "its saved pages are kept and the next sync continues from them"
        )


def release(org_id: int, token: str) -> bool:
    """Free the org if ``token`` still holds it (a run that lost its lock must not free another's)."""
    return bool(
        SalesforceConnection.objects.filter(org_id=org_id, lock_token=token).update(lock_token="", lock_expires_at=None)
    )


def holder(org_id: int) -> tuple[str, datetime | None]:
    """(token, expires_at) of the current lock: ("", None) when free."""
    row = SalesforceConnection.objects.filter(org_id=org_id).values_list("lock_token", "lock_expires_at").first()
    return row if row else ("", None)
