"""`tillit report ...` end to end in a subprocess against a fresh project directory."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow

PASSWORD = "Tillit-test-password-1"


def test_build_list_and_check(run_cli, tmp_path):
    d = tmp_path / "proj"
    r = run_cli("init", str(d), "--password", PASSWORD, "--project-name", "study")
    assert r.returncode == 0, r.stderr

    out = tmp_path / "report.html"
    r = run_cli("report", "build", "--dir", str(d), "--lang", "en", "--out", str(out), "--json")
    assert r.returncode == 0, r.stderr
    facts = json.loads(r.stdout)
    assert facts["language"] == "en" and facts["format"] == "html" and facts["size"] > 1000
    assert facts["data_version"] and facts["tillit_version"]
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and facts["data_version"] in html

    pdf = tmp_path / "report.pdf"
    r = run_cli("report", "build", "--dir", str(d), "--lang", "nb", "--format", "pdf",
                "--out", str(pdf))  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert pdf.read_bytes()[:5] == b"%PDF-" and "Built default (nb, pdf" in r.stdout

    r = run_cli("report", "templates", "--dir", str(d), "--json")
    assert r.returncode == 0 and {t["language"] for t in json.loads(r.stdout)} == {"nb", "da", "en"}

    bad = tmp_path / "bad.html"
    bad.write_text("ok\n{% load static %}\n", encoding="utf-8")
    r = run_cli("report", "check", str(bad))
    assert r.returncode == 1 and f"{bad}:2:" in r.stderr

    r = run_cli("report", "build", "--dir", str(d), "--template", "nope", "--json")
    assert r.returncode == 1 and json.loads(r.stdout)["code"] == "not_found"
    r = run_cli("report", "build", "--dir", str(d), "--lang", "sv")
    assert r.returncode == 2
