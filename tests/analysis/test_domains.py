"""The grouped fast path (no clusters, no calibration) equals the general influence path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tillit.analysis import Design, mean, total
from tillit.analysis.domains import can_group


def synthetic(lonely: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    n = 600
    data = pd.DataFrame(
        {
            "stratum": rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2]),
            "domain": rng.integers(0, 7, n),
            "y1": rng.normal(10, 3, n),
            "y2": rng.gamma(2.0, 50.0, n),
        }
    )
    data.loc[rng.random(n) < 0.1, "y1"] = np.nan
    data["N"] = data.stratum.map({"a": 2000.0, "b": 900.0, "c": float((data.stratum == "c").sum())})
    if lonely:
        data = pd.concat(
            [
                data,
                pd.DataFrame(
                    {"stratum": ["d"], "domain": [3], "y1": [12.0], "y2": [80.0], "N": [40.0]}
                ),
            ],
            ignore_index=True,
        )
    return data


@pytest.mark.filterwarnings("ignore::tillit.analysis.warnings.LonelyPSUWarning")
@pytest.mark.parametrize("lonely_psu", ["fail", "certainty", "adjust"])
@pytest.mark.parametrize("statistic", [mean, total])
@pytest.mark.parametrize("deff", [False, True, "replace"])
def test_grouped_equals_general(lonely_psu, statistic, deff):
    data = synthetic(lonely=lonely_psu != "fail")
    design = Design.from_data(data, strata="stratum", fpc="N", lonely_psu=lonely_psu)
    assert can_group(design)
    fast = statistic(design, ["y1", "y2"], by="domain", nan_policy="omit", deff=deff)
    general = statistic(design, ["y1", "y2"], by="domain", nan_policy="omit", deff=deff, vcov=True)
    np.testing.assert_allclose(fast.estimate, general.estimate, rtol=1e-12)
    np.testing.assert_allclose(fast.se, general.se, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(general.se, np.sqrt(np.diag(general.vcov)), rtol=1e-12)
    np.testing.assert_array_equal(fast.n, general.n)
    if deff is not False:
        np.testing.assert_allclose(fast.deff, general.deff, rtol=1e-12)
    # Stratum c is a census: a domain inside it alone would have SE 0; here all SEs are finite.
    assert np.isfinite(fast.se).all()


def test_census_stratum_rows_contribute_nothing():
    data = synthetic()
    only_c = data[data.stratum == "c"].assign(domain=0)
    design = Design.from_data(only_c, strata="stratum", fpc="N")
    assert (mean(design, "y2", by="domain").se == 0).all()
    assert (total(design, "y2", by="domain", vcov=True).se == 0).all()
