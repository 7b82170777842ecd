"""Estimates against R survey 4.1 (reference/survey_estimates.R and its recorded .json).

Each test names the R call it reproduces; the expected numbers are read from the recorded JSON.
Tolerance: 1e-8 relative (R computes these in closed form; we agree to about 1e-14), except the
logit interval of svyciprop, which R gets from an IRLS fit (about 1e-9).
"""

from __future__ import annotations

import numpy as np
import pytest

from tillit.analysis import (
    Design,
    DesignError,
    difference,
    mean,
    proportion,
    ratio,
    total,
)
from tillit.analysis.estimate import t_interval
from tillit.analysis.warnings import LonelyPSUWarning

from .conftest import RTOL_EXACT, assert_close, golden, in_r_order

DESIGNS = ["srs", "srs_nofpc", "strat", "strat_nofpc", "clus1"]


def check(result, case, *, by=(), multi=False, deff=True, rtol=RTOL_EXACT, atol=0.0):
    frame = in_r_order(result.to_frame(), case["names"], list(by), multi)
    name = case["call"]
    assert_close(frame["estimate"], case["estimate"], rtol, atol, f"{name}: estimate")
    assert_close(frame["se"], case["se"], rtol, atol, f"{name}: se")
    assert_close(frame["ci_low"], case["ci_low"], rtol, atol, f"{name}: ci_low")
    assert_close(frame["ci_high"], case["ci_high"], rtol, atol, f"{name}: ci_high")
    assert result.df == case["df"]
    if deff and "deff" in case:
        assert_close(frame["deff"], case["deff"], rtol, atol, f"{name}: deff")


@pytest.mark.parametrize("name", DESIGNS)
def test_svymean_with_deff(designs, name):
    # R: svymean(~api00 + api99 + enroll, design, deff = TRUE); confint(m, df = degf(design))
    result = mean(designs[name], ["api00", "api99", "enroll"], deff=True)
    check(result, golden("survey_estimates")[f"mean_{name}"])


@pytest.mark.parametrize("name", DESIGNS)
def test_svymean_deff_replace(designs, name):
    # R: svymean(~api00 + enroll, design, deff = "replace")
    result = mean(designs[name], ["api00", "enroll"], deff="replace")
    check(result, golden("survey_estimates")[f"mean_replace_{name}"])


@pytest.mark.parametrize("name", DESIGNS)
def test_svytotal_with_deff(designs, name):
    # R: svytotal(~enroll + api00, design, deff = TRUE)
    result = total(designs[name], ["enroll", "api00"], deff=True)
    check(result, golden("survey_estimates")[f"total_{name}"])


@pytest.mark.parametrize("name", DESIGNS)
def test_svytotal_deff_replace(designs, name):
    # R: svytotal(~enroll, design, deff = "replace")
    check(
        total(designs[name], "enroll", deff="replace"),
        golden("survey_estimates")[f"total_replace_{name}"],
    )


@pytest.mark.parametrize("name", DESIGNS)
def test_svyratio(designs, name):
    # R: svyratio(~api00, ~api99, design); confint(r, df = degf(design))
    case = golden("survey_estimates")[f"ratio_{name}"]
    result = ratio(designs[name], "api00", "api99")
    assert_close(result.estimate, case["estimate"])
    assert_close(result.se, case["se"])
    assert_close(result.ci_low, case["ci_low"])
    assert_close(result.ci_high, case["ci_high"])


@pytest.mark.parametrize("name", DESIGNS)
def test_svyby_mean(designs, name):
    # R: svyby(~api00 + enroll, ~stype, design, svymean, deff = TRUE)
    result = mean(designs[name], ["api00", "enroll"], by="stype", deff=True)
    check(result, golden("survey_estimates")[f"by_mean_{name}"], by=["stype"], multi=True)


@pytest.mark.parametrize("name", DESIGNS)
def test_svyby_total(designs, name):
    # R: svyby(~enroll, ~stype, design, svytotal, deff = TRUE)
    result = total(designs[name], "enroll", by="stype", deff=True)
    check(result, golden("survey_estimates")[f"by_total_{name}"], by=["stype"])


@pytest.mark.parametrize("name", DESIGNS)
def test_svyby_two_domain_variables(designs, name):
    # R: svyby(~api00, ~stype + awards, design, svymean)
    result = mean(designs[name], "api00", by=["stype", "awards"])
    check(result, golden("survey_estimates")[f"by2_mean_{name}"], by=["stype", "awards"])


@pytest.mark.parametrize("name", DESIGNS)
def test_svyby_ratio(designs, name):
    # R: svyby(~api00, ~awards, denominator = ~api99, design, svyratio)
    case = golden("survey_estimates")[f"by_ratio_{name}"]
    result = ratio(designs[name], "api00", "api99", by="awards")
    assert [d[0] for d in result.domain] == case["names"]
    assert_close(result.estimate, case["estimate"])
    assert_close(result.se, case["se"])


@pytest.mark.parametrize("name", DESIGNS)
def test_proportions_of_factors(designs, name):
    # R: svymean(~sch.wide + awards, design, deff = TRUE)
    result = proportion(designs[name], ["sch.wide", "awards"], deff=True)
    check(result, golden("survey_estimates")[f"prop_{name}"])


@pytest.mark.parametrize("name", DESIGNS)
def test_proportions_by_domain(designs, name):
    # R: svyby(~sch.wide, ~stype, design, svymean)
    result = proportion(designs[name], "sch.wide", by="stype")
    check(result, golden("survey_estimates")[f"by_prop_{name}"], by=["stype"])


@pytest.mark.parametrize("name", DESIGNS)
def test_svyciprop_logit(designs, name):
    # R: svyciprop(~I(sch.wide == "Yes"), design, method = "logit", df = degf(design))
    # R fits an intercept-only quasibinomial svyglm (IRLS), hence ~1e-9 rather than 1e-14.
    case = golden("survey_estimates")[f"ciprop_{name}"]
    row = proportion(designs[name], "sch.wide", ci_method="logit").get("sch.wide", category="Yes")
    assert_close(row.estimate, case["estimate"])
    assert_close(row.se, case["se"])
    assert_close([row.ci_low, row.ci_high], [case["ci_low"], case["ci_high"]])


@pytest.mark.parametrize("name", DESIGNS)
def test_na_rm_is_domain_estimation(designs, name):
    # R: svymean(~acs.k3, design, na.rm = TRUE, deff = TRUE)
    #    svytotal(~acs.k3, design, na.rm = TRUE)
    cases = golden("survey_estimates")
    check(mean(designs[name], "acs.k3", nan_policy="omit", deff=True), cases[f"mean_narm_{name}"])
    check(total(designs[name], "acs.k3", nan_policy="omit"), cases[f"total_narm_{name}"])


@pytest.mark.parametrize("name", DESIGNS)
def test_difference_matches_svyttest(designs, name):
    # R: svyttest(api00 ~ awards, design): the same difference and t; R's df is degf - 1.
    case = golden("survey_estimates")[f"ttest_{name}"]
    result = difference(designs[name], "api00", by="awards", groups=("Yes", "No"))
    row = result.get("api00")
    assert_close(row.estimate, case["estimate"])
    assert_close(row.t, case["statistic"])
    assert row.df == case["design_df"]
    with_r_df = difference(designs[name], "api00", by="awards", groups=("Yes", "No"), df=case["df"])
    assert_close(with_r_df.p_value, case["p_value"])


def test_contrast_of_stratum_means(designs):
    # R: svycontrast(svyby(~api00, ~stype, dstrat, svymean, covmat = TRUE), c(E = 1, H = -1))
    case = golden("survey_estimates")["contrast_strat_E_minus_H"]
    row = difference(designs["strat"], "api00", by="stype", groups=("E", "H")).get("api00")
    assert_close(row.estimate, case["estimate"])
    assert_close(row.se, case["se"])
    assert_close([row.ci_low, row.ci_high], [*case["ci_low"], *case["ci_high"]])


def test_census_stratum_contributes_nothing(api):
    # R: svymean(~api00 + enroll, dcensus_h) with fpc of stratum H equal to its 50 sampled schools
    data = api["apistrat"].copy()
    data.loc[data.stype == "H", "fpc"] = 50
    design = Design.from_data(data, strata="stype", fpc="fpc")
    cases = golden("survey_estimates")
    check(mean(design, ["api00", "enroll"]), cases["mean_census_h"])
    by = mean(design, "api00", by="stype")
    check(by, cases["by_mean_census_h"], by=["stype"])
    assert by.get("api00", domain="H").se == 0.0  # exactly


def test_full_census_has_se_exactly_zero(api):
    # R: svytotal(~enroll, dcensus_all); svymean(~api00, dcensus_all): SE 0
    data = api["apistrat"].copy()
    data["fpc"] = data.groupby("stype")["stype"].transform("size")
    design = Design.from_data(data, strata="stype", fpc="fpc")
    cases = golden("survey_estimates")
    check(total(design, "enroll"), cases["total_census_all"])
    check(mean(design, "api00"), cases["mean_census_all"])
    for result in (
        mean(design, ["api00", "enroll"], by="awards"),
        total(design, "enroll", by=["stype", "awards"]),
        proportion(design, "sch.wide"),
        ratio(design, "api00", "api99"),
        difference(design, "api00", by="awards"),
    ):
        assert (result.se == 0.0).all()
        assert (result.ci_low == result.estimate).all()


@pytest.mark.parametrize("option", ["certainty", "remove", "adjust"])
def test_lonely_psu_options(api, option):
    # R: options(survey.lonely.psu = option)
    #    svymean(~api00 + enroll, design); svytotal(~enroll, design)
    data = api["apistrat"]
    lonely = data[(data.stype != "H") | (data.index == data.index[data.stype == "H"][0])]
    with pytest.warns(
        LonelyPSUWarning,
        match=f"Stratum 'H' has only one sampled unit; handled with lonely_psu='{option}'",
    ):
        design = Design.from_data(lonely, strata="stype", fpc="fpc", lonely_psu=option)
    cases = golden("survey_estimates")
    check(mean(design, ["api00", "enroll"]), cases[f"lonely_{option}"])
    check(total(design, "enroll"), cases[f"lonely_total_{option}"])


def test_lonely_psu_fail_names_the_stratum(api):
    # R: options(survey.lonely.psu = "fail") -> "Stratum (H) has only one PSU at stage 1"
    assert golden("survey_estimates")["lonely_fail"]["message"].startswith("Stratum (H)")
    data = api["apistrat"]
    lonely = data[(data.stype != "H") | (data.index == data.index[data.stype == "H"][0])]
    with pytest.raises(DesignError, match="Stratum 'H' has only one sampled unit") as caught:
        Design.from_data(lonely, strata="stype", fpc="fpc")
    assert "lonely_psu='certainty'" in caught.value.hint


def test_srs_closed_form():
    # SE(ybar) = sqrt((1 - n/N) s^2 / n), no library involved.
    y = np.array([3.0, 5.0, 4.0, 6.0, 2.0, 5.0, 4.0, 3.0])
    import pandas as pd

    design = Design.from_data(pd.DataFrame({"y": y}), fpc=40)
    expected = np.sqrt((1 - 8 / 40) * y.var(ddof=1) / 8)
    row = mean(design, "y").get("y")
    assert row.se == pytest.approx(expected, rel=1e-14)
    lo, _ = t_interval([y.mean()], [expected], df=7)
    assert row.ci_low == pytest.approx(lo[0], rel=1e-14)
