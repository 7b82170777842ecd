"""svyglm and svychisq against R survey 4.1 (reference/survey_models.R and its .json).

Tolerance 1e-8 relative: we replicate glm.fit's IRLS (start, stopping rule, last-step weights),
so coefficients, sandwich SEs, t, p and CIs agree with R to about 1e-12.
"""

from __future__ import annotations

import numpy as np
import pytest

from tillit.analysis import crosstab, glm, rake, rao_scott

from .conftest import assert_close, golden, in_r_order

NAMES = ["srs", "srs_nofpc", "strat", "clus1", "rake_clus1"]
# apiclus1 has small cells; the warning is expected there and checked in test_tables.py.
pytestmark = pytest.mark.filterwarnings("ignore::tillit.analysis.warnings.SmallCellWarning")
TYPES = {"E": 4421, "H": 755, "M": 1018}
SCHWIDE = {"No": 1072, "Yes": 5122}


@pytest.fixture(scope="module")
def model_designs(designs):
    out = {k: designs[k] for k in ("srs", "srs_nofpc", "strat", "clus1")}
    # R: rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide),
    #         control = list(maxit = 100, epsilon = 1e-10))
    out["rake_clus1"] = rake(designs["clus1"], {"stype": TYPES, "sch.wide": SCHWIDE}, epsilon=1e-10)
    return out


MODELS = [
    ("glm_gaussian", "api00 ~ ell + meals + mobility", "gaussian"),
    ("glm_gaussian_factor", "api00 ~ stype + enroll", "gaussian"),
    # R: svyglm(I(sch.wide == "Yes") ~ ell + meals + mobility, design, family = quasibinomial())
    ("glm_quasibinomial", "sch.wide ~ ell + meals + mobility", "quasibinomial"),
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("key", "formula", "family"), MODELS)
def test_svyglm(model_designs, name, key, formula, family):
    case = golden("survey_models")[f"{key}_{name}"]
    fit = glm(model_designs[name], formula, family=family)
    assert list(fit.terms) == case["names"]
    for field, ours in (
        ("estimate", fit.estimate),
        ("se", fit.se),
        ("statistic", fit.t),
        ("p_value", fit.p_value),
        ("ci_low", fit.ci_low),
        ("ci_high", fit.ci_high),
    ):
        assert_close(ours, case[field], what=f"{case['call']}: {field}")
    k = len(fit.terms)
    assert_close(fit.vcov.ravel(order="F"), np.asarray(case["vcov"]), what="vcov")
    assert fit.df == case["df"] and fit.iterations == case["iter"] and fit.vcov.shape == (k, k)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    ("key", "rows", "cols", "statistic"),
    [
        ("chisq_F", "sch.wide", "stype", "F"),  # R: svychisq(~sch.wide + stype, design)
        ("chisq_F_3x3", "stype", "both", "F"),  # R: svychisq(~stype + both, design)
    ],
)
def test_svychisq_f(model_designs, name, key, rows, cols, statistic):
    case = golden("survey_models")[f"{key}_{name}"]
    test = rao_scott(model_designs[name], rows, cols, statistic=statistic)
    assert_close(test.statistic, case["statistic"])
    assert_close([test.df, test.ddf], case["parameter"])
    assert_close(test.p_value, case["p_value"])


@pytest.mark.parametrize("name", NAMES)
def test_svychisq_chisq(model_designs, name):
    # R: svychisq(~sch.wide + stype, design, statistic = "Chisq"): R prints the uncorrected
    # Pearson X^2 and takes the p-value of X^2 / mean(delta) on (r-1)(c-1) df.
    case = golden("survey_models")[f"chisq_Chisq_{name}"]
    test = rao_scott(model_designs[name], "sch.wide", "stype", statistic="Chisq")
    assert_close(test.pearson, case["statistic"])
    assert_close(test.statistic, test.pearson / test.mean_deff)
    assert [test.df] == case["parameter"]
    assert_close(test.p_value, case["p_value"])


@pytest.mark.parametrize("name", NAMES)
def test_crosstab_row_proportions_and_counts(model_designs, name):
    cases = golden("survey_models")
    tab = crosstab(model_designs[name], "sch.wide", "stype")
    # R: svyby(~stype, ~sch.wide, design, svymean)
    case = cases[f"rowprop_{name}"]
    frame = in_r_order(tab.cells.to_frame(), case["names"], ["sch.wide"], True)
    assert_close(frame["estimate"], case["estimate"])
    assert_close(frame["se"], case["se"])
    # R: svytable(~sch.wide + stype, design) (column-major)
    assert_close(tab.counts.to_numpy().ravel(order="F"), cases[f"table_{name}"]["table"])
    text = tab.summary()
    assert "Rao-Scott" in text and "sch.wide" in text
