"""A gap's numbers as the agenda writes them, read from the gap and the evidence the rules stored.

Most gaps carry their metric's own value (a win rate, days, an amount). Rules that flag a share of the
rep's deals (stale, overdue, no next step …) store the share — 5 of 12 open deals is 0.42 — with the count
of flagged deals as ``successes`` in the evidence; those values read as percentages and the count is
``flagged``, while the item keeps the count as its value so the coaching effect compares it with the
metric snapshots (which hold counts).
"""

from typing import Any

from coaching.agendas.units import metric_label, metric_value
from coaching.metrics.names import METRICS
from coaching.models import Gap

# Rules that judge a share of deals on a metric measured in another unit (STAGE_STALL reads days in stage
# but flags the share of open deals stalled): the share's own name, so "0.5" never reads as "0.5 days".
SHARE_LABELS = {"STAGE_STALL": "Open deals stalled in their stage"}


def is_share(gap: Gap) -> bool:
    definition = METRICS.get(gap.metric)
    evidence = gap.evidence if isinstance(gap.evidence, dict) else {}
    if definition is None or evidence.get("successes") is None:
        return False
    stored_as = evidence.get("unit") or definition.unit
    return definition.unit == "count" or (stored_as == "ratio" and definition.unit not in ("ratio", "percent"))


def label_of(gap: Gap) -> str:
    """What the gap's value is called: the metric's label, or the share's own name."""
    if is_share(gap) and gap.code in SHARE_LABELS:
        return SHARE_LABELS[gap.code]
    return metric_label(gap.metric)


def reference_of(gap: Gap) -> str:
    """What the rule compared the rep with: "team" or "org" ("" when the evidence does not say).

    Gaps written before the evidence named it compared with the team when a team figure was stored.
    """
    evidence = gap.evidence if isinstance(gap.evidence, dict) else {}
    reference = evidence.get("reference")
    if reference in ("team", "org"):
        return reference
    if "reference" in evidence:
        return ""
    return "team" if gap.team_value is not None else ("org" if gap.org_value is not None else "")


REFERENCE_WORDS = {"team": "teammates' median", "org": "org median"}


def reference_keys(gap: Gap) -> dict[str, str]:
    """{ref} ("teammates' median" / "org median") and {ref_value}: the figure the rule really compared with,
    for titles."""
    reference = reference_of(gap)
    value = {"team": gap.team_value, "org": gap.org_value}.get(reference)
    if not reference or value is None:
        return {"ref": "", "ref_value": ""}
    # The words of the gap line ("vs teammates' median …"), so that a title's yardstick never reads as the
    # team figure of the agenda's table ("Win rate, median rep"), which is another number.
    return {"ref": REFERENCE_WORDS[reference], "ref_value": shown(gap, value)}


def shown(gap: Gap, value: float | None) -> str:
    """``value`` (the gap's value, or its team or org figure) in the unit it is stored in."""
    if value is None:
        return ""
    if is_share(gap):
        return f"{value * 100:.0f}%"
    return metric_value(gap.metric, value)


def metric_figure(gap: Gap) -> float | None:
    """The value in the metric's own terms (the flagged count for share rules)."""
    if is_share(gap):
        return float(gap.evidence["successes"])
    return gap.value


def evidence_keys(gap: Gap) -> dict[str, str]:
    """Placeholders the wording may use, from the rule's evidence; absent facts are left out."""
    evidence: dict[str, Any] = gap.evidence if isinstance(gap.evidence, dict) else {}
    keys: dict[str, str] = {}
    if evidence.get("successes") is not None:
        keys["flagged"] = str(evidence["successes"])
    won, lost = evidence.get("won"), evidence.get("lost")
    if won is not None and lost is not None:
        keys["won"], keys["decided"] = str(won), str(int(won) + int(lost))
    if evidence.get("deals_pushed") is not None:
        keys["deals_pushed"] = deals(int(evidence["deals_pushed"]))
    if evidence.get("stalled_count") is not None:
        keys["stalled"] = deals(int(evidence["stalled_count"]))
    if evidence.get("typical_vs_team") is not None:
        keys["typical_vs_team"] = f"{float(evidence['typical_vs_team']):.1f}x"
    products = evidence.get("products")
    if isinstance(products, list) and products and isinstance(products[0], dict) and products[0].get("name"):
        keys["product"] = str(products[0]["name"])
    if evidence.get("top_product_share") is not None:
        keys["top_product_share"] = f"{float(evidence['top_product_share']) * 100:.0f}%"
    return keys


def deals(count: int) -> str:
    return f"{count} deal{'' if count == 1 else 's'}"


def peer_line(gap: Gap) -> str:
    """The gap's value beside the teammates' and the org's medians, the one compared with first:
    "Win rate: 18% (vs org median 38%; teammates' median 31%)"."""
    if gap.value is None or not gap.metric:
        return ""
    reference = reference_of(gap)
    figures = {"team": (REFERENCE_WORDS["team"], gap.team_value), "org": (REFERENCE_WORDS["org"], gap.org_value)}
    order = [reference] if reference else []
    order += [name for name in ("team", "org") if name not in order]
    peers = [
        f"{'vs ' if name == reference else ''}{figures[name][0]} {shown(gap, figures[name][1])}"
        for name in order
        if figures[name][1] is not None
    ]
    label = label_of(gap)
    if is_share(gap) and gap.n:
        label = f"{label} (share of {gap.n} deals)"
    text = "; ".join(peers) or "no peers to compare"
    return f"{label}: {shown(gap, gap.value)} ({text})"


def best_on_team(gap: Gap) -> tuple[str, float | None] | None:
    """The teammate the rules name as best on this metric (evidence ``best_on_team``), if any."""
    evidence = gap.evidence if isinstance(gap.evidence, dict) else {}
    best = evidence.get("best_on_team")
    if isinstance(best, dict) and isinstance(best.get("sf_id"), str) and best["sf_id"] != gap.person_sf_id:
        value = best.get("value")
        return best["sf_id"], float(value) if isinstance(value, int | float) else None
    return None


# What a metric's n counts (docs/metrics.md), so "based on 4" never leaves the reader asking "4 what?".
SAMPLE_NOUNS = {
    "won_count": "closed deals",
    "lost_count": "closed deals",
    "win_rate": "closed deals",
    "avg_won_amount": "won deals",
    "median_won_amount": "won deals",
    "median_cycle_days": "won deals",
    "open_pipeline_amount": "open deals",
    "open_count": "open deals",
    "pipeline_coverage": "open deals this quarter",
    "pipeline_concentration": "open deals",
    "activities_per_week": "logged activities",
    "conversation_share": "logged activities",
    "stale_open_count": "open deals",
    "forecast_overdue_count": "open deals",
    "no_next_step_count": "open deals",
    "close_date_pushes": "open deals",
    "new_pipeline_amount": "new deals",
    "new_opportunity_count": "new deals",
    "avg_discount": "line items",
    "products_won_count": "won deals",
    "product_win_rate": "closed deals",
    "top_product_share": "won line items",
    "stage_regressions": "stage moves",
    "stage_conversion": "closed deals",
    "time_in_stage": "open deals",
    "late_stage_meeting_share": "late-stage deals",
    "contact_roles_per_deal": "late-stage deals",
    "single_threaded_count": "late-stage deals",
    "quota_attainment": "won deals this quarter",
}


def sample(metric: str, n: int | None) -> str:
    """ "29 closed deals": what a figure rests on, with its noun."""
    if not n:
        return ""
    return f"{n} {SAMPLE_NOUNS.get(metric, 'records')}"
