"""One number per label (issue 13): every surface that shows a team figure for one org and week shows the
same value under the same label — the agenda's team table, the team page, the digest (HTML and text) and
the API's agenda — because they all read ``coaching.metrics.team_figures``; the rep page, which compares
with a different aggregate, uses labels of its own."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from coaching.agendas import build_agendas
from coaching.agendas.units import metric_value
from coaching.api.models import ApiKey
from coaching.digests.compose import compose_digests
from coaching.digests.message import render_digest
from coaching.digests.schedule import recipients
from coaching.metrics.team_figures import ORG_MEAN_LABEL, TEAM_MEAN_LABEL, team_figures, team_label
from coaching.models import Agenda
from tests.factories import MetricSnapshotFactory
from tests.portal.conftest import WEEK

pytestmark = pytest.mark.django_db


def figures(html: str) -> dict[str, str]:
    return {metric: value.strip() for metric, value in re.findall(r'data-figure="([a-z_]+)">([^<]*)<', html)}


def _activities(world, logged: int) -> None:
    for offset in range(3):
        week = WEEK - timedelta(weeks=offset)
        for index, rep in enumerate(world.reps_a):
            MetricSnapshotFactory(
                org=world.org,
                person_sf_id=rep.sf_id,
                manager_sf_id=rep.manager_sf_id,
                week_start=week,
                as_of=week + timedelta(days=6),
                name="activities_per_week",
                value=(logged * (index + 1) / 4),
                n=logged * (index + 1),
            )


def test_each_labelled_team_figure_is_identical_on_every_surface(world):
    _activities(world, 8)
    build_agendas(world.org, WEEK)
    agenda = Agenda.objects.get(org=world.org, manager_sf_id=world.fsm_a.sf_id, week_start=WEEK)
    client = world.client("fsm_a")

    week_html = client.get(reverse("portal:agenda", args=[agenda.pk])).content.decode()
    team_html = client.get(reverse("portal:team", args=[world.fsm_a.sf_id]), {"week": WEEK.isoformat()}).content
    team_html = team_html.decode()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {ApiKey.issue(world.org, world.users['fsm_a'], 'widget')[1]}")
    content = api.get(f"/api/v1/managers/{world.fsm_a.sf_id}/agenda", {"week": WEEK.isoformat()}).json()
    api_figures = {
        trend["metric"]: metric_value(trend["metric"], trend["this_week"])
        for trend in (content.get("content") or content)["team"]["trends"]
    }
    stored = team_figures(world.org.pk, [WEEK], ("win_rate", "stale_open_count", "activities_per_week"))
    expected = {metric: metric_value(metric, value) for (_, _, metric), value in stored.items() if _ == WEEK}

    digest = compose_digests(world.org, WEEK, recipients(world.org, {world.fsm_a.sf_id}))[world.fsm_a.sf_id]
    _, digest_text, digest_html, _ = render_digest(digest)
    rep_html = client.get(reverse("portal:rep", args=[world.reps_a[0].sf_id]), {"week": WEEK.isoformat()}).content
    rep_html = rep_html.decode()

    on_week, on_team, on_digest = figures(week_html), figures(team_html), figures(digest_html)
    assert set(on_week) >= {"win_rate", "stale_open_count", "activities_per_week"}
    for metric, value in on_week.items():
        assert on_team[metric] == value, metric
        assert api_figures[metric] == value, metric
        assert on_digest[metric] == value, metric
        assert f"{team_label(metric)}: {value}" in digest_text
        # Same label on both pages, and it says how the team is combined.
        assert team_label(metric) in week_html and team_label(metric) in team_html
    # The rep page compares with another aggregate (a mean of the reps): under its own label, never a team one.
    assert TEAM_MEAN_LABEL.lower() in rep_html and ORG_MEAN_LABEL.lower() in rep_html
    assert not any(team_label(metric) in rep_html for metric in on_week)
    assert team_label("win_rate") == "Win rate, median rep"
    assert team_label("stale_open_count").endswith(", team total")
    assert expected  # the figures exist in the one place they are computed


def test_no_activity_figures_for_a_team_that_logs_no_activity(world):
    _activities(world, 0)
    build_agendas(world.org, WEEK)
    agenda = Agenda.objects.get(org=world.org, manager_sf_id=world.fsm_a.sf_id, week_start=WEEK)
    html = world.client("fsm_a").get(reverse("portal:agenda", args=[agenda.pk])).content.decode()
    shown = figures(html)
    assert "win_rate" in shown
    assert "activities_per_week" not in shown and "stale_open_count" not in shown
