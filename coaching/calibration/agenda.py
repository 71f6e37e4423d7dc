"""The coaching effect inside a manager's agenda: beside each topic's own effect, this manager's discussed
topics over 13 weeks against matched controls (``effect.py``), or "not enough data yet"."""

from typing import Any

from coaching.calibration.effect import control_pools, estimate, gap_cases
from coaching.calibration.measure import measurable_weeks
from coaching.models import Agenda


def effect_context(agenda: Agenda) -> dict[str, Any]:
    cases = gap_cases(agenda.org_id, *measurable_weeks(agenda.week_start))
    mine = [case for case in cases if case.discussed and case.manager_sf_id == agenda.manager_sf_id]
    effect = estimate(mine, control_pools(cases))
    return {"matched_effect": effect} if effect.cases or mine else {}
