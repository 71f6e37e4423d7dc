"""The inspection inside a manager's agenda page: the week's pipeline changes for the team meeting and each
rep's deals to inspect in their 1:1 (the full page is /pipeline/<manager>/)."""

from typing import Any

from coaching.models import Agenda
from coaching.pipeline.inspection import inspection

COVERAGE = ("next_90_days", "current_quarter", "next_quarter")


def pipeline_context(agenda: Agenda) -> dict[str, Any]:
    """Template context for the agenda page: ``pipeline`` (the inspection) and ``pipeline_by_rep``."""
    found = inspection(agenda.org, agenda.manager_sf_id, agenda.week_start)
    if not found.reps:
        return {}
    return {"pipeline": found, "pipeline_by_rep": {rep.sf_id: rep for rep in found.reps}, "coverage_keys": COVERAGE}
