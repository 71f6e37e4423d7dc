"""Issue 13 in real Chromium, at a desktop and a phone width: the first screen is the to-do list of the
week's 1:1s; marking one handled folds it and updates the count without a reload; the week, rep and digest
pages are photographed for the README (docs/img/week-*.png)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from coaching.digests.compose import compose_digests
from coaching.digests.message import render_digest
from coaching.digests.schedule import recipients
from tests.portal.browser.test_portal import sign_in
from tests.portal.conftest import WEEK

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DOCS_IMG = Path(__file__).resolve().parents[3] / "docs" / "img"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_first_screen_is_the_todo_list_and_handling_a_one_on_one_folds_it(
    transactional_db, live_server, world, browser, artifacts, width
):
    phone = width == "phone"
    context = browser.new_context(viewport=WIDTHS[width], is_mobile=phone, has_touch=phone)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server.url, "fsm_a")

    todo = page.locator("#todo")
    expect(todo.get_by_role("heading", name="This week\u2019s 1:1s")).to_be_visible()
    # The to-do list is what the first screen shows: its top is inside the first viewport.
    assert todo.bounding_box()["y"] < WIDTHS[width]["height"] / 2
    count = page.locator("#todo-count")
    rows = page.locator(".todo__row:not(.is-empty)")
    total = rows.count()
    assert total >= 2
    expect(count).to_have_text(f"0 of {total} handled")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=DOCS_IMG / f"week-{width}.png", full_page=False)

    ana = world.reps_a[0]
    row = page.locator(f"#todo-{ana.sf_id}")
    expect(row.locator("details.todo__fold")).to_have_attribute("open", "")
    row.locator("summary").first.scroll_into_view_if_needed()
    # "Why" is one click away, in words.
    row.get_by_text("Why this").click()
    expect(row.locator(".todo__why li").first).to_be_visible()
    expect(row.locator(".todo__why")).not_to_contain_text("Rank score")

    page.evaluate("window.__stillHere = true")
    row.get_by_role("button", name="Mark 1:1 handled").click()
    expect(count).to_have_text(f"1 of {total} handled")
    row = page.locator(f"#todo-{ana.sf_id}")
    expect(row).to_have_class("todo__row is-handled")
    expect(row.locator("details.todo__fold")).not_to_have_attribute("open", "")
    expect(row.locator(".todo__state")).to_have_text("Handled")
    # The rep's cards below were swapped too: folded, badge "Discussed".
    expect(page.locator(f"#rep-{ana.sf_id} .badge--discussed").first).to_be_visible()
    assert page.evaluate("window.__stillHere") is True
    page.screenshot(path=artifacts / f"week-handled-{width}.png", full_page=False)

    # The filter by rep: only Ben left on the list.
    ben = world.reps_a[1]
    page.select_option("#todo-rep", ben.sf_id)
    expect(page.locator(".todo__row")).to_have_count(1)
    expect(page.locator(f"#todo-{ben.sf_id}")).to_be_visible()

    page.reload()
    page.goto(f"{live_server.url}/agendas/{world.agenda_a.pk}/")
    expect(page.locator("#todo-count")).to_have_text(f"1 of {total} handled")

    page.goto(f"{live_server.url}/reps/{ben.sf_id}/")
    expect(page.get_by_role("heading", name="Ben Okafor", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]
    page.screenshot(path=DOCS_IMG / f"rep-{width}.png", full_page=False)

    digest = compose_digests(world.org, WEEK, recipients(world.org, {world.fsm_a.sf_id}))[world.fsm_a.sf_id]
    _, _, html, _ = render_digest(digest)
    page.set_content(html)
    expect(page.get_by_text("Ana Ruiz").first).to_be_visible()
    page.screenshot(path=DOCS_IMG / f"digest-{width}.png", full_page=False)
    assert errors == []
    context.close()
