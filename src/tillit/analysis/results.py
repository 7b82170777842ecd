"""Frozen result objects: named fields, full precision, ``summary()`` and ``to_frame()``.

Every statistic in :mod:`tillit.analysis` returns one of these. Numbers are stored exactly as
computed (never rounded); rounding happens only when :meth:`Result.summary` renders text or HTML
(``digits=``). The CSV rendering keeps full precision (Python's shortest round-trip ``repr``).

The common fields follow the statsmodels convention: ``estimate``, ``se``, ``ci_low``, ``ci_high``,
``df`` (degrees of freedom of the t reference distribution), ``n`` (respondents used), ``method``
(how it was computed, in words) and ``warnings`` (texts of the warnings issued while computing).
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from tillit.analysis.errors import AnalysisError, check_choice

__all__ = [
    "AlphaResult",
    "ChiSquareTest",
    "Crosstab",
    "Estimate",
    "Estimates",
    "OmegaResult",
    "RegressionResult",
    "Result",
    "WeightSummary",
]

FloatArray = npt.NDArray[np.floating[Any]]
IntArray = npt.NDArray[np.integer[Any]]
Format = Literal["text", "html", "csv"]


def frozen_array(values: Any, dtype: Any = np.float64) -> Any:
    """A read-only numpy copy of ``values`` (results are immutable)."""
    out = np.array(values, dtype=dtype, copy=True)
    out.setflags(write=False)
    return out


def format_number(value: Any, digits: int) -> str:
    """Display form of one number: ``digits`` decimals, integers as integers, NaN as ``NA``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    x = float(value)
    if math.isnan(x):
        return "NA"
    if math.isinf(x):
        return "Inf" if x > 0 else "-Inf"
    if x != 0 and abs(x) < 10 ** (-digits):
        return f"{x:.{max(digits - 1, 1)}e}"
    return f"{x:.{digits}f}"


class Result:
    """Rendering shared by every result: :meth:`summary` from :meth:`to_frame`."""

    title: str = "Result"

    def to_frame(self) -> pd.DataFrame:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def _meta(self) -> list[tuple[str, str]]:
        """Key/value lines shown above the table (method, df, n, ...)."""
        method = getattr(self, "method", "")
        return [("method", method)] if method else []

    def _warnings(self) -> tuple[str, ...]:
        return tuple(getattr(self, "warnings", ()))

    def summary(self, format: Format = "text", digits: int = 4) -> str:
        """Render the result as plain text, an HTML fragment or CSV.

        Parameters
        ----------
        format : {"text", "html", "csv"}
            ``"text"`` for the console, ``"html"`` for a ``<table>`` with caption and notes,
            ``"csv"`` for :meth:`to_frame` as CSV in full precision.
        digits : int
            Decimals shown in text and HTML (the stored numbers are never rounded).
        """
        check_choice("format", format, ("text", "html", "csv"))
        if not isinstance(digits, int) or digits < 0:
            raise AnalysisError(
                f"digits={digits!r} is not allowed; use a whole number >= 0.",
                argument="digits",
                value=digits,
                allowed="an integer >= 0",
            )
        frame = self.to_frame()
        if format == "csv":
            return str(frame.to_csv(index=False, lineterminator="\n"))
        if format == "html":
            return _render_html(self.title, self._meta(), frame, self._warnings(), digits)
        return _render_text(self.title, self._meta(), frame, self._warnings(), digits)

    def __str__(self) -> str:
        return self.summary()


def _cells(frame: pd.DataFrame, digits: int) -> list[list[str]]:
    rows = []
    for record in frame.itertuples(index=False):
        rows.append([format_number(v, digits) for v in record])
    return rows


def _render_text(
    title: str,
    meta: list[tuple[str, str]],
    frame: pd.DataFrame,
    warnings: Sequence[str],
    digits: int,
) -> str:
    headers = [str(c) for c in frame.columns]
    rows = _cells(frame, digits)
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(values: list[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out = [title, "=" * len(title)]
    out += [f"{k}: {v}" for k, v in meta]
    out.append("")
    out.append(line(headers))
    out.append("  ".join("-" * w for w in widths))
    out += [line(r) for r in rows]
    if warnings:
        out.append("")
        out += [f"warning: {w}" for w in warnings]
    return "\n".join(out) + "\n"


def _render_html(
    title: str,
    meta: list[tuple[str, str]],
    frame: pd.DataFrame,
    warnings: Sequence[str],
    digits: int,
) -> str:
    esc = html.escape
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    head = "".join(f'<th scope="col">{esc(str(c))}</th>' for c in frame.columns)
    body = []
    for row in _cells(frame, digits):
        tds = "".join(
            f'<td class="num">{esc(v)}</td>' if num else f"<td>{esc(v)}</td>"
            for v, num in zip(row, numeric, strict=True)
        )
        body.append(f"<tr>{tds}</tr>")
    notes = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in meta)
    warn = "".join(f'<li class="warning">{esc(w)}</li>' for w in warnings)
    parts = [
        '<div class="tillit-result">',
        f'<table class="result"><caption>{esc(title)}</caption>',
        f"<thead><tr>{head}</tr></thead>",
        f"<tbody>{''.join(body)}</tbody></table>",
    ]
    if notes:
        parts.append(f'<dl class="result-meta">{notes}</dl>')
    if warn:
        parts.append(f'<ul class="result-warnings">{warn}</ul>')
    parts.append("</div>")
    return "\n".join(parts) + "\n"


_TITLES = {
    "mean": "Means",
    "total": "Totals",
    "proportion": "Proportions",
    "ratio": "Ratios",
    "difference": "Differences between domains",
    "difference from frame": "Respondents compared with the frame",
}


# -- estimates ------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Estimate(Result):
    """One design-based estimate (a row of :class:`Estimates`).

    Attributes
    ----------
    estimate, se, ci_low, ci_high : float
        The estimate, its Taylor-linearised standard error and the t confidence interval.
    df : float
        Degrees of freedom of the t distribution behind ``ci_low``/``ci_high`` and ``p_value``.
    n : int
        Respondents that contributed (in the domain, with a non-missing value).
    statistic, variable, category, domain : str, str, str or None, tuple
        What was estimated: ``"mean"`` of ``variable`` (``category`` for a proportion) in the
        domain whose ``by`` values are ``domain``.
    deff, t, p_value : float or None
        Design effect, and the t statistic and two-sided p-value when the row is a test.
    """

    statistic: str
    variable: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    df: float
    n: int
    method: str
    warnings: tuple[str, ...] = ()
    category: str | None = None
    by: tuple[str, ...] = ()
    domain: tuple[Any, ...] = ()
    deff: float | None = None
    t: float | None = None
    p_value: float | None = None
    level: float = 0.95

    title = "Estimate"

    def to_frame(self) -> pd.DataFrame:
        record: dict[str, Any] = dict(zip(self.by, self.domain, strict=True))
        record["variable"] = self.variable
        if self.category is not None:
            record["category"] = self.category
        record.update(
            statistic=self.statistic,
            estimate=self.estimate,
            se=self.se,
            ci_low=self.ci_low,
            ci_high=self.ci_high,
            df=self.df,
            n=self.n,
        )
        for name in ("deff", "t", "p_value"):
            if getattr(self, name) is not None:
                record[name] = getattr(self, name)
        return pd.DataFrame([record])


@dataclass(frozen=True, eq=False)
class Estimates(Result):
    """Design-based estimates for one or more variables, categories and domains.

    One row per (domain, variable, category). Arrays are read-only and aligned with
    :attr:`variable`. Use :meth:`get` for one row as an :class:`Estimate`, :meth:`to_frame` for
    pandas and :meth:`summary` for text, HTML or CSV.

    Attributes
    ----------
    statistic : str
        ``"mean"``, ``"total"``, ``"proportion"``, ``"ratio"``, ``"difference"``, ...
    variable : tuple of str
        The variable of each row (``"api00/api99"`` for a ratio).
    estimate, se, ci_low, ci_high : ndarray
        Estimates, standard errors and t confidence intervals at :attr:`level`.
    df : float
        Design degrees of freedom used for the intervals (PSUs minus strata).
    n : ndarray of int
        Respondents used per row.
    method : str
        The estimator and the design, in words.
    warnings : tuple of str
        Warnings issued while computing.
    category : tuple of (str or None)
        Category of each row for proportions, else ``None``.
    by, domain : tuple of str, tuple of tuples
        Names of the domain variables and each row's values of them (empty without ``by=``).
    deff : ndarray or None
        Design effects, when asked for.
    vcov : ndarray or None
        Covariance matrix of the estimates (rows x rows), when computed.
    t, p_value : ndarray or None
        t statistics and two-sided p-values, for tests.
    population : ndarray or None
        Estimated population size of each row's domain (sum of weights used).
    extra : mapping of str to ndarray
        Further named columns (e.g. the frame values of a nonresponse analysis).
    """

    statistic: str
    variable: tuple[str, ...]
    estimate: FloatArray
    se: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    df: float
    n: IntArray
    method: str
    warnings: tuple[str, ...] = ()
    level: float = 0.95
    category: tuple[str | None, ...] = ()
    by: tuple[str, ...] = ()
    domain: tuple[tuple[Any, ...], ...] = ()
    deff: FloatArray | None = None
    vcov: FloatArray | None = None
    t: FloatArray | None = None
    p_value: FloatArray | None = None
    population: FloatArray | None = None
    extra: Mapping[str, FloatArray] = field(default_factory=dict)

    @property
    def title(self) -> str:  # type: ignore[override]
        return _TITLES.get(self.statistic, self.statistic.capitalize())

    def __len__(self) -> int:
        return len(self.variable)

    def _meta(self) -> list[tuple[str, str]]:
        meta = [("method", self.method), ("confidence level", f"{self.level:g}")]
        meta.append(("degrees of freedom", format_number(self.df, 0)))
        return meta

    def _categories(self) -> tuple[str | None, ...]:
        return self.category or (None,) * len(self.variable)

    def _domains(self) -> tuple[tuple[Any, ...], ...]:
        return self.domain or ((),) * len(self.variable)

    def get(
        self,
        variable: str | None = None,
        domain: Any = None,
        category: str | None = None,
    ) -> Estimate:
        """The one row for ``variable`` (and ``domain``, ``category``) as an :class:`Estimate`.

        ``domain`` is the value of the single ``by`` variable, or a tuple of values for several.
        Raises :class:`~tillit.analysis.errors.AnalysisError` when no row or several rows match.
        """
        want_domain = (
            None if domain is None else (domain if isinstance(domain, tuple) else (domain,))
        )
        hits = [
            i
            for i, (v, c, d) in enumerate(
                zip(self.variable, self._categories(), self._domains(), strict=True)
            )
            if (variable is None or v == variable)
            and (category is None or c == category)
            and (want_domain is None or tuple(d) == want_domain)
        ]
        if len(hits) != 1:
            what = f"variable={variable!r}, domain={domain!r}, category={category!r}"
            problem = "no row matches" if not hits else f"{len(hits)} rows match"
            raise AnalysisError(
                f"{problem} {what}; give variable, domain and category to pick one row.",
                argument="variable",
                value=variable,
                allowed=f"variables {sorted(set(self.variable))}",
            )
        i = hits[0]

        def opt(arr: FloatArray | None) -> float | None:
            return None if arr is None else float(arr[i])

        return Estimate(
            statistic=self.statistic,
            variable=self.variable[i],
            estimate=float(self.estimate[i]),
            se=float(self.se[i]),
            ci_low=float(self.ci_low[i]),
            ci_high=float(self.ci_high[i]),
            df=self.df,
            n=int(self.n[i]),
            method=self.method,
            warnings=self.warnings,
            category=self._categories()[i],
            by=self.by,
            domain=tuple(self._domains()[i]),
            deff=opt(self.deff),
            t=opt(self.t),
            p_value=opt(self.p_value),
            level=self.level,
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per estimate: domain columns, variable, category, estimate, se, CI, df, n, ..."""
        data: dict[str, Any] = {}
        domains = self._domains()
        for j, name in enumerate(self.by):
            data[name] = [d[j] for d in domains]
        data["variable"] = list(self.variable)
        if any(c is not None for c in self._categories()):
            data["category"] = list(self._categories())
        data["estimate"] = self.estimate
        data["se"] = self.se
        data["ci_low"] = self.ci_low
        data["ci_high"] = self.ci_high
        data["df"] = np.full(len(self.variable), self.df)
        data["n"] = self.n
        for name in ("deff", "t", "p_value", "population"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        for name, value in self.extra.items():
            data[name] = value
        return pd.DataFrame(data)


# -- tests and tables -----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ChiSquareTest(Result):
    """A design-based test of independence in a two-way table (Rao-Scott).

    Attributes
    ----------
    statistic : float
        The F statistic (``"F"``) or the corrected chi-square (``"Chisq"``).
    df, ddf : float
        Numerator and denominator degrees of freedom (``ddf`` is ``inf`` for ``"Chisq"``).
    p_value : float
        Upper-tail probability of ``statistic``.
    pearson : float
        Uncorrected Pearson X^2 of the table rescaled to ``n`` respondents.
    mean_deff : float
        Mean generalised design effect (trace of Delta divided by its dimension).
    n : int
        Respondents in the table.
    """

    statistic: float
    df: float
    ddf: float
    p_value: float
    pearson: float
    mean_deff: float
    n: int
    method: str
    warnings: tuple[str, ...] = ()
    kind: str = "F"

    title = "Test of independence"

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "statistic": self.kind,
                    "value": self.statistic,
                    "df": self.df,
                    "ddf": self.ddf,
                    "p_value": self.p_value,
                    "pearson_x2": self.pearson,
                    "mean_deff": self.mean_deff,
                    "n": self.n,
                }
            ]
        )


@dataclass(frozen=True, eq=False)
class Crosstab(Result):
    """A weighted two-way table: cell (or row/column) proportions with SEs, and the test."""

    rows: str
    columns: str
    cells: Estimates
    test: ChiSquareTest
    counts: pd.DataFrame
    method: str
    warnings: tuple[str, ...] = ()

    title = "Weighted crosstab"

    def to_frame(self) -> pd.DataFrame:
        return self.cells.to_frame()

    def summary(self, format: Format = "text", digits: int = 4) -> str:
        """The proportions table followed by the test (CSV: the proportions only)."""
        if format == "csv":
            return self.cells.summary("csv", digits)
        return self.cells.summary(format, digits) + "\n" + self.test.summary(format, digits)


@dataclass(frozen=True, eq=False)
class RegressionResult(Result):
    """A design-based (weighted, sandwich-variance) GLM fit, like R ``svyglm``.

    Attributes
    ----------
    terms : tuple of str
        Coefficient names in R's style (``"(Intercept)"``, ``"stypeH"``, ``"ell"``).
    estimate, se, ci_low, ci_high, t, p_value : ndarray
        Coefficients, design-based SEs, t intervals and tests with ``df`` degrees of freedom.
    df : float
        Residual design df: PSUs minus strata minus coefficients plus one (R's ``df.residual``).
    vcov : ndarray
        Design-based covariance matrix of the coefficients.
    family : str
        ``"gaussian"`` or ``"quasibinomial"``.
    iterations : int
        IRLS iterations (R's ``iter``).
    """

    terms: tuple[str, ...]
    estimate: FloatArray
    se: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    df: float
    n: int
    method: str
    t: FloatArray
    p_value: FloatArray
    vcov: FloatArray
    family: str
    response: str
    iterations: int
    warnings: tuple[str, ...] = ()
    level: float = 0.95

    title = "Design-based regression"

    def _meta(self) -> list[tuple[str, str]]:
        return [
            ("method", self.method),
            ("response", self.response),
            ("family", self.family),
            ("respondents", str(self.n)),
            ("residual degrees of freedom", format_number(self.df, 0)),
        ]

    def coefficient(self, term: str) -> float:
        """The estimate of one coefficient by name."""
        if term not in self.terms:
            raise AnalysisError(
                f"term={term!r} is not a coefficient of this model.",
                argument="term",
                value=term,
                allowed=f"one of {list(self.terms)}",
            )
        return float(self.estimate[self.terms.index(term)])

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "term": list(self.terms),
                "estimate": self.estimate,
                "se": self.se,
                "t": self.t,
                "p_value": self.p_value,
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
                "df": np.full(len(self.terms), self.df),
            }
        )


# -- scales ---------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class AlphaResult(Result):
    """Cronbach's alpha of a scale with its interval and item statistics (like ``psych::alpha``).

    Attributes
    ----------
    estimate : float
        Raw (covariance-based) alpha.
    se : float
        Duhachek's asymptotic standard error (psych's ``ase``).
    ci_low, ci_high : float
        Feldt's F-based interval (``ci_method="feldt"``) or alpha -/+ z * ase (``"duhachek"``).
    df : tuple of float
        The F degrees of freedom of Feldt's interval, ``(n - 1, (n - 1) * (k - 1))``.
    standardized : float
        Alpha of the correlation matrix.
    average_r : float
        Mean inter-item correlation.
    items : pandas.DataFrame
        Per item: ``n``, ``mean``, ``sd``, ``r_drop`` (item-rest correlation),
        ``alpha_if_deleted``, ``std_alpha_if_deleted``.
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    df: tuple[float, float]
    n: int
    k_items: int
    method: str
    standardized: float
    average_r: float
    items: pd.DataFrame
    scale_mean: float
    scale_sd: float
    warnings: tuple[str, ...] = ()
    level: float = 0.95

    title = "Cronbach's alpha"

    def _meta(self) -> list[tuple[str, str]]:
        return [
            ("method", self.method),
            ("alpha", repr(self.estimate)),
            (f"{self.level:g} interval", f"[{self.ci_low!r}, {self.ci_high!r}]"),
            ("standardised alpha", repr(self.standardized)),
            ("respondents", str(self.n)),
            ("items", str(self.k_items)),
        ]

    def to_frame(self) -> pd.DataFrame:
        return self.items.reset_index(names="item")


@dataclass(frozen=True, eq=False)
class OmegaResult(Result):
    """McDonald's omega total of a one-factor model (see :func:`tillit.analysis.scales.omega`).

    Attributes
    ----------
    estimate : float
        Omega total.
    se, ci_low, ci_high : float
        Not available analytically (NaN); bootstrap if you need an interval.
    loadings, uniquenesses : ndarray
        The fitted one-factor solution (correlation metric for ``"minres"``, covariance metric
        for ``"ml"``).
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    df: float
    n: int
    k_items: int
    method: str
    items: tuple[str, ...]
    loadings: FloatArray
    uniquenesses: FloatArray
    iterations: int
    warnings: tuple[str, ...] = ()

    title = "McDonald's omega"

    def _meta(self) -> list[tuple[str, str]]:
        return [
            ("method", self.method),
            ("omega total", repr(self.estimate)),
            ("respondents", str(self.n)),
            ("items", str(self.k_items)),
        ]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {"item": list(self.items), "loading": self.loadings, "uniqueness": self.uniquenesses}
        )


# -- weights --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class WeightSummary(Result):
    """Diagnostics of a set of weights (Kish).

    Attributes
    ----------
    estimate : float
        Kish's design effect due to weighting, ``1 + cv^2 = n * sum(w^2) / sum(w)^2``.
    n_effective : float
        Kish's effective sample size ``sum(w)^2 / sum(w^2) = n / deff``.
    cv : float
        Coefficient of variation of the weights (population standard deviation / mean).
    """

    estimate: float
    n_effective: float
    cv: float
    n: int
    total: float
    minimum: float
    maximum: float
    mean: float
    quantiles: Mapping[str, float]
    method: str
    warnings: tuple[str, ...] = ()

    title = "Weight diagnostics"

    @property
    def deff(self) -> float:
        """Alias of :attr:`estimate`: the design effect due to weighting."""
        return self.estimate

    def to_frame(self) -> pd.DataFrame:
        record: dict[str, float] = {
            "n": float(self.n),
            "sum": self.total,
            "min": self.minimum,
            "max": self.maximum,
            "mean": self.mean,
            "cv": self.cv,
            "deff_kish": self.estimate,
            "n_effective": self.n_effective,
        }
        record.update(self.quantiles)
        return pd.DataFrame({"statistic": list(record), "value": list(record.values())})
