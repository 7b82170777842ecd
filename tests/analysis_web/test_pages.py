"""The analysis pages: access, disclosure control, charts and downloads."""

from __future__ import annotations

import csv
import io

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.analysis_web.urls")]


def _client(client, users, role):
    client.force_login(users[role])
    return client


def _url(survey, page=""):
    return f"/p/{survey.project.slug}/analysis/{survey.slug}/{page}"


def test_pages_for_viewer(client, project_with_roles, demo_survey):
    c = _client(client, project_with_roles[1], "viewer")
    for page in ("", "frequencies/", "frequencies/?by=country", "comparison/", "scales/"):
        r = c.get(_url(demo_survey, page))
        assert r.status_code == 200, page
        html = r.content.decode()
        assert "SYNTHETIC DATA" in html
        assert "<script" not in html and "style=" not in html, page
        if page in ("", "comparison/"):
            assert "<svg" in html and "<table" in html
    scales = c.get(_url(demo_survey, "scales/")).content.decode()
    assert "Vertical trust" in scales and "Horizontal trust" in scales
    assert "vt_pol_adm" in scales and "Item-rest correlation" in scales


def test_list_and_non_member(client, project_with_roles, demo_survey):
    users = project_with_roles[1]
    c = _client(client, users, "viewer")
    r = c.get(f"/p/{demo_survey.project.slug}/analysis/")
    assert r.status_code == 200 and _url(demo_survey).encode() in r.content
    client.force_login(users["outsider"])
    assert client.get(_url(demo_survey)).status_code == 404
    assert client.get(f"/p/{demo_survey.project.slug}/analysis/").status_code == 404
    assert client.get(_url(demo_survey, "download/means.csv")).status_code == 404
    client.logout()
    assert client.get(_url(demo_survey)).status_code == 302


def test_overview_shows_rates(client, project_with_roles, demo_survey):
    from tillit.apps.analysis import data, services

    c = _client(client, project_with_roles[1], "researcher")
    html = c.get(_url(demo_survey)).content.decode()
    rr1 = services.aapor(data.load(demo_survey)).set_index("domain").loc["all", "RR1"]
    assert f"{rr1:.3f}" in html


def test_suppression_for_viewer_not_researcher(client, project_with_roles, demo_survey):
    project, users = project_with_roles
    project.k_threshold = 20
    project.save()
    url = _url(demo_survey, "frequencies/?by=county")
    viewer = _client(client, users, "viewer").get(url).content.decode()
    assert "suppressed (&lt; 20)" in viewer
    client.force_login(users["researcher"])
    researcher = client.get(url).content.decode()
    assert "suppressed (&lt;" not in researcher
    # downloads follow the same rule
    client.force_login(users["viewer"])
    r = client.get(_url(demo_survey, "download/frequencies.csv?by=county"))
    rows = list(csv.DictReader(io.StringIO(r.content.decode())))
    small = [r for r in rows if r["suppressed"] == "True"]
    assert small and all(r["estimate"] == "" and r["n"] == "" for r in small)
    assert all(float(r["n"]) >= 20 for r in rows if r["suppressed"] == "False")


TABLES = ("aapor", "dispositions", "frequencies", "means", "comparison", "scales", "scale-items")


def test_downloads_parse(client, project_with_roles, demo_survey):
    c = _client(client, project_with_roles[1], "researcher")
    for table in TABLES:
        _check_download(c, demo_survey, table)


def _check_download(c, demo_survey, table):
    import openpyxl

    r = c.get(_url(demo_survey, f"download/{table}.csv"))
    assert r.status_code == 200 and "SYNTHETIC_" in r["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.content.decode())))
    assert rows
    r = c.get(_url(demo_survey, f"download/{table}.xlsx"))
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    ws = wb.active
    header = [cell.value for cell in next(ws.iter_rows(max_row=1))]
    assert header == list(rows[0].keys())
    assert ws.max_row == len(rows) + 1
    assert c.get(_url(demo_survey, f"download/{table}.pdf")).status_code == 404


def test_survey_without_answers(client, project_with_roles, empty_survey):
    c = _client(client, project_with_roles[1], "viewer")
    for page in ("", "frequencies/", "comparison/", "scales/", "download/means.csv"):
        r = c.get(_url(empty_survey, page))
        assert r.status_code == 200, page
    assert "Estimates are not available yet" in c.get(_url(empty_survey)).content.decode()
    assert "SYNTHETIC DATA" not in c.get(_url(empty_survey)).content.decode()
