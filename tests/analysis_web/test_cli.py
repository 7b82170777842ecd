"""`tillit analyze` in-process (click's runner on the real `tillit` group, with `analyze`
added when main.py does not register it yet): numbers equal the library's, census strata have
SE 0, and bad input gives located errors with exit 1 (2 for usage)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

pytestmark = pytest.mark.django_db


@pytest.fixture
def tillit(monkeypatch):
    from tillit.cli import analyze
    from tillit.cli.main import cli

    if "analyze" not in cli.commands:
        cli.add_command(analyze.analyze)
    monkeypatch.setattr(analyze, "_setup", lambda project_dir: None)  # Django is set up

    def run(*args):
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return run


def _json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_survey_json_equals_library(tillit, demo_survey):
    import pandas as pd

    from tillit.analysis import Design, mean, proportion
    from tillit.apps.analysis import data
    from tillit.apps.surveys.models import Case
    from tillit.registry.frame import to_frame

    r = _json(tillit("analyze", "survey", "trust", "exec", "--json"))
    # AAPOR RR1 by hand: complete / all cases except the not eligible (no 4.x cases here)
    dispositions = list(
        Case.objects.filter(survey=demo_survey).values_list("disposition", flat=True)
    )
    eligible_or_unknown = [d for d in dispositions if not d.startswith("4")]
    rr1 = dispositions.count("1.1") / len(eligible_or_unknown)
    overall = next(a for a in r["aapor"] if a["domain"] == "all")
    assert overall["RR1"] == pytest.approx(rr1, rel=1e-15)
    assert {a["domain"] for a in r["aapor"]} == {"all", "NO", "DK"}
    for country in ("NO", "DK"):
        ds = list(
            Case.objects.filter(survey=demo_survey, country=country).values_list(
                "disposition", flat=True
            )
        )
        rate = next(a for a in r["aapor"] if a["domain"] == country)["RR1"]
        assert rate == pytest.approx(ds.count("1.1") / len(ds), rel=1e-15)
    # a mean equals tillit.analysis.mean on the same data and design
    sd = data.load(demo_survey)
    resp = sd.respondents
    pop = to_frame()[["country", "size_class"]].astype({"size_class": str})
    design = Design.from_frame(resp, pop, strata=r["design"]["strata"])
    lib = mean(design, ["vt_pol_adm"], nan_policy="omit").get("vt_pol_adm")
    got = next(m for m in r["means"] if m["variable"] == "vt_pol_adm")
    assert got["estimate"] == pytest.approx(lib.estimate, rel=1e-12)
    assert got["se"] == pytest.approx(lib.se, rel=1e-12)
    assert got["ci_low"] == pytest.approx(lib.ci_low, rel=1e-12)
    shares = proportion(design, ["adopt"], nan_policy="omit").to_frame()
    share = shares[shares["category"].astype(float) == 1].iloc[0]
    got = next(p for p in r["proportions"] if p["variable"] == "adopt" and p["category"] == 1)
    assert got["estimate"] == pytest.approx(share["estimate"], rel=1e-12)
    assert got["se"] == pytest.approx(share["se"], rel=1e-12)
    assert got["n"] == int((resp["adopt"] == 1).sum())
    # unrounded, NO vs DK difference with SE and p, and both scales
    cmp = next(c for c in r["comparison"] if c["variable"] == "vt_pol_adm")
    assert cmp["difference"] == pytest.approx(cmp["mean_no"] - cmp["mean_dk"], rel=1e-12)
    assert 0 <= cmp["p_value"] <= 1 and cmp["se"] > 0
    names = {s["name"]: s for s in r["scales"]}
    assert set(names) == {"vertical trust", "horizontal trust"}
    assert "vt_pol_adm" in names["vertical trust"]["items"]
    assert "ht_services" in names["horizontal trust"]["items"]
    v = names["vertical trust"]
    assert v["alpha_ci_low"] < v["alpha"] < v["alpha_ci_high"] and 0 < v["omega"] <= 1
    assert pd.notna(v["item_rest"][0]["r_drop"])


def test_survey_by_domain_items_and_table(tillit, demo_survey):
    r = _json(
        tillit(
            "analyze",
            "survey",
            "trust",
            "exec",
            "--by",
            "size_class",
            "--items",
            "vt_pol_adm,adopt",
            "--json",
        )
    )
    assert {m["variable"] for m in r["means"]} == {"vt_pol_adm"}
    assert {p["variable"] for p in r["proportions"]} == {"adopt", "vt_pol_adm"}  # select_one
    assert {m["domain"] for m in r["means_by"]} == {"small", "medium", "large", "city"}
    text = tillit("analyze", "survey", "trust", "exec", "--items", "vt_pol_adm")
    assert text.exit_code == 0 and "RR1" in text.output and "Norway vs Denmark" in text.output


def test_census_stratum_has_se_zero(tillit, demo_survey):
    """Every city municipality (both countries) answers: the city domain is a census."""
    from tillit.apps.surveys.models import Answer, Case

    donor = (
        Case.objects.filter(survey=demo_survey, disposition="1.1", answers__name="vt_pol_adm")
        .filter(answers__name="adopt")
        .first()
    )
    answers = list(donor.answers.all())
    for case in Case.objects.filter(survey=demo_survey).exclude(disposition="1.1"):
        from tillit.apps.surveys import frames

        m = frames.municipality(case.country, case.municipality_code)
        if m is None or str(m.size_class) != "city":
            continue
        case.answers.all().delete()
        Answer.objects.bulk_create(
            [
                Answer(case=case, name=a.name, value=a.value, page=a.page, saved_at=a.saved_at)
                for a in answers
            ]
        )
        case.disposition = "1.1"
        case.save(update_fields=["disposition"])
    r = _json(
        tillit(
            "analyze",
            "survey",
            "trust",
            "exec",
            "--by",
            "size_class",
            "--items",
            "ce_years,adopt",
            "--json",
        )
    )
    city = [m for m in r["means_by"] if m["domain"] == "city"]
    assert city and all(m["se"] == pytest.approx(0, abs=1e-12) for m in city)
    assert all(m["se"] > 0 for m in r["means_by"] if m["domain"] == "small")
    shares = [p for p in r["proportions_by"] if p["domain"] == "city"]
    assert shares and all(p["se"] == pytest.approx(0, abs=1e-12) for p in shares)


def test_survey_errors(tillit, demo_survey):
    r = tillit("analyze", "survey", "trust", "exec", "--items", "vt_pol_ad", "--json")
    assert r.exit_code == 1
    err = json.loads(r.output)
    assert "vt_pol_ad" in err["error"] and "vt_pol_adm" in err["error"]
    r = tillit("analyze", "survey", "trust", "nope")
    assert r.exit_code == 1 and "nope" in r.output
    assert tillit("analyze", "survey", "trust", "exec", "--by", "planet").exit_code == 2


CSV = """stratum,N,y,g,w,w0,wn
a,10,1.0,x,1,1,1
a,10,2.0,y,1,0,1
a,10,2.5,x,1,1,
b,2,3.0,x,2,1,1
b,2,4.0,y,2,1,1
"""


def test_file(tillit, tmp_path):
    import pandas as pd

    from tillit.analysis import Design, mean

    path = tmp_path / "data.csv"
    path.write_text(CSV, encoding="utf-8")
    r = _json(
        tillit(
            "analyze",
            "file",
            str(path),
            "--vars",
            "y,g",
            "--strata",
            "stratum",
            "--fpc",
            "N",
            "--by",
            "stratum",
            "--json",
        )
    )
    lib = mean(Design.from_data(pd.read_csv(path), strata="stratum", fpc="N"), ["y"]).get("y")
    assert r["means"][0]["estimate"] == pytest.approx(lib.estimate, rel=1e-15)
    assert r["means"][0]["se"] == pytest.approx(lib.se, rel=1e-15)
    by = {m["stratum"]: m for m in r["means_by"]}
    assert by["b"]["se"] == 0 and by["a"]["se"] > 0  # stratum b is a census (N = n = 2)
    assert {p["category"] for p in r["proportions"]} == {"x", "y"}
    text = tillit("analyze", "file", str(path), "--vars", "y", "--weights", "w")
    assert text.exit_code == 0 and "Means" in text.output


def test_file_errors(tillit, tmp_path):
    path = tmp_path / "data.csv"
    path.write_text(CSV + "c,5,1.0,x,1,1,1\n", encoding="utf-8")

    def err(*args):
        r = tillit("analyze", "file", str(path), *args, "--json")
        assert r.exit_code == 1, r.output
        return json.loads(r.output)

    e = err("--vars", "yy")
    assert "data.csv" in e["error"] and "'yy'" in e["error"] and "'y'" in e["hint"]
    e = err("--vars", "y", "--strata", "stratum", "--fpc", "N")
    assert "Stratum 'c'" in e["error"] and "one sampled unit" in e["error"]
    e = err("--vars", "y", "--weights", "w0")
    assert "zero" in e["error"] and "'w0'" in e["error"]
    e = err("--vars", "y", "--weights", "wn")
    assert "missing" in e["error"] and "'wn'" in e["error"]
    e = err("--vars", "y", "--by", "grp")
    assert "'grp'" in e["error"]
    assert tillit("analyze", "file", str(path)).exit_code == 2  # --vars is required
    assert tillit("analyze", "file", str(tmp_path / "none.csv"), "--vars", "y").exit_code == 2
    sav = tmp_path / "data.sav"
    import pandas as pd
    import pyreadstat

    pyreadstat.write_sav(pd.read_csv(path).drop(columns=["g"]), str(sav))
    r = _json(tillit("analyze", "file", str(sav), "--vars", "y", "--json"))
    assert r["means"][0]["n"] == 6


def test_survey_without_answers(tillit, empty_survey):
    r = _json(tillit("analyze", "survey", "trust", "draft", "--json"))
    assert r["means"] == [] and "fewer than two respondents" in r["design"]["description"]
    assert next(a for a in r["aapor"] if a["domain"] == "all")["RR1"] == 0
