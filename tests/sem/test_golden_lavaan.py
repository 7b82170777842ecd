"""tillit.sem against lavaan 0.6 (``reference/sem_golden.R``): every parameter, SE, std.all, fit
measure and reliability of CFA and SEM fits on HolzingerSwineford1939, PoliticalDemocracy and the
synthetic trust data.

Tolerances: lavaan stops its optimiser (nlminb) at a relative change of the objective of about
1e-10, so its estimates are good to about 1e-5 (1e-4 for the 75-case PoliticalDemocracy model);
we solve to a tighter criterion. The brief asks for 1e-3; we hold estimates to 2e-4, SEs and
std.all to 5e-5, and fit measures to 1e-5 relative (SRMR depends on the estimates, the rest on the
objective only).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from tillit.sem import sem

from .conftest import data_for, golden

CASES = sorted(golden())
ATOL_EST = 2e-4
ATOL_SE = 5e-5
RTOL_FIT = 1e-5
FIT_NAMES = {"rmsea_ci_lower": "rmsea_ci_low", "rmsea_ci_upper": "rmsea_ci_high", "ntotal": "n"}


@pytest.fixture(scope="module")
def fits():
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # hs_cfa_labels is a Heywood case, tested below
        for name in CASES:
            case = golden()[name]
            out[name] = sem(case["model"], data_for(name), std_lv=case["std_lv"])
    return out


@pytest.mark.parametrize("name", CASES)
def test_parameters_match_lavaan(fits, name: str) -> None:
    # R: parameterEstimates(sem(model, data, std.lv = ...), standardized = TRUE)
    case = golden()[name]
    fit = fits[name]
    assert len(fit.parameters) == len(case["lhs"]), "same parameter table as lavaan's"
    for i, (lhs, op, rhs) in enumerate(zip(case["lhs"], case["op"], case["rhs"], strict=True)):
        row = fit.parameter(lhs, op, rhs)
        what = f"{name}: {lhs} {op} {rhs}"
        assert bool(row.free) == case["free"][i], what
        np.testing.assert_allclose(row.estimate, case["est"][i], atol=ATOL_EST, err_msg=what)
        np.testing.assert_allclose(row.se, case["se"][i], atol=ATOL_SE, err_msg=what)
        if case["std_all"][i] is not None:
            np.testing.assert_allclose(row.std_all, case["std_all"][i], atol=ATOL_SE, err_msg=what)


@pytest.mark.parametrize("name", CASES)
def test_fit_measures_match_lavaan(fits, name: str) -> None:
    # R: fitMeasures(fit, c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", ...))
    ours = fits[name].fit.to_dict()
    for key, expected in golden()[name]["fit"].items():
        actual = ours[FIT_NAMES.get(key, key)]
        if expected is None:
            assert actual is None, key
            continue
        np.testing.assert_allclose(
            actual, expected, rtol=RTOL_FIT, atol=1e-9, err_msg=f"{name}: {key}"
        )


@pytest.mark.parametrize("name", [n for n in CASES if "reliability" in golden()[n]])
def test_reliability_matches_r(fits, name: str) -> None:
    # omega: (sum lambda)^2 var(f) / ((sum lambda)^2 var(f) + sum(theta[items, items]));
    # alpha: psych::alpha(data[, items])$total$raw_alpha
    rel = fits[name].reliability.set_index("factor")
    expected = golden()[name]["reliability"]
    assert sorted(rel.index) == sorted(expected)
    for factor, values in expected.items():
        assert rel.loc[factor, "items"] == ", ".join(values["items"])
        np.testing.assert_allclose(rel.loc[factor, "omega"], values["omega"], atol=2e-5)
        np.testing.assert_allclose(rel.loc[factor, "alpha"], values["alpha"], rtol=1e-12)


def test_std_lv_and_marker_give_the_same_fit(fits) -> None:
    a, b = fits["hs_cfa"].fit, fits["hs_cfa_std_lv"].fit
    assert a.chisq == pytest.approx(b.chisq, rel=1e-9)
    np.testing.assert_allclose(
        fits["hs_cfa"].parameters.std_all, fits["hs_cfa_std_lv"].parameters.std_all, atol=1e-6
    )


def test_heywood_case_warns(hs) -> None:
    from tillit.analysis.warnings import ScaleWarning

    case = golden()["hs_cfa_labels"]
    with pytest.warns(ScaleWarning, match="'x9' is negative"):
        fit = sem(case["model"], hs)
    assert any("Heywood" in w for w in fit.warnings)


@pytest.mark.parametrize("name", CASES)
def test_r_squared_matches_lavaan(fits, name: str) -> None:
    # R: lavInspect(fit, "r2")
    case = golden()[name]
    ours = fits[name].r2.set_index("variable").r2
    assert sorted(ours.index) == sorted(case["r2_names"])
    for variable, expected in zip(case["r2_names"], case["r2"], strict=True):
        if expected is None:  # lavaan: NA for a negative residual variance
            assert np.isnan(ours[variable]), variable
            continue
        np.testing.assert_allclose(ours[variable], expected, atol=ATOL_SE, err_msg=variable)
