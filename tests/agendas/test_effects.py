"""The coaching effect: the metric of every discussed item, measured again 2 and 4 weeks later."""

from django.utils import timezone

from coaching.agendas import render_agenda_text, set_item_status
from coaching.models import AgendaItem, CoachingEffect
from tests.agendas.conftest import build, items, week
from tests.factories import MetricSnapshotFactory


def snapshot(team, rep, offset, value, metric="win_rate"):
    MetricSnapshotFactory(
        org=team.org,
        person_sf_id=rep.sf_id,
        manager_sf_id=team.manager.sf_id,
        week_start=week(offset),
        as_of=week(offset),
        name=metric,
        value=value,
    )


def discussed_topic(team, rep, code="WIN_RATE_LOW", **fields):
    team.gap(rep, code, week_start=week(0), **fields)
    topic = next(item for item in items(build(team, week(0)), rep=rep) if item.code == code)
    set_item_status(topic, AgendaItem.Status.DISCUSSED)
    return topic


def effects(topic) -> dict[int, CoachingEffect]:
    return {effect.weeks_after: effect for effect in CoachingEffect.objects.filter(item=topic)}


def test_discussing_an_item_schedules_its_checks_at_2_and_4_weeks(team):
    topic = discussed_topic(team, team.reps[0])
    due = effects(topic)
    assert {k: (e.metric, e.target_week, e.after, e.moved) for k, e in due.items()} == {
        2: ("win_rate", week(2), None, None),
        4: ("win_rate", week(4), None, None),
    }
    set_item_status(topic, AgendaItem.Status.DEFERRED)  # not discussed after all: nothing to measure
    assert effects(topic) == {}


def test_moved_after_2_weeks_not_moved_after_4(team):
    ana = team.reps[0]
    snapshot(team, ana, 0, 0.18)
    topic = discussed_topic(team, ana)
    snapshot(team, ana, 2, 0.26)  # +8 points: moved
    snapshot(team, ana, 4, 0.19)  # +1 point against the start: within noise

    build(team, week(2))
    two = effects(topic)[2]
    assert (two.before, two.after, two.moved, two.measured_on) == (0.18, 0.26, True, timezone.now().date())
    assert effects(topic)[4].after is None  # its week has not come
    text = render_agenda_text(build(team, week(2)))
    assert "[+] Ana, Win rate (discussed week of 2 Mar): 18% -> 26% after 2 weeks, moved" in text

    fourth = build(team, week(4))
    four = effects(topic)[4]
    assert (four.after, four.moved) == (0.19, False)
    assert "[=] Ana, Win rate (discussed week of 2 Mar): 18% -> 19% after 4 weeks, did not move yet" in (
        render_agenda_text(fourth)
    )


def test_a_metric_that_went_the_wrong_way_is_said_so(team):
    ana = team.reps[0]
    snapshot(team, ana, 0, 3, "stale_open_count")
    topic = discussed_topic(
        team, ana, "STALE_DEALS", metric="stale_open_count", value=0.5, team_value=0.2, evidence={"successes": 3}
    )
    assert topic.value == 3  # the item keeps the flagged count, comparable with the snapshots
    snapshot(team, ana, 2, 6, "stale_open_count")

    text = render_agenda_text(build(team, week(2)))

    assert effects(topic)[2].moved is False
    assert "[-] Ana, Stale deals (discussed week of 2 Mar): 3 -> 6 after 2 weeks, went the wrong way" in text


def test_not_yet_measurable_until_the_weeks_figure_exists_then_measured_by_a_later_build(team):
    ana = team.reps[0]
    snapshot(team, ana, 0, 0.18)
    topic = discussed_topic(team, ana)

    agenda = build(team, week(2))  # no snapshot for week 2 (metrics not computed yet)

    assert effects(topic)[2].after is None and effects(topic)[2].moved is None
    assert "[?] Ana, Win rate (discussed week of 2 Mar): 2-week check not yet measurable" in render_agenda_text(agenda)

    snapshot(team, ana, 2, 0.3)
    build(team, week(3))
    assert (effects(topic)[2].after, effects(topic)[2].moved) == (0.3, True)


def test_a_team_topic_is_measured_on_the_average_of_its_reps(team):
    reps = team.reps[:3]
    for rep, before, after in zip(reps, (0.1, 0.2, 0.3), (0.2, 0.3, 0.4), strict=True):
        team.gap(rep, "WIN_RATE_LOW", week_start=week(0))
        snapshot(team, rep, 0, before)
        snapshot(team, rep, 2, after)
    [topic] = items(build(team, week(0)), AgendaItem.Kind.TEAM)
    set_item_status(topic, AgendaItem.Status.DISCUSSED)

    build(team, week(2))

    two = effects(topic)[2]
    assert (round(two.before, 3), round(two.after, 3), two.moved) == (0.2, 0.3, True)


def test_strengths_are_not_measured(team):
    ben = team.reps[1]
    team.strength(ben, week_start=week(0))
    [strength] = items(build(team, week(0)), AgendaItem.Kind.STRENGTH, ben)
    set_item_status(strength, AgendaItem.Status.DISCUSSED)
    build(team, week(2))
    assert effects(strength) == {}


def test_a_topic_discussed_week_after_week_is_reported_once_and_flagged_when_it_does_not_move(team):
    ana = team.reps[0]
    for offset in range(5):
        team.gap(ana, "WIN_RATE_LOW", week_start=week(offset), severity=0.9)  # severe: back every week
        snapshot(team, ana, offset, 0.18)
    for offset in range(3):
        [topic] = items(build(team, week(offset)), rep=ana)
        set_item_status(topic, AgendaItem.Status.DISCUSSED)
    build(team, week(3))

    text = render_agenda_text(build(team, week(4)))

    effect_lines = [line for line in text.splitlines() if "Ana, Win rate" in line]
    # Due this week: the 4-week check of the 2 Mar talk and the 2-week check of the 16 Mar talk; one line.
    assert effect_lines == [
        "  [=] Ana, Win rate (discussed week of 2 Mar): 18% -> 18% after 4 weeks, did not move yet; 3 talks since "
        "2 Mar: try a different angle (a joint call, a peer)"
    ]
