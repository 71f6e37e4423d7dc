"""The first screen is this week's 1:1s as a to-do list (issue 13): the count, the handled rows folded, the
filter by rep, the action that marks a 1:1 handled (htmx and plain form), and bad input."""

import re

import pytest
from django.urls import reverse

from coaching.agendas.causes import diagnose
from coaching.models import AgendaItem
from coaching.portal.queries.agenda import agenda_page
from coaching.portal.queries.todo import todo_list
from coaching.portal.views.todo import handle_one_on_one
from tests.portal.conftest import HTMX, WEEK

pytestmark = pytest.mark.django_db


def _count(html: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(r'id="todo-count"[^>]*>(.*?)</p>', html, re.S).group(1)).strip()


def test_the_todo_list_comes_first_with_one_row_per_rep_and_the_count(world):
    html = world.client("fsm_a").get(reverse("portal:agenda", args=[world.agenda_a.pk])).content.decode()
    assert html.index('id="todo"') < html.index('id="team"')  # before the team meeting and the 1:1s
    reps_with_items = {item.person_sf_id for item in world.agenda_a.items.filter(is_current=True)} - {""}
    assert _count(html) == f"0 of {len(reps_with_items)} handled"
    for rep in world.reps_a:
        assert f'id="todo-{rep.sf_id}"' in html
    assert "Rank score" not in html  # engine arithmetic never reaches a card


def test_marking_a_one_on_one_handled_collapses_it_and_updates_the_count(world):
    rep = world.reps_a[0]
    url = reverse("portal:one_on_one_handled", args=[world.agenda_a.pk, rep.sf_id])
    response = world.client("fsm_a").post(url, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert _count(html).startswith("1 of ")
    row = re.search(rf'<li class="todo__row([^"]*)" id="todo-{rep.sf_id}"', html).group(1)
    assert "is-handled" in row
    # The row's fold is closed, and the rep's section is swapped too (out of band) with its cards folded.
    assert re.search(rf'id="todo-{rep.sf_id}"[^>]*>\s*<details class="todo__fold">', html)
    assert f'id="rep-{rep.sf_id}" hx-swap-oob="true"' in html
    items = AgendaItem.objects.filter(agenda=world.agenda_a, person_sf_id=rep.sf_id, is_current=True)
    assert items.exists() and not items.filter(status=AgendaItem.Status.OPEN).exists()


def test_handling_keeps_deferred_and_dismissed_items_as_they_are(world):
    rep = world.reps_a[0]
    item = AgendaItem.objects.filter(agenda=world.agenda_a, person_sf_id=rep.sf_id, kind="gap").first()
    item.status, item.status_reason = AgendaItem.Status.DEFERRED, "on leave"
    item.save()
    handle_one_on_one(world.agenda_a, rep.sf_id)
    item.refresh_from_db()
    assert (item.status, item.status_reason) == (AgendaItem.Status.DEFERRED, "on leave")


def test_the_plain_form_redirects_back_and_a_rep_not_on_the_agenda_is_404(world):
    client = world.client("fsm_a")
    url = reverse("portal:one_on_one_handled", args=[world.agenda_a.pk, world.reps_a[1].sf_id])
    response = client.post(url)
    assert response.status_code == 302 and response["Location"].endswith("#todo")
    before = list(AgendaItem.objects.order_by("id").values_list("status", flat=True))
    other = reverse("portal:one_on_one_handled", args=[world.agenda_a.pk, world.reps_b[0].sf_id])
    assert client.post(other).status_code == 404
    assert client.get(url).status_code == 405
    assert list(AgendaItem.objects.order_by("id").values_list("status", flat=True)) == before
    with pytest.raises(ValueError, match="no 1:1 on this agenda"):
        handle_one_on_one(world.agenda_a, "005NOBODY")


def test_filtering_by_rep_shows_only_that_rep(world):
    ana, ben = world.reps_a[0], world.reps_a[1]
    html = world.client("fsm_a").get(reverse("portal:agenda", args=[world.agenda_a.pk]), {"rep": ana.sf_id}).content
    html = html.decode()
    assert f'id="todo-{ana.sf_id}"' in html and f'id="rep-{ana.sf_id}"' in html
    assert f'id="todo-{ben.sf_id}"' not in html and f'id="rep-{ben.sf_id}"' not in html
    # A rep who is not on this agenda: everyone, not an empty page.
    html = world.client("fsm_a").get(reverse("portal:agenda", args=[world.agenda_a.pk]), {"rep": "nope"}).content
    assert f'id="todo-{ben.sf_id}"' in html.decode()


def test_the_why_of_a_row_is_in_a_managers_words(world):
    page = agenda_page(world.agenda_a, WEEK)
    rows = [row for row in todo_list(page).rows if row.diagnosis]
    assert rows
    for row in rows:
        assert row.why and not any("Rank score" in line or "x severity" in line for line in row.why)


class _Item:
    def __init__(self, code: str, title: str, deals=(), details=None):
        self.code, self.title, self.deals, self.details = code, title, list(deals), details or {}


def test_the_diagnosis_is_the_first_topic_the_engine_made_of_a_cause():
    deal = {"sf_id": "006A", "name": "A"}
    members = [{"code": "STALE_DEALS", "title": "6 of 9 deals untouched"}, {"code": "NO_NEXT_STEP", "title": "5"}]
    dead = diagnose(
        [
            _Item("STALE_DEALS", "These 9 deals look dead", [deal], {"cause": "dead_deals", "members": members}),
            _Item("CYCLE_LONG", "Deals take long"),
        ]
    )
    assert dead.cause == "dead_deals" and dead.title == "These 9 deals look dead"
    assert dead.flags == ["6 of 9 deals untouched", "5"] and dead.deals == [deal]
    # A cause with one flag up this week is that flag, not a cause line.
    lone = diagnose([_Item("WIN_RATE_LOW", "Win rate", details={"cause": "closing", "members": members[:1]})])
    assert lone.cause == "" and lone.title == "Win rate"
    assert diagnose([_Item("CYCLE_LONG", "Deals take long")]).cause == ""
    assert diagnose([]) is None


def test_the_list_is_the_swap_target_and_only_the_reps_section_is_out_of_band(world):
    rep = world.reps_a[0]
    url = reverse("portal:one_on_one_handled", args=[world.agenda_a.pk, rep.sf_id])
    html = world.client("fsm_a").post(url, **HTMX).content.decode()
    assert html.count('hx-swap-oob="true"') == 1
    assert re.search(r'<section class="card todo" id="todo"[^>]*>', html).group(0).count("hx-swap-oob") == 0


def test_the_commitment_form_preselects_the_items_rep_and_escapes_names(world):
    from coaching.portal.views.week import owner_options

    options = owner_options([("005A", "Ana <b>Ruiz</b>"), ("005B", "Ben")])
    assert (
        options["005A"]
        == '<option value="005A" selected>Ana &lt;b&gt;Ruiz&lt;/b&gt;</option><option value="005B">Ben</option>'
    )
    assert "selected" not in options[""]
    item = AgendaItem.objects.filter(agenda=world.agenda_a, kind="gap").exclude(person_sf_id="").first()
    html = world.client("fsm_a").get(reverse("portal:agenda", args=[world.agenda_a.pk])).content.decode()
    card = html[html.index(f'id="item-{item.pk}"') :]
    assert f'<option value="{item.person_sf_id}" selected>' in card[: card.index("</article>")]


def test_the_flags_behind_a_diagnosis_are_one_click_away_on_its_card(world):
    item = AgendaItem.objects.filter(agenda=world.agenda_a, kind="gap").order_by("position").first()
    members = [
        {"code": "STALE_DEALS", "title": "4 deals untouched for 30 days", "evidence": ["Untouched since 2 Feb"]},
        {"code": "NO_NEXT_STEP", "title": "3 deals without a next step", "evidence": []},
    ]
    item.details = {**item.details, "cause": "dead_deals", "members": members}
    item.save(update_fields=["details"])
    html = world.client("fsm_a").get(reverse("portal:agenda", args=[world.agenda_a.pk])).content.decode()
    fold = html[html.index('<details class="item__flags">') :]
    fold = fold[: fold.index("</details>")]
    assert "The 2 flags behind it" in fold
    assert "4 deals untouched for 30 days" in fold and "Untouched since 2 Feb" in fold
    assert "3 deals without a next step" in fold
