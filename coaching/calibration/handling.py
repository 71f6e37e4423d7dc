"""How each manager's agendas were used over a span of weeks, in grouped queries over all the managers at
once: topics handled (discussed / deferred / dismissed, with dismiss reasons grouped), commitments kept on
time, and how many weeks each gap code stays open on their team before it closes."""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Case, Count, F, Q, TextField, Value, When
from django.db.models.functions import Lower, Trim

from coaching.metrics.dialect import fetch, is_postgres, sql_date
from coaching.models import AgendaItem, Commitment, Gap

TOP_REASONS = 3
STATUSES = ("discussed", "deferred", "dismissed", "open")


@dataclass
class Handling:
    statuses: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    dismiss_reasons: list[tuple[str, int]] = field(default_factory=list)  # most given first
    commitments_due: int = 0
    commitments_on_time: int = 0
    weeks_to_close: dict[str, float] = field(default_factory=dict)  # gap code -> median weeks open
    closed_episodes: int = 0

    @property
    def topics(self) -> int:
        return sum(self.statuses.values())

    @property
    def handled_share(self) -> float | None:
        return None if not self.topics else (self.topics - self.statuses["open"]) / self.topics

    @property
    def kept_share(self) -> float | None:
        return None if not self.commitments_due else self.commitments_on_time / self.commitments_due

    def as_json(self) -> dict:
        return {
            "topics": self.topics, "statuses": self.statuses, "handled_share": _round(self.handled_share),
            "dismiss_reasons": [{"reason": reason, "count": count} for reason, count in self.dismiss_reasons],
            "commitments_due": self.commitments_due, "commitments_on_time": self.commitments_on_time,
            "kept_share": _round(self.kept_share), "median_weeks_to_close": self.weeks_to_close,
        }  # fmt: skip


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def handling(org_id: int, managers: list[str], first_week: date, last_week: date, today: date) -> dict[str, Handling]:
    """Per manager, their agendas of the weeks [first_week, last_week] (three queries for all managers)."""
    result = {manager: Handling() for manager in managers}
    items = AgendaItem.objects.filter(
        agenda__org_id=org_id, agenda__manager_sf_id__in=managers, agenda__week_start__gte=first_week,
        agenda__week_start__lte=last_week, is_current=True,
    ).exclude(kind=AgendaItem.Kind.STRENGTH)  # fmt: skip
    # Statuses and dismiss reasons in one grouped pass: the reason is grouped only where dismissed.
    dismissed = AgendaItem.Status.DISMISSED
    reason = Case(
        When(status=dismissed, then=Lower(Trim("status_reason"))), default=Value(""), output_field=TextField()
    )
    reasons: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for manager, status, given, n in (
        items.annotate(reason=reason)
        .values_list("agenda__manager_sf_id", "status", "reason")
        .order_by()
        .annotate(n=Count("id"))
    ):
        result[manager].statuses[status] += n
        if status == dismissed:
            reasons[manager].append((given or "no reason given", n))
    for manager, found in reasons.items():
        result[manager].dismiss_reasons = sorted(found, key=lambda pair: (-pair[1], pair[0]))[:TOP_REASONS]

    due_by = min(today - timedelta(days=1), last_week + timedelta(days=6))
    commitments = (
        Commitment.objects.filter(
            agenda__org_id=org_id, agenda__manager_sf_id__in=managers, due_date__gte=first_week, due_date__lte=due_by
        )
        .exclude(status=Commitment.Status.DROPPED)
        .values("agenda__manager_sf_id")
        .order_by()
        .annotate(
            due=Count("id"),
            kept=Count("id", filter=Q(status=Commitment.Status.DONE, closed_at__date__lte=F("due_date"))),
        )
    )
    for row in commitments:
        result[row["agenda__manager_sf_id"]].commitments_due = row["due"]
        result[row["agenda__manager_sf_id"]].commitments_on_time = row["kept"]

    # An episode closed in week W when the gap was there in W and not in W + 1, and W + 1 was built (some gap of
    # the org is stored for it): one pass with a window function over the gaps of the span; whether W + 1 was
    # built is an index probe on (org, week_start) per closing row, which stops at the first gap found.
    weeks: dict[tuple[str, str], list[int]] = defaultdict(list)
    next_week = "g.week_start + 7" if is_postgres() else "date(g.week_start, '+7 days')"
    marks = ", ".join("%s" for _ in managers)
    table = Gap._meta.db_table
    closing = (
        fetch(
            "SELECT g.manager_sf_id, g.code, g.weeks_open FROM (SELECT manager_sf_id, code, weeks_open,"
            " week_start, LEAD(week_start) OVER (PARTITION BY person_sf_id, code ORDER BY week_start) AS next_seen"
            f" FROM {table} WHERE org_id = %s AND week_start >= %s AND week_start <= %s"
            " AND is_strength = %s AND opportunity_sf_id = '') g"
            f" WHERE g.manager_sf_id IN ({marks}) AND g.week_start < %s"
            f" AND (g.next_seen IS NULL OR g.next_seen <> {next_week})"
            f" AND EXISTS (SELECT 1 FROM {table} b WHERE b.org_id = %s AND b.week_start = {next_week})",
            [org_id, sql_date(first_week), sql_date(last_week), False, *managers, sql_date(last_week), org_id],
        )
        if managers
        else []
    )  # fmt: skip
    for manager, code, weeks_open in closing:
        weeks[manager, code].append(weeks_open)
    for (manager, code), lengths in weeks.items():
        result[manager].weeks_to_close[code] = float(statistics.median(lengths))
        result[manager].closed_episodes += len(lengths)
    return result
