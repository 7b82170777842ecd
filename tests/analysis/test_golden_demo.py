"""Golden values on tillit's own demo data (the synthetic chief-executive survey).

R: survey::svymean / svyby with na.rm=TRUE on svydesign(ids=~1, strata=~country, fpc=~N) and
psych::alpha on complete cases; script and output in reference/demo_survey.{R,json}.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tillit.analysis import Design, cronbach_alpha, mean

from .conftest import REFERENCE, RTOL_EXACT, assert_close, golden

ITEMS = ["vt_pol_adm", "vt_adm_pol", "vt_mgr_emp", "vt_emp_mgr", "ht_services", "ht_prof_cit"]


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "demo" / "demo_survey.csv")


@pytest.fixture(scope="module")
def design(demo: pd.DataFrame) -> Design:
    return Design.from_data(demo, strata="country", fpc="N")


@pytest.mark.parametrize("item", ITEMS)
def test_mean_matches_r(design: Design, item: str) -> None:
    r = golden("demo_survey")[item]
    est = mean(design, item, nan_policy="omit")
    # R: svymean(~item, des, na.rm = TRUE)
    assert_close(est.estimate, r["mean"], RTOL_EXACT, what=f"{item} mean")
    assert_close(est.se, r["se"], RTOL_EXACT, what=f"{item} se")


@pytest.mark.parametrize("item", ITEMS)
def test_mean_by_country_matches_r(design: Design, item: str) -> None:
    r = golden("demo_survey")[item]
    est = mean(design, item, by="country", nan_policy="omit").to_frame()
    est = est.set_index("country").loc[r["by_country_levels"]]
    # R: svyby(~item, ~country, des, svymean, na.rm = TRUE)
    assert_close(est["estimate"], r["by_country"], RTOL_EXACT, what=f"{item} by country")
    assert_close(est["se"], r["by_country_se"], RTOL_EXACT, what=f"{item} se by country")


def test_alpha_of_vertical_trust_matches_r(demo: pd.DataFrame) -> None:
    r = golden("demo_survey")["alpha_vertical"]
    items = ITEMS[:4]
    res = cronbach_alpha(demo, items, missing="listwise")
    # R: psych::alpha(vt[complete.cases(vt), ])$total$raw_alpha and std.alpha
    assert_close(res.estimate, r["raw_alpha"], RTOL_EXACT, what="raw alpha")
    assert_close(res.standardized, r["std_alpha"], RTOL_EXACT, what="standardised alpha")
    assert res.n == r["n"]
