"""`tillit model cfa|sem|trustmap` in-process (click's runner on the real `tillit` group): JSON
equals the library, files of every supported type are read, bad input exits 1 with a located
message (2 for usage errors)."""

from __future__ import annotations

import json
from pathlib import Path

import defusedxml.ElementTree as ElementTree
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from tillit.sem import cfa, datasets, sem

from .conftest import REFERENCE

HS_CSV = REFERENCE / "data" / "HolzingerSwineford1939.csv"
TRUST_CSV = REFERENCE / "data" / "trust_synthetic.csv"
HS3 = "visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9"


def run(*args: str):
    from tillit.cli.main import cli

    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_cfa_json_equals_library() -> None:
    out = _json(run("model", "cfa", str(HS_CSV), "-m", HS3, "--json"))
    fit = cfa(HS3, datasets.load("HolzingerSwineford1939"))
    assert out["ok"] and out["kind"] == "cfa" and out["n"] == 301
    assert out["fit"]["chisq"] == pytest.approx(fit.fit.chisq, rel=1e-12)
    assert out["fit"]["rmsea_ci_high"] == pytest.approx(fit.fit.rmsea_ci_high, rel=1e-12)
    assert [p["estimate"] for p in out["parameters"]] == pytest.approx(
        fit.parameters.estimate.tolist(), rel=1e-12
    )
    assert [r["factor"] for r in out["reliability"]] == ["visual", "textual", "speed"]


def test_sem_from_model_file_and_text_output(tmp_path: Path) -> None:
    model = tmp_path / "trust.lav"
    model.write_text(
        "# vertical and horizontal trust\n"
        "vertical =~ tv_politicians + tv_administration + tv_managers + tv_frontline\n"
        "horizontal =~ th_services + th_professions + th_citizens\n"
        "horizontal ~ vertical + log_pop\n",
        encoding="utf-8",
    )
    result = run("model", "sem", str(TRUST_CSV), "-f", str(model))
    assert result.exit_code == 0, result.output
    assert "Structural equation model: trust_synthetic.csv, 480 cases" in result.output
    assert any(
        line.split()[:3] == ["horizontal", "~", "vertical"] for line in result.output.splitlines()
    )
    out = _json(run("model", "sem", str(TRUST_CSV), "-f", str(model), "--json"))
    lib = sem(model.read_text(), datasets.load("trust_synthetic"))
    assert out["fit"]["df"] == lib.fit.df
    assert out["covariates"] == ["log_pop"]


@pytest.mark.parametrize("suffix", [".xlsx", ".parquet", ".sav", ".dta", ".tsv"])
def test_every_file_type(tmp_path: Path, suffix: str) -> None:
    frame = datasets.load("HolzingerSwineford1939")[[f"x{i}" for i in range(1, 10)]]
    path = tmp_path / f"hs{suffix}"
    if suffix == ".xlsx":
        frame.to_excel(path, index=False)
    elif suffix == ".parquet":
        frame.to_parquet(path)
    elif suffix == ".tsv":
        frame.to_csv(path, sep="\t", index=False)
    else:
        import pyreadstat

        (pyreadstat.write_sav if suffix == ".sav" else pyreadstat.write_dta)(frame, str(path))
    out = _json(run("model", "cfa", str(path), "-m", HS3, "--json"))
    assert out["fit"]["chisq"] == pytest.approx(85.305521, abs=1e-5)


def test_errors_exit_codes_and_json(tmp_path: Path) -> None:
    result = run("model", "cfa", str(HS_CSV), "-m", "visual =~ x1 + x2 + x10", "--json")
    assert result.exit_code == 1
    body = json.loads(result.output)
    assert body["ok"] is False and body["code"] == "invalid_input" and "x10" in body["error"]
    result = run("model", "sem", str(HS_CSV), "-m", "f =~ x1 + x2 + x3; x1 ~~ x2")
    assert result.exit_code == 1 and "degrees of freedom -1 < 0" in result.output
    result = run("model", "cfa", str(HS_CSV))
    assert result.exit_code == 2 and "either inline" in result.output
    bad = tmp_path / "data.odt"
    bad.write_text("x", encoding="utf-8")
    result = run("model", "cfa", str(bad), "-m", HS3)
    assert result.exit_code == 1 and "unknown file type" in result.output
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not parquet")
    result = run("model", "cfa", str(broken), "-m", HS3)
    assert result.exit_code == 1 and "cannot be read" in result.output


def _trust_answers(tmp_path: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(7)
    n = 40
    frame = pd.DataFrame(
        {
            "country": ["NO"] * 24 + ["DK"] * 16,
            "q_pol": rng.integers(0, 11, n),
            "q_front": rng.integers(0, 11, n),
            "q_ce": rng.integers(1, 6, n),
        }
    )
    data = tmp_path / "answers.csv"
    frame.to_csv(data, index=False)
    items = tmp_path / "items.csv"
    items.write_text(
        "item,from,to,min,max\n"
        "q_pol,chief_executive,politicians,0,10\n"
        "q_front,chief_executive,frontline,0,10\n"
        "q_ce,frontline,chief_executive,1,5\n",
        encoding="utf-8",
    )
    return data, items


def test_trustmap_json_and_svg(tmp_path: Path) -> None:
    data, items = _trust_answers(tmp_path)
    out = _json(
        run(
            "model",
            "trustmap",
            str(data),
            "--items",
            str(items),
            "--by",
            "country",
            "--svg-dir",
            str(tmp_path / "maps"),
            "--json",
        )
    )
    assert out["groups"] == ["DK", "NO"] and len(out["edges"]) == 6
    frame = pd.read_csv(data)
    no = frame[frame.country == "NO"]
    edge = next(e for e in out["edges"] if e["group"] == "NO" and e["target"] == "politicians")
    assert edge["weight"] == pytest.approx(no.q_pol.mean() / 10)
    pair = next(p for p in out["pairs"] if p["group"] == "NO" and p["b"] == "frontline")
    ce = next(e for e in out["edges"] if e["group"] == "NO" and e["source"] == "frontline")
    assert ce["weight"] == pytest.approx((no.q_ce.mean() - 1) / 4)
    assert pair["asymmetry"] == pytest.approx((no.q_front.mean() / 10) - (no.q_ce.mean() - 1) / 4)
    for country in ("NO", "DK"):
        root = ElementTree.parse(tmp_path / "maps" / f"trustmap-{country}.svg").getroot()
        assert root.find("{http://www.w3.org/2000/svg}title").text == f"Trust map: {country}"
        assert (tmp_path / "maps" / f"trustmap-{country}.html").exists()
    text = run("model", "trustmap", str(data), "--items", str(items))
    assert text.exit_code == 0 and "asymmetry" in text.output


def test_trustmap_json_items_and_bad_mapping(tmp_path: Path) -> None:
    data, _ = _trust_answers(tmp_path)
    items = tmp_path / "items.json"
    items.write_text(json.dumps({"q_pol": ["chief_executive", "politicians"]}), encoding="utf-8")
    out = _json(run("model", "trustmap", str(data), "--items", str(items), "--json"))
    assert len(out["edges"]) == 1 and out["edges"][0]["n"] == 40
    items.write_text("[1, 2]", encoding="utf-8")
    result = run("model", "trustmap", str(data), "--items", str(items))
    assert result.exit_code == 1 and "not an item mapping" in result.output
    result = run("model", "trustmap", str(data), "--items", str(tmp_path / "missing.csv"))
    assert result.exit_code == 2  # click: the file does not exist
    items.write_text(json.dumps({"q_ce": ["frontline", "chief_executive"]}), encoding="utf-8")
    result = run("model", "trustmap", str(data), "--items", str(items), "--scale", "0,4")
    assert result.exit_code == 1 and "outside its scale" in result.output
    result = run("model", "trustmap", str(data), "--items", str(items), "--scale", "zero")
    assert result.exit_code == 2
