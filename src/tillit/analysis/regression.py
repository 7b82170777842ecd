"""Linear and logistic regression with design-based standard errors (R ``svyglm``).

Notes
-----
The coefficients solve the weighted estimating equations
:math:`\\sum_i w_i x_i (y_i - \\mu_i)\\, \\mu'_i / V(\\mu_i) = 0`, fitted by iteratively reweighted
least squares exactly as R's ``glm.fit`` does (same starting values, the same convergence rule
:math:`|D - D_{old}| / (|D| + 0.1) < 10^{-8}` on the deviance, at most 25 iterations, and the
weights rescaled to mean 1), so the results agree with R to rounding. The variance is the
sandwich

.. math::

    \\hat V(\\hat\\beta) = A^{-1}\\, \\hat V_{design}\\Big(\\sum_i U_i\\Big)\\, A^{-1},
    \\qquad U_i = x_i\\, w_i\\, (y_i - \\mu_i)\\, \\mu'_i / V(\\mu_i),

where :math:`A^{-1}` is the unscaled covariance of the last IRLS step and
:math:`\\hat V_{design}` the Taylor variance of :class:`~tillit.analysis.design.Design` (with
calibration residuals for calibrated designs), as R's ``svy.varcoef``. ``"quasibinomial"`` is the
logit link with variance :math:`\\mu(1-\\mu)` (R ``family = quasibinomial()``); its design-based SEs
do not depend on a dispersion parameter. t tests and intervals use R's residual degrees of freedom:
design df + 1 - number of coefficients.

References
----------
Binder, D. A. (1983). On the variances of asymptotically normal estimators from complex surveys.
*International Statistical Review* 51, 279-292.
Lumley, T. (2010). *Complex Surveys*. Wiley, chapters 5-6.

Examples
--------
>>> from tillit.analysis import Design, datasets, glm
>>> design = Design.from_data(datasets.load("apistrat"), strata="stype", fpc="fpc")
>>> fit = glm(design, "api00 ~ ell + meals + mobility")
>>> fit.estimate.round(4).tolist()
[820.8873, -0.4806, -3.1415, 0.2257]
>>> round(float(fit.se[1]), 5), fit.df
(0.39197, 194.0)
"""

from __future__ import annotations

import re
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from tillit.analysis.design import Design, _label
from tillit.analysis.errors import AnalysisError, check_choice
from tillit.analysis.results import RegressionResult, frozen_array
from tillit.analysis.warnings import ConvergenceWarning, emit

__all__ = ["glm", "parse_formula"]

FloatArray = npt.NDArray[np.floating[Any]]
_EPS = np.finfo(float).eps
_THRESH = 30.0


def parse_formula(formula: str) -> tuple[str, list[str], bool]:
    """Split ``"y ~ a + b"`` into the response, the predictors and whether there is an intercept.

    Column names with dots or spaces can be quoted with backticks. ``0`` or ``-1`` drops the
    intercept. Interactions and transformations are not supported: make a column first.

    Examples
    --------
    >>> parse_formula("api00 ~ ell + `sch.wide` + meals")
    ('api00', ['ell', 'sch.wide', 'meals'], True)
    """
    if not isinstance(formula, str) or formula.count("~") != 1:
        raise AnalysisError(
            f"formula={formula!r} must have the form 'response ~ x1 + x2'.",
            argument="formula",
            value=formula,
            allowed="'response ~ predictor + predictor ...'",
        )
    lhs, rhs = (part.strip() for part in formula.split("~"))
    intercept = True
    predictors: list[str] = []
    for raw in re.split(r"\s*\+\s*|\s+(?=-)", rhs):
        term = raw.strip()
        if term in ("", "1"):
            continue
        if term in ("0", "-1", "- 1"):
            intercept = False
            continue
        name = term[1:-1] if term.startswith("`") and term.endswith("`") else term
        if any(ch in name for ch in "*:()^") and not term.startswith("`"):
            raise AnalysisError(
                f"formula term {term!r} is not a column name; interactions and functions are "
                f"not supported.",
                argument="formula",
                value=term,
                allowed="column names joined by +",
                hint="Compute the term as a new column (e.g. data['x2'] = data.x ** 2).",
            )
        predictors.append(name)
    response = lhs[1:-1] if lhs.startswith("`") and lhs.endswith("`") else lhs
    if not response:
        raise AnalysisError(
            f"formula={formula!r} has no response.",
            argument="formula",
            value=formula,
            allowed="'response ~ ...'",
        )
    return response, predictors, intercept


def _design_matrix(
    data: pd.DataFrame, predictors: list[str], intercept: bool
) -> tuple[FloatArray, list[str]]:
    """R-style model matrix: numeric columns as they are, factors as k-1 treatment dummies."""
    columns: list[FloatArray] = []
    names: list[str] = []
    if intercept:
        columns.append(np.ones(len(data)))
        names.append("(Intercept)")
    for name in predictors:
        col = data[name]
        if pd.api.types.is_bool_dtype(col):
            columns.append(col.astype(float).to_numpy(na_value=np.nan))
            names.append(f"{name}TRUE")
        elif pd.api.types.is_numeric_dtype(col):
            columns.append(col.to_numpy(dtype=float, na_value=np.nan))
            names.append(name)
        else:
            if isinstance(col.dtype, pd.CategoricalDtype):
                levels = list(col.cat.categories)
            else:
                levels = sorted(col.dropna().unique().tolist(), key=lambda v: (str(type(v)), v))
            missing = col.isna().to_numpy()
            for level in levels[1:] if intercept else levels:
                dummy = (col == level).to_numpy(dtype=float, na_value=0.0)
                dummy[missing] = np.nan
                columns.append(dummy)
                names.append(f"{name}{_label(level)}")
    if not columns:
        raise AnalysisError(
            "the model has no terms (no intercept and no predictors).",
            argument="formula",
            value=predictors,
            allowed="at least one predictor or the intercept",
        )
    return np.column_stack(columns), names


def _response(col: pd.Series, family: str, name: str) -> FloatArray:
    if family == "gaussian":
        if pd.api.types.is_bool_dtype(col):
            return col.astype(float).to_numpy(na_value=np.nan)
        if not pd.api.types.is_numeric_dtype(col):
            raise AnalysisError(
                f"response {name!r} is not numeric; a gaussian model needs a number.",
                argument="formula",
                value=name,
                allowed="a numeric response (or family='quasibinomial' for a binary one)",
            )
        return col.to_numpy(dtype=float, na_value=np.nan)
    if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
        y = col.astype(float).to_numpy(na_value=np.nan)
    else:
        levels = (
            list(col.cat.categories)
            if isinstance(col.dtype, pd.CategoricalDtype)
            else sorted(col.dropna().unique().tolist())
        )
        if len(levels) != 2:
            raise AnalysisError(
                f"response {name!r} has {len(levels)} categories; a logistic model needs two "
                f"(the first is 0, the second 1, as R's factors).",
                argument="formula",
                value=levels[:10],
                allowed="a 0/1, True/False or two-category response",
            )
        y = np.where(col.isna(), np.nan, (col == levels[1]).to_numpy(dtype=float, na_value=0.0))
    observed = y[~np.isnan(y)]
    if ((observed < 0) | (observed > 1)).any():
        raise AnalysisError(
            f"response {name!r} has values outside [0, 1] for a quasibinomial model.",
            argument="formula",
            value=sorted(set(observed[(observed < 0) | (observed > 1)].tolist()))[:5],
            allowed="0/1 or proportions in [0, 1]",
        )
    return y


def _logit_inv(eta: FloatArray) -> FloatArray:
    tmp = np.where(
        eta < -_THRESH,
        _EPS,
        np.where(eta > _THRESH, 1 / _EPS, np.exp(np.clip(eta, -_THRESH, _THRESH))),
    )
    return tmp / (1 + tmp)


def _logit_mu_eta(eta: FloatArray) -> FloatArray:
    e = np.exp(np.clip(eta, -_THRESH, _THRESH))
    return np.where((eta > _THRESH) | (eta < -_THRESH), _EPS, e / (1 + e) ** 2)


def _binomial_deviance(y: FloatArray, mu: FloatArray, w: FloatArray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(y > 0, y * np.log(y / mu), 0.0)
        b = np.where(y < 1, (1 - y) * np.log((1 - y) / (1 - mu)), 0.0)
    return float((2 * w * (a + b)).sum())


def _irls(
    x: FloatArray, y: FloatArray, w: FloatArray, family: str, max_iter: int = 25, tol: float = 1e-8
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, int, bool]:
    """R's glm.fit: coefficients, working weights of the last step, working residuals, A^-1."""
    if family == "gaussian":
        eta = y.copy()
        mu = eta
        devold = float((w * (y - mu) ** 2).sum())
    else:
        mustart = (w * y + 0.5) / (w + 1)
        eta = np.log(mustart / (1 - mustart))
        mu = _logit_inv(eta)
        devold = _binomial_deviance(y, mu, w)
    coef: FloatArray = np.zeros(x.shape[1])
    wt = w
    converged = False
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is returned
        if family == "gaussian":
            mu_eta, var_mu = np.ones_like(eta), np.ones_like(eta)
        else:
            mu_eta, var_mu = _logit_mu_eta(eta), mu * (1 - mu)
        z = eta + (y - mu) / mu_eta
        wt = w * mu_eta**2 / var_mu
        root = np.sqrt(wt)
        coef = np.linalg.lstsq(x * root[:, None], z * root, rcond=None)[0]
        eta = x @ coef
        if family == "gaussian":
            mu = eta
            dev = float((w * (y - mu) ** 2).sum())
        else:
            mu = _logit_inv(eta)
            dev = _binomial_deviance(y, mu, w)
        if abs(dev - devold) / (abs(dev) + 0.1) < tol:
            converged = True
            break
        devold = dev
    mu_eta = np.ones_like(eta) if family == "gaussian" else _logit_mu_eta(eta)
    residuals = (y - mu) / mu_eta
    a_inv = np.linalg.inv((x * wt[:, None]).T @ x)
    return coef, wt, residuals, a_inv, iterations, converged


def glm(
    design: Design,
    formula: str,
    *,
    family: Literal["gaussian", "quasibinomial"] = "gaussian",
    nan_policy: Literal["raise", "omit"] = "raise",
    level: float = 0.95,
) -> RegressionResult:
    """Fit a linear or logistic regression with design-based standard errors (R ``svyglm``).

    Parameters
    ----------
    design : Design
    formula : str
        ``"response ~ x1 + x2"``; categorical predictors get treatment dummies with the first
        (sorted) category as reference, named as R names them (``stypeH``).
    family : {"gaussian", "quasibinomial"}
        Linear regression, or logistic regression for a 0/1 (or two-category) response.
    nan_policy : {"raise", "omit"}
        ``"omit"`` drops respondents with a missing response or predictor (R's default
        ``na.omit``), keeping the design.
    level : float
        Confidence level.

    Returns
    -------
    RegressionResult

    Examples
    --------
    >>> from tillit.analysis import Design, datasets, glm
    >>> design = Design.from_data(datasets.load("apistrat"), strata="stype", fpc="fpc")
    >>> design.data["yes"] = (design.data["sch.wide"] == "Yes").astype(float)
    >>> fit = glm(design, "yes ~ ell + meals + mobility", family="quasibinomial")
    >>> round(fit.coefficient("mobility"), 5), round(float(fit.se[3]), 5)
    (0.0609, 0.03194)
    """
    check_choice("family", family, ("gaussian", "quasibinomial"))
    check_choice("nan_policy", nan_policy, ("raise", "omit"))
    if not 0 < level < 1:
        raise AnalysisError(
            f"level={level!r} must be between 0 and 1.",
            argument="level",
            value=level,
            allowed="0 < level < 1",
        )
    response, predictors, intercept = parse_formula(formula)
    for name in [response, *predictors]:
        design.column(name, "formula")
    y_all = _response(design.data[response], family, response)
    x_all, terms = _design_matrix(design.data, predictors, intercept)
    used = ~np.isnan(y_all) & ~np.isnan(x_all).any(axis=1)
    warnings: list[str] = []
    if not used.all():
        if nan_policy == "raise":
            raise AnalysisError(
                f"{int((~used).sum())} respondents have a missing response or predictor.",
                argument="nan_policy",
                value="raise",
                allowed="'omit' to leave them out (R na.omit)",
            )
        warnings.append(f"{int((~used).sum())} respondents with missing values left out")
    prior = design.weights / design.weights.mean()
    x, y, w = x_all[used], y_all[used], prior[used]
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise AnalysisError(
            f"the model matrix is rank deficient (collinear terms among {terms}).",
            argument="formula",
            value=formula,
            allowed="linearly independent predictors",
        )
    coef, wt, resid, a_inv, iterations, converged = _irls(x, y, w, family)
    if not converged:
        warnings.append(
            emit(f"IRLS did not converge in {iterations} iterations.", ConvergenceWarning)
        )
    scores = np.zeros((design.n, len(terms)))
    scores[used] = (x * (resid * wt)[:, None]) @ a_inv
    vcov = design.variance(scores, full=True)
    se = np.sqrt(np.diag(vcov))
    df = float(_df_used(design, used) + 1 - len(terms))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = coef / se
    if df > 0:
        q = float(stats.t.ppf(0.5 + level / 2, df))
        p = 2 * stats.t.sf(np.abs(t), df)
    else:
        q, p = np.nan, np.full_like(t, np.nan)
    return RegressionResult(
        terms=tuple(terms),
        estimate=frozen_array(coef),
        se=frozen_array(se),
        ci_low=frozen_array(coef - q * se),
        ci_high=frozen_array(coef + q * se),
        df=df,
        n=int(used.sum()),
        method=f"design-based {family} GLM (R svyglm), sandwich variance; {design.describe()}",
        t=frozen_array(t),
        p_value=frozen_array(p),
        vcov=frozen_array(vcov),
        family=family,
        response=response,
        iterations=iterations,
        warnings=tuple(warnings),
        level=level,
    )


def _df_used(design: Design, used: npt.NDArray[np.bool_]) -> int:
    """PSUs minus strata among the rows used (R ``degf`` of the design without the NA rows)."""
    psu: Any = design.psu if design.psu is not None else np.arange(design.n)
    n_psu = len(np.unique(psu[used]))
    n_strata = len(np.unique(design.strata[used]))
    return n_psu - n_strata
