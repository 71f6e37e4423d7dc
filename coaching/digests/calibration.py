"""The calibration section of a director's weekly digest: per frontline manager below them, agenda use and
the coaching effect over 13 weeks (``coaching.calibration``), with the link to the full page."""

from datetime import date

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from coaching.calibration.director import Calibration, calibration
from coaching.digests.links import absolute
from coaching.visibility import Scope


def director_section(scope: Scope, week_start: date) -> tuple[Calibration | None, str]:
    found = calibration(scope, week_start, timezone.now().date())
    if not found.managers:
        return None, ""
    try:
        url = absolute(f"{reverse('portal:calibration')}?week={week_start.isoformat()}")
    except NoReverseMatch:  # an installation without the portal's URLs
        url = ""
    return found, url
