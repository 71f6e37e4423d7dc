"""Which week a page shows: the one asked for (``?week=YYYY-MM-DD``), else the latest one with data."""

from datetime import date, timedelta

from django.core.exceptions import BadRequest
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from coaching.models import Agenda, MetricSnapshot
from coaching.weeks import monday_of, parse_week

TREND_WEEKS = 13


def this_week() -> date:
    return monday_of(timezone.now().date())


def asked_week(request: HttpRequest) -> date | None:
    """The week in ``?week=`` as its Monday, None when absent; a bad value is a 400 that says what to send."""
    text = request.GET.get("week", "").strip()
    if not text:
        return None
    try:
        week = parse_week(text)
    except ValueError as error:
        raise BadRequest(f"{error}; e.g. ?week={this_week().isoformat()}") from None
    if week > this_week():
        raise BadRequest(f"The week of {week.isoformat()} has not started yet.")
    return week


def latest_data_week(org_id: int) -> date | None:
    """The latest week, up to this one, with metric snapshots: what the team and rep pages show by default."""
    return (
        MetricSnapshot.objects.filter(org_id=org_id, week_start__lte=this_week())
        .aggregate(latest=Max("week_start"))
        .get("latest")
    )


def latest_agenda_week(org_id: int, manager_sf_id: str) -> date | None:
    return (
        Agenda.objects.filter(org_id=org_id, manager_sf_id=manager_sf_id, week_start__lte=this_week())
        .aggregate(latest=Max("week_start"))
        .get("latest")
    )


def trailing_weeks(last: date, count: int = TREND_WEEKS) -> list[date]:
    """``count`` Mondays ending with ``last``, oldest first."""
    return [last - timedelta(weeks=offset) for offset in range(count - 1, -1, -1)]
