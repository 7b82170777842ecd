"""One strict browser test in Debian's chromium: log in, switch language, open the registry.

Any console error (including a Content-Security-Policy violation) fails the test.
"""

import os
import shutil

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser_page(monkeypatch):
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI: .ci/run must install it")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM must still work here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
        yield page, problems
        browser.close()
    from django.db import connections

    connections.close_all()  # the live server's threads must not keep the test database open


def test_login_language_switch_and_registry(live_server, browser_page, make_user):
    page, problems = browser_page
    make_user("kari", "kommune-tillit-2026")
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "kari")
    page.fill("#id_password", "kommune-tillit-2026")
    page.click("main button[type=submit]")
    page.wait_for_url("**/projects/")
    assert page.locator("h1").inner_text() == "Your projects"

    page.select_option("#lang-select", "nb")
    page.click("#lang-submit")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "nb"
    assert page.locator("h1").inner_text() == "Dine prosjekter"

    page.select_option("#lang-select", "en")
    page.click("#lang-submit")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"

    page.click("nav >> text=Municipalities")
    page.wait_for_url("**/registry/")
    assert page.locator("figure svg").count() >= 1
    assert page.locator("table tbody tr").count() >= 455
    page.screenshot(
        path=str(os.environ.get("TILLIT_SCREENSHOT", "/tmp/tillit-registry.png")), full_page=False
    )
    assert problems == [], problems
