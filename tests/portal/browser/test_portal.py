"""The portal in real headless Chromium: sign in, read the week's agenda, mark an item discussed and add a
note without a page reload, reload and find both kept; the team grid and a rep page render. Screenshots go
to test-artifacts/portal/ (git-ignored)."""

import pytest
from playwright.sync_api import expect

from coaching.models import AgendaItem, AgendaNote
from tests.portal.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/signin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_manager_works_through_the_agenda(transactional_db, live_server, world, browser, artifacts):
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # The pages run under a strict Content-Security-Policy (self only, nothing inline): Chromium says so on the
    # console whenever it blocks something, and htmx must work without any exception.
    page.on("console", lambda message: "Content Security Policy" in message.text and errors.append(message.text))
    sign_in(page, base, "fsm_a")

    expect(page.get_by_role("heading", name="Your coaching agenda")).to_be_visible()
    expect(page.get_by_role("heading", name="1:1 with Ana Ruiz")).to_be_visible()
    page.screenshot(path=artifacts / "01-agenda.png", full_page=True)

    item = AgendaItem.objects.get(agenda=world.agenda_a, kind="gap", person_sf_id=world.reps_a[0].sf_id)
    card = page.locator(f"#item-{item.pk}")
    expect(card).to_contain_text(item.title)
    # A marker on the window: it survives only if nothing reloads the page.
    page.evaluate("window.__stillHere = true")

    card.get_by_role("button", name="Mark discussed").click()
    card = page.locator(f"#item-{item.pk}")
    expect(card.locator(".badge--discussed")).to_have_text("Discussed")
    expect(card.get_by_role("button", name="Reopen")).to_be_visible()

    card.get_by_text("Add a note").click()
    card.get_by_label(f"Note on “{item.title}”").fill("Agreed to re-engage every stale deal by Friday.")
    card.get_by_role("button", name="Save note").click()
    card = page.locator(f"#item-{item.pk}")
    expect(card.locator(".note__text", has_text="re-engage every stale deal")).to_be_visible()
    assert page.evaluate("window.__stillHere") is True
    page.screenshot(path=artifacts / "02-agenda-after-actions.png", full_page=True)

    page.reload()
    card = page.locator(f"#item-{item.pk}")
    expect(card.locator(".badge--discussed")).to_have_text("Discussed")
    expect(card.locator(".note__text", has_text="re-engage every stale deal")).to_be_visible()
    assert page.evaluate("window.__stillHere === undefined")
    item.refresh_from_db()
    assert item.status == AgendaItem.Status.DISCUSSED
    assert AgendaNote.objects.filter(item=item, text__startswith="Agreed to re-engage").count() == 1

    page.get_by_role("link", name="Team", exact=True).click()
    expect(page.get_by_role("heading", name="Your team")).to_be_visible()
    expect(page.locator("table.heat tbody tr")).to_have_count(4)
    expect(page.locator("table.heat")).to_contain_text("Wins less often than the team")
    expect(page.locator("svg.chart").first).to_be_visible()
    page.screenshot(path=artifacts / "03-team.png", full_page=True)

    # A gap in the grid opens the rep's page at that gap, its "why" card unfolded.
    ben = page.locator("table.heat tbody tr", has_text="Ben Okafor")
    ben.locator("a.heat__gap", has_text="nobody touched").click()
    expect(page.get_by_role("heading", name="Ben Okafor", exact=True)).to_be_visible()
    target = page.locator("article.why:target")
    expect(target).to_contain_text("Deal of Ben Okafor")
    expect(target.locator("details.why__card")).to_have_attribute("open", "")
    assert page.locator("svg.chart").count() >= 2
    page.screenshot(path=artifacts / "04-rep.png", full_page=True)
    assert errors == []
    context.close()


def test_the_agenda_on_a_phone_fits_the_screen_and_shows_errors_in_place(
    transactional_db, live_server, world, browser, artifacts
):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, live_server.url, "fsm_a")
    expect(page.get_by_role("heading", name="Your coaching agenda")).to_be_visible()
    # Nothing wider than the screen: wide tables scroll inside their own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    item = AgendaItem.objects.get(agenda=world.agenda_a, kind="gap", person_sf_id=world.reps_a[1].sf_id)
    card = page.locator(f"#item-{item.pk}")
    card.get_by_text("Dismiss…").click()
    # The browser's own check stops an empty reason; a blank one (spaces) reaches the server and is refused.
    card.get_by_label("Why is there nothing to coach?").fill("   ")
    card.get_by_role("button", name="Dismiss").click()
    card = page.locator(f"#item-{item.pk}")
    expect(card.locator(".error")).to_contain_text("needs a reason")
    # The form stays open to try again, and the page still fits.
    expect(card.get_by_label("Why is there nothing to coach?")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    item.refresh_from_db()
    assert item.status == AgendaItem.Status.OPEN
    page.screenshot(path=artifacts / "05-agenda-phone.png", full_page=False)
    context.close()
