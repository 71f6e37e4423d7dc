"""Which deal flags an org hides: the backtest found no effect (or the wrong way) and no admin kept them on.

The gap rules behind muted flags are switched off for the org (``coaching.gaps.org_settings``), so a muted
flag leaves the agenda, the portal, the digest and the API at once; it comes back when a later weekly run
finds evidence, or when an admin sets the override to "on".
"""

from coaching.backtest.flags import BY_KEY
from coaching.models import FlagBacktest
from crm.models import Org


def muted_gap_codes(org: Org) -> set[str]:
    rows = FlagBacktest.objects.filter(org=org)
    return {BY_KEY[row.flag].gap_code for row in rows if row.flag in BY_KEY and row.muted}


def set_override(org: Org, flag: str, override: str) -> FlagBacktest:
    """An admin's choice for one flag: "auto" (follow the backtest), "on" or "off"."""
    if flag not in BY_KEY:
        raise ValueError(f"no deal flag {flag!r}; the flags are {', '.join(sorted(BY_KEY))}")
    if override not in FlagBacktest.Override.values:
        raise ValueError(f"override must be one of {', '.join(FlagBacktest.Override.values)}, got {override!r}")
    row, _ = FlagBacktest.objects.get_or_create(org=org, flag=flag, defaults={"as_of": org.created_at.date()})
    row.override = override
    row.save(update_fields=["override", "computed_at"])
    return row
