"""Bad input gets a clear TillitError before (or instead of) a fit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tillit.errors import TillitError
from tillit.sem import (
    ConvergenceError,
    IdentificationError,
    ModelDataError,
    cfa,
    fit_covariance,
    sem,
    specify,
)

HS3 = "visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9"


def test_negative_degrees_of_freedom(hs) -> None:
    with pytest.raises(IdentificationError, match=r"degrees of freedom -1 < 0") as info:
        sem("f =~ x1 + x2 + x3; x1 ~~ x2", hs)
    assert "free parameters" in info.value.message and info.value.hint


def test_single_indicator_without_constraint(hs) -> None:
    with pytest.raises(IdentificationError, match="single indicator"):
        sem(HS3 + "; g =~ x1", hs)
    with pytest.raises(IdentificationError, match="single indicator") as info:
        sem("visual =~ x1 + x2 + x3; g =~ x4; g ~ visual", hs)
    assert "x4 ~~ 0*x4" in info.value.hint
    # fixing the residual variance identifies it (as lavaan's auto.fix.single)
    fit = sem("visual =~ x1 + x2 + x3; g =~ x4; x4 ~~ 0*x4; g ~ visual", hs)
    assert fit.parameter("g", "~", "visual").se > 0


def test_factor_without_scale(hs) -> None:
    with pytest.raises(IdentificationError, match="no scale") as info:
        sem("visual =~ NA*x1 + x2 + x3", hs)
    assert "std_lv" in info.value.hint


def test_empirically_unidentified_model(hs) -> None:
    # Two uncorrelated two-indicator factors: df >= 0 but the information matrix is singular.
    with pytest.raises(IdentificationError, match="information matrix is singular"):
        sem("a =~ x1 + x2; b =~ x4 + x5; a ~~ 0*b", hs)


def test_cfa_refuses_regressions(hs) -> None:
    with pytest.raises(IdentificationError, match="has no regressions"):
        cfa(HS3 + "; speed ~ visual", hs)


def test_unknown_variable_with_suggestion(hs) -> None:
    with pytest.raises(ModelDataError, match="'x10'") as info:
        cfa("visual =~ x1 + x2 + x10", hs)
    assert "Did you mean" in info.value.hint


def test_non_numeric_column(hs) -> None:
    with pytest.raises(ModelDataError, match="'school' is not numeric") as info:
        sem("visual =~ x1 + x2 + x3; visual ~ school", hs)
    assert "Recode" in info.value.hint


def test_too_few_complete_cases(hs) -> None:
    small = hs.head(12).copy()
    small.loc[small.index[:6], "x2"] = np.nan
    with pytest.raises(ModelDataError, match="only 6 complete cases for 9 variables"):
        cfa(HS3, small)


def test_constant_and_collinear_variables(hs) -> None:
    data = hs.assign(x3=1.0)
    with pytest.raises(ModelDataError, match="'x3' has no variation"):
        cfa(HS3, data)
    data = hs.assign(x3=hs.x1 + hs.x2)
    with pytest.raises(ModelDataError, match="singular"):
        cfa(HS3, data)


def test_incomplete_rows_are_dropped_with_a_warning(hs) -> None:
    from tillit.sem import ModelWarning

    data = hs.copy()
    data.loc[data.index[:5], "x4"] = np.nan
    with pytest.warns(ModelWarning, match="5 incomplete rows"):
        fit = cfa(HS3, data)
    assert fit.n == 296 and fit.n_dropped == 5


def test_non_convergence_says_what_to_try() -> None:
    spec = specify("f =~ x1 + x2 + x3 + x4")
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 4))
    s = np.cov(x.T, bias=True)
    with pytest.raises(ConvergenceError, match="did not converge") as info:
        fit_covariance(spec, s, 200, max_iter=1)
    assert "std_lv" in info.value.hint
    assert isinstance(info.value, TillitError)


def test_not_a_dataframe() -> None:
    with pytest.raises(ModelDataError, match="expected a pandas DataFrame"):
        cfa("f =~ a + b + c", {"a": [1, 2]})  # type: ignore[arg-type]


def test_nothing_is_fitted_on_a_string_column_even_if_numeric_text(hs) -> None:
    data = hs.assign(x1=hs.x1.astype(str))
    fit = cfa(HS3, data)  # numeric text is converted
    assert fit.n == 301
    assert isinstance(data, pd.DataFrame)


def test_start_values_not_positive_definite(hs) -> None:
    with pytest.raises(ConvergenceError, match="not positive definite") as info:
        cfa("visual =~ x1 + x2 + x3; x1 ~~ -50*x1", hs)
    assert "start" in info.value.hint


def test_a_model_lavaan_cannot_fit_either(hs) -> None:
    # lavaan 0.6-14: "the optimizer warns that a solution has NOT been found!" (a loading runs
    # off to ~270 and a residual variance to ~-50: one item of each ability on one factor).
    with pytest.raises(ConvergenceError, match="did not converge") as info:
        sem("f0 =~ x5 + x2 + x3 + x7", hs, max_iter=100)
    assert "simplify the model" in info.value.hint


def test_fit_does_not_depend_on_the_units_of_the_items(hs) -> None:
    scaled = hs.assign(x1=hs.x1 * 1e4, x5=hs.x5 / 1e3)
    a, b = cfa(HS3, hs), cfa(HS3, scaled)
    assert b.fit.chisq == pytest.approx(a.fit.chisq, rel=1e-8)
    np.testing.assert_allclose(b.parameters.std_all, a.parameters.std_all, atol=1e-7)
    assert b.parameter("visual", "=~", "x2").estimate == pytest.approx(
        a.parameter("visual", "=~", "x2").estimate * 1e-4, rel=1e-6
    )
