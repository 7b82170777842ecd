"""Maximum-likelihood estimation of covariance-structure models, as lavaan's defaults.

Notes
-----
With :math:`S` the biased (divisor :math:`N`) sample covariance of the :math:`p` observed
variables and :math:`\\Sigma(\\theta)` the model-implied covariance (see
:mod:`tillit.sem.specification`), the ML discrepancy is

.. math:: F(\\theta) = \\log|\\Sigma| + \\mathrm{tr}(S\\Sigma^{-1}) - \\log|S| - p.

It is minimised by Fisher scoring with step halving: the gradient is
:math:`g_k = \\mathrm{tr}(\\Sigma^{-1}(\\Sigma - S)\\Sigma^{-1}\\,\\partial_k\\Sigma)` and the
expected Hessian :math:`H_{kl} = \\mathrm{tr}(\\Sigma^{-1}\\partial_k\\Sigma\\,
\\Sigma^{-1}\\partial_l\\Sigma)`, both from analytic derivatives of :math:`\\Sigma`; BFGS (scipy)
takes over if scoring stalls. Standard errors come from the expected information
:math:`\\tfrac N2 H` (lavaan ``se = "standard"``, ``information = "expected"``); the test
statistic is :math:`\\chi^2 = N F` (lavaan's ``likelihood = "normal"``).

Fit measures as lavaan's ``fitMeasures``: the baseline model has free variances (and, with
observed covariates, their fixed covariance block); :math:`\\mathrm{CFI} = 1 -
\\max(\\chi^2 - df, 0) / \\max(\\chi^2 - df, \\chi^2_b - df_b, 0)`; :math:`\\mathrm{TLI} =
(\\chi^2_b/df_b - \\chi^2/df) / (\\chi^2_b/df_b - 1)`; :math:`\\mathrm{RMSEA} =
\\sqrt{\\max(\\chi^2/(N\\,df) - 1/N, 0)}` with the 90% interval from inverting the noncentral
chi-square in its noncentrality and the p-value of close fit (RMSEA <= .05); SRMR (Bentler) is the
root mean square of :math:`(s_{ij} - \\sigma_{ij}) / \\sqrt{s_{ii}s_{jj}}` over
:math:`i \\le j`; the log-likelihood is :math:`-\\tfrac N2(p\\log 2\\pi + \\log|\\Sigma| +
\\mathrm{tr}(S\\Sigma^{-1}))`, AIC and BIC from it with the free parameters.

Standardised estimates are lavaan's ``std.all``: loadings and regressions scaled by the
model-implied standard deviations of both variables, variances divided by the total variance,
covariances divided by the square roots of the two (residual) variances.

References
----------
Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley.
Rosseel, Y. (2012). lavaan: an R package for structural equation modeling. *Journal of
Statistical Software* 48(2), 1-36.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import optimize, stats

from tillit.analysis.warnings import ScaleWarning, emit
from tillit.sem.data import complete_cases, sample_covariance
from tillit.sem.errors import ConvergenceError, IdentificationError, ModelWarning
from tillit.sem.results import FitMeasures, SEMResult
from tillit.sem.specification import ModelSpec, Parameter, specify

__all__ = ["cfa", "fit_covariance", "sem"]

FloatArray = npt.NDArray[Any]
_TINY = 1e-300


class _Model:
    """Sigma(theta), F(theta) and their derivatives for one specification and one S."""

    def __init__(self, spec: ModelSpec, s: FloatArray) -> None:
        self.spec = spec
        self.s = s
        self.p = s.shape[0]
        self.m = len(spec.eta)
        self.q = spec.n_free
        self.logdet_s = float(np.linalg.slogdet(s)[1])
        self.positions: list[tuple[int, str, int, int]] = [
            (par.free - 1, par.matrix, par.row, par.col) for par in spec.parameters if par.free
        ]

    def parts(self, theta: FloatArray) -> tuple[FloatArray, ...]:
        lam, beta, psi, th = self.spec.matrices(theta)
        a: FloatArray = np.linalg.inv(np.eye(self.m) - beta)
        la: FloatArray = lam @ a
        sigma: FloatArray = la @ psi @ la.T + th
        return sigma, la, a, psi, th

    def objective(self, theta: FloatArray) -> float:
        try:
            sigma = self.parts(theta)[0]
            chol = np.linalg.cholesky(sigma)
        except np.linalg.LinAlgError:
            return math.inf
        logdet = 2.0 * float(np.log(np.diag(chol)).sum())
        inv_chol = np.linalg.inv(chol)
        trace = float(np.sum((inv_chol @ self.s) * inv_chol))
        return logdet + trace - self.logdet_s - self.p

    def derivatives(self, theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Sigma and d Sigma / d theta_k, shape (q, p, p)."""
        sigma, la, a, psi, _ = self.parts(theta)
        g = a @ psi @ la.T  # m x p
        d = np.zeros((self.q, self.p, self.p))
        for k, matrix, i, j in self.positions:
            if matrix == "lambda":
                d[k, i, :] += g[j]
                d[k, :, i] += g[j]
            elif matrix == "beta":
                outer = np.outer(la[:, i], g[j])
                d[k] += outer + outer.T
            elif matrix == "psi":
                outer = np.outer(la[:, i], la[:, j])
                d[k] += outer if i == j else outer + outer.T
            elif i == j:
                d[k, i, i] += 1.0
            else:
                d[k, i, j] += 1.0
                d[k, j, i] += 1.0
        return sigma, d

    def gradient_information(self, theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Gradient of F and the expected Hessian H (information = N/2 H)."""
        sigma, d = self.derivatives(theta)
        inv = np.linalg.inv(sigma)
        w = inv @ (sigma - self.s) @ inv
        grad = np.einsum("kij,ij->k", d, w)
        m = np.einsum("ij,kjl->kil", inv, d)  # Sigma^-1 dSigma_k
        info = np.einsum("kij,lji->kl", m, m)  # tr(M_k M_l); faster here than BLAS matmul
        return grad, (info + info.T) / 2.0

    def gradient(self, theta: FloatArray) -> FloatArray:
        try:
            return self.gradient_information(theta)[0]
        except np.linalg.LinAlgError:
            return np.full(self.q, np.nan)


def _starts(spec: ModelSpec, s: FloatArray) -> FloatArray:
    """Start values: loadings from covariances with the marker, half the observed variances as
    residual variances, zero regressions and covariances (close to lavaan's "simple" starts)."""
    obs = {n: i for i, n in enumerate(spec.observed)}
    values: dict[int, list[float]] = {}

    def put(par: Parameter, value: float) -> None:
        if par.free:
            values.setdefault(par.free, []).append(par.start if par.start is not None else value)

    factor_var: dict[str, float] = {}
    marker_cov: dict[str, FloatArray] = {}
    for f, items in spec.indicators.items():
        observed = [obs[i] for i in items if i in obs and i not in spec.latent]
        if not observed:
            factor_var[f] = 0.05
            continue
        r = observed[0]
        # Common variance of the marker: the triad rule s_rj s_rk / s_jk (median over item
        # pairs), else half its variance. Both are invariant to the units of the items.
        triads = [
            s[r, j] * s[r, k] / s[j, k]
            for a, j in enumerate(observed[1:])
            for k in observed[a + 2 :]
            if s[j, k] != 0
        ]
        triads = [t for t in triads if 0 < t < s[r, r]]
        common = float(np.median(triads)) if triads else 0.5 * float(s[r, r])
        if spec.std_lv:
            factor_var[f] = 1.0
            marker_cov[f] = s[r] / math.sqrt(common)
            marker_cov[f][r] = math.sqrt(common)
        else:
            factor_var[f] = common
            marker_cov[f] = s[r] / common
            marker_cov[f][r] = 1.0
    for par in spec.parameters:
        if not par.free:
            continue
        if par.op == "=~" and par.lhs in marker_cov and par.rhs in obs:
            put(par, float(marker_cov[par.lhs][obs[par.rhs]]))
        elif par.op == "=~":
            put(par, 1.0)
        elif par.op == "~~" and par.lhs == par.rhs:
            if par.lhs in factor_var:
                put(par, factor_var[par.lhs])
            elif par.lhs in obs:
                i = obs[par.lhs]
                exogenous = par.lhs in spec.phantom and not any(
                    q.op == "~" and q.lhs == par.lhs for q in spec.parameters
                )
                put(par, float(s[i, i]) * (1.0 if exogenous else 0.5))
            else:
                put(par, 0.05)
        else:
            put(par, 0.0)
    start = np.zeros(spec.n_free)
    for k, vals in values.items():
        start[k - 1] = float(np.mean(vals))
    return start


def _with_covariates(spec: ModelSpec, s: FloatArray) -> ModelSpec:
    """Fix the variances and covariances of observed covariates at their sample values."""
    obs = {n: i for i, n in enumerate(spec.observed)}
    params = tuple(
        replace(p, value=float(s[obs[p.lhs], obs[p.rhs]])) if p.exo else p for p in spec.parameters
    )
    return replace(spec, parameters=params)


def _minimise(
    model: _Model, start: FloatArray, max_iter: int, tol: float
) -> tuple[FloatArray, int, bool]:
    theta = start.copy()
    f = model.objective(theta)
    if not math.isfinite(f):
        raise ConvergenceError(
            "model: the start values give an implied covariance matrix that is not positive "
            "definite.",
            argument="model",
            value=model.spec.model,
            hint="Check fixed values in the model (e.g. a loading fixed to 0 on every item), or "
            "give start values with start(...)*x.",
        )
    iterations = 0
    for _ in range(2):
        theta, f, used, done = _score(model, theta, f, max_iter, tol)
        iterations += used
        if done:
            return theta, iterations, True
        # Scoring stalled: let BFGS move, then score again from there.
        res = optimize.minimize(
            model.objective,
            theta,
            jac=model.gradient,
            method="BFGS",
            options={"maxiter": max_iter, "gtol": 1e-10},
        )
        if math.isfinite(res.fun) and res.fun <= f:
            theta, f = np.asarray(res.x, float), float(res.fun)
        iterations += int(res.nit)
    return theta, iterations, _newton_decrement(model, theta) < 1e-12


def _solve(info: FloatArray, grad: FloatArray) -> FloatArray:
    """The scoring step H^-1 g, solved with H scaled to unit diagonal (so that variables in very
    different units do not make it look singular)."""
    diag = np.diag(info)
    d = 1.0 / np.sqrt(np.where(diag > _TINY, diag, 1.0))
    scaled = info * np.outer(d, d)
    return np.asarray(d * np.linalg.lstsq(scaled, d * grad, rcond=None)[0], dtype=float)


def _newton_decrement(model: _Model, theta: FloatArray) -> float:
    """g' H^-1 g at theta: the predicted decrease of F, invariant to the units of parameters."""
    try:
        grad, info = model.gradient_information(theta)
    except np.linalg.LinAlgError:
        return math.inf
    if not np.all(np.isfinite(grad)):
        return math.inf
    return float(abs(grad @ _solve(info, grad)))


def _score(
    model: _Model, theta: FloatArray, f: float, max_iter: int, tol: float
) -> tuple[FloatArray, float, int, bool]:
    """Fisher scoring with step halving: (theta, F, iterations, converged)."""
    for iteration in range(1, max_iter + 1):
        try:
            grad, info = model.gradient_information(theta)
            step = _solve(info, grad)
        except np.linalg.LinAlgError:
            return theta, f, iteration, False
        if not np.all(np.isfinite(step)):
            return theta, f, iteration, False
        alpha = 1.0
        while alpha > 1e-10:
            trial = theta - alpha * step
            f_trial = model.objective(trial)
            if f_trial <= f + 1e-14 * abs(f):
                break
            alpha /= 2.0
        else:
            return theta, f, iteration, False
        theta, f_old, f = trial, f, f_trial
        if np.max(np.abs(alpha * step) / (1.0 + np.abs(theta))) < tol or (
            np.max(np.abs(grad * theta)) < tol * 1e-2 and abs(f_old - f) < 1e-16
        ):
            return theta, f, iteration, True
    return theta, f, max_iter, False


def fit_covariance(
    spec: ModelSpec,
    s: FloatArray,
    n: int,
    *,
    kind: str = "sem",
    n_dropped: int = 0,
    max_iter: int = 500,
    tol: float = 1e-10,
    level: float = 0.95,
) -> SEMResult:
    """Fit a specified model to a (biased, divisor N) covariance matrix of ``n`` cases.

    ``s`` has the rows and columns of ``spec.observed``. See :func:`sem` for the usual entry
    point (from a DataFrame).
    """
    spec = _with_covariates(spec, s)
    model = _Model(spec, s)
    theta, iterations, converged = _minimise(model, _starts(spec, s), max_iter, tol)
    if not converged:
        raise ConvergenceError(
            f"model: the ML fit did not converge in {iterations} iterations.",
            argument="model",
            value=spec.model,
            hint="Try std_lv=True (--std-lv), put items on similar scales (divide large "
            "variances), drop items that load weakly or correlate almost perfectly, or simplify "
            "the model.",
        )
    f_min = model.objective(theta)
    info = model.gradient_information(theta)[1]
    # Singularity is judged on the information scaled to unit diagonal, so that the check does
    # not depend on the units of the variables.
    diag = np.diag(info).copy() if spec.n_free else np.ones(1)
    scaled = info / np.sqrt(np.outer(diag, diag)) if np.all(diag > _TINY) else info
    eig = np.linalg.eigvalsh(scaled) if spec.n_free else np.ones(1)
    if spec.n_free and (not np.all(diag > _TINY) or eig[0] <= 1e-10 * max(eig[-1], _TINY)):
        vectors = np.linalg.eigh(scaled)[1]
        weak = np.argsort(-np.abs(vectors[:, 0]))[:3] + 1
        names = [f"{p.lhs} {p.op} {p.rhs}" for p in spec.parameters if p.free in set(weak.tolist())]
        raise IdentificationError(
            "model: the information matrix is singular at the solution, so the model is not "
            f"(empirically) identified; the parameters involved include {', '.join(names)}.",
            argument="model",
            value=spec.model,
            hint="Fix or constrain one of these parameters, add indicators, or remove the "
            "path; a factor with two indicators needs a correlation with another factor.",
        )
    vcov = np.linalg.inv(info * n / 2.0) if spec.n_free else np.zeros((0, 0))
    warnings: list[str] = []
    sigma, _, a, psi, th = model.parts(theta)
    return _result(
        spec,
        s,
        n,
        theta,
        vcov,
        f_min,
        sigma,
        a,
        psi,
        th,
        kind,
        iterations,
        n_dropped,
        level,
        warnings,
    )


def _fit_measures(
    spec: ModelSpec, s: FloatArray, sigma: FloatArray, n: int, f_min: float
) -> FitMeasures:
    p = s.shape[0]
    df = spec.df
    chisq = max(n * f_min, 0.0)
    pvalue = float(stats.chi2.sf(chisq, df)) if df > 0 else math.nan
    # Baseline: free variances; observed covariates keep their (fixed) covariance block.
    base = np.diag(np.diag(s))
    cov_idx = [spec.observed.index(c) for c in spec.covariates]
    if cov_idx:
        base[np.ix_(cov_idx, cov_idx)] = s[np.ix_(cov_idx, cov_idx)]
    logdet_s = np.linalg.slogdet(s)[1]
    f_base = np.linalg.slogdet(base)[1] + np.trace(s @ np.linalg.inv(base)) - logdet_s - p
    chisq_b = n * f_base
    df_b = spec.n_moments - (p - len(cov_idx))
    t1 = max(chisq - df, 0.0)
    t2 = max(chisq - df, chisq_b - df_b, 0.0)
    cfi = 1.0 if t1 == 0 and t2 == 0 else 1.0 - t1 / t2
    if df > 0 and df_b > 0:
        tli = ((chisq_b / df_b) - (chisq / df)) / ((chisq_b / df_b) - 1.0)
        rmsea = math.sqrt(max(chisq / (n * df) - 1.0 / n, 0.0))
        low, high = _rmsea_interval(chisq, df, n)
        close = float(stats.ncx2.sf(chisq, df, n * df * 0.05**2))
    else:
        tli, rmsea, low, high, close = 1.0, 0.0, 0.0, 0.0, math.nan
    d = 1.0 / np.sqrt(np.diag(s))
    resid = (s - sigma) * np.outer(d, d)
    srmr = float(np.sqrt(np.mean(resid[np.triu_indices(p)] ** 2)))
    logdet = np.linalg.slogdet(sigma)[1]
    logl = -n / 2.0 * (p * math.log(2 * math.pi) + logdet + np.trace(s @ np.linalg.inv(sigma)))
    if cov_idx:  # fixed.x: the likelihood is conditional on the covariates (as lavaan)
        nx = len(cov_idx)
        logdet_x = np.linalg.slogdet(s[np.ix_(cov_idx, cov_idx)])[1]
        logl += n / 2.0 * (nx * math.log(2 * math.pi) + logdet_x + nx)
    npar = spec.n_free
    return FitMeasures(
        chisq=float(chisq),
        df=int(df),
        pvalue=float(pvalue),
        baseline_chisq=float(chisq_b),
        baseline_df=int(df_b),
        cfi=float(cfi),
        tli=float(tli),
        rmsea=float(rmsea),
        rmsea_ci_low=float(low),
        rmsea_ci_high=float(high),
        rmsea_pvalue=float(close),
        srmr=float(srmr),
        logl=float(logl),
        aic=float(-2 * logl + 2 * npar),
        bic=float(-2 * logl + npar * math.log(n)),
        npar=npar,
        n=n,
        fmin=float(f_min / 2.0),
    )


def _rmsea_interval(chisq: float, df: int, n: int, level: float = 0.90) -> tuple[float, float]:
    """lavaan's RMSEA interval: the noncentralities at which the statistic is the upper and
    lower (1 - level)/2 quantile, scaled by N * df."""
    upper_p, lower_p = (1 + level) / 2, (1 - level) / 2

    def cdf(ncp: float) -> float:
        if ncp <= 0:
            return float(stats.chi2.cdf(chisq, df))
        return float(stats.ncx2.cdf(chisq, df, ncp))

    def root(target: float, lo: float) -> float:
        if cdf(lo) < target:
            return lo
        hi = max(n, chisq * 4.0, lo + 1.0)
        while cdf(hi) > target:
            hi *= 2.0
        return float(optimize.brentq(lambda x: cdf(x) - target, lo, hi, xtol=1e-12, rtol=1e-14))

    lam_low = root(upper_p, 0.0)
    lam_high = root(lower_p, lam_low)
    return math.sqrt(lam_low / (n * df)), math.sqrt(lam_high / (n * df))


def _result(
    spec: ModelSpec,
    s: FloatArray,
    n: int,
    theta: FloatArray,
    vcov: FloatArray,
    f_min: float,
    sigma: FloatArray,
    a: FloatArray,
    psi: FloatArray,
    th: FloatArray,
    kind: str,
    iterations: int,
    n_dropped: int,
    level: float,
    warnings: list[str],
) -> SEMResult:
    obs = {name: i for i, name in enumerate(spec.observed)}
    eta = {name: i for i, name in enumerate(spec.eta)}
    eta_total = a @ psi @ a.T

    def variance(name: str) -> float:
        return float(
            sigma[obs[name], obs[name]] if name in obs else eta_total[eta[name], eta[name]]
        )

    def residual(name: str) -> float:
        if name in eta:
            return float(psi[eta[name], eta[name]])
        return float(th[obs[name], obs[name]])

    se_free = np.sqrt(np.clip(np.diag(vcov), 0.0, None)) if spec.n_free else np.zeros(0)
    z_crit = float(stats.norm.ppf((1 + level) / 2))
    records: list[dict[str, Any]] = []
    for par in spec.parameters:
        est = float(theta[par.free - 1]) if par.free else par.value
        se = float(se_free[par.free - 1]) if par.free else 0.0
        if par.op in ("=~", "~"):
            scale_from, scale_to = (par.lhs, par.rhs) if par.op == "=~" else (par.rhs, par.lhs)
            v_from, v_to = variance(scale_from), variance(scale_to)
            std = est * math.sqrt(v_from / v_to) if v_from > 0 and v_to > 0 else math.nan
        elif par.lhs == par.rhs:
            std = est / variance(par.lhs)
        else:
            denominator = residual(par.lhs) * residual(par.rhs)
            std = est / math.sqrt(denominator) if denominator > 0 else math.nan
        z = est / se if par.free and se > 0 else math.nan
        records.append(
            {
                "lhs": par.lhs,
                "op": par.op,
                "rhs": par.rhs,
                "label": par.label or "",
                "free": bool(par.free),
                "estimate": est,
                "se": se,
                "z": z,
                "p_value": float(2 * stats.norm.sf(abs(z))) if math.isfinite(z) else math.nan,
                "ci_low": est - z_crit * se,
                "ci_high": est + z_crit * se,
                "std_all": std,
            }
        )
        if par.op == "~~" and par.lhs == par.rhs and est < 0 and not par.exo:
            warnings.append(
                emit(
                    f"the estimated variance of {par.lhs!r} is negative ({est:.4g}): a Heywood "
                    "case; the model may be misspecified or the sample too small.",
                    ScaleWarning,
                    stacklevel=4,
                )
            )
    parameters = pd.DataFrame.from_records(records)
    fit = _fit_measures(spec, s, sigma, n, f_min)
    reliability = _reliability(spec, parameters, eta_total, s)
    r2 = _r_squared(spec, residual, variance)
    return SEMResult(
        kind=kind,
        model=spec.model,
        n=n,
        n_dropped=n_dropped,
        parameters=parameters,
        fit=fit,
        reliability=reliability,
        r2=r2,
        observed=spec.observed,
        latent=spec.latent,
        covariates=spec.covariates,
        sample_cov=s,
        implied_cov=sigma,
        vcov=vcov,
        iterations=iterations,
        method="maximum likelihood (lavaan defaults: "
        + ("latent variances fixed to 1" if spec.std_lv else "first loading fixed to 1")
        + ", biased covariance, expected information, chi-square = N F)",
        warnings=tuple(warnings),
        level=level,
    )


def _r_squared(
    spec: ModelSpec, residual: Callable[[str], float], variance: Callable[[str], float]
) -> pd.DataFrame:
    """Explained variance of every endogenous variable (lavaan's ``lavInspect(fit, "r2")``):
    indicators, regressed observed variables, latent variables that are regressed or measure a
    higher-order factor. ``1 - residual variance / model-implied variance``, NaN when the residual
    variance is negative."""
    endogenous = {p.rhs for p in spec.parameters if p.op == "=~"}
    endogenous |= {p.lhs for p in spec.parameters if p.op == "~"}
    names = [n for n in (*spec.observed, *spec.latent) if n in endogenous]
    # As lavaan: not available (NaN) when the residual variance is negative (a Heywood case).
    values = [1.0 - residual(n) / variance(n) if residual(n) >= 0 else math.nan for n in names]
    return pd.DataFrame({"variable": names, "r2": values}, columns=["variable", "r2"])


def _rows(frame: pd.DataFrame) -> Iterator[Any]:
    return frame.itertuples(index=False)


def _reliability(
    spec: ModelSpec,
    parameters: pd.DataFrame,
    eta_total: FloatArray,
    s: FloatArray,
) -> pd.DataFrame:
    """Per factor: omega (composite reliability from the fitted model) and Cronbach's alpha."""
    est = {(r.lhs, r.op, r.rhs): r.estimate for r in _rows(parameters)}
    obs = {name: i for i, name in enumerate(spec.observed)}
    rows = []
    for f, items in spec.indicators.items():
        observed = [i for i in items if i in obs]
        if len(observed) < 2:
            continue
        total = sum(est[(f, "=~", i)] for i in observed)
        common = total**2 * float(eta_total[spec.eta.index(f), spec.eta.index(f)])
        unique = 0.0
        for i in observed:
            for j in observed:
                unique += est.get((i, "~~", j), est.get((j, "~~", i), 0.0))
        omega = common / (common + unique)
        idx = [obs[i] for i in observed]
        c = s[np.ix_(idx, idx)]
        k = len(idx)
        alpha = k / (k - 1) * (1 - np.trace(c) / c.sum())
        rows.append(
            {
                "factor": f,
                "items": ", ".join(observed),
                "k_items": k,
                "omega": omega,
                "alpha": float(alpha),
            }
        )
    return pd.DataFrame(rows, columns=["factor", "items", "k_items", "omega", "alpha"])


def sem(
    model: str,
    data: pd.DataFrame,
    *,
    std_lv: bool = False,
    level: float = 0.95,
    max_iter: int = 500,
    _kind: str = "sem",
) -> SEMResult:
    """Fit a structural equation model in lavaan syntax by maximum likelihood.

    Parameters
    ----------
    model : str
        lavaan model text: ``f =~ x1 + x2 + x3`` (measurement), ``y ~ f + z`` (regression),
        ``a ~~ b`` (covariance); see :mod:`tillit.sem.syntax`.
    data : pandas.DataFrame
        One row per respondent; every observed variable of the model a numeric column.
        Incomplete rows are dropped (listwise).
    std_lv : bool
        Fix latent variances to 1 instead of the first loadings (lavaan ``std.lv``).
    level : float
        Confidence level of the Wald intervals of the parameters.
    max_iter : int
        Iterations of the optimiser before :class:`ConvergenceError`.

    Returns
    -------
    SEMResult

    Raises
    ------
    ModelSyntaxError, IdentificationError, ModelDataError, ConvergenceError

    Examples
    --------
    >>> from tillit.sem import datasets, sem
    >>> hs = datasets.load("HolzingerSwineford1939")
    >>> fit = sem("visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9;"
    ...           " speed ~ visual + textual", hs)
    >>> round(fit.fit.chisq, 3), fit.fit.df, round(fit.fit.cfi, 3)
    (85.306, 24, 0.931)
    """
    spec = specify(model, std_lv=std_lv)
    x, dropped = complete_cases(data, spec.observed, n_parameters=spec.n_free)
    s = sample_covariance(x, spec.observed)
    result = fit_covariance(
        spec,
        s,
        x.shape[0],
        kind=_kind,
        n_dropped=dropped,
        max_iter=max_iter,
        level=level,
    )
    if dropped:
        message = emit(
            f"{dropped} incomplete rows were dropped (listwise); {x.shape[0]} complete cases used.",
            ModelWarning,
        )
        result = replace(result, warnings=(message, *result.warnings))
    return result


def cfa(
    model: str,
    data: pd.DataFrame,
    *,
    std_lv: bool = False,
    level: float = 0.95,
    max_iter: int = 500,
) -> SEMResult:
    """Confirmatory factor analysis: :func:`sem` for a measurement model (``=~`` statements,
    optional ``~~`` residual covariances) with reliability per factor.

    Examples
    --------
    >>> from tillit.sem import cfa, datasets
    >>> hs = datasets.load("HolzingerSwineford1939")
    >>> fit = cfa("visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9", hs)
    >>> round(fit.fit.rmsea, 3), round(fit.fit.srmr, 3)
    (0.092, 0.065)
    >>> fit.reliability[["factor", "omega"]].round(3).to_dict("list")
    {'factor': ['visual', 'textual', 'speed'], 'omega': [0.625, 0.885, 0.688]}
    """
    spec = specify(model, std_lv=std_lv)
    regressions = [p for p in spec.parameters if p.op == "~"]
    if regressions:
        first = regressions[0]
        raise IdentificationError(
            f"model: a CFA has no regressions, but the model has '{first.lhs} ~ {first.rhs}'.",
            argument="model",
            value=spec.model,
            hint="Fit it with sem() (tillit model sem) instead.",
        )
    return sem(model, data, std_lv=std_lv, level=level, max_iter=max_iter, _kind="cfa")
