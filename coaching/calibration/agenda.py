"""The coaching effect inside a manager's agenda: beside the per-topic 2- and 4-week re-measures, this
manager's discussed topics over 13 weeks against matched controls (``effect.py``), or "not enough data yet"."""

from datetime import timedelta
from typing import Any

from coaching.calibration.director import WEEKS
from coaching.calibration.effect import estimate, gap_cases
from coaching.calibration.leading import WINDOW_DAYS
from coaching.models import Agenda


def effect_context(agenda: Agenda) -> dict[str, Any]:
    last = agenda.week_start - timedelta(days=WINDOW_DAYS)
    cases = gap_cases(agenda.org_id, last - timedelta(weeks=WEEKS - 1), last)
    mine = [case for case in cases if case.discussed and case.manager_sf_id == agenda.manager_sf_id]
    effect = estimate(mine, [case for case in cases if not case.discussed])
    return {"matched_effect": effect} if effect.cases or mine else {}
