"""The case matrix and the QCA page in Debian's chromium: a researcher picks columns, sees the
sticky-header table, opens a cell's evidence, and runs a QCA. Any console error (including a
Content-Security-Policy violation) fails the test."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_matrix_and_qca_in_a_browser(live_server, chromium, sources):
    from tillit.apps.cases import services

    project, _users = sources
    page = chromium.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))

    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "researcher")
    page.fill("#id_password", "correct-horse-battery-9")
    page.click("main button[type=submit]")
    page.wait_for_url("**/projects/")

    page.goto(f"{live_server.url}/p/{project.slug}/cases/matrix/")
    page.locator("details summary").first.click()
    for col in ("registry.dk", "registry.population", "register.adopted"):
        page.check(f"input[name=col][value='{col}']")
    with page.expect_navigation():
        page.click("#matrix-submit")
    header = page.locator("#case-matrix thead th").first
    assert page.evaluate("e => getComputedStyle(e).position", header.element_handle()) == "sticky"
    assert page.locator("#case-matrix tbody tr").count() == 3
    page.fill("#save-name", "Browser matrix")
    with page.expect_navigation():
        page.click("#save-submit")
    assert "register.adopted" in services.get_matrix(project, "Browser matrix").columns
    with page.expect_navigation():
        page.locator("#case-matrix a[href$='col=register.adopted']").first.click()
    assert "/register/i/" in page.locator("#evidence-list a").first.get_attribute("href")

    cm = services.get_matrix(project, "Browser matrix")
    page.goto(f"{live_server.url}/p/{project.slug}/cases/qca/?matrix={cm.pk}")
    page.select_option("#outcome-select", "register.adopted")
    page.check("input[name=condition][value='registry.dk']")
    with page.expect_navigation():
        page.click("#qca-run")
    assert page.locator("#truth-table tbody tr").count() >= 2
    assert page.locator("#solution-parsimonious .qca-formula").count() >= 1
    assert problems == []
