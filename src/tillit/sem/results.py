"""Result objects of the model library: fit measures and a fitted CFA/SEM.

Numbers are stored unrounded; :meth:`SEMResult.summary` renders text, HTML or CSV (as every
:class:`tillit.analysis.results.Result`), :meth:`SEMResult.to_dict` gives plain JSON data.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from tillit.analysis.results import Format, Result, format_number
from tillit.sem.errors import SEMError

__all__ = ["FitMeasures", "SEMResult", "frame_records"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class FitMeasures:
    """Global fit of a model (names as lavaan's ``fitMeasures`` with ``.`` as ``_``).

    Attributes
    ----------
    chisq, df, pvalue : float, int, float
        Model chi-square :math:`N F_{ML}`, its degrees of freedom and p-value.
    baseline_chisq, baseline_df : float, int
        The independence (baseline) model.
    cfi, tli : float
        Comparative fit index and Tucker-Lewis index.
    rmsea, rmsea_ci_low, rmsea_ci_high, rmsea_pvalue : float
        RMSEA with its 90% interval and the p-value of close fit (RMSEA <= .05).
    srmr : float
        Standardised root mean square residual (Bentler's, lavaan's ``srmr``).
    logl, aic, bic : float
        Log-likelihood of the model (means saturated) and information criteria.
    npar, n : int
        Free parameters and cases.
    fmin : float
        lavaan's ``fmin``: half the ML discrepancy at the solution.
    """

    chisq: float
    df: int
    pvalue: float
    baseline_chisq: float
    baseline_df: int
    cfi: float
    tli: float
    rmsea: float
    rmsea_ci_low: float
    rmsea_ci_high: float
    rmsea_pvalue: float
    srmr: float
    logl: float
    aic: float
    bic: float
    npar: int
    n: int
    fmin: float

    def to_dict(self) -> dict[str, float | int | None]:
        """Plain numbers (NaN as None) for JSON."""
        return {k: _plain(v) for k, v in asdict(self).items()}


def _plain(value: Any) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(float(value)) or math.isinf(float(value)) else float(value)
    return value


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A DataFrame as JSON-ready records (NaN as None, numpy scalars as Python numbers)."""
    return [{str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


@dataclass(frozen=True, eq=False)
class SEMResult(Result):
    """A fitted confirmatory factor analysis or structural equation model.

    Attributes
    ----------
    kind : {"cfa", "sem"}
        Which function fitted it.
    model : str
        The model text.
    n, n_dropped : int
        Complete cases used and incomplete rows dropped.
    parameters : pandas.DataFrame
        One row per parameter (as lavaan's ``parameterEstimates(fit, standardized = TRUE)``):
        ``lhs``, ``op``, ``rhs``, ``label``, ``free``, ``estimate``, ``se``, ``z``,
        ``p_value``, ``ci_low``, ``ci_high`` (Wald, ``level``), ``std_all``.
    fit : FitMeasures
        Chi-square, CFI, TLI, RMSEA with interval, SRMR, information criteria.
    reliability : pandas.DataFrame
        Per factor with two or more observed indicators: ``omega`` (composite reliability from
        the fitted loadings, residual variances and covariances) and raw Cronbach's ``alpha``.
    r2 : pandas.DataFrame
        ``variable``, ``r2``: explained variance of every endogenous variable (indicators,
        regressed variables), as lavaan's ``lavInspect(fit, "r2")``.
    sample_cov, implied_cov : ndarray
        :math:`S` (divisor N) and :math:`\\Sigma(\\hat\\theta)`, in the order of ``observed``.
    vcov : ndarray
        Covariance matrix of the free parameters (expected information).
    """

    kind: str
    model: str
    n: int
    n_dropped: int
    parameters: pd.DataFrame
    fit: FitMeasures
    reliability: pd.DataFrame
    r2: pd.DataFrame
    observed: tuple[str, ...]
    latent: tuple[str, ...]
    covariates: tuple[str, ...]
    sample_cov: FloatArray
    implied_cov: FloatArray
    vcov: FloatArray
    iterations: int
    method: str
    warnings: tuple[str, ...] = ()
    level: float = 0.95

    @property
    def title(self) -> str:  # type: ignore[override]
        return "Confirmatory factor analysis" if self.kind == "cfa" else "Structural equation model"

    def _meta(self) -> list[tuple[str, str]]:
        f = self.fit
        return [
            ("method", self.method),
            (
                "cases",
                f"{self.n}" + (f" ({self.n_dropped} incomplete dropped)" if self.n_dropped else ""),
            ),
            (
                "chi-square",
                f"{format_number(f.chisq, 3)} on {f.df} df, p = {format_number(f.pvalue, 4)}",
            ),
            ("CFI / TLI", f"{format_number(f.cfi, 3)} / {format_number(f.tli, 3)}"),
            (
                "RMSEA (90% CI)",
                f"{format_number(f.rmsea, 3)} ({format_number(f.rmsea_ci_low, 3)}, "
                f"{format_number(f.rmsea_ci_high, 3)})",
            ),
            ("SRMR", format_number(f.srmr, 3)),
        ]

    def to_frame(self) -> pd.DataFrame:
        """The parameter table."""
        return self.parameters.copy()

    def summary(self, format: Format = "text", digits: int = 4) -> str:
        """Fit, parameter table and (text/HTML) the reliability table."""
        out = super().summary(format, digits)
        if format == "csv" or self.reliability.empty:
            return out
        rel = _Table("Reliability", self.reliability)
        return out + "\n" + rel.summary(format, digits)

    def parameter(self, lhs: str, op: str, rhs: str) -> pd.Series:
        """One row of :attr:`parameters` (``~~`` in either order)."""
        p = self.parameters
        hit = p[(p.lhs == lhs) & (p.op == op) & (p.rhs == rhs)]
        if hit.empty and op == "~~":
            hit = p[(p.lhs == rhs) & (p.op == op) & (p.rhs == lhs)]
        if hit.empty:
            raise SEMError(
                f"'{lhs} {op} {rhs}' is not a parameter of this model.",
                argument="parameter",
                value=f"{lhs} {op} {rhs}",
                hint="See result.parameters for the rows.",
            )
        return hit.iloc[0]

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain JSON data (NaN as null)."""
        return {
            "kind": self.kind,
            "model": self.model,
            "method": self.method,
            "n": self.n,
            "n_dropped": self.n_dropped,
            "observed": list(self.observed),
            "latent": list(self.latent),
            "covariates": list(self.covariates),
            "fit": self.fit.to_dict(),
            "parameters": frame_records(self.parameters),
            "reliability": frame_records(self.reliability),
            "r2": frame_records(self.r2),
            "iterations": self.iterations,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True, eq=False)
class _Table(Result):
    """A plain table rendered like a result (used for the reliability block)."""

    name: str
    frame: pd.DataFrame

    @property
    def title(self) -> str:  # type: ignore[override]
        return self.name

    def to_frame(self) -> pd.DataFrame:
        return self.frame
