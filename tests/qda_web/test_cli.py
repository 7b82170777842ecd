"""`tillit qda ...` end to end in a subprocess: import, codes, export and import of .qdpx and
.qdc, reliability and queries with --json; exit codes 0, 1 and 2."""

import json
import zipfile

import pytest

from tests.qda_web import files

pytestmark = pytest.mark.slow

PASSWORD = "Tillit-test-password-1"


@pytest.fixture
def tillit(run_cli, tmp_path):
    d = str(tmp_path / "proj")
    r = run_cli("init", d, "--password", PASSWORD, "--project-name", "study")
    assert r.returncode == 0, r.stderr

    def run(*args):
        return run_cli(*args, "--dir", d)

    return run


def _ok(r):
    assert r.returncode == 0, (r.stdout, r.stderr)
    return r


def test_qda_commands(tillit, tmp_path):
    turns = tmp_path / "intervju.txt"
    turns.write_bytes(files.TURNS.encode())
    vtt = tmp_path / "opptak.vtt"
    vtt.write_text(files.VTT, encoding="utf-8")
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"PK\x03\x04broken")
    r = tillit(
        "qda",
        "import",
        "study",
        str(turns),
        "--transcript",
        "--kind",
        "interview",
        "--language",
        "nb",
        "--consent",
        "obtained",
        "--json",
    )
    out = json.loads(_ok(r).stdout)
    assert out["imported"][0]["segments"] == 3
    r = tillit("qda", "import", "study", str(vtt), str(bad), "--json")
    assert r.returncode == 1
    out = json.loads(r.stdout)
    assert len(out["imported"]) == 1 and out["failed"][0]["file"].endswith("bad.docx")
    rows = json.loads(_ok(tillit("qda", "sources", "study", "--json")).stdout)
    assert [s["name"] for s in rows] == ["intervju", "opptak"]

    codes = json.loads(_ok(tillit("qda", "codes", "study", "--starter", "en", "--json")).stdout)
    assert any(c["concept"] == "motive.reporting_burden" for c in codes)

    qdc = tmp_path / "book.qdc"
    _ok(tillit("qda", "export-qdc", "study", str(qdc)))
    assert b"urn:QDA-XML:codebook:1.0" in qdc.read_bytes()
    out = json.loads(_ok(tillit("qda", "import-qdc", "study", str(qdc), "--json")).stdout)
    assert out["added"] == 0 and out["updated"] == len(codes)

    qdpx = tmp_path / "study.qdpx"
    _ok(tillit("qda", "export-qdpx", "study", str(qdpx)))
    assert "project.qde" in zipfile.ZipFile(qdpx).namelist()
    r = tillit("qda", "import-qdpx", "study", str(qdpx), "--json")
    assert r.returncode == 1 and json.loads(r.stdout)["code"] == "conflict"

    r = tillit("qda", "reliability", "study", "--coder-a", "x", "--coder-b", "y", "--json")
    assert r.returncode == 1 and json.loads(r.stdout)["ok"] is False
    r = tillit(
        "qda", "reliability", "study", "--coder-a", "x", "--coder-b", "y", "--threshold", "2"
    )
    assert r.returncode == 2
    r = tillit("qda", "query", "study", "--kind", "kwic", "tillit", "--language", "nb", "--json")
    assert _ok(r) and json.loads(r.stdout)[0]["source_id"] >= 1
    words = tmp_path / "words.xlsx"
    _ok(tillit("qda", "query", "study", "--kind", "words", "--out", str(words)))
    assert words.read_bytes()[:2] == b"PK"
    assert tillit("qda", "query", "study").returncode == 2
    assert tillit("qda", "sources", "nope").returncode == 1


def test_reliability_and_queries_on_the_demo(run_cli, tmp_path):
    d = str(tmp_path / "demo")
    _ok(run_cli("demo", "--dir", d, "--no-serve"))
    r = run_cli(
        "qda",
        "reliability",
        "synthetic-demo",
        "--coder-a",
        "coder",
        "--coder-b",
        "researcher",
        "--json",
        "--dir",
        d,
    )
    out = json.loads(_ok(r).stdout)
    assert 0.3 < out["overall_kappa"] < 0.95 and 0.3 < out["overall_alpha"] < 0.95
    assert out["disagreements"]
    r = run_cli("qda", "query", "synthetic-demo", 'code:"Vertical trust"', "--json", "--dir", d)
    rows = json.loads(_ok(r).stdout)
    assert rows and all(row["code"].startswith("Vertical trust/") for row in rows)
    out = tmp_path / "cooc.html"
    _ok(
        run_cli(
            "qda",
            "query",
            "synthetic-demo",
            "--kind",
            "cooccurrence",
            "--out",
            str(out),
            "--dir",
            d,
        )
    )
    assert "<table" in out.read_text(encoding="utf-8")
