"""`tillit register …` end to end in a subprocess: import with located errors, list, show,
export and re-import, events; exit codes 0, 1 and 2."""

import json

import pytest

pytestmark = pytest.mark.slow

PASSWORD = "Tillit-test-password-1"

REGISTER_CSV = (
    "municipality,title,start_year,status,measures\n"
    "Oslo,Tillitsreform,2015,active,measure.delegation\n"
    "1201,Hjemmetjenesten,2017,active,\n"
    "København,Tillidsreform,2012,active,measure.reporting_reduction;measure.rule_channel\n"
)


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


def test_register_commands(tillit, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("municipality,title,start_year\nAtlantis,x,2019\nOslo,y,19\n", encoding="utf-8")
    r = tillit("register", "import", "study", str(bad))
    assert r.returncode == 1
    assert "bad.csv row 2, municipality: No municipality is called 'Atlantis'" in r.stderr
    assert "bad.csv row 3, start_year" in r.stderr

    good = tmp_path / "register.csv"
    good.write_text(REGISTER_CSV, encoding="utf-8")
    r = tillit("register", "import", "study", str(bad), str(good), "--json")
    out = json.loads(r.stdout)
    assert r.returncode == 1 and out["ok"] is False
    assert [(e["file"], e["row"]) for e in out["errors"]] == [("bad.csv", 2), ("bad.csv", 3)]
    out = json.loads(_ok(tillit("register", "import", "study", str(good), "--json")).stdout)
    assert out["created"] == 3 and any("4601" in w for w in out["warnings"])

    rows = json.loads(_ok(tillit("register", "list", "study", "--json")).stdout)
    assert {(r["country"], r["municipality_code"]) for r in rows} == {
        ("NO", "0301"),
        ("NO", "4601"),
        ("DK", "101"),
    }
    listing = _ok(tillit("register", "list", "study", "--country", "dk")).stdout
    assert "Tillidsreform" in listing and "Hjemmetjenesten" not in listing

    shown = json.loads(_ok(tillit("register", "show", "study", "Bergen", "--json")).stdout)
    assert shown[0]["start_year"] == 2017 and shown[0]["history"][0]["action"] == "import"
    number = str(shown[0]["number"])
    assert (
        "Hjemmetjenesten" in _ok(tillit("register", "show", "study", "--initiative", number)).stdout
    )
    assert tillit("register", "show", "study").returncode == 2

    xlsx = tmp_path / "out.xlsx"
    out = json.loads(_ok(tillit("register", "export", "study", "-o", str(xlsx), "--json")).stdout)
    assert out["initiatives"] == 3 and xlsx.stat().st_size > 0
    out = json.loads(_ok(tillit("register", "import", "study", str(xlsx), "--json")).stdout)
    assert (out["created"], out["updated"], out["unchanged"]) == (0, 0, 3)
    csv_out, ev_out = tmp_path / "r.csv", tmp_path / "e.csv"
    _ok(tillit("register", "export", "study", "-o", str(csv_out), "--evidence", str(ev_out)))
    assert csv_out.read_text(encoding="utf-8-sig").startswith("id,country,municipality_code")
    assert tillit("register", "export", "study", "-o", str(tmp_path / "x.txt")).returncode == 2

    _ok(
        tillit(
            "register", "add-event", "study", "--country", "dk", "--date", "2013-06-20",
            "--title", "Seven principles", "--kind", "agreement",
        )
    )  # fmt: skip
    events = json.loads(_ok(tillit("register", "events", "study", "--json")).stdout)
    assert events[0]["year"] == 2013 and events[0]["country"] == "DK"
    assert (
        tillit("register", "add-event", "study", "--country", "no", "--title", "x").returncode == 2
    )
