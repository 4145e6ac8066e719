"""Playwright fixtures: Debian's Chromium, headless, on pytest-django's live server.

Plain `playwright.sync_api` rather than pytest-playwright: one browser per test
module, a fresh context for each test (English, Paris time, so the browser's
zone differs from Beijing's), and a full-page screenshot in test-results/ when a
test fails. Without /usr/bin/chromium the tests skip locally and fail in CI.

The browser lives for a module, not the session: Playwright's sync API keeps an
asyncio loop running in the main thread, which would break `asyncio.run()` and
`async_to_sync` in every test that runs after it in the same process.
"""

import os
import re
from pathlib import Path

import pytest

from tests.browser.axe import AXE_SCRIPT, BASE_DIR

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BROWSER_TIMEZONE = "Europe/Paris"
RESULTS_DIR = BASE_DIR / "test-results"

PHASE_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


def _missing(what: str, how: str) -> None:
    message = f"{what} is missing: {how}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so `page` knows whether it failed."""
    report = yield
    item.stash.setdefault(PHASE_REPORTS, {})[report.when] = report
    return report


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        _missing(str(CHROMIUM), "apt-get install chromium fonts-noto-cjk")
    if not AXE_SCRIPT.exists():
        _missing(str(AXE_SCRIPT), "npm ci")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    # Playwright's sync API keeps an event loop in this thread; Django's ORM would
    # otherwise refuse to run next to it (SynchronousOnlyOperation).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server, request):
    """A page in a fresh context; its screenshot lands in test-results/ on failure."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-GB",
        timezone_id=BROWSER_TIMEZONE,
        bypass_csp=True,
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    reports = request.node.stash.get(PHASE_REPORTS, {})
    if any(report.failed for report in reports.values()):
        RESULTS_DIR.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        page.screenshot(path=RESULTS_DIR / f"{name}.png", full_page=True)
        (RESULTS_DIR / f"{name}.html").write_text(page.content())
    context.close()


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot: into docs/screenshots/ (the README's) when
    AO_UPDATE_SCREENSHOTS=1, otherwise into test-results/, so running the tests
    leaves the tracked files alone."""

    def save(name: str) -> Path:
        folder = (
            BASE_DIR / "docs" / "screenshots"
            if os.environ.get("AO_UPDATE_SCREENSHOTS") == "1"
            else RESULTS_DIR
        )
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        page.screenshot(path=path, full_page=True)
        return path

    return save
