"""Headless Chromium for the browser journeys: one browser per session, a fresh context (no
cookies, no storage) per test, and a screenshot in test-results/ when a test fails.

Debian's Chromium is driven by Playwright's Python API (the bundled browser builds are not
installed); `.ci/run` and `make test-browser` install the package.
"""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"
DEFAULT_TIMEOUT_MS = 15_000


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so `page` can tell whether its test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: run `bin/install-system-packages --browser` (or `make test-browser`)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser journeys, but {message}")
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread, and Django refuses ORM calls from
    # a thread with a running loop; the tests call the ORM only between browser actions.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-background-networking"], headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server, request):
    """A page in a fresh browser context pointed at the live server; `page.goto("/path/")` works."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        RESULTS_DIR.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        tab.screenshot(path=str(RESULTS_DIR / f"{name}.png"), full_page=True)
    context.close()
