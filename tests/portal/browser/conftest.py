"""Real headless Chromium (Debian's ``chromium``, driven by Playwright's Python package) against the live
test server. Outside CI a machine without /usr/bin/chromium skips these tests with what to install; in CI
(``CI=true``, where .ci/run installs it) a missing browser fails them."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.services import IN_CI

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "portal"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    # Without these Chromium keeps trying to reach hosts this machine cannot reach.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _missing(message: str) -> None:
    if IN_CI:
        pytest.fail(f"required in CI: {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """One Chromium per test module. Not per session: while Playwright's sync API is open, an event loop runs
    in this thread, and later tests elsewhere (asyncio.run, Django's async guard) must not find it."""
    if not CHROMIUM.exists():
        _missing(f"no Chromium at {CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH).")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is missing: pip install -r requirements-dev.txt.")
    # Playwright's sync API keeps an event loop running in this thread while it is open; the tests' own ORM
    # calls (and pytest-django's flush after each test) are still plain synchronous code, so Django's async
    # guard is told so for as long as the browser is open, as pytest-playwright's docs advise.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
