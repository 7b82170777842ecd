"""The review queue in Debian's chromium: log in as a coder, open the queue of a screened
synthetic corpus, accept a passage with the keyboard shortcut "a", and see it recorded. Any
console error (including a Content-Security-Policy violation) fails the test."""

from __future__ import annotations

import pytest

from tillit.apps.corpus.models import Label

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_accept_a_passage_with_the_keyboard(live_server, chromium, project, users, demo_corpus):
    page = chromium.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))

    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "coder")
    page.fill("#id_password", "correct-horse-battery-9")
    page.click("main button[type=submit]")
    page.wait_for_url("**/projects/")

    page.goto(f"{live_server.url}/p/{project.slug}/corpus/review/")
    passage = page.locator("input[name=passage]").get_attribute("value")
    concept = page.locator("input[name=concept]").get_attribute("value")
    assert page.locator("#passage-text mark").count() >= 1  # highlighted matched terms
    assert not Label.objects.exists()

    with page.expect_navigation():
        page.keyboard.press("a")
    label = Label.objects.get()
    assert (str(label.passage_id), label.concept, label.decision) == (passage, concept, "accept")
    assert label.screener == users["coder"]
    assert "Recorded" in page.locator(".messages").inner_text()
    assert page.locator("input[name=passage]").get_attribute("value") != passage or (
        page.locator("input[name=concept]").get_attribute("value") != concept
    )
    assert "1" in page.locator("#n-labelled").inner_text()

    # "l" focuses the concept list; typing in it does not trigger the other shortcuts
    page.keyboard.press("l")
    assert page.evaluate("document.activeElement.id") == "to-concept"
    page.keyboard.press("r")
    assert Label.objects.count() == 1

    # "n" moves on without a label
    def shown():
        return (
            page.locator("input[name=passage]").get_attribute("value"),
            page.locator("input[name=concept]").get_attribute("value"),
        )

    before = shown()
    page.locator("h1").click()  # leave the list
    with page.expect_navigation():
        page.keyboard.press("n")
    assert Label.objects.count() == 1
    assert shown() != before
    assert problems == [], problems
