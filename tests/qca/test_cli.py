"""`tillit qca ...` through click's runner (pure commands: no project, no Django)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tillit.cli.main import cli

from .conftest import expected, lipset


@pytest.fixture
def files(tmp_path):
    lr = tmp_path / "lr.csv"
    lipset("LR").reset_index().to_csv(lr, index=False)
    lf = tmp_path / "lf.parquet"
    lipset("LF").reset_index().to_parquet(lf, index=False)
    lm = tmp_path / "lm.xlsx"
    lipset("LM").reset_index().to_excel(lm, index=False)
    return {"lr": lr, "lf": lf, "lm": lm, "dir": tmp_path}


def run(*args: str):
    return CliRunner().invoke(cli, ["qca", *args], catch_exceptions=False)


def test_minimize_text_and_json(files):
    done = run("minimize", str(files["lf"]), "-o", "SURV", "--incl-cut", "0.8", "--include", "?")
    assert done.exit_code == 0, done.output
    assert done.output.startswith("M1: DEV*~IND + URB*STB -> SURV")
    done = run("minimize", str(files["lf"]), "-o", "SURV", "--incl-cut", "0.8", "--json")
    data = json.loads(done.output)
    want = expected("LF_conservative")
    assert data["solutions"][0]["models"][0]["formula"] == want["solution"]
    assert data["solutions"][0]["models"][0]["covS"] == pytest.approx(want["model"]["covS"])


def test_intermediate_with_r_style_expectations(files):
    done = run(
        "minimize",
        str(files["lf"]),
        "-o",
        "SURV",
        "--incl-cut",
        "0.8",
        "--include",
        "?",
        "--dir-exp",
        "1,1,1,1,1",
        "--brief",
    )
    assert done.exit_code == 0, done.output
    assert "M1: DEV*URB*LIT*STB + DEV*LIT*~IND*STB -> SURV" in done.output
    assert "inclS" not in done.output


def test_multivalue_from_xlsx(files):
    done = run(
        "minimize",
        str(files["lm"]),
        "-o",
        "SURV",
        "-c",
        "DEV,URB,LIT,IND",
        "--include",
        "?",
        "--brief",
    )
    assert done.output.startswith("M1: DEV[2] + DEV[1]*IND[0] -> SURV[1]")


def test_truth_table_and_necessity(files):
    done = run("truth-table", str(files["lf"]), "-o", "SURV", "--incl-cut", "0.8", "--json")
    rows = json.loads(done.output)["rows"]
    assert [r["row"] for r in rows] == [1, 2, 5, 6, 22, 23, 24, 31, 32]
    assert rows[-1]["cases"] == "BE,CZ,NL,UK"
    done = run("truth-table", str(files["lf"]), "-o", "SURV", "--complete")
    assert len([ln for ln in done.output.splitlines() if ln.strip()[:2].strip().isdigit()]) == 32
    done = run("necessity", str(files["lf"]), "-o", "SURV", "--json")
    first = json.loads(done.output)["rows"][0]
    assert first["condition"] == "DEV"
    assert first["inclN"] == pytest.approx(expected("LF_necessity")["rows"][0]["inclN"])


def test_calibrate_writes_a_table(files):
    out = files["dir"] / "cal.csv"
    done = run(
        "calibrate",
        str(files["lr"]),
        "--column",
        "DEV",
        "--thresholds",
        "e=400, c=550, i=900",
        "--name",
        "DEVf",
        "--out",
        str(out),
        "--json",
    )
    assert done.exit_code == 0, done.output
    data = json.loads(done.output)
    want = {r["case"]: r["DEV"] for r in expected("calibration")["cal_idm_0.95"]}
    assert {c["case"]: c["value"] for c in data["cases"]} == pytest.approx(want)
    written = out.read_text(encoding="utf-8").splitlines()
    assert written[0].split(",")[0] == "case" and "DEVf" in written[0]
    done = run(
        "calibrate",
        str(files["lr"]),
        "--column",
        "DEV",
        "--type",
        "crisp",
        "--thresholds",
        "550,850",
    )
    assert "BE    1098  2" in done.output


def test_errors_are_clear_with_exit_codes(files):
    done = run("minimize", str(files["lf"]), "-o", "GDP", "--json")
    assert done.exit_code == 1
    err = json.loads(done.output)
    assert err["ok"] is False and err["code"] == "invalid_input" and "GDP" in err["error"]
    done = run("calibrate", str(files["lr"]), "--column", "DEV", "--thresholds", "e=900,c=1000,i=1")
    assert done.exit_code == 1 and "out of order" in done.output
    done = run("truth-table", str(files["dir"] / "missing.csv"), "-o", "SURV")
    assert done.exit_code == 1 and "No file" in done.output
    bad = files["dir"] / "x.json"
    bad.write_text("{}", encoding="utf-8")
    assert run("truth-table", str(bad), "-o", "SURV").exit_code == 2
    done = run("minimize", str(files["lf"]), "-o", "SURV", "--incl-cut", "a,b")
    assert done.exit_code == 2


def test_necessity_search(files):
    done = run("necessity", str(files["lm"]), "-o", "SURV", "--search", "--incl-cut", "1", "--json")
    assert done.exit_code == 0, done.output
    rows = json.loads(done.output)["rows"]
    assert rows[-1]["condition"] == "DEV[2] + URB[1] + IND[0]"
