"""`tillit corpus ...` and `tillit screen ...` end to end in a subprocess against a fresh
project directory: import with flagged files and resume, list/show, screening with a progress
bar and --json, labels, queue, agreement, evaluation, suggestions, Parquet export, exit codes."""

from __future__ import annotations

import json

import pytest

from tests.corpus.conftest import DA_REFORM, NB_REFORM, NN_REFORM, make_bomb, make_docx

pytestmark = pytest.mark.slow

PASSWORD = "Tillit-test-password-1"


@pytest.fixture
def tillit(run_cli, tmp_path):
    d = tmp_path / "proj"
    r = run_cli("init", str(d), "--password", PASSWORD, "--project-name", "study")
    assert r.returncode == 0, r.stderr

    def run(*args):
        return run_cli(*args, "--dir", str(d))

    run.dir = d
    return run


def _ok(r):
    assert r.returncode == 0, (r.stdout, r.stderr)
    return r


def test_import_screen_review_and_export(tillit, tmp_path):
    src = tmp_path / "docs"
    (src / "no").mkdir(parents=True)
    (src / "no" / "lillehammer.txt").write_text(NB_REFORM, encoding="utf-8")
    (src / "no" / "voss.docx").write_bytes(make_docx(NN_REFORM.split("\n\n")))
    (src / "odense.txt").write_text(DA_REFORM, encoding="utf-8")
    (src / "bomb.zip").write_bytes(make_bomb())
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "filename,municipality,date,doc_type,title\n"
        "lillehammer.txt,3405,2023-03-16,council_minutes,Protokoll\n"
        "voss.docx,Voss,2022-06-09,council_minutes,Møtebok\n"
        "odense.txt,461,2022-11-23,council_minutes,Beslutningsprotokol\n",
        encoding="utf-8",
    )
    r = _ok(tillit("corpus", "import", "study", str(src), "--manifest", str(manifest), "--json"))
    out = json.loads(r.stdout)
    assert (out["imported"], out["flagged"], out["duplicate"]) == (3, 1, 0)
    assert {i["reason"] for i in out["items"] if i["status"] == "flagged"} == {"bomb"}
    assert "Importing" in r.stderr  # the progress bar, on stderr

    again = json.loads(_ok(tillit("corpus", "import", "study", str(src), "--json")).stdout)
    assert again["duplicate"] == 4 and again["imported"] == 0  # a re-run skips what is there

    docs = json.loads(_ok(tillit("corpus", "list", "study", "--json")).stdout)
    assert {d["municipality"] for d in docs} == {"3405", "4621", "461", ""}
    assert {d["lang"] for d in docs if d["status"] == "ok"} == {"nb", "nn", "da"}

    r = _ok(tillit("screen", "run", "study", "--json"))
    run = json.loads(r.stdout)
    assert run["state"] == "done" and run["done"] == 3 and run["scores"] > 0
    assert sorted(run["new_suggestions"]) == ["3405", "461", "4621"]
    assert "Screening" in r.stderr
    resumed = json.loads(_ok(tillit("screen", "run", "study", "--json")).stdout)
    assert (resumed["done"], resumed["skipped"]) == (0, 3)

    sha = next(d["sha256"] for d in docs if d["municipality"] == "4621")
    shown = json.loads(_ok(tillit("corpus", "show", "study", sha[:10], "--json", "--text")).stdout)
    assert shown["evidence"]
    for e in shown["evidence"]:
        assert shown["text"][e["start"] : e["end"]] == e["quote"]

    ev = json.loads(
        _ok(tillit("screen", "evidence", "study", "--municipality", "Voss", "--json")).stdout
    )
    assert ev and {e["municipality"] for e in ev} == {"4621"}

    queue = json.loads(_ok(tillit("screen", "queue", "study", "--user", "owner", "--json")).stdout)
    item = queue[0]
    assert item["text"] and item["explanation"]["matched_terms"]
    _ok(tillit("screen", "label", "study", str(item["passage_id"]), item["concept"], "accept",
               "--user", "owner"))  # fmt: skip
    status = json.loads(_ok(tillit("screen", "status", "study", "--json")).stdout)
    assert status["documents"] == 4 and status["flagged"] == 1 and len(status["runs"]) == 2

    agreement = json.loads(
        _ok(tillit("screen", "agreement", "study", "owner", "owner", "--json")).stdout
    )
    assert agreement["overall"]["n"] == 1

    r = tillit("screen", "evaluate", "study", "--json")
    assert r.returncode == 1 and json.loads(r.stdout)["code"] == "conflict"  # too few labels

    sugg = json.loads(_ok(tillit("screen", "suggestions", "study", "--json")).stdout)
    voss = next(s for s in sugg if s["municipality"] == "4621")
    decided = json.loads(_ok(tillit("screen", "decide", "study", str(voss["id"]), "confirm",
                                     "--user", "owner", "--json")).stdout)  # fmt: skip
    assert decided["state"] == "confirmed" and decided["initiative"]

    odense = next(d["id"] for d in docs if d["municipality"] == "461")
    re = json.loads(
        _ok(tillit("corpus", "reextract", "study", str(odense), "--no-ocr", "--json")).stdout
    )
    assert re["status"] == "ok" and re["lang"] == "da"

    exported = json.loads(
        _ok(tillit("corpus", "export-parquet", "study", str(tmp_path / "pq"), "--json")).stdout
    )
    assert exported["documents"] == 3 and exported["partitions"]


def test_usage_and_runtime_errors(tillit, tmp_path):
    r = tillit("corpus", "import", "study", str(tmp_path / "missing.pdf"))
    assert r.returncode == 2 and "does not exist" in r.stderr
    r = tillit("corpus", "import", "study", "--municipality", "Atlantis", str(tmp_path))
    assert r.returncode == 1 and "Atlantis" in r.stderr
    r = tillit("corpus", "list", "nosuchproject", "--json")
    assert r.returncode == 1 and json.loads(r.stdout)["code"] == "not_found"
    r = tillit("screen", "label", "study", "1", "measure.trust_reform", "accept")
    assert r.returncode == 2  # --user missing
