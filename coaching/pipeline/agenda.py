"""The inspection inside a manager's agenda page: the week's pipeline changes for the team meeting and each
rep's deals to inspect in their 1:1 (the full page is /pipeline/<manager>/).

The inspection reads the week's opportunity history in a few heavy statements (over a second on a loaded
machine for a 10-rep team with six months of history), and its fragments were a third of the page's
rendering, while the agenda page is opened many times between two builds. So the page gets the fragments
rendered once and cached, keyed by the agenda's build (``built_at``: a sync that brings new data rebuilds the
week, which moves it), kept at most ``PIPELINE_CACHE_SECONDS`` (admin-entered quotas change coverage without a
sync). Nothing in them depends on who reads the page. The /pipeline/ page and the API compute it afresh.
"""

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from coaching.models import Agenda
from coaching.pipeline.inspection import inspection

COVERAGE = ("next_90_days", "current_quarter", "next_quarter")


def pipeline_context(agenda: Agenda) -> dict[str, Any]:
    """Template context for the agenda page: ``pipeline_html`` — the team section (``team``) and each rep's
    deals to inspect (``reps``: {sf_id: html}) — or nothing when the team has no reps to inspect."""
    key = f"agenda-pipeline:{agenda.pk}:{agenda.built_at.isoformat() if agenda.built_at else ''}"
    fragments = cache.get(key)
    if fragments is None:
        fragments = _render(agenda)
        cache.set(key, fragments, settings.PIPELINE_CACHE_SECONDS)
    if not fragments:
        return {}
    reps = {sf_id: mark_safe(html) for sf_id, html in fragments["reps"].items()}  # rendered from our templates
    return {"pipeline_html": {"team": mark_safe(fragments["team"]), "reps": reps}}


def _render(agenda: Agenda) -> dict[str, Any]:
    found = inspection(agenda.org, agenda.manager_sf_id, agenda.week_start)
    if not found.reps:
        return {}
    return {
        "team": render_to_string("portal/_agenda_pipeline.html", {"pipeline": found}),
        "reps": {
            rep.sf_id: render_to_string("portal/_agenda_rep_pipeline.html", {"inspect": rep}) for rep in found.reps
        },
    }
