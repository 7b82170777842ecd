"""Model ambiguity: every tied model, in R's order and notation (R QCA's own test snapshots).

Inputs are the small data sets defined in R QCA's tests/testthat/test-minimize.R (d.mmv,
d.Bau) and d.represent rebuilt from the complete truth table R prints for it (every case is
listed there with its configuration and crisp outcome); expected outputs are R's snapshots
(tests/testthat/_snaps/minimize.md, GitHub dusadrian/QCA commit ee9fd13).
"""

from __future__ import annotations

import pandas as pd
import pytest

from tillit.qca import minimize, truth_table

MMV = pd.DataFrame(
    {
        "A": [2, 0, 0, 1, 1, 1, 2, 2],
        "B": [2, 2, 2, 2, 1, 1, 0, 0],
        "C": [0, 1, 0, 0, 0, 2, 1, 0],
        "D": [2, 1, 2, 2, 3, 1, 3, 0],
        "E": [3, 2, 3, 3, 0, 1, 3, 2],
    },
    index=list("abcdefgh"),
)
BAU = pd.DataFrame(
    {
        "U": [1, 1, 1, 1, 0, 0, 0, 0],
        "D": [1, 1, 0, 0, 1, 1, 0, 0],
        "L": [1, 1, 1, 1, 1, 1, 0, 0],
        "G": [1, 0, 1, 0, 1, 0, 1, 0],
        "E": [1, 1, 1, 1, 1, 1, 1, 0],
    },
    index=list("abcdefgh"),
)
_REPRESENT = [
    ((0, 0, 0, 1, 1), 1, "NZ"),
    ((0, 1, 0, 1, 1), 1, "DE"),
    ((1, 0, 1, 0, 0), 1, "FI"),
    ((1, 0, 1, 1, 1), 1, "DK"),
    ((1, 1, 0, 0, 1), 1, "AT"),
    ((1, 1, 0, 1, 0), 1, "ES"),
    ((1, 1, 1, 0, 0), 1, "SE"),
    ((1, 1, 0, 1, 1), 1, "NL,BE"),
    ((1, 1, 1, 1, 1), 1, "NO,IS"),
    ((0, 1, 0, 0, 0), 0, "IT"),
    ((1, 0, 0, 0, 1), 0, "LU"),
    ((0, 0, 0, 1, 0), 0, "CA,US"),
    ((1, 1, 0, 0, 0), 0, "CH,PT,GR"),
    ((0, 1, 0, 1, 0), 0, "AU,GB,FR,IE"),
]
REPRESENT = pd.DataFrame(
    [
        {**dict(zip(["ES", "QU", "WS", "WM", "LP"], cfg, strict=True)), "WNP": out, "case": c}
        for cfg, out, cases in _REPRESENT
        for c in cases.split(",")
    ]
).set_index("case")


def test_ten_multivalue_models_in_r_order():
    result = minimize(truth_table(MMV, "~E[3]"), include="?")
    assert result.summary(details=False).splitlines() == [
        "M01: B[1] + D[0] + D[1] <-> ~E[3]",
        "M02: B[1] + D[0] + A[0]*C[1] <-> ~E[3]",
        "M03: B[1] + D[0] + B[2]*C[1] <-> ~E[3]",
        "M04: B[1] + D[1] + B[0]*C[0] <-> ~E[3]",
        "M05: B[1] + A[0]*C[1] + B[0]*C[0] <-> ~E[3]",
        "M06: B[1] + B[0]*C[0] + B[2]*C[1] <-> ~E[3]",
        "M07: D[0] + D[1] + A[1]*D[3] <-> ~E[3]",
        "M08: D[0] + D[1] + C[0]*D[3] <-> ~E[3]",
        "M09: D[1] + A[1]*D[3] + B[0]*C[0] <-> ~E[3]",
        "M10: D[1] + B[0]*C[0] + C[0]*D[3] <-> ~E[3]",
    ]
    assert [m.name for m in result.models][:2] == ["M01", "M02"]


def test_two_models_without_essential_terms():
    result = minimize(truth_table(BAU, "G", ["U", "D", "L", "E"]), include="?")
    assert result.formulas == ["~L*E", "~U*~D*E"]


def test_essential_terms_chart_and_assumptions():
    result = minimize(truth_table(REPRESENT, "WNP"), include="?")
    sol = result.solutions[0]
    assert sol.chart == ("WS", "~ES*LP", "ES*WM", "QU*LP", "WM*LP", "ES*~QU*~LP", "~QU*~WM*~LP")
    assert sol.essential == ("WS", "ES*WM", "QU*LP")
    assert result.formulas == ["WS + ES*WM + QU*LP + ~ES*LP", "WS + ES*WM + QU*LP + WM*LP"]
    lines = result.summary().splitlines()
    assert lines[0] == "M1: WS + ES*WM + QU*LP + (~ES*LP) <-> WNP"
    assert lines[1] == "M2: WS + ES*WM + QU*LP + (WM*LP) <-> WNP"
    covs = {t.expression: (t.covS, t.covU) for t in sol.terms}
    assert covs["WS"] == pytest.approx((0.455, 0.182), abs=5e-4)
    assert covs["WM*LP"] == pytest.approx((0.636, 0.0), abs=5e-4)
    m1, m2 = result.models
    assert m1.covU[m1.terms.index("~ES*LP")] == pytest.approx(0.091, abs=5e-4)
    assert m2.covU[m2.terms.index("WS")] == pytest.approx(0.182, abs=5e-4)
    assert sol.simplifying_assumptions == (
        (2, 5, 6, 7, 8, 10, 13, 14, 15, 16, 19, 20, 22, 23, 30, 31),
        (5, 6, 7, 8, 10, 13, 14, 15, 16, 19, 20, 22, 23, 30, 31),
    )


def test_conservative_term_order():
    assert minimize(truth_table(REPRESENT, "WNP")).formulas == [
        "~ES*~WS*WM*LP + ES*QU*~WS*WM + ES*QU*~WS*LP + ES*WS*~WM*~LP + ES*WS*WM*LP"
    ]
    assert minimize(truth_table(REPRESENT, "~WNP")).formulas == [
        "~ES*~WS*WM*~LP + QU*~WS*~WM*~LP + ES*~QU*~WS*~WM*LP"
    ]


def test_max_models_truncates_and_says_so():
    result = minimize(truth_table(MMV, "~E[3]"), include="?", max_models=3)
    assert len(result.models) == 3
    assert not result.solutions[0].complete
    assert "truncated" in result.summary(details=False)


def test_super_subset_with_cuts():
    from tillit.qca import super_subset

    rows = super_subset(REPRESENT, "WNP", incl_cut=0.9, cov_cut=0.65).rows
    got = [(r["condition"], r["inclN"], r["RoN"], r["covN"]) for r in rows]
    want = [
        ("ES + LP", 1.0, 0.636, 0.733),
        ("WS + LP", 0.909, 0.917, 0.909),
        ("~WM + LP", 0.909, 0.583, 0.667),
    ]
    assert [g[0] for g in got] == [w[0] for w in want]
    for g, w in zip(got, want, strict=True):
        assert g[1:] == pytest.approx(w[1:], abs=5e-4)
