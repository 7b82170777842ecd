"""Every Lipset oracle recorded from R's QCA package (crisp, multi-value, fuzzy; all solutions)."""

from __future__ import annotations

import math

import pytest

from tillit.qca import minimize, necessity, truth_table

from .conftest import TOL_FULL, TOL_PRINTED, expected, lipset, snapshot

DIR_EXP = ["DEV", "URB", "LIT", "IND", "STB"]


def _close(actual: float, wanted: float | None, tol: float) -> bool:
    if wanted is None:
        return math.isnan(actual)
    return abs(actual - wanted) <= tol


@pytest.mark.parametrize(
    ("key", "data", "outcome", "incl_cut"),
    [
        ("LC_truth_table", "LC", "SURV", 1.0),
        ("LF_truth_table", "LF", "SURV", 0.8),
    ],
)
def test_truth_tables(key, data, outcome, incl_cut):
    tt = truth_table(lipset(data), outcome, incl_cut=incl_cut)
    want = expected(key)["rows"]
    got = [r for r in tt.rows if r.out != "?"]
    assert [r.number for r in got] == [w["row"] for w in want]
    conds = ["DEV", "URB", "LIT", "IND", "STB"]
    for r, w in zip(got, want, strict=True):
        assert r.config == tuple(w[c] for c in conds)
        assert r.out == w["OUT"]
        assert r.n == w["n"]
        assert r.incl == pytest.approx(w["incl"], abs=TOL_FULL)
        assert r.pri == pytest.approx(w["PRI"], abs=TOL_FULL)
        assert ",".join(r.cases) == w["cases"]


CASES = [
    ("LC_conservative", "LC", "SURV", 1.0, "", None),
    ("LC_parsimonious", "LC", "SURV", 1.0, "?", None),
    ("LC_intermediate", "LC", "SURV", 1.0, "?", DIR_EXP),
    ("LCneg_conservative", "LC", "~SURV", 1.0, "", None),
    ("LCneg_parsimonious", "LC", "~SURV", 1.0, "?", None),
    ("LF_conservative", "LF", "SURV", 0.8, "", None),
    ("LF_parsimonious", "LF", "SURV", 0.8, "?", None),
]


@pytest.mark.parametrize(("key", "data", "outcome", "incl_cut", "include", "dir_exp"), CASES)
def test_solutions_match_r(key, data, outcome, incl_cut, include, dir_exp):
    want = expected(key)
    tt = truth_table(lipset(data), outcome, incl_cut=incl_cut)
    result = minimize(tt, include=include, dir_exp=dir_exp)
    assert result.formulas == [want["solution"]]
    sol = result.solutions[0]
    assert [t.expression for t in sol.terms] == [t["term"] for t in want["terms"]]
    for term, w in zip(sol.terms, want["terms"], strict=True):
        for field in ("inclS", "PRI", "covS"):
            assert getattr(term, field) == pytest.approx(w[field], abs=TOL_FULL), field
        if "covU" in w:
            assert term.covU == pytest.approx(w["covU"], abs=TOL_FULL)
    model = sol.models[0]
    for field in ("inclS", "PRI", "covS"):
        assert getattr(model, field) == pytest.approx(want["model"][field], abs=TOL_FULL)
    if "simplifying_assumptions_rows" in want:
        assert list(sol.simplifying_assumptions[0]) == want["simplifying_assumptions_rows"]
    if "easy_counterfactual_rows" in want:
        ec = want["easy_counterfactual_rows"]
        assert list(sol.easy_counterfactuals) == (ec if isinstance(ec, list) else [ec])


SNAPSHOTS = [
    "LM_conservative",
    "LM_parsimonious",
    "LMneg_conservative",
    "LMneg_parsimonious",
    "LM2_parsimonious",
    "LF07_conservative",
    "LF07_parsimonious",
    "LF07_intermediate",
]


@pytest.mark.parametrize("key", SNAPSHOTS)
def test_r_package_snapshots(key):
    """Multi-value data and LF with incl.cut = 0.7, as R's own test suite prints them."""
    case = snapshot(key)
    tt = truth_table(
        lipset(case["data"]),
        case["outcome"],
        case["conditions"],
        incl_cut=case["incl_cut"],
        n_cut=case["n_cut"],
    )
    result = minimize(tt, include=case["include"], dir_exp=case.get("dir_exp"))
    assert result.formulas == [case["solution"]]
    assert result.outcome == case["outcome_shown"]
    sol = result.solutions[0]
    assert sol.label == case.get("label", "")
    for term, (name, incl, pri, cov, cov_u, cases) in zip(sol.terms, case["terms"], strict=True):
        assert term.expression == name
        assert _close(term.inclS, incl, TOL_PRINTED)
        assert _close(term.PRI, pri, TOL_PRINTED)
        assert _close(term.covS, cov, TOL_PRINTED)
        assert _close(term.covU, cov_u, TOL_PRINTED)
        assert term.cases == cases
    model = sol.models[0]
    assert [model.inclS, model.PRI, model.covS] == pytest.approx(case["model"], abs=TOL_PRINTED)
    line = result.summary(details=False).splitlines()[-1 if not sol.label else 2]
    assert line == f"M1: {case['solution']} {case['arrow']} {case['outcome_shown']}"


def test_lf_intermediate_solution():
    """Ragin's LF example with every expectation 'present' (QCA book, ch. 8; setqca agrees)."""
    tt = truth_table(lipset("LF"), "SURV", incl_cut=0.8)
    result = minimize(tt, include="?", dir_exp=DIR_EXP)
    assert result.kind == "intermediate"
    assert [s.label for s in result.solutions] == ["C1P1"]
    assert result.formulas == ["DEV*URB*LIT*STB + DEV*LIT*~IND*STB"]
    assert result.solutions[0].easy_counterfactuals == (30,)


def test_lf_necessity():
    want = expected("LF_necessity")["rows"]
    got = necessity(lipset("LF"), "SURV").rows
    assert [r["condition"] for r in got] == [w["condition"] for w in want]
    for r, w in zip(got, want, strict=True):
        for field in ("inclN", "RoN", "covN"):
            assert r[field] == pytest.approx(w[field], abs=TOL_FULL), (w["condition"], field)


def test_negated_outcome_swaps_roles():
    tt = truth_table(lipset("LC"), "~SURV")
    assert tt.outcome == "~SURV"
    assert {r.number for r in tt.rows if r.out == "1"} == {1, 2, 5, 6, 23, 31}
    assert (
        minimize(tt)
        .summary(details=False)
        .startswith("M1: ~DEV*~URB*~IND + DEV*LIT*IND*~STB <-> ~SURV")
    )


def test_summary_prints_like_r():
    tt = truth_table(lipset("LC"), "SURV")
    text = minimize(tt).summary()
    assert text.splitlines()[0] == "M1: DEV*~URB*LIT*STB + DEV*LIT*IND*STB <-> SURV"
    assert "1  DEV*~URB*LIT*STB  1.000  1.000  0.500  0.250" in text
    table = tt.summary()
    assert "32    1    1    1    1    1     1     4  1.000 1.000 BE,CZ,NL,UK" in table


def test_to_frame_and_to_dict():
    tt = truth_table(lipset("LF"), "SURV", incl_cut=0.8)
    result = minimize(tt, include="?")
    frame = result.to_frame()
    assert frame["term"].tolist() == ["DEV*~IND", "URB*STB", "M1"]
    assert frame.loc[2, "covS"] == pytest.approx(expected("LF_parsimonious")["model"]["covS"])
    data = result.to_dict()
    assert data["kind"] == "parsimonious"
    assert data["solutions"][0]["simplifying_assumptions"][0][:3] == [10, 12, 14]
    assert tt.to_frame(complete=True).shape[0] == 32


def test_json_output_has_no_nan():
    import json

    tt = truth_table(lipset("LF"), "SURV", incl_cut=0.7)
    text = json.dumps(minimize(tt, include="?").to_dict(), allow_nan=False)
    assert '"covU": null' in text
    json.dumps(tt.to_dict(complete=True), allow_nan=False)
    json.dumps(necessity(lipset("LF"), "SURV").to_dict(), allow_nan=False)


@pytest.mark.parametrize(
    ("data", "want"),
    [
        (
            "LC",
            [
                ("DEV", 0.8, 0.8),
                ("LIT", 0.5, 0.615),
                ("STB", 0.7, 0.727),
                ("DEV*LIT", 0.8, 0.8),
                ("DEV*STB", 1.0, 1.0),
                ("LIT*STB", 0.9, 0.889),
                ("DEV*LIT*STB", 1.0, 1.0),
                ("~URB + IND", 0.0, 0.444),
            ],
        ),
        (
            "LM",
            [
                ("LIT[1]", 0.5, 0.615),
                ("STB[1]", 0.7, 0.727),
                ("LIT[1]*STB[1]", 0.9, 0.889),
                ("DEV[1] + IND[1]", 0.8, 0.8),
                ("URB[0] + IND[1]", 0.0, 0.444),
                ("DEV[2] + URB[1] + IND[0]", 0.1, 0.471),
            ],
        ),
    ],
)
def test_super_subset_matches_r(data, want):
    """R QCA's snapshots of superSubset(LC, SURV) and superSubset(LM, SURV)."""
    from tillit.qca import super_subset

    rows = super_subset(lipset(data), "SURV").rows
    assert [r["condition"] for r in rows] == [w[0] for w in want]
    for r, (_, ron, cov) in zip(rows, want, strict=True):
        assert r["inclN"] == pytest.approx(1.0)
        assert r["RoN"] == pytest.approx(ron, abs=TOL_PRINTED)
        assert r["covN"] == pytest.approx(cov, abs=TOL_PRINTED)
