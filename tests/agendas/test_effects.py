"""Each discussed topic's coaching effect: its code's leading metric over the 28 days after, against the
matched controls (same code and severity band, not discussed) — the director page's definition, computed
independently here — and "not enough data yet" until that comparison exists."""

import statistics

from django.utils import timezone

from coaching.agendas import render_agenda_text, set_item_status
from coaching.api.serializers import EffectSerializer
from coaching.calibration.wording import effect_words
from coaching.models import AgendaItem, CoachingEffect, LeadingMeasure
from tests.agendas.conftest import build, items, week
from tests.factories import MetricSnapshotFactory

STALE = "stale_open_count"
# (rep index, before, after) stale open deals of 10: Ana's topic is discussed, the others are controls.
SHARES = {"ana": (5, 1), "ben": (5, 4), "zed1": (6, 6), "zed2": (4, 5)}


def snapshot(team, rep, offset, stale, n=10):
    MetricSnapshotFactory(org=team.org, person_sf_id=rep.sf_id, manager_sf_id=rep.manager_sf_id,
                          week_start=week(offset), as_of=week(offset), name=STALE, value=stale, n=n)  # fmt: skip


def people(team):
    return {"ana": team.reps[0], "ben": team.reps[1], "zed1": team.other_reps[0], "zed2": team.other_reps[1]}


def stale_gaps(team, reps):
    for key in reps:
        rep = people(team)[key]
        team.gap(rep, "STALE_DEALS", metric=STALE, severity=0.5, value=0.5, week_start=week(0))
        before, after = SHARES[key]
        snapshot(team, rep, 0, before)
        snapshot(team, rep, 4, after)


def discuss(team, rep, code="STALE_DEALS"):
    topic = next(item for item in items(build(team, week(0)), rep=rep) if item.code == code)
    set_item_status(topic, AgendaItem.Status.DISCUSSED)
    return topic


def effects(topic) -> dict[int, CoachingEffect]:
    return {effect.weeks_after: effect for effect in CoachingEffect.objects.filter(item=topic)}


def test_discussing_a_topic_schedules_one_check_after_its_28_days(team):
    stale_gaps(team, ["ana"])
    topic = discuss(team, team.reps[0])
    assert {k: (e.target_week, e.after, e.moved) for k, e in effects(topic).items()} == {4: (week(4), None, None)}
    words = effect_words(effects(topic)[4], "STALE_DEALS")
    assert words.verdict == "waiting" and words.text == (
        "not enough data yet: measured after the 28 days that end in the week of 2026-03-30"
    )
    set_item_status(topic, AgendaItem.Status.DEFERRED)  # not discussed after all: nothing to measure
    assert effects(topic) == {}


def test_the_topic_is_measured_on_the_leading_metric_against_its_matched_controls(team):
    stale_gaps(team, ["ana", "ben", "zed1", "zed2"])
    topic = discuss(team, team.reps[0])

    text = render_agenda_text(build(team, week(4)))

    effect = effects(topic)[4]
    # Independently: the share of stale open deals (the flag's quantity), lower is better, turned to "better".
    changes = {key: (before - after) / 10 for key, (before, after) in SHARES.items()}
    controls = [changes[key] for key in ("ben", "zed1", "zed2")]
    expected = (changes["ana"] - statistics.mean(controls)) / statistics.stdev(controls)
    assert (effect.before, effect.after) == (0.5, 0.1)
    assert effect.controls == 3 and effect.control_kind == "matched"
    assert abs(effect.control_change - statistics.mean(controls)) < 1e-9 and abs(effect.score - expected) < 1e-9
    assert effect.moved is True and effect.measured_on == timezone.now().date()
    assert "[+] Ana, share of open deals untouched for 14 days, 4 weeks on (discussed week of 2 Mar): 50% → 10%, " \
           "better than the 3 comparable topics not discussed" in text  # fmt: skip
    data = EffectSerializer(effect).data
    assert (data["code"], data["verdict"], data["controls"]) == ("STALE_DEALS", "moved", 3)


def test_a_change_in_line_with_the_controls_is_not_called_a_move(team):
    SHARES_FLAT = {"ana": (5, 5)}
    stale_gaps(team, ["ben", "zed1", "zed2"])
    team.gap(team.reps[0], "STALE_DEALS", metric=STALE, severity=0.5, value=0.5, week_start=week(0))
    snapshot(team, team.reps[0], 0, SHARES_FLAT["ana"][0])
    snapshot(team, team.reps[0], 4, SHARES_FLAT["ana"][1])
    topic = discuss(team, team.reps[0])
    build(team, week(4))
    effect = effects(topic)[4]
    assert effect.moved is False and -1 < effect.score < 1  # no change, like the controls' mean


def test_too_few_controls_is_not_enough_data_yet_and_a_later_build_tries_again(team):
    stale_gaps(team, ["ana", "ben", "zed1"])  # two controls
    topic = discuss(team, team.reps[0])

    text = render_agenda_text(build(team, week(4)))

    effect = effects(topic)[4]
    assert effect.moved is None and effect.score is None and effect.controls == 2
    assert "50% → 10%; not enough data yet (2 comparable topics not discussed, too few to compare with)" in text
    stale_gaps(team, ["zed2"])  # a late sync brings the third control's gap
    LeadingMeasure.objects.all().delete()
    build(team, week(5))
    assert effects(topic)[4].moved is True


def test_team_topics_strengths_and_codes_without_a_leading_metric_get_no_check(team):
    for rep in team.reps[:3]:
        team.gap(rep, "WIN_RATE_LOW", week_start=week(0))
    [team_topic] = items(build(team, week(0)), AgendaItem.Kind.TEAM)
    set_item_status(team_topic, AgendaItem.Status.DISCUSSED)
    ben = team.reps[1]
    team.strength(ben, week_start=week(0))
    [strength] = items(build(team, week(0)), AgendaItem.Kind.STRENGTH, ben)
    set_item_status(strength, AgendaItem.Status.DISCUSSED)
    team.gap(team.reps[3], "CYCLE_LONG", metric="median_cycle_days", week_start=week(0))
    cycle = discuss(team, team.reps[3], "CYCLE_LONG")
    build(team, week(4))
    assert effects(team_topic) == effects(strength) == effects(cycle) == {}
