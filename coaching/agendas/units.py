"""Numbers as a manager reads them: 23 %, $48k, 2.1x coverage, 41 days, 12/week.

The metric registry says each metric's unit; a "ratio" is a share shown in percent except for the few
ratios that are multiples (coverage) or rates over time open (close-date pushes: per 91 days of an open
deal, the unit of the weekly metric and of CLOSE_DATE_SLIPPAGE's 182-day figure alike).
"""

from decimal import Decimal

from coaching.metrics.names import CLOSE_DATE_PUSHES, METRICS, PIPELINE_COVERAGE

# The CRM amounts carry no currency in our model; orgs in the demo and the first customers sell in dollars.
CURRENCY = "$"

_MULTIPLES = {PIPELINE_COVERAGE}
_PER_DEAL_QUARTER = {CLOSE_DATE_PUSHES}


def money(amount: float | Decimal | None) -> str:
    if amount is None:
        return "n/a"
    amount = float(amount)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if amount >= 999_500:
        text = f"{amount / 1_000_000:.1f}M".replace(".0M", "M")
    elif amount >= 1_000:
        text = f"{amount / 1_000:.0f}k"
    else:
        text = f"{amount:.0f}"
    return f"{sign}{CURRENCY}{text}"


def number(value: float) -> str:
    """Whole numbers without decimals, others with one."""
    if abs(value - round(value)) < 0.05:
        return f"{round(value):d}"
    return f"{value:.1f}"


def metric_value(metric: str, value: float | None) -> str:
    """``value`` of ``metric`` in the unit a manager expects; unknown metrics print as plain numbers."""
    if value is None:
        return "n/a"
    definition = METRICS.get(metric)
    unit = definition.unit if definition else "count"
    if metric in _MULTIPLES:
        return f"{value:.1f}x"
    if metric in _PER_DEAL_QUARTER:
        return f"{value:.1f} per 91 days open"
    if unit == "ratio":
        return f"{value * 100:.0f}%"
    if unit == "percent":
        return f"{value:.0f}%"
    if unit == "amount":
        return money(value)
    if unit == "days":
        return f"{number(value)} days"
    if unit == "per_week":
        return f"{number(value)}/week"
    return number(value)


def metric_label(metric: str) -> str:
    definition = METRICS.get(metric)
    return definition.label if definition else metric.replace("_", " ").capitalize()


def better_direction(metric: str) -> str | None:
    definition = METRICS.get(metric)
    return definition.better if definition else None


def difference(metric: str, before: float, after: float) -> str:
    """The change from ``before`` to ``after`` in the metric's unit: "+6 pts", "-2", "+$12k"."""
    definition = METRICS.get(metric)
    unit = definition.unit if definition else "count"
    delta = after - before
    sign = "+" if delta >= 0 else "-"
    if metric in _MULTIPLES or metric in _PER_DEAL_QUARTER:
        return f"{sign}{abs(delta):.1f}"
    if unit == "ratio":
        return f"{sign}{abs(delta) * 100:.0f} pts"
    if unit == "percent":
        return f"{sign}{abs(delta):.0f} pts"
    if unit == "amount":
        return f"{sign}{money(abs(delta))}"
    return f"{sign}{number(abs(delta))}"
