"""The randomised hold-out, for orgs that opt in (the ``HOLDOUT`` setting's ``share``: 0, off, by default;
at most ``MAX_HOLDOUT_SHARE``, 0.2): each week that share of the low-severity (mild band) rep topics whose
code has a leading metric is kept off the agenda, and becomes a control that no manager chose.

The draw is deterministic-at-random: a uniform number from SHA-256 of org, week and item key, so a rebuild
of the week holds out the same topics and anyone can check a draw again. Each held-out topic is recorded
(``HeldOutItem``, with its draw and the share in force). Only mild gaps are held out: a month without a
conversation about a small gap costs little, and the comparison it buys is free of the manager's choice.
"""

import hashlib
from datetime import date

from coaching.agendas.ranking import item_key
from coaching.calibration.effect import band
from coaching.calibration.leading import LEADING
from coaching.models import Gap, HeldOutItem

HELD_BAND = "mild"


def draw(org_id: int, week_start: date, key: str) -> float:
    """A uniform number in [0, 1) fixed by org, week and item key."""
    digest = hashlib.sha256(f"{org_id}:{week_start.isoformat()}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def item_key_of(gap: Gap) -> str:
    return item_key("gap", gap.code, gap.person_sf_id)


def eligible(gap: Gap) -> bool:
    return not gap.is_strength and not gap.opportunity_sf_id and gap.code in LEADING and band(gap.severity) == HELD_BAND


def split(org_id: int, week_start: date, gaps: list[Gap], share: float) -> tuple[list[Gap], list[HeldOutItem]]:
    """The gaps kept for the agenda, and the held-out records (unsaved) of the others."""
    if share <= 0:
        return gaps, []
    kept, held = [], []
    for gap in gaps:
        value = draw(org_id, week_start, item_key_of(gap)) if eligible(gap) else 1.0
        if value < share:
            held.append(HeldOutItem(org_id=org_id, week_start=week_start, manager_sf_id=gap.manager_sf_id,
                                    person_sf_id=gap.person_sf_id, code=gap.code, key=item_key_of(gap),
                                    severity=gap.severity, draw=value, share=share))  # fmt: skip
        else:
            kept.append(gap)
    return kept, held


def record(org_id: int, week_start: date, held: list[HeldOutItem]) -> None:
    """The week's hold-outs as drawn now (a rebuild after the share changed replaces the week's records)."""
    HeldOutItem.objects.filter(org_id=org_id, week_start=week_start).exclude(
        key__in=[item.key for item in held]
    ).delete()
    HeldOutItem.objects.bulk_create(held, ignore_conflicts=True)
