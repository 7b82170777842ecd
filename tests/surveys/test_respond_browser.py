"""A respondent in Debian's chromium: live skip logic, a validation message, Back, Finish, in
nb; then the same survey with JavaScript switched off. Any console error (including a
Content-Security-Policy violation) fails the test."""

from __future__ import annotations

import os

import pytest

from tests.surveys.test_respond_support import (
    make_case,
    make_survey,
    threaded_live_server,
    use_instruments,
)
from tillit.apps.surveys.models import Answer, Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(chromium):
    return chromium


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("requestfailed", lambda r: _failed(r, problems))
    return problems


def _failed(request, problems: list[str]) -> None:
    # An autosave still on its way when the page is submitted is cancelled by the navigation;
    # the submission carries the same answers, so that is not a problem.
    if "/autosave/" in request.url and "ERR_ABORTED" in (request.failure or ""):
        return
    problems.append(f"failed: {request.url} {request.failure}")


@pytest.fixture
def server(project_with_roles, monkeypatch, tmp_path):
    use_instruments(monkeypatch)
    with threaded_live_server(tmp_path) as base:
        yield base, make_survey(project_with_roles[0])


def test_respondent_with_skip_logic_validation_back_and_finish(browser, server):
    base, survey = server
    case, token = make_case(survey, language="nb")
    page = browser.new_page()
    problems = _watch(page)
    page.goto(f"{base}/s/{token}/")
    assert page.locator("html").get_attribute("lang") == "nb"
    assert page.locator(".respond-progress p").inner_text() == "Side 1 av 2"
    year = page.locator("#q-adopted_year")
    assert not year.is_visible()  # hidden by live skip logic until "Ja"
    page.get_by_label("Ja", exact=True).check()
    year.wait_for(state="visible")
    page.locator(".respond-status").get_by_text("Lagret").wait_for()  # autosaved
    assert page.locator(".respond-progress p").inner_text() == "Side 1 av 3"  # reform page in
    assert Answer.objects.get(case=case, name="adopted").value == "yes"
    year.fill("1900")
    page.get_by_role("button", name="Neste").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert "Skriv et årstall mellom 1990 og 2026." in summary.inner_text()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    summary.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "q-adopted_year"
    year.fill("2019")
    page.get_by_role("button", name="Neste").click()
    page.wait_for_url(f"**/s/{token}/p/2/")
    assert page.locator(".respond-progress p").inner_text() == "Side 2 av 3"
    page.get_by_role("radio", name="Politikerne stoler på oss nb4").check()
    page.get_by_role("button", name="Tilbake").click()
    page.wait_for_url(f"**/s/{token}/p/1/")
    assert page.locator("#q-adopted_year").input_value() == "2019"
    page.get_by_label("Nei", exact=True).check()
    page.locator("#q-adopted_year").wait_for(state="hidden")  # live skip logic again
    page.get_by_role("button", name="Neste").click()
    page.wait_for_url(f"**/s/{token}/p/3/")
    assert page.locator(".respond-progress p").inner_text() == "Side 2 av 2"
    page.get_by_label("Hvor mange år i stillingen?").fill("8")
    page.get_by_role("button", name="Send inn").click()
    page.wait_for_url(f"**/s/{token}/done/")
    assert page.locator("h1").inner_text() == "Takk for svarene!"
    case.refresh_from_db()
    assert case.disposition == Case.Disposition.COMPLETE
    assert not Answer.objects.filter(case=case, name__in=["adopted_year", "tr_pol"]).exists()
    assert problems == [], problems


def test_respondent_without_javascript(browser, server):
    base, survey = server
    case, token = make_case(survey, language="da")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    problems = _watch(page)
    page.goto(f"{base}/s/{token}/")
    assert page.locator("html").get_attribute("lang") == "da"
    year = page.locator("#q-adopted_year")
    assert year.is_visible()  # without the script, same-page conditions show their question
    page.get_by_role("button", name="Næste").click()
    assert "Svar ja eller nej." in page.locator("#error-summary").inner_text()
    page.get_by_label("Ja", exact=True).check()
    year.fill("2020")
    page.get_by_role("button", name="Næste").click()
    page.wait_for_url(f"**/s/{token}/p/2/")
    page.get_by_role("checkbox", name="Skole").check()
    page.get_by_role("radio", name="Politikerne stoler på os da3").check()
    for n, aim in enumerate(["cost", "staff", "quality"], start=1):
        page.locator(f"#q-priorities-rank{n}").select_option(aim)
    page.get_by_role("button", name="Næste").click()
    page.wait_for_url(f"**/s/{token}/p/3/")
    page.locator("a[hreflang=nb]").click()  # the language switcher is a plain link
    assert page.locator("html").get_attribute("lang") == "nb"
    page.get_by_label("Hvor mange år i stillingen?").fill("4")
    page.get_by_role("button", name="Send inn").click()
    page.wait_for_url(f"**/s/{token}/done/")
    assert page.locator("h1").inner_text() == "Takk for svarene!"
    stored = dict(Answer.objects.filter(case=case).values_list("name", "value"))
    assert stored["priorities"] == ["cost", "staff", "quality"] and stored["tr_pol"] == "3"
    case.refresh_from_db()
    assert case.language == "nb" and case.completed_at is not None
    context.close()
    assert problems == [], problems


def test_phone_layout_stacks_the_matrix(browser, server):
    base, survey = server
    _, token = make_case(survey)
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    problems = _watch(page)
    page.goto(f"{base}/s/{token}/p/1/")
    page.get_by_label("Ja", exact=True).check()
    page.locator("#q-adopted_year").wait_for(state="visible")
    page.locator("#q-adopted_year").fill("2019")
    page.get_by_role("button", name="Neste").click()
    page.wait_for_url("**/p/2/")
    label = page.locator("#q-tr_pol-1 + .matrix-choice")
    assert label.is_visible() and label.inner_text() == "nb1"  # choice labels shown per row
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width  # no sideways scrolling
    page.screenshot(
        path=str(os.environ.get("TILLIT_SCREENSHOT_DIR", "/tmp")) + "/respond-phone.png"
    )
    context.close()
    assert problems == [], problems
