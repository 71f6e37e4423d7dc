"""Rebuilding a week after a new sync updates the content and keeps everything the manager wrote."""

from datetime import date

from coaching.agendas import add_commitment, add_note, render_agenda_text, set_item_status
from coaching.models import Agenda, AgendaItem, AgendaNote, Commitment, Gap
from tests.agendas.conftest import build, items


def test_rebuild_updates_content_in_place_and_keeps_status_notes_and_commitments(team):
    ana = team.reps[0]
    gap = team.gap(ana, "WIN_RATE_LOW", value=0.18, team_value=0.31)
    first = build(team)
    [topic] = items(first, rep=ana)
    set_item_status(topic, AgendaItem.Status.DISCUSSED)
    add_note(topic, "Ana thinks pricing, not discovery, is the issue")
    add_note(first, "Team offsite on Thursday")
    add_commitment(topic, "Review two losses with Ben", owner_sf_id=ana.sf_id, due_date=date(2026, 3, 6))

    Gap.objects.filter(pk=gap.pk).update(value=0.16, team_value=0.3)  # a new sync moved the numbers
    second = build(team)

    assert second.pk == first.pk
    [again] = items(second, rep=ana)
    assert again.pk == topic.pk
    assert again.title.startswith("Win rate 16% vs teammates' median 30%")
    assert again.status == AgendaItem.Status.DISCUSSED
    assert again.status_changed_at is not None
    assert [n.text for n in AgendaNote.objects.filter(item=again)] == [
        "Ana thinks pricing, not discovery, is the issue"
    ]
    assert Commitment.objects.get(item=again).text == "Review two losses with Ben"
    text = render_agenda_text(second)
    assert "Note: Ana thinks pricing" in text and "Team offsite on Thursday" in text
    assert "<discussed>" in text


def test_a_topic_gone_after_the_sync_is_kept_if_the_manager_touched_it_and_dropped_if_not(team):
    ana, ben = team.reps[:2]
    touched = team.gap(ana, "WIN_RATE_LOW")
    untouched = team.gap(ben, "WIN_RATE_LOW")
    first = build(team)
    add_note(items(first, rep=ana)[0], "Worked on it Tuesday")
    untouched_item = items(first, rep=ben)[0]

    Gap.objects.filter(pk__in=[touched.pk, untouched.pk]).delete()  # the new data closed both gaps
    second = build(team)

    kept = items(second, rep=ana, current_only=False)
    assert [(item.code, item.is_current) for item in kept] == [("WIN_RATE_LOW", False)]
    assert not AgendaItem.objects.filter(pk=untouched_item.pk).exists()
    assert "No longer flagged (kept: you worked on it): Win rate" in render_agenda_text(second)

    team.gap(ana, "WIN_RATE_LOW")  # and back again on the next sync: current once more, note intact
    third = build(team)
    [back] = items(third, rep=ana)
    assert back.pk == kept[0].pk and back.notes.count() == 1


def test_a_manager_who_no_longer_leads_a_team_keeps_the_agenda_as_it_was(team):
    ana = team.reps[0]
    team.gap(ana, "WIN_RATE_LOW")
    first = build(team)
    set_item_status(items(first, rep=ana)[0], AgendaItem.Status.DISCUSSED)
    for rep in team.reps:  # the team moves to the other manager
        rep.manager_sf_id = team.other_manager.sf_id
        rep.save()

    build(team)

    agenda = Agenda.objects.get(pk=first.pk)
    assert agenda.content["no_longer_frontline"] is True
    assert agenda.items.get().status == AgendaItem.Status.DISCUSSED
