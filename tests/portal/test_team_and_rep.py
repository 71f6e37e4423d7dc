"""The Team page (heat grid, trends, team topics, the teams overview) and the Rep page (metric charts, why
cards, coaching history and its effect), through their query builders and their pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coaching.agendas import set_item_status
from coaching.models import AgendaItem, CoachingEffect, Family
from coaching.portal.queries.rep import coaching_history, rep_page, why_lines
from coaching.portal.queries.team import grid_rows, team_page, teams_overview
from coaching.visibility import scope_for
from tests.factories import GapFactory, MetricSnapshotFactory, PersonFactory
from tests.portal.conftest import WEEK

pytestmark = pytest.mark.django_db


def test_grid_puts_each_gap_in_its_family_at_its_worst(world):
    reps = [(rep.sf_id, rep.name) for rep in world.reps_a]
    rows = {row.name: row for row in grid_rows(world.org.pk, reps, WEEK)}
    ana = rows["Ana Ruiz"]
    cells = {cell.family: cell for cell in ana.cells}
    assert [gap.code for gap in cells[Family.WHERE].gaps] == ["WIN_RATE_LOW"]
    assert cells[Family.WHERE].severity == pytest.approx(0.9)
    assert [gap.code for gap in cells[Family.HOW].gaps] == ["STALE_DEALS"]
    assert cells[Family.WHAT].gaps == []
    assert rows["Dee Patel"].strengths == ["Win rate"]
    assert rows["Carl Nystrom"].cells[1].gaps == []


def test_a_rule_flagging_several_deals_shows_once(world):
    rep = world.reps_a[2]
    for n in range(3):
        GapFactory(
            org=world.org,
            week_start=WEEK,
            code="FORECAST_OVERDUE",
            family=Family.WHERE,
            person_sf_id=rep.sf_id,
            opportunity_sf_id=f"0065g00000000{n:02d}XAA",
            severity=0.2 + n / 10,
        )
    row = grid_rows(world.org.pk, [(rep.sf_id, rep.name)], WEEK)[0]
    overdue = [gap for gap in row.cells[0].gaps if gap.code == "FORECAST_OVERDUE"]
    assert len(overdue) == 1 and overdue[0].severity == pytest.approx(0.4)


def test_team_page_trends_and_topics(world):
    scope = scope_for(world.users["fsm_a"])
    page = team_page(scope, world.fsm_a, WEEK)
    assert [row.name for row in page.rows] == ["Ana Ruiz", "Ben Okafor", "Carl Nystrom", "Dee Patel"]
    assert len(page.weeks) == 13 and page.weeks[-1] == WEEK
    trends = {trend.metric: trend for trend in page.trends}
    # Rates are averaged over the team, counts added up: 3+4+5+6 stale deals.
    assert trends["stale_open_count"].latest == 18
    assert trends["win_rate"].values[:10] == [None] * 10
    assert trends["win_rate"].latest == pytest.approx((0.2 + 0.25 + 0.3 + 0.35) / 4)
    assert [topic.code for topic in page.topics] == ["WIN_RATE_LOW"]


def test_team_page_renders_grid_and_svg_trends(world):
    response = world.client("fsm_a").get(reverse("portal:teams"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your team" in html and 'class="heat"' in html
    assert "Wins less often than the team" in html
    assert html.count("<svg") == len(response.context["charts"]) >= 2
    assert "Zed One" not in html


def test_team_page_reads_in_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    client = world.client("director")
    url = reverse("portal:team", args=[world.fsm_a.sf_id])
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200
    for n in range(6):
        rep = PersonFactory(org=world.org, name=f"New Rep {n}", manager_sf_id=world.fsm_a.sf_id)
        GapFactory(org=world.org, week_start=WEEK, person_sf_id=rep.sf_id, manager_sf_id=world.fsm_a.sf_id)
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200


def test_a_director_gets_the_teams_overview(world):
    response = world.client("director").get(reverse("portal:teams"))
    assert response.status_code == 200
    assert [s.manager_name for s in response.context["summaries"]] == ["Maria Lopez", "Omar Grant"]
    item = world.item(world.agenda_a)
    set_item_status(item, "discussed")
    summary = teams_overview(scope_for(world.users["director"]), WEEK)[0]
    assert summary.handled == 1 and summary.items == world.agenda_a.items.filter(is_current=True).count()


def test_rep_page_has_a_chart_per_metric_with_team_and_org_lines(world):
    rep = world.reps_a[1]
    response = world.client("fsm_a").get(reverse("portal:rep", args=[rep.sf_id]))
    html = response.content.decode()
    assert response.status_code == 200
    charts = response.context["charts"] + response.context["more_charts"]
    assert {trend.metric for trend, _, _ in charts} == {"win_rate", "stale_open_count"}
    # The figures behind this week's gaps come first and are marked.
    assert charts[0][0].metric in {"win_rate", "stale_open_count"} and charts[0][2]
    assert "chart__line--rep" in html and "chart__line--team" in html and "chart__line--org" in html
    assert "Why this is flagged" in html
    assert "Deal of Ben Okafor" in html and "https://acme.my.salesforce.com/006" in html


def test_rep_page_trends_compare_with_team_and_org_averages(world):
    rep = world.reps_a[0]
    MetricSnapshotFactory(
        org=world.other_org, person_sf_id=world.other_rep.sf_id, week_start=WEEK, name="win_rate", value=0.99
    )
    page = rep_page(rep, WEEK, timezone.now().date())
    win = next(trend for trend in page.trends if trend.metric == "win_rate")
    assert win.latest == pytest.approx(0.2)
    assert win.latest_team == pytest.approx((0.2 + 0.25 + 0.3 + 0.35) / 4)
    # The org is this org (team A and B), never another org's reps.
    assert win.latest_org == pytest.approx((0.2 + 0.25 + 0.3 + 0.35 + 0.4 + 0.45) / 6)


def test_why_lines_explain_the_comparison_and_its_guard(world):
    gap = GapFactory(
        org=world.org,
        week_start=WEEK,
        person_sf_id=world.reps_a[0].sf_id,
        code="CYCLE_LONG",
        evidence={
            "summary": "Deals take much longer to close: 108 days vs team median 62 days.",
            "reference": "org",
            "interval": [0.09, 0.29],
            "peer_median": 0.33,
            "thresholds": {"z": 1.645},
            "org_percentile": 0.975,
            "window": ["2026-06-01", "2026-11-29"],
        },
        weeks_open=4,
        first_week=WEEK - timedelta(weeks=3),
    )
    lines = why_lines(gap)
    assert lines[0].startswith("Deals take much longer")
    assert any("too few teammates" in line for line in lines)
    assert any("90% range is 9% to 29%" in line for line in lines)
    assert any("98th percentile" in line for line in lines)
    assert any("1 Jun to 29 Nov 2026" in line for line in lines)
    assert any("Open for 4 weeks" in line for line in lines)
    assert why_lines(GapFactory(org=world.org, evidence="not a dict", revenue_at_stake=None)) == []


def test_coaching_history_shows_what_was_done_and_whether_it_moved(world):
    item = world.item(world.agenda_a)
    set_item_status(item, "discussed", user=world.users["fsm_a"])
    effect = CoachingEffect.objects.get(item=item, weeks_after=4)
    effect.before, effect.after, effect.moved, effect.score = 0.5, 0.2, True, 1.8
    effect.control_change, effect.controls, effect.control_kind = 0.05, 6, "matched"
    effect.measured_on = WEEK
    effect.save()
    history = coaching_history(world.org.pk, item.person_sf_id, WEEK)
    entry = next(entry for entry in history if entry.item == item)
    assert [e.weeks_after for e in entry.effects] == [4]
    assert [note.text for note in entry.notes] == ["Talked it through; follow up Friday."]
    untouched = world.agenda_a.items.filter(person_sf_id=world.reps_a[2].sf_id, status=AgendaItem.Status.OPEN)
    assert not any(entry.item in untouched for entry in coaching_history(world.org.pk, world.reps_a[2].sf_id, WEEK))
    html = world.client("fsm_a").get(reverse("portal:rep", args=[item.person_sf_id])).content.decode()
    assert "1 of 1 measured topics moved more than the topics not discussed" in html
    assert "better than the 6 comparable topics not discussed" in html


def test_rep_page_reads_in_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    client = world.client("admin")
    url = reverse("portal:rep", args=[world.reps_a[0].sf_id])
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200


def test_a_person_without_metrics_explains_the_empty_charts(world):
    response = world.client("fsm_a").get(reverse("portal:rep", args=[world.fsm_a.sf_id]))
    assert response.status_code == 200
    assert "managers usually own no deals" in response.content.decode()
