"""Building the default report of the demo survey: the methods section equals the services,
figures are inline SVG stamped with the data and tillit versions, no published cell is under
k, and the PDF is valid with page numbers and a table of contents."""

from __future__ import annotations

import io
import re

import pytest

pytestmark = pytest.mark.django_db


def _all_counts(ctx):
    tables = list(ctx["tables"].values())
    tables += [f["table"] for f in ctx["figures"].values() if f.get("table")]
    for t in tables:
        for row in t["counts"]:
            yield t["caption"], row


def test_report_html_and_pdf(demo_project):
    from pypdf import PdfReader

    import tillit
    from tillit.analysis import aapor_rates
    from tillit.apps.analysis import data
    from tillit.apps.reports import context, services
    from tillit.apps.reports.figures_bridge import data_version
    from tillit.apps.surveys.models import Survey

    project = demo_project
    survey = Survey.objects.get(project=project)
    k = project.k_threshold

    # the methods figures are the services' figures
    ctx = context.build(project, "en")
    s = ctx["surveys"][0]
    frame = data.load(survey, language="en").frame
    rates = aapor_rates(frame["disposition"].tolist())
    assert s["response"]["rates"]["RR1"] == pytest.approx(rates.rate("RR1"), abs=1e-12)
    assert s["response"]["rates"]["RR3"] == pytest.approx(rates.rate("RR3"), abs=1e-12)
    assert s["response"]["rates"]["COOP1"] == pytest.approx(rates.rate("COOP1"), abs=1e-12)
    assert s["frame"]["n_cases"] == 455
    assert {c["country"]: c["population"] for c in s["frame"]["countries"]} == {
        "NO": 357,
        "DK": 98,
    }
    assert s["estimation"]["fpc"] and s["estimation"]["population"] == 455
    assert s["weighting"]["converged"]

    # disclosure: no published count is in 1..k-1, and hidden cells are really hidden
    checked = 0
    for caption, row in _all_counts(ctx):
        for v in row:
            if v is not None:
                checked += 1
                assert not (0 < float(v) < k), (caption, row)
    assert checked > 20
    disp = ctx["tables"][s["t"]["dispositions"]]
    assert any(v is None for row in disp["counts"] for v in row)  # the small cells are hidden

    # HTML: self-contained, figures inline, every table and figure stamped
    body, _ = services.template_body(project, "default", "en")
    html = services.render_html(project, body, "en")
    version = data_version(project)
    stamp = f"Data version {version} · tillit {tillit.__version__}"
    assert f"{rates.rate('RR1') * 100:.1f} %" in html
    assert html.count("<svg") >= 3 and "<figure" in html
    assert html.count("<table") >= 5
    assert html.count(stamp) >= html.count("<table") + html.count("<figure")
    assert not re.search(r"""(?:src|href)=["']https?:""", html)
    assert "<link" not in html and "<script" not in html
    assert 'class="toc-list"' in html and 'href="#sec-1"' in html
    assert "SYNTHETIC DATA" not in html  # this test project is not the synthetic demo project

    # PDF from the same HTML: valid, numbered pages, running header, table of contents
    pdf, pages = services.html_to_pdf(html)
    assert pdf[:5] == b"%PDF-"
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == pages >= 8
    second = reader.pages[1].extract_text()
    assert "Contents" in second and f"2 / {pages}" in second
    assert project.name in reader.pages[3].extract_text()


def test_stored_build_and_lazy_download(project_with_roles, client):
    """A project without data still builds; a lazy (demo) build is made on first download."""
    from tillit.apps.core.models import AuditEvent
    from tillit.apps.reports import services
    from tillit.apps.reports.models import ReportBuild

    project, users = project_with_roles
    b = services.do_build_report(project, language="nb", fmt="html", actor=users["owner"])
    assert b.state == "done" and bytes(b.content).startswith(b"<!DOCTYPE html>")
    assert "Prosjektet har ennå ingen undersøkelse" in bytes(b.content).decode()
    assert AuditEvent.objects.filter(action="report.build", object_id=str(b.pk)).exists()

    lazy = services.do_build_report(project, language="en", fmt="html", actor=None, lazy=True)
    assert lazy.state == "pending" and not bytes(lazy.content)
    client.force_login(users["viewer"])
    r = client.get(f"/p/{project.slug}/reports/builds/{lazy.pk}/")
    assert r.status_code == 200 and b"<!DOCTYPE html>" in r.content
    assert "sandbox" in r.headers["Content-Security-Policy"]
    assert ReportBuild.objects.get(pk=lazy.pk).state == "done"
    page = client.get(f"/p/{project.slug}/reports/")
    assert page.status_code == 200 and f"/reports/builds/{lazy.pk}/" in page.content.decode()
    client.force_login(users["outsider"])
    assert client.get(f"/p/{project.slug}/reports/builds/{lazy.pk}/").status_code == 404


def test_build_from_the_page_needs_edit_right(project_with_roles, client):
    project, users = project_with_roles
    client.force_login(users["viewer"])
    data = {"template": "default", "language": "en", "format": "html"}
    assert client.post(f"/p/{project.slug}/reports/build/", data).status_code == 403
    client.force_login(users["researcher"])
    r = client.post(f"/p/{project.slug}/reports/build/", data)
    assert r.status_code == 302 and "/reports/builds/" in r["Location"]


def test_two_way_tables_get_secondary_suppression():
    import numpy as np

    from tillit.apps.reports.disclosure_bridge import protect_two_way

    grid = np.array([[10, 3, 13], [20, 30, 50], [30, 33, 63]], dtype=float)
    hidden = protect_two_way(grid, 5)
    assert hidden[0, 1]  # the 3
    assert hidden.sum() >= 4  # and enough others that it cannot be recovered from the totals
    assert not hidden[-1, -1]
