"""The metric names: one registry that computing, storing, exporting and the gap rules all agree on.

Each ``MetricDefinition`` says what the number means (``unit``), which way is better (``better``: gap and
strength rules read it; None when neither direction is a virtue) and its window. The full formulas and the
CRM fields behind them are in docs/metrics.md.
"""

from dataclasses import dataclass
from typing import Literal

Unit = Literal["count", "ratio", "amount", "days", "per_week", "percent"]
Better = Literal["higher", "lower"] | None

# Window lengths in days; a trailing window of N days ends on the as-of date and includes it.
CLOSED_WINDOW_DAYS = 182
ACTIVITY_WINDOW_DAYS = 28
STALE_WINDOW_DAYS = 14
PUSH_WINDOW_DAYS = 91
# The longer look the gap model takes at counted history (pushes, stage regressions): two push windows,
# whose halves also tell how bursty the counts are (coaching.gaps.dispersion).
LONG_HISTORY_DAYS = 182
# The year of closed deals some rules judge on where 182 days hold too few of a rep's deals (discounts, the
# win rate of a rep on the job all year, the book of deals a rep sells): docs/gaps.md.
LONG_CLOSED_DAYS = 365
NEW_PIPELINE_WINDOW_DAYS = 91
STAGE_WINDOW_DAYS = 182


@dataclass(frozen=True)
class MetricDefinition:
    name: str
    label: str
    unit: Unit
    better: Better
    window: str  # "182d", "28d", "quarter", "current" (the open deals as they stand)
    description: str


WON_COUNT = "won_count"
LOST_COUNT = "lost_count"
WIN_RATE = "win_rate"
AVG_WON_AMOUNT = "avg_won_amount"
MEDIAN_CYCLE_DAYS = "median_cycle_days"
OPEN_PIPELINE_AMOUNT = "open_pipeline_amount"
PIPELINE_COVERAGE = "pipeline_coverage"
ACTIVITIES_PER_WEEK = "activities_per_week"
STALE_OPEN_COUNT = "stale_open_count"
CLOSE_DATE_PUSHES = "close_date_pushes"
TOP_PRODUCT_SHARE = "top_product_share"

OPEN_COUNT = "open_count"
QUOTA_ATTAINMENT = "quota_attainment"
PIPELINE_CONCENTRATION = "pipeline_concentration"
FORECAST_OVERDUE_COUNT = "forecast_overdue_count"
NEW_PIPELINE_AMOUNT = "new_pipeline_amount"
NEW_OPPORTUNITY_COUNT = "new_opportunity_count"
MEDIAN_WON_AMOUNT = "median_won_amount"
AVG_DISCOUNT = "avg_discount"
PRODUCTS_WON_COUNT = "products_won_count"
PRODUCT_WIN_RATE = "product_win_rate"
STAGE_CONVERSION = "stage_conversion"
STAGE_REGRESSIONS = "stage_regressions"
TIME_IN_STAGE = "time_in_stage"
LATE_STAGE_MEETING_SHARE = "late_stage_meeting_share"
CONTACT_ROLES_PER_DEAL = "contact_roles_per_deal"
SINGLE_THREADED_COUNT = "single_threaded_count"
NO_NEXT_STEP_COUNT = "no_next_step_count"
CONVERSATION_SHARE = "conversation_share"

_DEFINITIONS = (
    MetricDefinition(WON_COUNT, "Deals won", "count", "higher", "182d", "Closed won deals by CloseDate."),
    MetricDefinition(LOST_COUNT, "Deals lost", "count", None, "182d", "Closed lost deals by CloseDate."),
    MetricDefinition(WIN_RATE, "Win rate", "ratio", "higher", "182d", "won / (won + lost)."),
    MetricDefinition(AVG_WON_AMOUNT, "Average won deal", "amount", "higher", "182d", "Mean Amount of won deals."),
    MetricDefinition(
        MEDIAN_CYCLE_DAYS, "Sales cycle", "days", "lower", "182d", "Median days from creation to close, won deals."
    ),
    MetricDefinition(
        OPEN_PIPELINE_AMOUNT, "Open pipeline", "amount", "higher", "current", "Sum of Amount over open deals."
    ),
    MetricDefinition(
        PIPELINE_COVERAGE,
        "Pipeline coverage",
        "ratio",
        "higher",
        "quarter",
        "Open Amount closing this quarter / (quota - won this quarter).",
    ),
    MetricDefinition(
        ACTIVITIES_PER_WEEK, "Activities per week", "per_week", "higher", "28d", "Completed tasks + events, / 4."
    ),
    MetricDefinition(
        STALE_OPEN_COUNT, "Stale deals", "count", "lower", "14d", "Open deals with no task or event in 14 days."
    ),
    MetricDefinition(
        CLOSE_DATE_PUSHES,
        "Close-date pushes",
        "ratio",
        "lower",
        "91d",
        "Close dates moved later, per open deal.",
    ),
    MetricDefinition(
        TOP_PRODUCT_SHARE, "Top product share", "ratio", None, "182d", "Share of won line-item value from one product."
    ),
    MetricDefinition(OPEN_COUNT, "Open deals", "count", None, "current", "Open deals."),
    MetricDefinition(
        QUOTA_ATTAINMENT, "Quota attainment", "ratio", "higher", "quarter", "Won Amount this quarter / quota."
    ),
    MetricDefinition(
        PIPELINE_CONCENTRATION,
        "Pipeline concentration",
        "ratio",
        "lower",
        "current",
        "Largest open deal's share of the open Amount.",
    ),
    MetricDefinition(
        FORECAST_OVERDUE_COUNT,
        "Overdue close dates",
        "count",
        "lower",
        "current",
        "Open deals whose close date has passed.",
    ),
    MetricDefinition(
        NEW_PIPELINE_AMOUNT, "New pipeline", "amount", "higher", "91d", "Amount of deals created in the window."
    ),
    MetricDefinition(NEW_OPPORTUNITY_COUNT, "New deals", "count", "higher", "91d", "Deals created in the window."),
    MetricDefinition(
        MEDIAN_WON_AMOUNT, "Typical won deal", "amount", "higher", "182d", "Median Amount of won deals (+ quartiles)."
    ),
    MetricDefinition(
        AVG_DISCOUNT, "Average discount", "percent", "lower", "182d", "Mean line-item Discount on won deals."
    ),
    MetricDefinition(PRODUCTS_WON_COUNT, "Products sold", "count", "higher", "182d", "Distinct products on won deals."),
    MetricDefinition(
        PRODUCT_WIN_RATE,
        "Weakest product win rate",
        "ratio",
        "higher",
        "182d",
        "Lowest per-product win rate over closed deals with line items.",
    ),
    MetricDefinition(
        STAGE_CONVERSION,
        "Weakest stage conversion",
        "ratio",
        "higher",
        "182d",
        "Lowest share of closed deals that moved on past a stage they reached.",
    ),
    MetricDefinition(
        STAGE_REGRESSIONS, "Stage regressions", "count", "lower", "91d", "Moves back to an earlier stage."
    ),
    MetricDefinition(
        TIME_IN_STAGE,
        "Days in current stage",
        "days",
        "lower",
        "current",
        "Median days open deals have spent in their current stage (per-stage team comparison in details).",
    ),
    MetricDefinition(
        LATE_STAGE_MEETING_SHARE,
        "Late-stage deals with a meeting",
        "ratio",
        "higher",
        "28d",
        "Share of late-stage open deals with an event in 28 days.",
    ),
    MetricDefinition(
        CONTACT_ROLES_PER_DEAL,
        "Contacts per late-stage deal",
        "count",
        "higher",
        "current",
        "Mean contact roles on late-stage open deals.",
    ),
    MetricDefinition(
        SINGLE_THREADED_COUNT,
        "Single-threaded deals",
        "count",
        "lower",
        "current",
        "Late-stage open deals with at most one contact role.",
    ),
    MetricDefinition(
        NO_NEXT_STEP_COUNT, "Deals without a next step", "count", "lower", "current", "Open deals with no Next Step."
    ),
    MetricDefinition(
        CONVERSATION_SHARE,
        "Conversation share",
        "ratio",
        "higher",
        "28d",
        "Share of activities that are calls or meetings (mix by type in details).",
    ),
)

METRICS: dict[str, MetricDefinition] = {definition.name: definition for definition in _DEFINITIONS}
METRIC_NAMES: tuple[str, ...] = tuple(METRICS)
CORE_METRIC_NAMES: tuple[str, ...] = (
    WON_COUNT,
    LOST_COUNT,
    WIN_RATE,
    AVG_WON_AMOUNT,
    MEDIAN_CYCLE_DAYS,
    OPEN_PIPELINE_AMOUNT,
    PIPELINE_COVERAGE,
    ACTIVITIES_PER_WEEK,
    STALE_OPEN_COUNT,
    CLOSE_DATE_PUSHES,
    TOP_PRODUCT_SHARE,
)


def definition(name: str) -> MetricDefinition:
    try:
        return METRICS[name]
    except KeyError:
        raise KeyError(f"unknown metric {name!r}; the metrics are {', '.join(METRIC_NAMES)}") from None
