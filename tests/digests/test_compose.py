"""What a digest says, and to whom: visibility-scoped content, follow-ups due, and silence when nothing is due.

These run on Django's in-memory mail backend (``mailoutbox``); test_smtp_delivery.py covers the real server.
"""

from datetime import timedelta

from django.contrib.auth.models import User
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from coaching.agendas import add_commitment, set_commitment_status, set_item_status
from coaching.digests.calibration import director_section
from coaching.digests.compose import compose_digests
from coaching.digests.models import DigestDelivery
from coaching.digests.schedule import recipients
from coaching.digests.send import send_due
from coaching.models import AgendaItem, Commitment, Membership, Snooze
from coaching.visibility import scope_for
from tests.digests.conftest import DUE, WEEK
from tests.factories import PersonFactory


def body(message) -> str:
    return message.body + message.alternatives[0].content


def test_nothing_to_say_sends_nothing_and_records_the_skip(chart, mailoutbox):
    chart.build()  # agendas exist, but no rep has a gap or strength this week

    report = send_due(chart.org, DUE)

    assert mailoutbox == []
    assert report.count(DigestDelivery.Status.SKIPPED) == 3
    assert set(DigestDelivery.objects.values_list("status", "note")) == {
        (DigestDelivery.Status.SKIPPED, "nothing to say this week")
    }
    assert send_due(chart.org, DUE + timedelta(hours=1)).outcomes == []  # decided once for the week


def test_an_fsms_digest_never_names_another_teams_reps(busy_week, mailoutbox):
    send_due(busy_week.org, DUE)
    by_to = {message.to[0]: body(message) for message in mailoutbox}

    maria, omar, dana = (
        by_to[f"{name} <{name.split()[0].lower()}@acme.example>"]
        for name in ("Maria Lopez", "Omar Grant", "Dana Director")
    )
    for rep in busy_week.omar_reps:
        assert rep.name not in maria and rep.name in omar and rep.name in dana
    for rep in busy_week.reps:
        assert rep.name in maria and rep.name not in omar
    assert "Omar" not in maria and "Maria" not in omar


def test_a_directors_digest_summarises_each_team_below_them(busy_week, mailoutbox):
    send_due(busy_week.org, DUE)
    [message] = [m for m in mailoutbox if "dana@" in m.to[0]]

    assert message.subject == "Coaching across your teams, week of 2 Mar: 6 topics for 6 reps in 2 teams"
    assert "Maria Lopez's team: 4 reps, 4 topics, 0 follow-ups due" in message.body
    assert "Omar Grant's team: 2 reps, 2 topics, 0 follow-ups due" in message.body
    assert "  - Zed One: Win rate 18% vs teammates' median 31%" in message.body
    assert "Ask:" not in message.body  # a summary, not the managers' 1:1 notes


def test_follow_ups_due_this_week_are_listed_with_overdue_ones_marked(chart, mailoutbox):
    ana = chart.reps[0]
    last_week = WEEK - timedelta(weeks=1)
    chart.gap(ana, week_start=last_week)
    chart.build(last_week)
    old = chart.agenda(chart.maria, last_week)
    add_commitment(
        old, "Send Ana the pricing playbook", owner_sf_id=chart.maria.sf_id, due_date=WEEK - timedelta(days=2)
    )
    add_commitment(old, "Book the QBR with Initech", owner_sf_id=ana.sf_id, due_date=WEEK + timedelta(days=30))
    done = add_commitment(old, "Shadow a discovery call", owner_sf_id=ana.sf_id, due_date=WEEK)
    set_commitment_status(done, Commitment.Status.DONE)
    chart.build()  # this week: no gap at all, only the overdue commitment
    this_week = chart.agenda(chart.maria, WEEK)
    add_commitment(this_week, "Call the CFO at Initech", owner_sf_id=ana.sf_id, due_date=WEEK + timedelta(days=3))

    send_due(chart.org, DUE)

    [message] = [m for m in mailoutbox if "maria@" in m.to[0]]
    assert message.subject == "Your coaching week of 2 Mar: 0 topics for 4 reps, 2 follow-ups due (1 overdue)"
    assert "  - You: Send Ana the pricing playbook (due 28 Feb, overdue)" in message.body
    assert "  - Ana Ruiz: Call the CFO at Initech (due 5 Mar)" in message.body
    assert "QBR" not in message.body and "Shadow" not in message.body  # due later; closed
    assert "Send Ana the pricing playbook" in message.alternatives[0].content
    omar = DigestDelivery.objects.get(manager_sf_id=chart.omar.sf_id)
    assert omar.status == DigestDelivery.Status.SKIPPED  # nothing on Omar's agenda


def test_the_digest_mirrors_the_portal_state_of_each_item(busy_week, mailoutbox):
    """Issue 13: a rep whose gap was marked discussed was described as "No gap flagged". Each topic is shown
    with the state the portal shows — discussed, dismissed (never its reason), snoozed — after the open ones."""
    agenda = busy_week.agenda(busy_week.maria)
    ben = busy_week.reps[1]
    for item in AgendaItem.objects.filter(agenda=agenda, person_sf_id=ben.sf_id, kind="gap"):
        set_item_status(item, AgendaItem.Status.DISMISSED, reason="new territory")
    ana_item = AgendaItem.objects.filter(agenda=agenda, person_sf_id=busy_week.reps[0].sf_id, kind="gap").first()
    set_item_status(ana_item, AgendaItem.Status.DISCUSSED)
    Snooze.objects.create(
        org=busy_week.org,
        person_sf_id=ana_item.person_sf_id,
        code=ana_item.code,
        until=DUE.date() + timedelta(days=20),
        reason="on leave",
    )

    send_due(busy_week.org, DUE)

    [message] = [m for m in mailoutbox if "maria@" in m.to[0]]
    text = message.body
    ben_part = text[text.index("Ben Okafor (about") :]
    ben_part = ben_part[: ben_part.index("\n\n")]
    assert "Typical won deal $8k vs teammates' median $21k (dismissed)" in ben_part
    assert "No gap flagged" not in ben_part
    assert "new territory" not in text and "new territory" not in body(message)
    assert f"{ana_item.title} (discussed, snoozed until" in text
    ana_part = text[text.index("Ana Ruiz (about") : text.index("Ben Okafor (about")]
    assert "No gap flagged" not in ana_part


def test_only_portal_managers_get_digests_not_crm_managers_reps_or_admins(busy_week, mailoutbox):
    chart = busy_week
    Membership.objects.filter(person_sf_id=chart.omar.sf_id).delete()  # a manager in the CRM only
    rep = chart.reps[0]
    chart.member(rep, Membership.Role.REP)
    admin = User.objects.create_user("admin", email="admin@acme.example")
    Membership.objects.create(user=admin, org=chart.org, role=Membership.Role.ADMIN)

    send_due(chart.org, DUE)

    assert sorted(m.to[0].split("<")[1] for m in mailoutbox) == ["dana@acme.example>", "maria@acme.example>"]


def test_the_portal_account_email_wins_and_the_crm_email_is_the_fallback(busy_week, mailoutbox):
    chart = busy_week
    User.objects.filter(pk=chart.users[chart.maria.sf_id].pk).update(email="")
    chart.maria.__class__.objects.filter(pk=chart.maria.pk).update(email="maria.lopez@crm.example")
    User.objects.filter(pk=chart.users[chart.omar.sf_id].pk).update(email="")
    chart.omar.__class__.objects.filter(pk=chart.omar.pk).update(email="")

    send_due(chart.org, DUE)

    assert sorted(m.to[0] for m in mailoutbox) == [
        "Dana Director <dana@acme.example>",
        "Maria Lopez <maria.lopez@crm.example>",
    ]
    omar = DigestDelivery.objects.get(manager_sf_id=chart.omar.sf_id)
    assert omar.status == DigestDelivery.Status.SKIPPED and omar.note.startswith("no email address")


def test_a_manager_who_left_the_crm_gets_no_digest(busy_week, mailoutbox):
    busy_week.maria.__class__.objects.filter(pk=busy_week.maria.pk).update(is_active=False)

    send_due(busy_week.org, DUE)

    assert not any("maria@" in m.to[0] for m in mailoutbox)


def test_composing_an_orgs_digests_costs_the_same_queries_whatever_the_number_of_reps(chart):
    chart.gap(chart.reps[0])
    chart.build()
    with CaptureQueriesContext(connection) as small:
        compose_digests(chart.org, WEEK, recipients(chart.org))

    for n in range(12):
        rep = PersonFactory(org=chart.org, name=f"New Rep {n}", manager_sf_id=chart.maria.sf_id)
        chart.gap(rep, "CYCLE_LONG", metric="median_cycle_days")
    chart.build()
    with CaptureQueriesContext(connection) as large:
        digests = compose_digests(chart.org, WEEK, recipients(chart.org))

    assert len(large.captured_queries) == len(small.captured_queries)
    # Recipients and the week: three queries each; then the visibility rule's two per reader (the membership
    # came with the recipient's user), the week's snoozes once; then a director's calibration section, a fixed
    # number of its own.
    scopes = [scope_for(digest.recipient.user) for digest in digests.values() if digest.calibration is not None]
    assert scopes  # the director's digest has its calibration section
    with CaptureQueriesContext(connection) as sections:
        for scope in scopes:
            director_section(scope, WEEK)
    assert len(large.captured_queries) == 7 + 2 * len(digests) + len(sections.captured_queries)
    assert digests[chart.maria.sf_id].rep_count == 16


def test_a_crm_name_with_a_line_break_still_makes_a_valid_header(busy_week, mailoutbox):
    busy_week.maria.__class__.objects.filter(pk=busy_week.maria.pk).update(name="Maria\nLopez ")

    send_due(busy_week.org, DUE)

    assert "Maria Lopez <maria@acme.example>" in [m.to[0] for m in mailoutbox]
    assert DigestDelivery.objects.get(manager_sf_id=busy_week.maria.sf_id).status == DigestDelivery.Status.SENT


def test_a_gap_most_of_the_team_shares_is_a_team_meeting_topic_not_three_one_on_ones(chart, mailoutbox):
    for rep in chart.reps[:3]:
        chart.gap(
            rep, "NO_NEXT_STEP", metric="no_next_step_count", value=0.4, team_value=0.1, evidence={"successes": 4}
        )
    chart.build()

    send_due(chart.org, DUE)

    [message] = [m for m in mailoutbox if "maria@" in m.to[0]]
    team_topic = "Deals without a next step: 3 of 4 reps (Ana, Ben and Carl)"
    assert f"TEAM MEETING\n  - {team_topic}\n" in message.body
    assert message.body.count(f"  In the team meeting: {team_topic}") == 3
    assert message.body.count("No gap flagged") == 1  # Dee's
    assert team_topic in message.alternatives[0].content


def test_deals_in_the_digest_link_into_the_crm(busy_week, mailoutbox):
    item = AgendaItem.objects.filter(agenda=busy_week.agenda(busy_week.maria), kind="gap").first()
    url = "https://acme.my.salesforce.com/0065g00000ABCDEFGH"
    item.deals = [{"sf_id": "0065g00000ABCDEFGH", "name": "Big renewal", "amount": 120000.0, "url": url}]
    item.save(update_fields=["deals"])
    send_due(busy_week.org, DUE)
    [message] = [m for m in mailoutbox if "maria@" in m.to[0]]
    assert f'<a href="{url}" style="color:#1d4ed8;">Big renewal ($120k)</a>' in body(message)
    assert f"Big renewal ($120k) <{url}>" in message.body


def test_flags_sharing_a_cause_read_as_one_diagnosis_in_the_digest(busy_week, mailoutbox):
    agenda = busy_week.agenda(busy_week.maria)
    ana = busy_week.reps[0]
    topics = list(AgendaItem.objects.filter(agenda=agenda, person_sf_id=ana.sf_id, kind="gap").order_by("position"))
    # The item the engine makes of two flags with one cause (coaching.agendas.diagnoses).
    topics[0].title = "These 4 deals look dead: close them or re-date them with the buyer"
    topics[0].details = {
        **topics[0].details,
        "cause": "dead_deals",
        "members": [{"code": "STALE_DEALS", "title": "4 deals untouched"}, {"code": "NO_NEXT_STEP", "title": "3"}],
    }
    topics[0].save(update_fields=["title", "details"])
    send_due(busy_week.org, DUE)
    [message] = [m for m in mailoutbox if "maria@" in m.to[0]]
    ana_part = message.body[message.body.index("Ana Ruiz (about") :]
    assert len(topics) >= 2
    assert "The one thing: " in ana_part.split("\n\n")[0] and "look dead" in ana_part.split("\n\n")[0]
    ben_part = message.body[message.body.index("Ben Okafor (about") :].split("\n\n")[0]
    assert "The one thing" not in ben_part  # a single flag needs no cause line


def test_a_directors_digest_has_the_calibration_section_and_a_managers_does_not(busy_week):
    digests = compose_digests(busy_week.org, WEEK, recipients(busy_week.org))
    director = next(digest for digest in digests.values() if digest.is_director)
    manager = next(digest for digest in digests.values() if not digest.is_director)
    assert manager.calibration is None
    assert {row.name for row in director.calibration.managers} == {"Maria Lopez", "Omar Grant"}
    assert director.calibration_url.endswith(f"/calibration/?week={WEEK.isoformat()}")
    text = render_to_string("emails/digest.txt", {"digest": director})
    assert "CALIBRATING COACHING, LAST 13 WEEKS (for calibrating coaching, not for ranking people)" in text
    assert "not enough data yet" in text
    html = render_to_string("emails/digest.html", {"digest": director})
    assert "For calibrating coaching, not for ranking people." in html
