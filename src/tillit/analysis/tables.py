"""Weighted two-way tables with the Rao-Scott corrected test of independence (R ``svychisq``).

Notes
-----
Let :math:`\\hat p` be the estimated cell proportions of the :math:`r \\times c` table (over the
respondents with both values), :math:`\\hat V` their design-based covariance matrix, :math:`n` the
number of respondents and :math:`X^2` Pearson's statistic of the weighted table rescaled to
:math:`n`. With :math:`C` the interaction contrasts (residuals of the interaction columns of the
saturated model on the main effects) and :math:`D = \\mathrm{diag}(\\hat p)`, the generalised
design effects are the eigenvalues of

.. math::

    \\Delta = \\left(C^\\top D^{-1} C / n\\right)^{-1} C^\\top D^{-1} \\hat V D^{-1} C .

* ``statistic="F"`` (R's default, second-order Rao-Scott): :math:`F = X^2 / \\mathrm{tr}\\,\\Delta`
  on :math:`d_0 = (\\mathrm{tr}\\,\\Delta)^2 / \\mathrm{tr}(\\Delta^2)` and :math:`d_0 \\nu`
  degrees of freedom, :math:`\\nu` the design df.
* ``statistic="Chisq"`` (first-order): :math:`X^2 / \\bar\\delta` with
  :math:`\\bar\\delta = \\mathrm{tr}\\,\\Delta / ((r-1)(c-1))`, referred to
  :math:`\\chi^2_{(r-1)(c-1)}`. R reports the uncorrected :math:`X^2` as its statistic and
  bases the p-value on :math:`X^2/\\bar\\delta`; here ``statistic`` is the corrected value
  and ``pearson`` the uncorrected one.

References
----------
Rao, J. N. K. and Scott, A. J. (1984). On chi-squared tests for multiway contingency tables
with cell proportions estimated from survey data. *Annals of Statistics* 12, 46-60.
Lumley, T. (2010). *Complex Surveys*. Wiley, section 6.3.

Examples
--------
>>> from tillit.analysis import Design, crosstab, datasets
>>> design = Design.from_data(datasets.load("apistrat"), strata="stype", fpc="fpc")
>>> tab = crosstab(design, "sch.wide", "stype")
>>> round(tab.test.statistic, 4), round(tab.test.df, 4), round(tab.test.ddf, 2)
(17.2474, 1.8287, 360.25)
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from tillit.analysis.design import Design, _label
from tillit.analysis.errors import AnalysisError, check_choice
from tillit.analysis.estimate import proportion
from tillit.analysis.results import ChiSquareTest, Crosstab
from tillit.analysis.warnings import SmallCellWarning, emit

__all__ = ["crosstab", "rao_scott"]


def _categories(column: pd.Series) -> list[Any]:
    if isinstance(column.dtype, pd.CategoricalDtype):
        return list(column.cat.categories)
    return sorted(column.dropna().unique().tolist(), key=lambda v: (str(type(v)), v))


def rao_scott(
    design: Design,
    rows: str,
    columns: str,
    *,
    statistic: Literal["F", "Chisq"] = "F",
) -> ChiSquareTest:
    """Rao-Scott test of independence of ``rows`` and ``columns`` (R ``svychisq``).

    Respondents with a missing value of either variable are left out (R ``na.rm = TRUE``).

    Examples
    --------
    >>> from tillit.analysis import Design, datasets
    >>> from tillit.analysis.tables import rao_scott
    >>> design = Design.from_data(datasets.load("apistrat"), strata="stype", fpc="fpc")
    >>> test = rao_scott(design, "sch.wide", "stype", statistic="Chisq")
    >>> round(test.pearson, 4), round(test.statistic, 4), test.df
    (26.7535, 34.4949, 2.0)
    """
    check_choice("statistic", statistic, ("F", "Chisq"))
    row_col = design.column(rows, "rows")
    col_col = design.column(columns, "columns")
    row_levels, col_levels = _categories(row_col), _categories(col_col)
    nr, nc = len(row_levels), len(col_levels)
    if nr < 2 or nc < 2:
        raise AnalysisError(
            f"a test of independence needs two or more categories in each variable; "
            f"{rows!r} has {nr}, {columns!r} has {nc}.",
            argument="rows" if nr < 2 else "columns",
            value=rows if nr < 2 else columns,
            allowed="variables with at least two categories",
        )
    complete = (row_col.notna() & col_col.notna()).to_numpy()
    r_code = pd.Categorical(row_col, categories=row_levels).codes
    c_code = pd.Categorical(col_col, categories=col_levels).codes
    cell = np.where(complete, r_code + nr * c_code, -1)  # rows vary fastest, as R's interaction
    k = nr * nc
    indicators = (cell[:, None] == np.arange(k)[None, :]).astype(float)
    w = np.where(complete, design.weights, 0.0)
    total_w = w.sum()
    p = (w @ indicators) / total_w
    z = w[:, None] * (indicators - p) / total_w
    v = design.variance(z, full=True)
    n = int(complete.sum())
    # Interaction contrasts: residuals of the interaction columns on the main-effects design.
    r_idx = np.tile(np.arange(nr), nc)
    c_idx = np.repeat(np.arange(nc), nr)
    x1 = np.column_stack(
        [np.ones(k)]
        + [(r_idx == i).astype(float) for i in range(1, nr)]
        + [(c_idx == j).astype(float) for j in range(1, nc)]
    )
    x12 = np.column_stack(
        [((r_idx == i) & (c_idx == j)).astype(float) for j in range(1, nc) for i in range(1, nr)]
    )
    q, _ = np.linalg.qr(x1)
    cmat = x12 - q @ (q.T @ x12)
    with np.errstate(divide="ignore"):
        inv_p = np.where(p == 0, 0.0, 1.0 / p)
    denom = (cmat.T * (inv_p / n)) @ cmat
    numr = (cmat.T * inv_p) @ v @ (cmat * inv_p[:, None])
    delta = np.linalg.solve(denom, numr)
    trace = float(np.trace(delta))
    d0 = trace**2 / float(np.trace(delta @ delta))
    table = (p * n).reshape(nc, nr).T
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = float(np.nansum((table - expected) ** 2 / expected))
    warnings = []
    if (expected < 1).any() or (expected < 5).mean() > 0.2:
        warnings.append(
            emit(
                f"{int((expected < 5).sum())} of {k} cells have an expected count below 5 "
                f"(of {n} respondents; Cochran's rule): the test may be unreliable.",
                SmallCellWarning,
            )
        )
    nu = float(design.df)
    k_df = (nr - 1) * (nc - 1)
    if statistic == "F":
        value = pearson / trace
        p_value = float(stats.f.sf(value, d0, d0 * nu))
        df, ddf, what = d0, d0 * nu, "Rao-Scott second-order F (R svychisq statistic='F')"
    else:
        value = pearson * k_df / trace
        p_value = float(stats.chi2.sf(value, k_df))
        df, ddf, what = (
            float(k_df),
            float("inf"),
            "Rao-Scott first-order chi-square (R svychisq statistic='Chisq')",
        )
    return ChiSquareTest(
        statistic=float(value),
        df=float(df),
        ddf=float(ddf),
        p_value=p_value,
        pearson=pearson,
        mean_deff=trace / k_df,
        n=n,
        method=f"{what}; {rows} x {columns}; {design.describe()}",
        warnings=tuple(warnings),
        kind=statistic,
    )


def crosstab(
    design: Design,
    rows: str,
    columns: str,
    *,
    percent: Literal["row", "column", "cell"] = "row",
    statistic: Literal["F", "Chisq"] = "F",
    level: float = 0.95,
    ci_method: Literal["wald", "logit"] = "wald",
) -> Crosstab:
    """A weighted crosstab with proportions, their SEs and CIs, and the Rao-Scott test.

    Parameters
    ----------
    design : Design
    rows, columns : str
        Categorical variables.
    percent : {"row", "column", "cell"}
        ``"row"``: distribution of ``columns`` within each row category (R
        ``svyby(~columns, ~rows, design, svymean)``); ``"column"`` the reverse; ``"cell"``:
        joint proportions.
    statistic : {"F", "Chisq"}
        The Rao-Scott test (see :func:`rao_scott`).
    level, ci_method
        As for :func:`~tillit.analysis.estimate.proportion`.

    Returns
    -------
    Crosstab
        ``cells`` (an Estimates), ``counts`` (weighted counts as a DataFrame) and ``test``.
    """
    check_choice("percent", percent, ("row", "column", "cell"))
    test = rao_scott(design, rows, columns, statistic=statistic)
    data = design.data
    if percent == "row":
        cells = proportion(
            design, columns, by=rows, nan_policy="omit", level=level, ci_method=ci_method
        )
    elif percent == "column":
        cells = proportion(
            design, rows, by=columns, nan_policy="omit", level=level, ci_method=ci_method
        )
    else:
        key = "__cell__"
        joined = (
            data[rows].map(_label).astype(str) + " x " + data[columns].map(_label).astype(str)
        ).where(data[rows].notna() & data[columns].notna())
        extended = dataclasses.replace(design, data=data.assign(**{key: joined}))
        cells = proportion(extended, key, nan_policy="omit", level=level, ci_method=ci_method)
    complete = data[rows].notna() & data[columns].notna()
    counts = (
        pd.DataFrame({"r": data[rows], "c": data[columns], "w": design.weights})[complete]
        .pivot_table(index="r", columns="c", values="w", aggfunc="sum", fill_value=0.0)
        .rename_axis(index=rows, columns=columns)
    )
    return Crosstab(
        rows=rows,
        columns=columns,
        cells=cells,
        test=test,
        counts=counts,
        method=cells.method,
        warnings=test.warnings + cells.warnings,
    )
