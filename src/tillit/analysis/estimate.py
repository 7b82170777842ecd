"""Design-based estimates: means, totals, proportions, ratios, by domain, and domain differences.

Every function takes a :class:`~tillit.analysis.design.Design` and returns an
:class:`~tillit.analysis.results.Estimates` with Taylor-linearised standard errors, t confidence
intervals with the design degrees of freedom, and optionally design effects.

Notes
-----
With weights :math:`w_i` restricted to the domain and to non-missing values (:math:`w_i = 0`
elsewhere), :math:`\\hat N = \\sum w_i`, and the influence values :math:`z_i` below, the variance is
:meth:`Design.variance <tillit.analysis.design.Design.variance>` of :math:`z`:

* total :math:`\\hat Y = \\sum w_i y_i`, :math:`z_i = w_i y_i` (R ``svytotal``);
* mean :math:`\\bar y = \\hat Y / \\hat N`, :math:`z_i = w_i (y_i - \\bar y) / \\hat N`
  (R ``svymean``); a proportion is the mean of a 0/1 indicator;
* ratio :math:`\\hat R = \\hat Y / \\hat X`, :math:`z_i = w_i (y_i - \\hat R x_i) / \\hat X`
  (R ``svyratio``);
* difference of two domain statistics: the difference of their :math:`z` (the covariance between
  the domains is included; it is 0 when the domains are strata).

Domains are estimated on the whole design (R ``svyby``, subpopulation estimation): units outside
the domain keep their place in the strata with :math:`z_i = 0`, so the domain size is random and
the fpc and PSU counts are those of the whole sample. ``nan_policy="omit"`` treats the respondents
with a missing value of a variable the same way (R ``na.rm = TRUE``), one variable at a time.

Confidence intervals are :math:`\\hat\\theta \\pm t_{df,\\,1-\\alpha/2}\\,\\mathrm{SE}` with
``df`` the design degrees of freedom (PSUs minus strata, R ``degf``), as R's
``confint(x, df = degf(design))``; R's default ``confint`` uses the normal quantile (df = Inf).
For proportions ``ci_method="logit"`` gives R ``svyciprop(method = "logit")``:
:math:`\\mathrm{expit}(\\mathrm{logit}\\,\\hat p \\pm t\\,\\mathrm{SE}/(\\hat p(1-\\hat p)))`.

Design effects (``deff=True``) compare with simple random sampling *without* replacement of the
same number of respondents from a population of :math:`\\hat N`, exactly as R's ``deff = TRUE``:
:math:`V_{srs} = s^2 (\\hat N - n)/(\\hat N n)` for a mean, with
:math:`s^2 = \\sum w_i (y_i - \\bar y)^2 / \\hat N \\cdot n / (n - 1)`; ``deff="replace"`` compares
with sampling with replacement, :math:`V_{srs} = s^2 / n` (R ``deff = "replace"``). Totals use
:math:`\\hat N^2` times these.

References
----------
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.
Särndal, C.-E., Swensson, B. and Wretman, J. (1992). *Model Assisted Survey Sampling*. Springer.
Kish, L. (1965). *Survey Sampling*. Wiley (design effects).

Examples
--------
>>> from tillit.analysis import Design, datasets, mean
>>> design = Design.from_data(datasets.load("apistrat"), strata="stype", fpc="fpc")
>>> m = mean(design, "api00")
>>> round(m.get("api00").estimate, 3), round(m.get("api00").se, 4)
(662.287, 9.4089)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from tillit.analysis.design import Design, _label, factorize
from tillit.analysis.domains import can_group, grouped_linearize
from tillit.analysis.errors import AnalysisError, check_choice
from tillit.analysis.results import Estimates, frozen_array

__all__ = [
    "difference",
    "mean",
    "proportion",
    "ratio",
    "select_multiple",
    "t_interval",
    "total",
]

FloatArray = npt.NDArray[np.floating[Any]]
IntArray = npt.NDArray[np.integer[Any]]
NanPolicy = Literal["raise", "omit"]
Deff = bool | Literal["replace"]


# -- shared helpers -------------------------------------------------------------------------------


def t_interval(
    estimate: npt.ArrayLike, se: npt.ArrayLike, df: float, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """The t interval :math:`\\hat\\theta \\pm t_{df, 1 - (1 - level)/2}\\,SE` (NaN when df <= 0).

    Examples
    --------
    >>> lo, hi = t_interval([10.0], [1.0], df=float("inf"))
    >>> round(float(lo[0]), 4), round(float(hi[0]), 4)
    (8.04, 11.96)
    """
    est = np.asarray(estimate, dtype=float)
    s = np.asarray(se, dtype=float)
    _check_level(level)
    if not df > 0:
        nan = np.full_like(est, np.nan)
        return nan, nan.copy()
    q = float(stats.t.ppf(0.5 + level / 2, df))
    return est - q * s, est + q * s


def _check_level(level: float) -> None:
    if not isinstance(level, (int, float)) or not 0 < level < 1:
        raise AnalysisError(
            f"level={level!r} is not allowed; use a confidence level between 0 and 1, e.g. 0.95.",
            argument="level",
            value=level,
            allowed="0 < level < 1",
        )


def _variables(variables: str | Sequence[str], argument: str = "variables") -> list[str]:
    names = [variables] if isinstance(variables, str) else list(variables)
    if not names:
        raise AnalysisError(
            f"{argument} is empty; name at least one column.",
            argument=argument,
            value=variables,
            allowed="a column name or a list of column names",
        )
    return names


def _numeric(design: Design, names: list[str], argument: str = "variables") -> FloatArray:
    columns = []
    for name in names:
        col = design.column(name, argument)
        if pd.api.types.is_bool_dtype(col):
            col = col.astype(float)
        if not pd.api.types.is_numeric_dtype(col):
            raise AnalysisError(
                f"{argument}: column {name!r} is not numeric (dtype {col.dtype}).",
                argument=argument,
                value=name,
                allowed="numeric columns",
                hint="Use proportion() for categorical variables.",
            )
        columns.append(col.to_numpy(dtype=float, na_value=np.nan))
    return np.column_stack(columns)


def _missing(
    names: list[str], values: FloatArray, nan_policy: NanPolicy, argument: str = "variables"
) -> tuple[npt.NDArray[np.bool_], list[str]]:
    """Mask of usable values and notes on what was omitted; raise under ``nan_policy="raise"``."""
    check_choice("nan_policy", nan_policy, ("raise", "omit"))
    ok = ~np.isnan(values)
    notes = []
    for j, name in enumerate(names):
        k_missing = int((~ok[:, j]).sum())
        if not k_missing:
            continue
        if nan_policy == "raise":
            raise AnalysisError(
                f"{argument}: {name!r} has {k_missing} missing values.",
                argument="nan_policy",
                value="raise",
                allowed="'omit' to leave them out (R na.rm = TRUE)",
                hint="Pass nan_policy='omit' to estimate from the respondents with a value "
                "(domain estimation, the design is kept).",
            )
        notes.append(f"{name}: {k_missing} respondents with a missing value left out")
    return ok, notes


@dataclass(frozen=True)
class _Domains:
    by: tuple[str, ...]
    codes: IntArray  # -1 = outside every domain
    labels: tuple[tuple[Any, ...], ...]
    notes: tuple[str, ...] = ()

    @property
    def k(self) -> int:
        return len(self.labels)


def _domains(design: Design, by: str | Sequence[str] | None, nan_policy: NanPolicy) -> _Domains:
    check_choice("nan_policy", nan_policy, ("raise", "omit"))
    if by is None:
        return _Domains((), np.zeros(design.n, dtype=np.int64), ((),))
    names = _variables(by, "by")
    frame = pd.DataFrame({name: design.column(name, "by") for name in names})
    missing = frame.isna().any(axis=1).to_numpy()
    notes: tuple[str, ...] = ()
    if missing.any():
        if nan_policy == "raise":
            raise AnalysisError(
                f"by: {names} has missing values in {int(missing.sum())} rows.",
                argument="nan_policy",
                value="raise",
                allowed="'omit' to leave those respondents out of every domain",
            )
        notes = (f"by: {int(missing.sum())} respondents without a domain left out",)
    codes, keys = factorize(frame, names)
    return _Domains(tuple(names), codes, tuple(keys), notes)


def _method(design: Design, what: str, level: float) -> str:
    return f"{what}, Taylor linearisation; {design.describe()}; t intervals ({level:g})"


def _check_deff(deff: Deff) -> None:
    check_choice("deff", deff, (False, True, "replace"))


@dataclass
class _Columns:
    """Per (domain, column) results of the linearisation, in domain-major order."""

    estimate: list[FloatArray]
    variance: list[FloatArray]
    n: list[IntArray]
    population: list[FloatArray]
    deff: list[FloatArray]
    influence: list[FloatArray] | None


def _linearize(
    design: Design,
    values: FloatArray,
    usable: npt.NDArray[np.bool_],
    domains: _Domains,
    kind: Literal["mean", "total"],
    deff: Deff,
    keep_influence: bool = False,
) -> _Columns:
    """Means or totals of each column of ``values`` in each domain, with variances."""
    if not keep_influence and can_group(design):
        est, var, n_used, pop, deffs = grouped_linearize(
            design, values, usable, domains.codes, domains.k, kind, deff
        )
        return _Columns(
            list(est),
            list(var),
            list(n_used),
            list(pop),
            list(deffs) if deffs is not None else [],
            None,
        )
    y = np.where(usable, values, 0.0)
    w = design.weights
    out = _Columns([], [], [], [], [], [] if keep_influence else None)
    for d in range(domains.k):
        member = domains.codes == d
        we = np.where(usable & member[:, None], w[:, None], 0.0)
        total_w = we.sum(axis=0)
        wy = we * y
        sums = wy.sum(axis=0)
        n_used = (we > 0).sum(axis=0).astype(np.int64)
        with np.errstate(invalid="ignore", divide="ignore"):
            avg = sums / total_w
            centred = we * (y - avg)
            z = centred / total_w if kind == "mean" else wy
        var = design.variance(z)
        est = avg if kind == "mean" else sums
        if deff is not False:
            with np.errstate(invalid="ignore", divide="ignore"):
                s2 = (centred * (y - avg)).sum(axis=0) / total_w * n_used / (n_used - 1)
                if deff == "replace":
                    vsrs = s2 / n_used
                else:
                    vsrs = s2 * (total_w - n_used) / (total_w * n_used)
                if kind == "total":
                    vsrs = vsrs * total_w**2
                out.deff.append(var / vsrs)
        out.estimate.append(est)
        out.variance.append(var)
        out.n.append(n_used)
        out.population.append(total_w)
        if out.influence is not None:
            out.influence.append(z)
    return out


def _assemble(
    design: Design,
    statistic: str,
    names: list[str],
    categories: list[str | None],
    domains: _Domains,
    cols: _Columns,
    level: float,
    deff: Deff,
    notes: list[str],
    what: str,
    ci_method: str = "wald",
) -> Estimates:
    """Rows in domain-major order (for each domain, every variable) as an Estimates."""
    est = np.concatenate(cols.estimate)
    se = np.sqrt(np.concatenate(cols.variance))
    if ci_method == "logit":
        lo, hi = _logit_interval(est, se, design.df, level)
    else:
        lo, hi = t_interval(est, se, design.df, level)
    k = len(names)
    vcov = None
    if cols.influence is not None:
        vcov = frozen_array(design.variance(np.column_stack(cols.influence), full=True))
    return Estimates(
        statistic=statistic,
        variable=tuple(names) * domains.k,
        estimate=frozen_array(est),
        se=frozen_array(se),
        ci_low=frozen_array(lo),
        ci_high=frozen_array(hi),
        df=float(design.df),
        n=frozen_array(np.concatenate(cols.n), np.int64),
        method=_method(design, what, level),
        warnings=tuple(domains.notes) + tuple(notes),
        level=level,
        category=tuple(categories) * domains.k if any(c is not None for c in categories) else (),
        by=domains.by,
        domain=tuple(lab for lab in domains.labels for _ in range(k)) if domains.by else (),
        deff=frozen_array(np.concatenate(cols.deff)) if deff is not False else None,
        vcov=vcov,
        population=frozen_array(np.concatenate(cols.population)),
    )


def _logit_interval(
    p: FloatArray, se: FloatArray, df: float, level: float
) -> tuple[FloatArray, FloatArray]:
    """R ``svyciprop(method = "logit")``: the t interval on the logit scale, back-transformed."""
    if not df > 0:
        nan = np.full_like(p, np.nan)
        return nan, nan.copy()
    q = float(stats.t.ppf(0.5 + level / 2, df))
    inside = (p > 0) & (p < 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        logit = np.log(p / (1 - p))
        half = q * se / (p * (1 - p))
        lo = np.where(inside, 1 / (1 + np.exp(-(logit - half))), p)
        hi = np.where(inside, 1 / (1 + np.exp(-(logit + half))), p)
    return lo, hi


# -- public estimators ----------------------------------------------------------------------------


def mean(
    design: Design,
    variables: str | Sequence[str],
    *,
    by: str | Sequence[str] | None = None,
    nan_policy: NanPolicy = "raise",
    deff: Deff = False,
    level: float = 0.95,
    vcov: bool = False,
) -> Estimates:
    """Weighted means with Taylor-linearised SEs, optionally by domain (R ``svymean``/``svyby``).

    Parameters
    ----------
    design : Design
        The survey design.
    variables : str or list of str
        Numeric column(s).
    by : str or list of str, optional
        Domain column(s); one row per domain and variable (R ``svyby``).
    nan_policy : {"raise", "omit"}
        ``"omit"`` leaves out respondents with a missing value of each variable while keeping the
        design (R ``na.rm = TRUE``); ``"raise"`` stops with an error naming the variable.
    deff : {False, True, "replace"}
        Design effects against SRS without replacement (``True``, as R ``deff = TRUE``) or with
        replacement (``"replace"``).
    level : float
        Confidence level of the t intervals.
    vcov : bool
        Also compute the full covariance matrix of all rows (for contrasts).

    Returns
    -------
    Estimates

    Examples
    --------
    >>> from tillit.analysis import Design, datasets, mean
    >>> design = Design.from_data(datasets.load("apistrat"), strata="stype", fpc="fpc")
    >>> by_type = mean(design, "api00", by="stype")
    >>> by_type.estimate.round(2).tolist()
    [674.43, 625.82, 636.6]
    >>> round(by_type.get("api00", domain="H").se, 4)
    14.9371
    """
    _check_level(level)
    _check_deff(deff)
    names = _variables(variables)
    values = _numeric(design, names)
    usable, notes = _missing(names, values, nan_policy)
    domains = _domains(design, by, nan_policy)
    cols = _linearize(design, values, usable, domains, "mean", deff, keep_influence=vcov)
    return _assemble(
        design, "mean", names, [None] * len(names), domains, cols, level, deff, notes, "mean"
    )


def total(
    design: Design,
    variables: str | Sequence[str],
    *,
    by: str | Sequence[str] | None = None,
    nan_policy: NanPolicy = "raise",
    deff: Deff = False,
    level: float = 0.95,
    vcov: bool = False,
) -> Estimates:
    """Estimated population totals :math:`\\sum w_i y_i` (R ``svytotal``); see :func:`mean`.

    Examples
    --------
    >>> from tillit.analysis import Design, datasets, total
    >>> design = Design.from_data(datasets.load("apistrat"), strata="stype", fpc="fpc")
    >>> t = total(design, "enroll").get("enroll")
    >>> round(t.estimate), round(t.se, 1)
    (3687178, 114641.7)
    """
    _check_level(level)
    _check_deff(deff)
    names = _variables(variables)
    values = _numeric(design, names)
    usable, notes = _missing(names, values, nan_policy)
    domains = _domains(design, by, nan_policy)
    cols = _linearize(design, values, usable, domains, "total", deff, keep_influence=vcov)
    return _assemble(
        design, "total", names, [None] * len(names), domains, cols, level, deff, notes, "total"
    )


def _indicators(
    design: Design, names: list[str], levels: Sequence[Any] | None
) -> tuple[list[str], list[str | None], FloatArray]:
    """0/1 indicator columns of each category of each variable (NaN where the value is missing)."""
    out_names: list[str] = []
    out_cats: list[str | None] = []
    columns = []
    for name in names:
        col = design.column(name)
        if levels is not None:
            cats = list(levels)
        elif isinstance(col.dtype, pd.CategoricalDtype):
            cats = list(col.cat.categories)
        else:
            cats = sorted(col.dropna().unique().tolist(), key=lambda v: (str(type(v)), v))
        missing = col.isna().to_numpy()
        for cat in cats:
            ind = (col == cat).to_numpy(dtype=float, na_value=0.0)
            ind[missing] = np.nan
            columns.append(ind)
            out_names.append(name)
            out_cats.append(str(_label(cat)))
    return out_names, out_cats, np.column_stack(columns)


def proportion(
    design: Design,
    variables: str | Sequence[str],
    *,
    by: str | Sequence[str] | None = None,
    levels: Sequence[Any] | None = None,
    nan_policy: NanPolicy = "raise",
    deff: Deff = False,
    level: float = 0.95,
    ci_method: Literal["wald", "logit"] = "wald",
    vcov: bool = False,
) -> Estimates:
    """Proportions of each category of categorical variable(s) (R ``svymean(~factor)``).

    Parameters
    ----------
    design, variables, by, nan_policy, deff, level, vcov
        As for :func:`mean`.
    levels : sequence, optional
        Categories to report, in order (default: every category in the data, sorted, or the
        categories of a pandas Categorical). Values outside ``levels`` count in the denominator.
    ci_method : {"wald", "logit"}
        ``"wald"``: estimate -/+ t SE (R ``confint``); ``"logit"``: R ``svyciprop`` logit
        interval, which stays inside [0, 1].

    Examples
    --------
    >>> from tillit.analysis import Design, datasets, proportion
    >>> design = Design.from_data(datasets.load("apistrat"), strata="stype", fpc="fpc")
    >>> p = proportion(design, "sch.wide", ci_method="logit").get("sch.wide", category="Yes")
    >>> round(p.estimate, 4), round(p.ci_low, 4), round(p.ci_high, 4)
    (0.8279, 0.7745, 0.8708)
    """
    _check_level(level)
    _check_deff(deff)
    check_choice("ci_method", ci_method, ("wald", "logit"))
    names, cats, values = _indicators(design, _variables(variables), levels)
    usable, notes = _missing(
        list(dict.fromkeys(names)), _first_per_variable(names, values), nan_policy
    )
    usable = _expand_usable(names, usable)
    domains = _domains(design, by, nan_policy)
    cols = _linearize(design, values, usable, domains, "mean", deff, keep_influence=vcov)
    return _assemble(
        design,
        "proportion",
        names,
        list(cats),
        domains,
        cols,
        level,
        deff,
        notes,
        "proportion",
        ci_method,
    )


def _first_per_variable(names: list[str], values: FloatArray) -> FloatArray:
    """One column per distinct variable (its first indicator) to count missing values."""
    first = [names.index(n) for n in dict.fromkeys(names)]
    return values[:, first]


def _expand_usable(names: list[str], usable: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    order = list(dict.fromkeys(names))
    return usable[:, [order.index(n) for n in names]]


def select_multiple(
    design: Design,
    columns: str | Sequence[str],
    *,
    by: str | Sequence[str] | None = None,
    nan_policy: NanPolicy = "raise",
    deff: Deff = False,
    level: float = 0.95,
    ci_method: Literal["wald", "logit"] = "wald",
) -> Estimates:
    """Share choosing each option of a select_multiple question given as 0/1 columns.

    Each column is one option (1 = chosen, 0 = not chosen, missing = not asked); the result has
    one row per option with the proportion of respondents who chose it (options can sum to
    more than 1).

    Examples
    --------
    >>> import pandas as pd
    >>> from tillit.analysis import Design, select_multiple
    >>> answers = pd.DataFrame({"q_a": [1, 0, 1, 1], "q_b": [0, 0, 1, 0], "N": [10] * 4})
    >>> design = Design.from_data(answers, fpc="N")
    >>> select_multiple(design, ["q_a", "q_b"]).estimate.tolist()
    [0.75, 0.25]
    """
    check_choice("ci_method", ci_method, ("wald", "logit"))
    names = _variables(columns, "columns")
    values = _numeric(design, names, "columns")
    observed = values[~np.isnan(values)]
    if not np.isin(observed, (0.0, 1.0)).all():
        bad = sorted({float(v) for v in observed if v not in (0.0, 1.0)})[:5]
        raise AnalysisError(
            f"columns: select_multiple options must be 0/1 (or True/False); found {bad}.",
            argument="columns",
            value=bad,
            allowed="0, 1 or missing",
            hint="Use proportion() for a single-choice (categorical) variable.",
        )
    usable, notes = _missing(names, values, nan_policy, "columns")
    domains = _domains(design, by, nan_policy)
    cols = _linearize(design, values, usable, domains, "mean", deff)
    return _assemble(
        design,
        "proportion",
        names,
        ["1"] * len(names),
        domains,
        cols,
        level,
        deff,
        notes,
        "share choosing each option",
        ci_method,
    )


def ratio(
    design: Design,
    numerator: str | Sequence[str],
    denominator: str,
    *,
    by: str | Sequence[str] | None = None,
    nan_policy: NanPolicy = "raise",
    level: float = 0.95,
) -> Estimates:
    """Ratios of totals :math:`\\hat Y / \\hat X` (R ``svyratio``), optionally by domain.

    Examples
    --------
    >>> from tillit.analysis import Design, datasets, ratio
    >>> design = Design.from_data(datasets.load("apistrat"), strata="stype", fpc="fpc")
    >>> r = ratio(design, "api00", "api99")
    >>> round(float(r.estimate[0]), 6), round(float(r.se[0]), 7)
    (1.052261, 0.0036439)
    """
    _check_level(level)
    nums = _variables(numerator, "numerator")
    y = _numeric(design, nums, "numerator")
    x = _numeric(design, [denominator], "denominator")[:, 0]
    usable_y, notes = _missing(nums, y, nan_policy, "numerator")
    usable_x, notes_x = _missing([denominator], x[:, None], nan_policy, "denominator")
    usable = usable_y & usable_x
    domains = _domains(design, by, nan_policy)
    w = design.weights
    y0 = np.where(usable, y, 0.0)
    x0 = np.where(usable, x[:, None], 0.0)
    cols = _Columns([], [], [], [], [], None)
    for d in range(domains.k):
        we = np.where(usable & (domains.codes == d)[:, None], w[:, None], 0.0)
        x_total = (we * x0).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            r = (we * y0).sum(axis=0) / x_total
            z = we * (y0 - r * x0) / x_total
        cols.estimate.append(r)
        cols.variance.append(design.variance(z))
        cols.n.append((we > 0).sum(axis=0).astype(np.int64))
        cols.population.append(we.sum(axis=0))
    names = [f"{n}/{denominator}" for n in nums]
    return _assemble(
        design,
        "ratio",
        names,
        [None] * len(names),
        domains,
        cols,
        level,
        False,
        notes + notes_x,
        "ratio of totals",
    )


def difference(
    design: Design,
    variables: str | Sequence[str],
    *,
    by: str,
    groups: tuple[Any, Any] | None = None,
    statistic: Literal["mean", "total", "proportion"] = "mean",
    nan_policy: NanPolicy = "raise",
    level: float = 0.95,
    df: float | None = None,
) -> Estimates:
    """Difference between two domains (``groups[0] - groups[1]``) with SE and t test.

    The SE includes the covariance of the two domain estimates. The t statistic is
    ``estimate / se`` with ``df`` degrees of freedom (default: the design df, PSUs minus strata).
    R's ``svyttest(y ~ group, design)`` gives the same t for means (its df is one less).

    Parameters
    ----------
    design : Design
    variables : str or list of str
        Numeric variables (``statistic="mean"``/``"total"``) or categorical ones
        (``"proportion"``: one row per category).
    by : str
        The column defining the two groups, e.g. ``"country"``.
    groups : (a, b), optional
        The two values of ``by`` to compare; needed when ``by`` has more than two values.
        Default: the two values in sorted order.
    statistic : {"mean", "total", "proportion"}
    nan_policy, level
        As for :func:`mean`.
    df : float, optional
        Degrees of freedom of the t test and interval.

    Returns
    -------
    Estimates
        One row per variable (and category), with ``t`` and ``p_value``, and the two group
        estimates in ``extra`` (``estimate_a``, ``estimate_b``).

    Examples
    --------
    >>> from tillit.analysis import Design, datasets, difference
    >>> design = Design.from_data(datasets.load("apistrat"), strata="stype", fpc="fpc")
    >>> d = difference(design, "api00", by="awards", groups=("Yes", "No")).get("api00")
    >>> round(d.estimate, 4), round(d.t, 4)
    (44.6875, 2.3036)
    """
    _check_level(level)
    check_choice("statistic", statistic, ("mean", "total", "proportion"))
    domains = _domains(design, by, nan_policy)
    values_by = [lab[0] for lab in domains.labels]
    if groups is None:
        if len(values_by) != 2:
            raise AnalysisError(
                f"by={by!r} has {len(values_by)} values {values_by[:10]}; say which two to "
                f"compare with groups=(a, b).",
                argument="groups",
                value=None,
                allowed=f"two of {values_by[:10]}",
            )
        groups = (values_by[0], values_by[1])
    if len(groups) != 2:
        raise AnalysisError(
            f"groups={groups!r} must name exactly two values of {by!r}.",
            argument="groups",
            value=groups,
            allowed=f"two of {values_by[:10]}",
        )
    picked = []
    for g in groups:
        if _label(g) not in values_by:
            raise AnalysisError(
                f"groups: {g!r} is not a value of {by!r} among the respondents.",
                argument="groups",
                value=g,
                allowed=f"values {values_by[:10]}",
            )
        picked.append(values_by.index(_label(g)))
    names_in = _variables(variables)
    if statistic == "proportion":
        names, cats, values = _indicators(design, names_in, None)
        usable, notes = _missing(
            list(dict.fromkeys(names)), _first_per_variable(names, values), nan_policy
        )
        usable = _expand_usable(names, usable)
        kind: Literal["mean", "total"] = "mean"
        categories: list[str | None] = list(cats)
    else:
        names = names_in
        values = _numeric(design, names)
        usable, notes = _missing(names, values, nan_policy)
        kind = "total" if statistic == "total" else "mean"
        categories = [None] * len(names)
    pair = _Domains(
        domains.by,
        np.select([domains.codes == p for p in picked], [0, 1], -1),
        tuple(domains.labels[p] for p in picked),
    )
    cols = _linearize(design, values, usable, pair, kind, False, keep_influence=True)
    influence = cols.influence or []  # keep_influence=True: one matrix per group
    est = cols.estimate[0] - cols.estimate[1]
    se = np.sqrt(design.variance(influence[0] - influence[1]))
    use_df = float(design.df if df is None else df)
    lo, hi = t_interval(est, se, use_df, level)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = est / se
    p = 2 * stats.t.sf(np.abs(t), use_df)
    label = f"{_label(groups[0])} - {_label(groups[1])}"
    return Estimates(
        statistic="difference",
        variable=tuple(names),
        estimate=frozen_array(est),
        se=frozen_array(se),
        ci_low=frozen_array(lo),
        ci_high=frozen_array(hi),
        df=use_df,
        n=frozen_array(cols.n[0] + cols.n[1], np.int64),
        method=_method(design, f"difference of domain {statistic}s", level) + "; t test",
        warnings=tuple(domains.notes) + tuple(notes),
        level=level,
        category=tuple(categories) if statistic == "proportion" else (),
        by=(by,),
        domain=tuple((label,) for _ in names),
        t=frozen_array(t),
        p_value=frozen_array(p),
        extra={
            "estimate_a": frozen_array(cols.estimate[0]),
            "estimate_b": frozen_array(cols.estimate[1]),
        },
    )
