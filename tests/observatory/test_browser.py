"""The dashboard and the public site in Debian's chromium: open, change a filter, download a
chart; any console error (a CSP violation included) fails. Screenshots go to
``$TILLIT_SCREENSHOT_DIR`` (default /tmp) for a look."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page(chromium):
    page = chromium.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    return page, problems


def test_dashboard_filter_download_and_public_site(live_server, chromium, small_groups):
    from tillit.apps.observatory import services

    g = small_groups
    shots = Path(os.environ.get("TILLIT_SCREENSHOT_DIR", "/tmp"))
    services.do_publish(g.project, actor=g.users["owner"], public_slug="open-trust")
    page, problems = _page(chromium)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "viewer")
    page.fill("#id_password", "correct-horse-battery-9")
    page.click("main button[type=submit]")
    page.wait_for_url("**/projects/")

    page.goto(live_server.url + f"/p/{g.project.slug}/observatory/", timeout=120_000)
    assert page.locator("#fig-status-map-1 svg[role=img]").count() == 1
    assert page.locator("#fig-comparison-1 svg title").count() == 1
    page.screenshot(path=str(shots / "tillit-dashboard.png"), full_page=False)
    page.screenshot(path=str(shots / "tillit-dashboard-full.png"), full_page=True)

    # change a filter: Denmark only, indicator by size class (a GET form, no JavaScript)
    page.select_option("#id_country", "DK")
    page.select_option("#id_grouping", "size_class")
    page.click("#obs-apply")
    page.wait_for_load_state()
    assert "country=DK" in page.url
    assert page.locator("#fig-status-map-1 h3").count() == 1
    assert "Norway" not in page.locator("#fig-timeline-1 details table").inner_text()

    # open a data table, download a chart as CSV and as SVG
    page.click("#fig-indicator-map-1 summary")
    assert page.locator("#fig-indicator-map-1 table").is_visible()
    with page.expect_download() as info:
        page.click("#fig-indicator-map-1 .obs-downloads a:text('CSV')")
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    body = Path(download.path()).read_text(encoding="utf-8")
    assert body.startswith("country,group,n,mean")
    with page.expect_download() as info:
        page.click("#fig-timeline-1 .obs-downloads a:text('SVG')")
    assert Path(info.value.path()).read_text(encoding="utf-8").lstrip().startswith("<svg")

    # the public site, logged out
    public = chromium.new_page(viewport={"width": 1400, "height": 1000})
    public.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    public.goto(live_server.url + "/public/open-trust/", timeout=120_000)
    assert public.locator("h1").inner_text() == g.project.name
    public.screenshot(path=str(shots / "tillit-public.png"), full_page=True)
    public.click("text=Open data")
    public.wait_for_url("**/data/")
    assert public.locator("table").count() == 2
    assert problems == [], problems
