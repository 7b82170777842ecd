"""`tillit cases ...`: in-process (click's runner on the real `tillit` group, Django already set
up) for the numbers, and one subprocess run through `run_cli` for the wiring."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

pytestmark = pytest.mark.django_db


@pytest.fixture
def tillit(monkeypatch):
    import click

    from tillit.cli import cases
    from tillit.cli.main import cli

    if "cases" not in cli.commands:
        cli.add_command(cases.cases)

    def _setup(project_dir, as_json=False):
        if as_json:
            click.get_current_context().meta["tillit.json"] = True

    monkeypatch.setattr(cases, "_setup", _setup)

    def run(*args):
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return run


def _json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_matrix_json_has_the_values_and_evidence(tillit, sources):
    out = _json(
        tillit(
            "cases",
            "matrix",
            "trust",
            "--columns",
            "registry.population,register.adopted,qda.segments:measure",
            "--evidence",
            "--json",
        )
    )
    rows = {r["key"]: r for r in out["rows"]}
    assert rows["NO:0301"]["registry.population"] == 717710
    assert rows["DK:751"]["register.adopted"] == 0
    assert rows["NO:0301"]["qda.segments:measure"] == 2
    ev = [e for e in out["evidence"] if e["row"] == "DK:101" and e["column"] == "register.adopted"]
    assert ev and ev[0]["refs"][0]["url"].startswith("/p/trust/register/i/")


def test_columns_and_listing(tillit, sources):
    cols = _json(tillit("cases", "columns", "trust", "--json"))
    ids = [c["id"] for c in cols]
    assert "register.adopted" in ids and "qda.coders:measure.delegation" in ids
    r = tillit(
        "cases",
        "matrix",
        "trust",
        "--columns",
        "registry.dk,register.adopted",
        "--save",
        "cli",
        "--user",
        "researcher",
    )
    assert r.exit_code == 0, r.output
    listed = _json(tillit("cases", "list", "trust", "--json"))
    assert [m["name"] for m in listed["matrices"]] == ["cli"]


def test_survey_columns_need_a_user_with_the_right(tillit, with_survey):
    cols = "registry.dk,survey.scale:exec:vertical"
    r = tillit("cases", "matrix", "trust", "--columns", cols, "--json")
    assert r.exit_code == 1 and json.loads(r.output)["code"] == "permission"
    r = tillit("cases", "matrix", "trust", "--columns", cols, "--user", "viewer", "--json")
    assert r.exit_code == 1 and json.loads(r.output)["code"] == "permission"
    out = _json(
        tillit(
            "cases",
            "matrix",
            "trust",
            "--columns",
            cols,
            "--country",
            "DK",
            "--user",
            "researcher",
            "--json",
        )
    )
    assert len(out["rows"]) == 98  # every Danish municipality is in the survey
    from tillit.apps.core.models import AuditEvent

    assert AuditEvent.objects.filter(after__purpose="cli:case-matrix").exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_export_reads_back(tillit, sources, tmp_path, fmt):
    import pandas as pd

    path = tmp_path / f"m.{fmt}"
    r = tillit(
        "cases",
        "export",
        "trust",
        "--columns",
        "registry.population,register.adopted",
        "--output",
        str(path),
    )
    assert r.exit_code == 0, r.output
    reader = {"csv": pd.read_csv, "xlsx": pd.read_excel, "parquet": pd.read_parquet}[fmt]
    frame = reader(path).set_index("key")
    assert frame.loc["NO:0301", "registry.population"] == 717710
    assert frame.loc["DK:101", "register.adopted"] == 1


def test_identified_export_drops_survey_columns(tillit, with_survey, tmp_path):
    import pandas as pd

    path = tmp_path / "m.csv"
    r = tillit(
        "cases",
        "export",
        "trust",
        "--columns",
        "registry.dk,survey.scale:exec:vertical",
        "--output",
        str(path),
        "--user",
        "researcher",
    )
    assert r.exit_code == 0, r.output
    assert list(pd.read_csv(path).columns) == ["key", "name", "registry.dk"]
    r = tillit(
        "cases",
        "export",
        "trust",
        "--columns",
        "registry.dk,survey.scale:exec:vertical",
        "--output",
        str(path),
        "--pseudonymous",
        "--user",
        "researcher",
    )
    assert r.exit_code == 0, r.output
    frame = pd.read_csv(path)
    assert list(frame.columns) == ["pseudonym", "registry.dk", "survey.scale:exec:vertical"]
    r = tillit(
        "cases",
        "export",
        "trust",
        "--columns",
        "registry.dk",
        "--output",
        str(path),
        "--pseudonymous",
        "--user",
        "coder",
    )
    assert r.exit_code == 1


def test_qca_cli_equals_the_library(tillit, sources):
    import pandas as pd

    from tillit import qca
    from tillit.apps.cases import matrix as mx
    from tillit.apps.mapping import services as mapping

    project, users = sources
    for code in ("4601", "1804"):
        mapping.do_create_initiative(
            project,
            municipality_code=code,
            country="NO",
            title="T",
            actor=users["owner"],
            status="active",
        )
    codes = "0301,101,751,4601,461,1804"
    r = tillit(
        "cases",
        "matrix",
        "trust",
        "--columns",
        "registry.dk,registry.population,register.adopted",
        "--codes",
        codes,
        "--save",
        "M",
        "--user",
        "owner",
    )
    assert r.exit_code == 0, r.output
    out = _json(
        tillit(
            "cases",
            "qca",
            "trust",
            "--matrix",
            "M",
            "--outcome",
            "ADOPT=register.adopted",
            "--condition",
            "DK=registry.dk",
            "--condition",
            "BIG=registry.population",
            "--calibrate",
            "BIG=fuzzy:e=20000,c=100000,i=500000",
            "--expect",
            "BIG=1",
            "--json",
        )
    )
    m = mx.build(
        project,
        ["registry.dk", "registry.population", "register.adopted"],
        mx.RowSpec(codes=tuple(codes.split(","))),
    )
    data = pd.DataFrame(
        {
            "ADOPT": m.frame["register.adopted"].astype(float).to_numpy(),
            "DK": m.frame["registry.dk"].astype(float).to_numpy(),
            "BIG": qca.calibrate(
                m.frame["registry.population"].astype(float).to_numpy(),
                type="fuzzy",
                thresholds="e=20000,c=100000,i=500000",
            ),
        },
        index=[r.name for r in m.rows],
    )
    tt = qca.truth_table(data, "ADOPT", ["DK", "BIG"], incl_cut=0.8)
    assert out["truth_table"] == tt.to_dict()
    for kind, kw in (
        ("conservative", {}),
        ("parsimonious", {"include": "?"}),
        ("intermediate", {"include": "?", "dir_exp": {"BIG": 1}}),
    ):
        assert out["solutions"][kind] == json.loads(json.dumps(qca.minimize(tt, **kw).to_dict()))


def test_qca_cli_errors(tillit, sources):
    r = tillit("cases", "qca", "trust", "--json")
    assert r.exit_code == 2
    tillit(
        "cases",
        "matrix",
        "trust",
        "--columns",
        "registry.dk,registry.population,register.adopted",
        "--save",
        "M",
        "--user",
        "owner",
    )
    r = tillit(
        "cases",
        "qca",
        "trust",
        "--matrix",
        "M",
        "--outcome",
        "ADOPT=register.adopted",
        "--condition",
        "BIG=registry.population",
        "--calibrate",
        "BIG=fuzzy:e=500000,c=1000,i=20000",
        "--json",
    )
    err = json.loads(r.output)
    assert r.exit_code == 1 and "out of order" in err["error"] and "e < c < i" in err["hint"]
    r = tillit(
        "cases",
        "qca",
        "trust",
        "--matrix",
        "M",
        "--outcome",
        "ADOPT=register.adopted",
        "--condition",
        "DK=registry.dk",
        "--json",
    )
    assert r.exit_code == 0  # NO and DK rows: variation


@pytest.mark.slow
def test_cli_subprocess(run_cli, tmp_path):
    d = str(tmp_path / "p")
    assert run_cli("init", d).returncode == 0
    r = run_cli("cases", "columns", "nope", "--dir", d, "--json")
    assert r.returncode == 1 and json.loads(r.stdout)["code"] == "not_found"
    r = run_cli("cases", "--help")
    assert r.returncode == 0 and "qca" in r.stdout and "trustmap" in r.stdout
