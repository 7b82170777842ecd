"""The case matrix, cell, export, QCA and trust-model pages: role enforcement, disclosure
(survey columns only for owners and researchers, never in identified exports), exports read
back, and QCA results equal to tillit.qca called directly."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from django.urls import reverse

from tillit.apps.cases import services
from tillit.apps.core.models import AuditEvent

pytestmark = pytest.mark.django_db

COLS = [
    "registry.population",
    "register.adopted",
    "screen.passages:measure",
    "qda.segments:measure.delegation",
]


def _client(client, user):
    client.force_login(user)
    return client


def _url(project, name="cases:matrix", *args):
    return reverse(name, args=[project.slug, *args])


def test_pages_need_membership(client, sources):
    project, users = sources
    c = _client(client, users["outsider"])
    for name in ("cases:index", "cases:matrix", "cases:qca", "cases:models"):
        assert c.get(_url(project, name)).status_code == 404
    assert c.get(_url(project, "cases:export", "csv")).status_code == 404
    client.logout()
    assert client.get(_url(project, "cases:index")).status_code == 302  # to the log-in page


def test_matrix_page_shows_values_and_links_cells_to_evidence(client, sources):
    project, users = sources
    c = _client(client, users["viewer"])
    query = "&".join(f"col={x}" for x in COLS)
    r = c.get(_url(project) + "?" + query)
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="case-matrix"' in html and "717710" in html and "København" in html
    links = re.findall(r'href="(/p/trust/cases/matrix/cell/\?[^"]+)"', html)
    assert links, "cells with evidence link to the cell page"
    cell = next(x for x in links if x.endswith("row=DK%3A101&amp;col=register.adopted"))
    page = c.get(cell.replace("&amp;", "&"))
    assert page.status_code == 200
    assert "Tillidsreform København" in page.content.decode()
    assert "/register/i/" in page.content.decode()


def test_viewer_never_sees_survey_columns(client, with_survey):
    project, users, _survey = with_survey
    cols = ["registry.population", "survey.item:exec:adopt", "survey.scale:exec:vertical"]
    query = "&".join(f"col={x}" for x in cols)
    v = _client(client, users["viewer"])
    r = v.get(_url(project) + "?" + query)
    html = r.content.decode()
    assert r.status_code == 200
    assert 'title="survey.item:exec:adopt"' not in html and "were left out" in html
    assert "col=survey.item" not in html.split('id="matrix-form"')[1]
    assert (
        v.get(_url(project, "cases:cell") + "?row=DK:101&col=survey.item:exec:adopt").status_code
        == 403
    )
    assert (
        v.get(_url(project, "cases:export", "csv") + "?" + query + "&form=pseudonymous").status_code
        == 403
    )
    ident = v.get(_url(project, "cases:export", "csv") + "?" + query)
    frame = pd.read_csv(io.BytesIO(ident.content))
    assert not [c for c in frame.columns if c.startswith("survey.")]
    # a researcher sees them, and the access is audited
    before = AuditEvent.objects.filter(action="survey.personal_data_access").count()
    rs = _client(client, users["researcher"])
    html = rs.get(_url(project) + "?" + query).content.decode()
    assert 'title="survey.item:exec:adopt"' in html
    assert AuditEvent.objects.filter(action="survey.personal_data_access").count() == before + 1
    # the coder (no personal-data right) does not
    html = _client(client, users["coder"]).get(_url(project) + "?" + query).content.decode()
    assert 'title="survey.item:exec:adopt"' not in html


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_exports_read_back(client, sources, fmt):
    project, users = sources
    c = _client(client, users["viewer"])
    query = "&".join(f"col={x}" for x in COLS)
    r = c.get(_url(project, "cases:export", fmt) + "?" + query)
    assert r.status_code == 200
    assert f'filename="trust_case_matrix.{fmt}"' in r["Content-Disposition"]
    reader = {"csv": pd.read_csv, "xlsx": pd.read_excel, "parquet": pd.read_parquet}[fmt]
    frame = reader(io.BytesIO(r.content))
    assert list(frame.columns) == ["key", "name", *COLS]
    frame = frame.set_index("key")
    assert frame.loc["NO:0301", "registry.population"] == 717710
    assert frame.loc["DK:101", "register.adopted"] == 1
    assert frame.loc["NO:0301", "qda.segments:measure.delegation"] == 2


def test_pseudonymous_export_has_survey_columns_and_no_identity(client, with_survey):
    project, users, _survey = with_survey
    cols = [
        "registry.country",
        "registry.population",
        "registry.county",
        "register.adopted",
        "survey.scale:exec:vertical",
    ]
    query = "&".join(f"col={x}" for x in cols) + "&country=DK&source=survey"
    c = _client(client, users["researcher"])
    r = c.get(_url(project, "cases:export", "parquet") + "?" + query + "&form=pseudonymous")
    assert r.status_code == 200 and "pseudonymous" in r["Content-Disposition"]
    frame = pd.read_parquet(io.BytesIO(r.content))
    assert list(frame.columns) == [
        "pseudonym",
        "registry.country",
        "register.adopted",
        "survey.scale:exec:vertical",
    ]
    assert len(frame) == 98 and frame["pseudonym"].is_unique
    assert frame["pseudonym"].tolist() == sorted(frame["pseudonym"])
    text = frame.to_csv()
    assert "København" not in text and "DK:101" not in text
    assert AuditEvent.objects.filter(
        action="survey.personal_data_access", after__purpose="export:parquet"
    ).exists()


def test_saving_a_matrix_needs_the_edit_right(client, sources):
    project, users = sources
    query = "?" + "&".join(f"col={x}" for x in COLS)
    v = _client(client, users["viewer"])
    assert v.post(_url(project) + query, {"name": "Mine"}).status_code == 403
    rs = _client(client, users["researcher"])
    r = rs.post(_url(project) + query, {"name": "Mine"})
    assert r.status_code == 302
    cm = services.get_matrix(project, "Mine")
    assert cm.columns == COLS
    page = rs.get(_url(project) + f"?saved={cm.pk}")
    assert page.status_code == 200 and "Mine" in page.content.decode()
    index = rs.get(_url(project, "cases:index")).content.decode()
    assert "Mine" in index


def _saved_qca_matrix(project, users):
    from tillit.apps.mapping import services as mapping

    for code, title in (("4601", "Tillit i Bergen"), ("1804", "Tillit i Bodø")):
        mapping.do_create_initiative(
            project,
            municipality_code=code,
            country="NO",
            title=title,
            actor=users["owner"],
            status="active",
        )
    return services.do_save_matrix(
        project,
        name="M",
        actor=users["owner"],
        columns=[
            "registry.dk",
            "registry.population",
            "register.adopted",
            "screen.passages:measure",
            "qda.present:measure",
        ],
        rows={"codes": ["NO:0301", "DK:101", "DK:751", "NO:4601", "DK:461", "NO:1804"]},
    )


def test_qca_page_gives_the_library_solution(client, sources):
    from tillit import qca
    from tillit.apps.cases import matrix as mx

    project, users = sources
    cm = _saved_qca_matrix(project, users)
    params = {
        "matrix": cm.pk,
        "outcome": "register.adopted",
        "o_name": "ADOPT",
        "condition": ["registry.dk", "registry.population"],
        "c:registry.dk:name": "DK",
        "c:registry.population:name": "BIG",
        "c:registry.population:type": "fuzzy",
        "c:registry.population:thresholds": "e=20000, c=100000, i=500000",
        "c:registry.population:direction": "1",
        "incl_cut": "0.8",
    }
    r = _client(client, users["viewer"]).get(_url(project, "cases:qca"), params)
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="truth-table"' in html
    # the same analysis with tillit.qca directly
    m = mx.build(project, cm.columns, mx.RowSpec.from_dict(cm.rows))
    names = [row.name for row in m.rows]
    data = pd.DataFrame(
        {
            "ADOPT": m.frame["register.adopted"].to_numpy(float),
            "DK": m.frame["registry.dk"].to_numpy(float),
            "BIG": qca.calibrate(
                m.frame["registry.population"].to_numpy(float),
                type="fuzzy",
                thresholds="e=20000, c=100000, i=500000",
            ),
        },
        index=names,
    )
    tt = qca.truth_table(data, "ADOPT", ["DK", "BIG"], incl_cut=0.8)
    for kind, kw in (
        ("conservative", {}),
        ("parsimonious", {"include": "?"}),
        ("intermediate", {"include": "?", "dir_exp": {"BIG": 1}}),
    ):
        mz = qca.minimize(tt, **kw)
        section = html.split(f'id="solution-{kind}"')[1].split("</section>")[0]
        for model in mz.solutions[0].models:
            assert f"{model.formula} → {mz.outcome}" in section, (kind, model.formula)


def test_qca_bad_input_is_a_message(client, sources):
    project, users = sources
    cm = _saved_qca_matrix(project, users)
    c = _client(client, users["viewer"])
    base = {"matrix": cm.pk, "outcome": "register.adopted", "o_name": "ADOPT"}
    r = c.get(
        _url(project, "cases:qca"),
        {
            **base,
            "condition": ["registry.population"],
            "c:registry.population:name": "BIG",
            "c:registry.population:type": "fuzzy",
            "c:registry.population:thresholds": "e=100000, c=20000, i=500000",
        },
    )
    html = r.content.decode()
    assert r.status_code == 200 and 'id="qca-error"' in html
    assert "out of order" in html and "e &lt; c &lt; i" in html
    r = c.get(_url(project, "cases:qca"), {**base, "o_type": "in", "condition": ["registry.dk"]})
    assert "list the codes that count as members" in r.content.decode()
    r = c.get(
        _url(project, "cases:qca"),
        {
            **base,
            "outcome": "registry.population",
            "o_type": "in",
            "o_thresholds": "717710",
            "condition": ["registry.dk"],
            "c:registry.dk:name": "DK",
        },
    )
    html = r.content.decode()
    assert 'id="truth-table"' in html and "Oslo" in html  # Oslo alone is in the outcome set
    norway = services.do_save_matrix(
        project,
        name="NO",
        actor=users["owner"],
        columns=["registry.dk", "register.adopted"],
        rows={"codes": ["NO:4601", "NO:1804", "NO:0301"]},
    )
    r = c.get(
        _url(project, "cases:qca"), {**base, "matrix": norway.pk, "condition": ["registry.dk"]}
    )
    html = r.content.decode()
    assert "has no variation" in html and "Drop it from the conditions" in html


def test_matrix_page_queries_do_not_grow_with_rows(client, sources, django_assert_max_num_queries):
    from tillit.apps.mapping import services as mapping

    project, users = sources
    c = _client(client, users["viewer"])
    query = "?" + "&".join(f"col={x}" for x in COLS)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert c.get(_url(project) + query).status_code == 200
    for code in ("4601", "1804", "5001", "1103", "3201", "4204"):
        mapping.do_create_initiative(
            project,
            municipality_code=code,
            country="NO",
            title="T",
            actor=users["owner"],
            status="active",
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = c.get(_url(project) + query).content.decode()
    assert "Trondheim" in html
