"""The director's calibration page and the Monday pipeline inspection in real headless Chromium, at desktop
and phone widths: what they say, the links they give, and no page wider than a phone. Screenshots go to
test-artifacts/portal/ (git-ignored)."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from coaching.models import Membership
from tests.calibration.conftest import PAGE_WEEK, build_coaching_org
from tests.pipeline.conftest import WEEK, week_team  # noqa: F401 (a fixture)
from tests.portal.browser.test_portal import sign_in
from tests.portal.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def login(org, person, role: str, username: str) -> None:
    user = User.objects.create_user(username, password=PASSWORD)
    Membership.objects.create(user=user, org=org, person_sf_id=person.sf_id, role=role)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def clipped_tables(page) -> int:
    """Tables wider than their scrolling box: fine on a phone (they scroll), not on a desktop."""
    return page.evaluate(
        "[...document.querySelectorAll('.table-wrap')].filter(w => w.scrollWidth > w.clientWidth + 1).length"
    )


@pytest.mark.parametrize("size", list(SIZES))
def test_a_director_reads_the_calibration_page_and_opens_an_agenda(
    transactional_db, live_server, browser, artifacts, size
):
    org = build_coaching_org()
    login(org.org, org.dana, Membership.Role.DIRECTOR, "dana")
    page = browser.new_context(viewport=SIZES[size]).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server.url, "dana")
    page.goto(f"{live_server.url}/calibration/?week={PAGE_WEEK.isoformat()}")
    expect(page.get_by_role("heading", name="Calibrating coaching")).to_be_visible()
    expect(page.locator("#calm-note")).to_contain_text("not for ranking people")
    effects = page.locator("section", has=page.get_by_role("heading", name="Did discussed topics move their metric?"))
    expect(effects.locator("tr", has_text="Cleo Manager")).to_contain_text("Not enough data yet")
    expect(effects.locator("tr", has_text="Ben Manager")).to_contain_text("includes no change")
    expect(effects.locator("tr", has_text="Ana Manager")).not_to_contain_text("includes no change")
    expect(page.get_by_text("Dora Manager")).to_have_count(0)
    assert fits(page), "the page is wider than the screen"
    if size == "desktop":
        assert clipped_tables(page) == 0, "a table is cut off at desktop width"
    page.screenshot(path=artifacts / f"calibration-{size}.png", full_page=True)

    page.locator("tr", has_text="Ana Manager").get_by_role("link", name="open").first.click()
    agenda = org.items["ana"][0].agenda
    expect(page).to_have_url(f"{live_server.url}/agendas/{agenda.pk}/")
    expect(page.get_by_role("heading", name="coaching agenda")).to_be_visible()
    assert errors == []


@pytest.mark.parametrize("size", list(SIZES))
def test_a_manager_inspects_the_pipeline_on_monday(
    transactional_db,
    live_server,
    browser,
    artifacts,
    week_team,  # noqa: F811
    size,
):
    login(week_team["org"], week_team["manager"], Membership.Role.FSM, "max")
    page = browser.new_context(viewport=SIZES[size]).new_page()
    sign_in(page, live_server.url, "max")
    page.goto(f"{live_server.url}/pipeline/?week={WEEK.isoformat()}")
    expect(page.get_by_role("heading", name="Your team\u2019s pipeline")).to_be_visible()
    changes = page.locator("section", has=page.get_by_role("heading", name="What changed last week"))
    expect(changes.locator("tfoot")).to_contain_text("Team")
    expect(changes.locator("tbody tr", has_text="Ana Rep")).to_contain_text("-$5k")
    deal = week_team["deals"]["down"]
    link = page.locator(f'a[href="https://pipe.my.salesforce.com/{deal.sf_id}"]')
    expect(link).to_have_text("Pushed, down, back")
    expect(page.locator("li", has=link)).to_contain_text("Stage back: Proposal/Price Quote → Perception Analysis")
    assert fits(page), "the page is wider than the screen"
    if size == "desktop":
        assert clipped_tables(page) == 0, "a table is cut off at desktop width"
    page.screenshot(path=artifacts / f"pipeline-{size}.png", full_page=True)
