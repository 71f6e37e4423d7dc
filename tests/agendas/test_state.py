"""What managers do with agendas: every change validated, with a message that says what to send instead."""

from datetime import date, datetime

import pytest

from coaching.agendas import (
    add_commitment,
    add_note,
    agenda_for,
    build_agendas,
    set_commitment_status,
    set_item_status,
    set_one_on_one_minutes,
)
from coaching.models import AgendaItem, Commitment, ManagerPreference
from tests.agendas.conftest import WEEK, build, items


@pytest.fixture
def topic(team):
    team.gap(team.reps[0], "WIN_RATE_LOW")
    return items(build(team), rep=team.reps[0])[0]


def test_dismissing_needs_a_reason_and_changes_nothing_without_one(topic):
    with pytest.raises(ValueError, match="dismissing an item needs a reason"):
        set_item_status(topic, AgendaItem.Status.DISMISSED)
    with pytest.raises(ValueError, match="dismissing an item needs a reason"):
        set_item_status(topic, "dismissed", reason="   ")
    topic.refresh_from_db()
    assert topic.status == AgendaItem.Status.OPEN

    set_item_status(topic, "dismissed", reason="  Seasonal: the segment buys in Q4  ")
    topic.refresh_from_db()
    assert (topic.status, topic.status_reason) == ("dismissed", "Seasonal: the segment buys in Q4")


def test_status_must_be_a_known_one(topic):
    with pytest.raises(ValueError, match="status must be one of open, discussed, deferred, dismissed; got 'done'"):
        set_item_status(topic, "done")
    with pytest.raises(ValueError, match="item must be a saved AgendaItem"):
        set_item_status(AgendaItem(), "discussed")


def test_set_item_status_records_who_and_when(topic, django_user_model):
    user = django_user_model.objects.create_user("maria", password="x" * 12)
    set_item_status(topic, "deferred", reason="customer visit", user=user)
    topic.refresh_from_db()
    assert topic.status_changed_by == user and topic.status_changed_at is not None
    with pytest.raises(ValueError, match="user must be a saved user or None"):
        set_item_status(topic, "open", user="maria")


def test_notes_need_text(topic):
    with pytest.raises(ValueError, match="text is empty"):
        add_note(topic, "  ")
    with pytest.raises(ValueError, match="text must be text"):
        add_note(topic, None)
    with pytest.raises(ValueError, match="the limit is 5000"):
        add_note(topic, "x" * 5001)
    with pytest.raises(ValueError, match="agenda_or_item must be a saved Agenda or AgendaItem"):
        add_note("agenda 1", "hello")
    note = add_note(topic.agenda, "Good week overall")
    assert (note.item, note.agenda) == (None, topic.agenda)


def test_commitments_need_an_owner_on_the_agenda_and_a_due_date_in_or_after_its_week(team, topic):
    ana = team.reps[0]
    with pytest.raises(ValueError, match=r"owner_sf_id must be the manager .* or one of the agenda's reps"):
        add_commitment(topic, "Call", owner_sf_id=team.other_reps[0].sf_id, due_date=WEEK)
    with pytest.raises(ValueError, match="is before the agenda's week"):
        add_commitment(topic, "Call", owner_sf_id=ana.sf_id, due_date=date(2026, 3, 1))
    with pytest.raises(ValueError, match="due_date must be a date YYYY-MM-DD, got 'next friday'"):
        add_commitment(topic, "Call", owner_sf_id=ana.sf_id, due_date="next friday")
    with pytest.raises(ValueError, match="due_date must be a date"):
        add_commitment(topic, "Call", owner_sf_id=ana.sf_id, due_date=datetime(2026, 3, 6))
    assert not Commitment.objects.exists()

    commitment = add_commitment(topic, "Call the CFO", owner_sf_id=team.manager.sf_id, due_date="2026-03-06")
    assert (commitment.agenda, commitment.item, commitment.due_date) == (topic.agenda, topic, date(2026, 3, 6))
    with pytest.raises(ValueError, match="status must be one of open, done, dropped"):
        set_commitment_status(commitment, "finished")
    set_commitment_status(commitment, "done")
    assert commitment.closed_at is not None
    set_commitment_status(commitment, "open")
    assert commitment.closed_at is None


def test_one_on_one_length_is_a_whole_number_of_minutes_in_range(team):
    for bad in (5, 121, 30.5, "30", True):
        with pytest.raises(ValueError, match="a 1:1 lasts 10 to 120 whole minutes"):
            set_one_on_one_minutes(team.org, team.manager.sf_id, bad)
    set_one_on_one_minutes(team.org, team.manager.sf_id, 45)
    set_one_on_one_minutes(team.org, team.manager.sf_id, 40)
    assert ManagerPreference.objects.get().one_on_one_minutes == 40


def test_weeks_are_mondays(team):
    with pytest.raises(ValueError, match="2026-03-04 is a Wednesday; its week starts on 2026-03-02"):
        build_agendas(team.org, date(2026, 3, 4))
    with pytest.raises(ValueError, match="must be a date"):
        agenda_for(team.org, team.manager.sf_id, "2026-03-02")
    with pytest.raises(ValueError, match="manager_sf_id must be a CRM user id"):
        agenda_for(team.org, "", WEEK)
    assert agenda_for(team.org, team.manager.sf_id, WEEK) is None  # not built yet
