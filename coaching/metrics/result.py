"""What a metrics run produces: per rep, one ``MetricValue`` per metric name."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from coaching.metrics.calendar import Window

# Evidence lists keep the records a manager would open first (largest, oldest …); the full count is
# always in ``n`` or the details, so a capped list never hides how many there are.
EVIDENCE_LIMIT = 25


@dataclass(frozen=True)
class MetricValue:
    value: float | int | None  # counts stay integers
    n: int
    window: Window
    details: dict[str, Any] = field(default_factory=dict)

    def as_json(self, with_details: bool = False) -> dict[str, Any]:
        shown: dict[str, Any] = {"value": self.value, "n": self.n, "window": self.window.as_list()}
        if with_details:
            shown["details"] = self.details
        return shown


def count_value(count: int | None, window: Window, n: int | None = None, **details: Any) -> MetricValue:
    """A count: 0, never null, when nothing matched."""
    count = int(count or 0)
    return MetricValue(count, count if n is None else int(n), window, details)


def ratio_value(
    numerator: float | None, denominator: float | None, window: Window, n: int, **details: Any
) -> MetricValue:
    """numerator / denominator, or null when there is no positive denominator."""
    if not denominator or denominator <= 0 or numerator is None:
        return MetricValue(None, int(n), window, details)
    return MetricValue(float(numerator) / float(denominator), int(n), window, details)


def number(value: Any) -> float | None:
    """A database number (Decimal, int, float, None) as a float for JSON."""
    return None if value is None else float(value)


@dataclass(frozen=True)
class RepMetrics:
    sf_user_id: str
    manager_sf_user_id: str
    metrics: dict[str, MetricValue]

    def as_json(self, with_details: bool = False) -> dict[str, Any]:
        return {
            "sf_user_id": self.sf_user_id,
            "manager_sf_user_id": self.manager_sf_user_id,
            "metrics": {name: metric.as_json(with_details) for name, metric in self.metrics.items()},
        }


@dataclass(frozen=True)
class MetricsResult:
    org_name: str
    org_id: int
    as_of: date
    week_start: date
    reps: list[RepMetrics]

    def rep(self, sf_user_id: str) -> RepMetrics:
        for rep in self.reps:
            if rep.sf_user_id == sf_user_id:
                return rep
        raise KeyError(f"{sf_user_id} is not an active rep of {self.org_name} on {self.as_of}")

    def as_json(self, with_details: bool = False) -> dict[str, Any]:
        return {
            "org": self.org_name,
            "as_of": self.as_of.isoformat(),
            "reps": [rep.as_json(with_details) for rep in self.reps],
        }
