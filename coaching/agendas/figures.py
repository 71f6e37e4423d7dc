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


def is_share(gap: Gap) -> bool:
    definition = METRICS.get(gap.metric)
    evidence = gap.evidence if isinstance(gap.evidence, dict) else {}
    return definition is not None and definition.unit == "count" and evidence.get("successes") is not None


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
    """The gap's value beside the team and the org, and what it rests on: "Win rate: 18% (team 31%, …)"."""
    if gap.value is None or not gap.metric:
        return ""
    peers = [f"team {shown(gap, gap.team_value)}"] if gap.team_value is not None else []
    if gap.org_value is not None:
        peers.append(f"org {shown(gap, gap.org_value)}")
    basis = f"; based on {gap.n}" if gap.n else ""
    label = metric_label(gap.metric)
    if is_share(gap):
        label = f"{label} (share of {gap.n})" if gap.n else label
        basis = ""
    return f"{label}: {shown(gap, gap.value)} ({', '.join(peers) or 'no peers to compare'}{basis})"


def best_on_team(gap: Gap) -> tuple[str, float | None] | None:
    """The teammate the rules name as best on this metric (evidence ``best_on_team``), if any."""
    evidence = gap.evidence if isinstance(gap.evidence, dict) else {}
    best = evidence.get("best_on_team")
    if isinstance(best, dict) and isinstance(best.get("sf_id"), str) and best["sf_id"] != gap.person_sf_id:
        value = best.get("value")
        return best["sf_id"], float(value) if isinstance(value, int | float) else None
    return None
