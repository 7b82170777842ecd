"""Design construction: fpc forms, base weights, registry frames, and the errors users meet."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tillit.analysis import AnalysisError, Design, DesignError, mean, proportion, total
from tillit.analysis.warnings import DesignWarning
from tillit.registry.frame import to_frame


def test_fpc_as_population_sizes_fractions_or_mapping_agree(api):
    data = api["apistrat"]
    by_column = Design.from_data(data, strata="stype", fpc="fpc")
    fractions = data.assign(f=data.groupby("stype")["stype"].transform("size") / data.fpc)
    by_fraction = Design.from_data(fractions, strata="stype", fpc="f")
    by_mapping = Design.from_data(data, strata="stype", fpc={"E": 4421, "H": 755, "M": 1018})
    se = mean(by_column, "api00").se
    for other in (by_fraction, by_mapping):
        np.testing.assert_allclose(other.weights, by_column.weights, rtol=1e-14)
        np.testing.assert_allclose(mean(other, "api00").se, se, rtol=1e-14)
    # Base weights N_h / n_h equal R's pw column (4421/100, 755/50, 1018/50), which the api
    # data store in single precision (44.209999...).
    np.testing.assert_allclose(by_column.weights, data.pw, rtol=1e-7)
    assert by_column.has_fpc and by_column.is_stratified and by_column.df == 197


def test_without_fpc_or_weights_warns_equal_probability(api):
    with pytest.warns(DesignWarning, match="equal probability"):
        design = Design.from_data(api["apisrs"])
    assert (design.weights == 1).all() and not design.has_fpc
    assert "without fpc" in design.describe()


def test_frozen_and_read_only(designs):
    design = designs["strat"]
    with pytest.raises(AttributeError):
        design.weights = np.ones(design.n)  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        design.weights[0] = 1.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"strata": "stype_"}, "strata: unknown variable 'stype_'"),
        ({"weights": "wieght"}, "weights: unknown variable 'wieght'"),
        ({"fpc": "fpcc"}, "fpc: unknown variable 'fpcc'"),
        ({"lonely_psu": "average"}, "lonely_psu='average' is not allowed"),
        ({"strata": "stype", "fpc": 6194}, "single number but the design has 3 strata"),
        ({"strata": "stype", "fpc": {"E": 4421, "H": 755}}, "fpc has no value for stratum 'M'"),
        (
            {"strata": "stype", "fpc": {"E": 4421, "H": 40, "M": 1018}},
            "more than 100% sampling in stratum 'H'",
        ),
        ({"strata": "stype", "fpc": {"E": 4421, "H": 0.5, "M": 1018}}, "mixes population sizes"),
    ],
)
def test_bad_design_arguments(api, kwargs, message):
    with pytest.raises(AnalysisError, match=message):
        Design.from_data(api["apistrat"], **kwargs)


def test_unknown_variable_suggests_close_names(api):
    with pytest.raises(AnalysisError) as caught:
        Design.from_data(api["apistrat"], strata="stipe")
    assert "Did you mean 'stype'" in caught.value.hint
    assert caught.value.as_json()["errors"][0]["argument"] == "strata"


@pytest.mark.parametrize(
    ("value", "kind"),
    [(0.0, "zero"), (np.nan, "missing"), (-2.0, "negative"), (np.inf, "infinite")],
)
def test_weights_must_be_positive_and_finite(api, value, kind):
    data = api["apisrs"].copy()
    data.loc[[3, 7], "pw"] = value
    with pytest.raises(
        AnalysisError, match=rf"weights 'pw' has {kind} values in 2 rows \(rows \[3, 7\]\)"
    ):
        Design.from_data(data, weights="pw")


def test_missing_strata_and_varying_fpc(api):
    data = api["apistrat"].copy()
    data.loc[5, "stype"] = None
    with pytest.raises(AnalysisError, match="strata: column 'stype' has missing values"):
        Design.from_data(data, strata="stype", fpc="fpc")
    data = api["apistrat"].copy()
    data.loc[5, "fpc"] = 4000
    with pytest.raises(AnalysisError, match="varies within stratum 'E'"):
        Design.from_data(data, strata="stype", fpc="fpc")


def test_clusters_must_nest_in_strata(api):
    data = api["apiclus1"].copy()
    data["half"] = np.where(np.arange(len(data)) % 2 == 0, "a", "b")
    with pytest.raises(AnalysisError, match="some clusters lie in more than one stratum"):
        Design.from_data(data, strata="half", clusters="dnum")


def test_lonely_psu_census_stratum_is_not_lonely():
    # A stratum of one unit that is its whole population is a census, not a lonely PSU.
    data = pd.DataFrame({"s": ["a", "a", "a", "b"], "y": [1.0, 2.0, 4.0, 10.0], "N": [9, 9, 9, 1]})
    design = Design.from_data(data, strata="s", fpc="N")
    assert mean(design, "y").se[0] > 0
    with pytest.raises(DesignError, match="Stratum 'b' has only one sampled unit"):
        Design.from_data(data.assign(N=[9, 9, 9, 4]), strata="s", fpc="N")


def test_from_frame_with_the_registry_frame():
    frame = to_frame()
    rng = np.random.default_rng(4)
    respondents = frame.sample(frac=0.6, random_state=7).assign(
        trust=lambda d: rng.normal(3.5, 0.8, len(d))
    )
    design = Design.from_frame(respondents, frame, strata=["country", "size_class"])
    assert design.n_strata == 8
    assert design.weights.sum() == pytest.approx(455)
    assert design.stratum_labels[0] == ("DK", "city")
    # Countries are unions of strata: their estimated sizes are exact (SE 0).
    sizes = total(design, "trust", by="country")
    assert sizes.population.tolist() == pytest.approx([98, 357])
    assert mean(design, "trust", by="country").se.min() > 0


def test_from_frame_census_gives_se_exactly_zero():
    frame = to_frame()
    answers = frame.assign(log_pop=np.log(frame.population))
    design = Design.from_frame(answers, frame, strata=["country", "size_class"])
    for result in (
        mean(design, "log_pop"),
        mean(design, "log_pop", by="country"),
        total(design, "population"),
        proportion(design, "size_class", by="country"),
    ):
        assert (result.se == 0).all()
    assert total(design, "population").estimate[0] == frame.population.sum()


def test_from_frame_counts_and_missing_stratum():
    respondents = pd.DataFrame({"country": ["NO", "NO", "DK", "DK"], "y": [1.0, 2.0, 3.0, 5.0]})
    design = Design.from_frame(respondents, {"NO": 357, "DK": 98}, strata="country")
    assert design.weights.tolist() == [178.5, 178.5, 49.0, 49.0]
    with pytest.warns(DesignWarning, match="No respondents in stratum 'SE'"):
        design = Design.from_frame(respondents, {"NO": 357, "DK": 98, "SE": 290}, strata="country")
    assert design.history[-1].kind == "note"
    with pytest.raises(AnalysisError, match="fpc has no value for stratum 'NO'"):
        Design.from_frame(respondents, {"DK": 98}, strata="country")


def test_subset_is_a_new_sample(designs):
    design = designs["strat"]
    sub = design.subset(design.data.awards == "Yes")
    assert sub.n == int((design.data.awards == "Yes").sum())
    assert sub.df == sub.n - 3
    with pytest.raises(AnalysisError, match="boolean mask of length 200"):
        design.subset([True, False])


def test_describe_and_repr(designs):
    assert repr(designs["clus1"]) == (
        "<Design: one-stage cluster sample of 15 PSUs (183 units) with fpc (population 757), df 14>"
    )
    assert designs["strat"].describe() == (
        "stratified random sample of 200 units in 3 strata with fpc (population 6194), df 197"
    )


def test_estimator_argument_errors(designs):
    design = designs["strat"]
    with pytest.raises(AnalysisError, match="variables: unknown variable 'api0'"):
        mean(design, "api0")
    with pytest.raises(AnalysisError, match="'stype' is not numeric"):
        mean(design, "stype")
    with pytest.raises(AnalysisError, match=r"'acs\.k3' has 103 missing values"):
        mean(design, "acs.k3")
    with pytest.raises(AnalysisError, match="nan_policy='drop' is not allowed"):
        mean(design, "api00", nan_policy="drop")  # type: ignore[arg-type]
    with pytest.raises(AnalysisError, match=r"level=1\.5"):
        mean(design, "api00", level=1.5)
    with pytest.raises(AnalysisError, match="by: unknown variable 'typ'"):
        mean(design, "api00", by="typ")
