"""One line a manager can read for each gap: the value, the peers' figure, the sample and the deals."""

from typing import Any

from coaching.gaps.catalogue import RULES_BY_CODE
from coaching.gaps.rule import Finding
from coaching.metrics import names


def formatted(value: float | None, unit: str, metric: str = "") -> str:
    if value is None:
        return "n/a"
    if metric == names.PIPELINE_COVERAGE:
        return f"{value:.1f}x the quota left"
    if metric == names.CLOSE_DATE_PUSHES:
        return f"{value:.1f} pushes per 91 days open"
    if unit == "ratio":
        return f"{value:.0%}"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "amount":
        return f"{value:,.0f}"
    if unit == "days":
        return f"{value:.0f} days"
    if unit == "per_week":
        return f"{value:.1f} a week"
    return f"{round(value, 2):g}"


def summary(finding: Finding, evidence: dict[str, Any]) -> str:
    rule = RULES_BY_CODE[finding.code]
    unit, metric = evidence.get("unit", "count"), finding.metric
    parts = [f"{rule.title}: {formatted(finding.value, unit, metric)}"]
    peer = evidence.get("peer_median")
    if peer is not None:
        parts.append(f"vs {evidence.get('reference') or 'peer'} median {formatted(peer, unit, metric)}")
    org = (evidence.get("org") or {}).get("median")
    if org is not None and evidence.get("reference") != "org":
        parts.append(f"(org {formatted(org, unit, metric)})")
    text = " ".join(parts)
    if finding.n:
        text += f", on {finding.n}"
    total = evidence.get("deals_total") or 0
    if total and rule.lists_deals:
        text += f"; {total} deal{'s' if total != 1 else ''} named"
    words = in_words(evidence.get("model"), evidence.get("unit", "count"), metric)
    return text + "." + (f" {words}" if words else "")


def in_words(model: dict[str, Any] | None, unit: str, metric: str = "") -> str:
    """What the confidence means, in a sentence: how sure we are that the rep truly differs by the margin."""
    if not model or model.get("confidence") is None:
        return ""
    sure = f"{model['confidence']:.0%}"
    low = model.get("direction") == "low"
    if model.get("scale") == "rate":
        size = f"{model['margin'] * 100:.0f} points"
        claim = f"{'below' if low else 'above'} the peers by at least {size}"
    else:
        factor = model["margin"]
        below = f"below {1 / factor:.0%} of the peers' level" if factor > 0 else "below the peers' level"
        claim = below if low else f"above {factor:.2g}x the peers' level"

    def shown(value: float) -> str:
        # Activity is judged per open deal (28 days), not per week: say so.
        if metric == names.ACTIVITIES_PER_WEEK:
            return f"{value:.1f} activities per open deal"
        # Judged on a count per deal (coaching.gaps.counts), not on the headline figure: say which.
        if metric == names.SINGLE_THREADED_COUNT and model.get("scale") == "log":
            return f"{value:.1f} contact roles per late-stage deal"
        if metric == names.PRODUCTS_WON_COUNT:
            return f"{value:.1f} further products per won deal"
        return formatted(value, unit, metric)

    text = f"{sure} sure the true figure is {claim} (the rep's estimate {shown(model['estimate'])}"
    text += f", the peers' {shown(model['peers_estimate'])}"
    expected = model.get("expected_on_own_mix")
    if expected is not None:
        text += f"; the org on this rep's mix of deals: {formatted(expected, unit, metric)}"
    return text + ")." + judged_on_words(model.get("judged_on"), metric)


def judged_on_words(judged_on: dict[str, Any] | None, metric: str) -> str:
    """The window and counts the model judged when they are not the headline's (coaching.gaps.dispersion)."""
    if not judged_on:
        return ""
    count, exposure = judged_on["count"], judged_on["exposure"]
    if metric == names.CLOSE_DATE_PUSHES and judged_on.get("exposure_unit") == "deal_quarters":
        deals = judged_on.get("deals_pushed") or 0
        counted = (
            f"{count} close-date pushes on {deals} deal{'s' if deals != 1 else ''},"
            f" over {exposure:g} times 91 days of open deals"
        )
    elif metric == names.CLOSE_DATE_PUSHES:
        counted = f"{count} close-date pushes on {exposure} open deals"
    else:
        counted = f"{count} moves back in {exposure} stage moves"
    text = f" Judged on the last {judged_on['window_days']} days: {counted}"
    phi = judged_on.get("dispersion") or 1.0
    if phi > 1.05:
        text += f", counted as {phi:.1f}x as variable as chance (they come in bursts across the team)"
    return text + "."
