"""Trust model pages and commands: CFA fit indices and loadings equal tillit.sem on the same
data, SEM syntax errors are messages, the k threshold holds, trust maps as SVG."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _page(client, user, project, **params):
    client.force_login(user)
    return client.get(reverse("cases:models", args=[project.slug]), params)


def test_cfa_page_shows_fit_and_loadings_equal_to_the_library(client, with_survey):
    from tillit import sem
    from tillit.apps.cases import trust

    project, users, survey = with_survey
    r = _page(client, users["viewer"], project, survey="exec", scale=["vertical", "horizontal"])
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="cfa-fit"' in html and "CFI" in html and "RMSEA" in html and "SRMR" in html
    st = trust.load(survey)
    syntax = trust.cfa_syntax(st, ["vertical", "horizontal"])
    assert st.scales["vertical"][:2] == ["vt_pol_adm", "vt_adm_pol"]
    assert not [i for i in st.scales["horizontal"] if not i.startswith("ht_")]
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sem.cfa(syntax, st.data.select_dtypes("number"))
    fit_table = html.split('id="cfa-fit"')[1].split("</table>")[0]
    assert f"{res.fit.cfi:.3f}" in fit_table and f"{res.fit.rmsea:.3f}" in fit_table
    loadings = html.split('id="cfa-loadings"')[1].split("</table>")[0]
    std = res.parameters.query("op == '=~' and rhs == 'vt_adm_pol'")["std_all"].iloc[0]
    assert f"{std:.3f}" in loadings
    assert 'id="cfa-reliability"' in html


def test_sem_syntax_and_identification_errors_are_messages(client, with_survey):
    project, users, _survey = with_survey
    r = _page(client, users["viewer"], project, survey="exec", model="vertical =~ ")
    html = r.content.decode()
    assert r.status_code == 200 and 'id="sem-error"' in html
    r = _page(client, users["viewer"], project, survey="exec", model="f =~ vt_pol_adm")
    assert 'id="sem-error"' in r.content.decode()
    model = (
        "v =~ vt_pol_adm + vt_adm_pol + vt_top_mid\n"
        "h =~ ht_services + ht_prof_cit + ht_cit_prof\nh ~ v"
    )
    html = _page(client, users["viewer"], project, survey="exec", model=model).content.decode()
    assert 'id="sem-parameters"' in html and "<td>~</td>" in html


def test_fewer_than_k_respondents_are_not_shown(client, with_survey):
    from tillit.apps.core import services

    project, users, _survey = with_survey
    services.do_update_project(project, actor=users["owner"], k_threshold=100)
    html = _page(client, users["viewer"], project, survey="exec").content.decode()
    assert 'id="cfa-error"' in html and "fewer than 100" in html
    client.force_login(users["viewer"])
    url = reverse("cases:trustmap-svg", args=[project.slug, "exec", "DK"])
    r = client.get(url)
    assert r.status_code == 200 and b"<svg" in r.content  # edges below k are not drawn


def test_trustmap_svg_and_roles(client, with_survey):
    project, users, _survey = with_survey
    client.force_login(users["viewer"])
    r = client.get(reverse("cases:trustmap-svg", args=[project.slug, "exec", "DK"]))
    assert r.status_code == 200 and r["Content-Type"] == "image/svg+xml"
    assert b"<svg" in r.content and b"SYNTHETIC" in r.content and b"style=" not in r.content
    assert (
        client.get(reverse("cases:trustmap-svg", args=[project.slug, "exec", "NO"])).status_code
        == 404
    )
    client.force_login(users["outsider"])
    assert (
        client.get(reverse("cases:trustmap-svg", args=[project.slug, "exec", "DK"])).status_code
        == 404
    )
    assert client.get(reverse("cases:models", args=[project.slug])).status_code == 404


def test_cfa_and_trustmap_commands(with_survey, tmp_path, monkeypatch):
    import click
    from click.testing import CliRunner

    from tillit.cli import cases
    from tillit.cli.main import cli

    def _setup(project_dir, as_json=False):
        if as_json:
            click.get_current_context().meta["tillit.json"] = True

    monkeypatch.setattr(cases, "_setup", _setup)
    r = CliRunner().invoke(cli, ["cases", "cfa", "trust", "exec", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["kind"] == "cfa" and out["fit"]["cfi"] is not None and out["n"] >= 5
    svg = tmp_path / "dk.svg"
    r = CliRunner().invoke(
        cli,
        ["cases", "trustmap", "trust", "exec", "--country", "DK", "--output", str(svg), "--json"],
    )
    assert r.exit_code == 0, r.output
    assert svg.read_text().startswith("<svg")
    edges = json.loads(r.stdout)["edges"]
    assert {(e["source"], e["target"]) for e in edges} >= {("politicians", "chief_executive")}
    r = CliRunner().invoke(cli, ["cases", "cfa", "trust", "exec", "--scales", "nope", "--json"])
    assert r.exit_code == 1 and "Unknown" in json.loads(r.output)["error"]
