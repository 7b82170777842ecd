"""Weighting behaviour and errors: margins, empty cells, convergence, trimming, nonresponse."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tillit.analysis import (
    AnalysisError,
    CalibrationError,
    Design,
    adjust_nonresponse,
    calibrate,
    mean,
    nonresponse_analysis,
    post_stratify,
    rake,
    trim,
    weight_summary,
)
from tillit.analysis.warnings import ConvergenceWarning
from tillit.registry.frame import to_frame

TYPES = {"E": 4421, "H": 755, "M": 1018}
SCHWIDE = {"No": 1072, "Yes": 5122}


def test_population_given_as_series_or_dataframe(designs):
    as_dict = post_stratify(designs["srs"], "stype", TYPES)
    as_series = post_stratify(designs["srs"], "stype", pd.Series(TYPES))
    as_frame = post_stratify(
        designs["srs"], "stype", pd.DataFrame({"stype": list(TYPES), "Freq": list(TYPES.values())})
    )
    for other in (as_series, as_frame):
        np.testing.assert_array_equal(other.weights, as_dict.weights)


def test_post_stratify_on_crossed_cells(designs):
    design = designs["strat"]
    counts = design.data.groupby(["stype", "awards"]).size()
    population = {key: float(v) * 10 for key, v in counts.items()}
    ps = post_stratify(design, ["stype", "awards"], population)
    assert ps.weights.sum() == pytest.approx(sum(population.values()))
    assert ps.history[-1].kind == "post-stratified"


def test_empty_cell_is_an_error_unless_partial(designs):
    with pytest.raises(CalibrationError, match=r"no respondents in cell\(s\) 'X'") as caught:
        post_stratify(designs["srs"], "stype", {**TYPES, "X": 10})
    assert "Collapse" in caught.value.hint
    with pytest.warns(ConvergenceWarning, match="Ignored"):
        ps = post_stratify(designs["srs"], "stype", {**TYPES, "X": 10}, partial=True)
    assert ps.weights.sum() == pytest.approx(6194)


def test_sample_category_missing_from_population(designs):
    with pytest.raises(
        CalibrationError, match=r"sample cell\(s\) 'M' of stype are not in the population"
    ):
        post_stratify(designs["srs"], "stype", {"E": 4421, "H": 755})
    with pytest.raises(CalibrationError, match="population 0 but respondents"):
        rake(designs["srs"], {"stype": {**TYPES, "M": 0}, "sch.wide": SCHWIDE})


def test_margins_must_sum_to_the_same_population(designs):
    with pytest.raises(CalibrationError) as caught:
        rake(designs["srs"], {"stype": TYPES, "sch.wide": {"No": 1000, "Yes": 5000}})
    assert "stype sums to 6194, sch.wide sums to 6000" in str(caught.value)
    assert caught.value.argument == "margins"


def impossible():
    """Margins that cannot be met together: no school is both H and No, yet both are asked for."""
    data = pd.DataFrame(
        {
            "a": ["x", "x", "y", "y", "y"],
            "b": ["p", "q", "q", "q", "q"],
            "N": [50] * 5,
        }
    )
    design = Design.from_data(data, fpc="N")
    # With a = x only in (x,p),(x,q) and y only in (y,q): b = p needs 40 but a = x allows <= 10.
    return design, {"a": {"x": 10, "y": 40}, "b": {"p": 40, "q": 10}}


def test_margins_that_cannot_be_met_together():
    design, margins = impossible()
    with pytest.raises(CalibrationError, match="margins cannot be met together") as caught:
        rake(design, margins)
    assert "miss the a counts" in str(caught.value)


def test_rake_that_does_not_converge_raises_or_warns(designs):
    margins = {"stype": TYPES, "sch.wide": SCHWIDE}
    with pytest.raises(CalibrationError, match="did not converge in 1 iterations"):
        rake(designs["clus1"], margins, max_iter=1, epsilon=1e-12)
    with pytest.warns(ConvergenceWarning):
        raked = rake(designs["clus1"], margins, max_iter=1, epsilon=1e-12, on_nonconvergence="warn")
    assert raked.history[-1].converged is False
    assert raked.history[-1].iterations == 1


def test_rake_argument_errors(designs):
    with pytest.raises(CalibrationError, match="non-empty mapping"):
        rake(designs["srs"], {})
    with pytest.raises(AnalysisError, match="margins: unknown variable 'styp'"):
        rake(designs["srs"], {"styp": TYPES})
    with pytest.raises(AnalysisError, match="epsilon"):
        rake(designs["srs"], {"stype": TYPES}, epsilon=0)
    with pytest.raises(CalibrationError, match=r"'acs\.k3' has missing values"):
        post_stratify(designs["srs"], "acs.k3", {1: 2})


def test_rake_on_crossed_registry_margins():
    frame = to_frame()
    rng = np.random.default_rng(11)
    # Every county has respondents, so county totals add up to the country totals.
    respondents = frame.groupby("county_name").sample(frac=0.7, random_state=3)
    respondents = respondents.assign(y=rng.normal(size=len(respondents)))
    design = Design.from_data(respondents, strata="country", fpc={"NO": 357, "DK": 98})
    margins = {
        ("country", "size_class"): frame.groupby(["country", "size_class"]).size(),
        "county_name": frame.county_name.value_counts(),
    }
    raked = rake(design, margins)
    assert raked.history[-1].converged
    got = (
        pd.Series(raked.weights, index=respondents.index)
        .groupby([respondents.country, respondents.size_class])
        .sum()
    )
    # epsilon 1e-7 of the total weight (455): margins met to about 5e-5 in weight units.
    np.testing.assert_allclose(
        got.to_numpy(), margins[("country", "size_class")].to_numpy(), atol=1e-4
    )
    assert np.isfinite(mean(raked, "y").se).all()
    # Moving one municipality from a Norwegian to a Danish county in the county margin keeps its
    # total at 455 but breaks the nesting in the countries: a clear error.
    county = margins["county_name"].astype(float).copy()
    county["Vestfold"] -= 1
    county["Region Nordjylland"] += 1
    broken = {**margins, "county_name": county}
    with pytest.raises(CalibrationError, match="cannot be met together"):
        rake(design, broken)


def test_calibrate_errors(designs):
    with pytest.raises(CalibrationError, match="sum to 6000, not the population size 6194"):
        calibrate(designs["srs"], {"stype": TYPES, "sch.wide": {"No": 1000, "Yes": 5000}})
    with pytest.raises(CalibrationError, match="needs the population size"):
        calibrate(designs["srs"], {"api99": 3914069})
    with pytest.raises(CalibrationError, match="negative weights"):
        calibrate(designs["srs"], {"api99": 3914069 * 3}, population_size=6194)
    with pytest.raises(CalibrationError, match="is categorical"):
        calibrate(designs["srs"], {"stype": 6194})


def test_calibrated_totals_are_met(designs):
    cal = calibrate(designs["clus1"], {"stype": TYPES, "api99": 3914069})
    assert cal.weights.sum() == pytest.approx(6194, rel=1e-12)
    assert (cal.weights * cal.data.api99).sum() == pytest.approx(3914069, rel=1e-12)


def test_trim(designs):
    design = designs["strat"]
    trimmed = trim(design, upper=40)
    assert trimmed.weights.max() <= 40 + 1e-12
    assert trimmed.weights.sum() == pytest.approx(design.weights.sum())
    with pytest.raises(AnalysisError, match="lower < upper"):
        trim(design, lower=50, upper=40)
    with pytest.raises(AnalysisError, match="at least one bound"):
        trim(design)
    with pytest.raises(CalibrationError, match="did not settle"):
        trim(design, upper=20, strict=True)


def test_nonresponse_adjustment_within_classes():
    frame = to_frame()
    invited = frame.assign(
        responded=np.arange(len(frame)) % 3 != 0,
        y=np.arange(len(frame), dtype=float),
    )
    design = Design.from_data(invited, strata="country", fpc={"NO": 357, "DK": 98})
    adjusted = adjust_nonresponse(design, "responded", ["country", "size_class"])
    assert adjusted.n == int(invited.responded.sum())
    assert adjusted.weights.sum() == pytest.approx(455)
    # Within each class the respondents carry the class's whole weight.
    resp = invited[invited.responded]
    sums = (
        pd.Series(adjusted.weights, index=resp.index).groupby([resp.country, resp.size_class]).sum()
    )
    expected = frame.groupby(["country", "size_class"]).size().astype(float)
    np.testing.assert_allclose(sums.to_numpy(), expected.to_numpy())
    none = invited.assign(responded=invited.size_class != "city")
    with pytest.raises(CalibrationError, match="no respondents in class"):
        adjust_nonresponse(Design.from_data(none, fpc=455), "responded", "size_class")


def test_weight_summary_kish():
    w = np.array([1.0, 1.0, 2.0, 4.0])
    s = weight_summary(w)
    # deff = n sum(w^2) / sum(w)^2 = 4 * 22 / 64 = 1.375; cv^2 = 0.375 (population sd / mean)
    assert s.estimate == 1.375 and s.deff == 1.375
    assert s.cv == pytest.approx(np.std(w) / np.mean(w))
    assert s.n_effective == pytest.approx(64 / 22)
    assert s.to_frame().set_index("statistic").loc["max", "value"] == 4.0
    with pytest.raises(AnalysisError, match="positive finite"):
        weight_summary([1.0, 0.0])


def test_nonresponse_analysis_against_the_frame():
    frame = to_frame()
    resp = frame[(frame.size_class != "small") | (np.arange(len(frame)) % 4 == 0)]
    design = Design.from_frame(resp, frame, strata="country")
    unweighted = nonresponse_analysis(design, frame, ["size_class", "population"], weighted=False)
    row = unweighted.get("size_class", category="small")
    share_resp = (resp.size_class == "small").mean()
    share_frame = (frame.size_class == "small").mean()
    assert row.estimate == pytest.approx(share_resp - share_frame)
    n, big_n = len(resp), len(frame)
    p = share_resp
    assert row.se == pytest.approx(np.sqrt((1 - n / big_n) * p * (1 - p) * n / (n - 1) / n))
    assert row.p_value < 0.001
    assert (
        unweighted.extra["frame"][unweighted.variable.index("population")]
        == frame.population.mean()
    )
    # Post-stratifying on size class removes its difference exactly.
    ps = post_stratify(
        design, ["country", "size_class"], frame.groupby(["country", "size_class"]).size()
    )
    weighted = nonresponse_analysis(ps, frame, "size_class")
    assert np.abs(weighted.estimate).max() < 1e-12
    with pytest.raises(AnalysisError, match="variables: unknown variable"):
        nonresponse_analysis(design, frame, "populaton")
