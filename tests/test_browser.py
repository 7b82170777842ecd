"""One strict browser test in Debian's chromium: log in, switch language, open the registry.

Any console error (including a Content-Security-Policy violation) fails the test.
"""

import os

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page(chromium):
    page = chromium.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    return page, problems


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
