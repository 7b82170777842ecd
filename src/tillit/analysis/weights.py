"""Weighting: nonresponse adjustment, post-stratification, raking, linear calibration, trimming.

Each adjustment takes a :class:`~tillit.analysis.design.Design` and returns a new one with the
adjusted weights, an entry in :attr:`Design.history` (with the convergence report for raking) and,
for post-stratification, raking and calibration, the information the variance needs: standard
errors of a calibrated design use residuals from the calibration, as R's ``survey`` package does,
so that they reflect what the calibration knows about the population.

Notes
-----
* Post-stratification (R ``postStratify``): :math:`w_i^* = w_i N_g / \\hat N_g` in each cell
  :math:`g`; influence values become :math:`z_i - w^*_i \\bar m_{g}` with
  :math:`\\bar m_g = \\sum_{g} w_i z_i / w^*_i / \\sum_g w_i`.
* Raking (R ``rake``): iterative proportional fitting, post-stratifying to each margin in turn,
  until the weighted joint table of all margin variables changes by less than ``epsilon`` in a
  full cycle (``epsilon < 1``: relative to the sum of the weights; ``>= 1``: in weight units, as
  in R). The variance uses ten backfitting sweeps of centring within the margins, as R does.
* Linear calibration (R ``calibrate(calfun = "linear")``, GREG):
  :math:`g_i = 1 + x_i^\\top T^{-1}(t_x - \\hat t_x)`, :math:`T = \\sum w_i x_i x_i^\\top`;
  influence values are replaced by :math:`g_i w_i^{1/2}` times the residuals of
  :math:`z_i / (g_i w_i^{1/2})` on :math:`x_i w_i^{1/2}`.
* Trimming (R ``trimWeights``): weights are clipped to ``[lower, upper]`` and the trimmed amount is
  shared equally (additively) by the untrimmed units; ``strict=True`` repeats until none is out.
* Nonresponse adjustment within classes: :math:`w_i^* = w_i \\sum_{c} w / \\sum_{c,\\,resp} w`.
* Kish: design effect due to weighting :math:`1 + cv^2 = n \\sum w^2 / (\\sum w)^2`, effective
  sample size :math:`(\\sum w)^2 / \\sum w^2`.

References
----------
Deville, J.-C. and Särndal, C.-E. (1992). Calibration estimators in survey sampling. *JASA* 87.
Lumley, T. (2010). *Complex Surveys*. Wiley, chapter 7.
Kish, L. (1992). Weighting for unequal Pi. *Journal of Official Statistics* 8, 183-200.

Examples
--------
>>> from tillit.analysis import Design, datasets, mean, rake
>>> design = Design.from_data(datasets.load("apiclus1"), clusters="dnum", fpc="fpc")
>>> raked = rake(design, {"stype": {"E": 4421, "H": 755, "M": 1018},
...                       "sch.wide": {"No": 1072, "Yes": 5122}})
>>> raked.history[-1].converged
True
>>> round(float(raked.weights.sum()))
6194
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from tillit.analysis.design import (
    Design,
    GregAdjustment,
    PostStratAdjustment,
    RakingAdjustment,
    WeightingStep,
    _label,
    factorize,
)
from tillit.analysis.errors import AnalysisError, CalibrationError, check_choice, unknown_names
from tillit.analysis.results import WeightSummary
from tillit.analysis.warnings import ConvergenceWarning, emit

__all__ = [
    "calibrate",
    "post_stratify",
    "rake",
    "trim",
    "weight_summary",
]

FloatArray = npt.NDArray[np.floating[Any]]
IntArray = npt.NDArray[np.integer[Any]]
Population = Mapping[Any, float] | pd.Series | pd.DataFrame


# -- cells and population tables ------------------------------------------------------------------


def _columns(design: Design, variables: str | Sequence[str], argument: str) -> list[str]:
    names = [variables] if isinstance(variables, str) else list(variables)
    missing = [v for v in names if v not in design.data.columns]
    if missing:
        raise unknown_names(argument, missing, design.data.columns)
    for v in names:
        if design.data[v].isna().any():
            raise CalibrationError(
                f"{argument}: {v!r} has missing values in {int(design.data[v].isna().sum())} rows.",
                argument=argument,
                value=v,
                allowed="variables known for every respondent",
                hint="Impute or collapse the missing category before weighting.",
            )
    return names


def _cells(design: Design, names: list[str]) -> tuple[IntArray, list[tuple[Any, ...]]]:
    """Cell code of each respondent and the cell keys (tuples of values), sorted."""
    return factorize(design.data, names)


def _population_table(
    names: list[str], population: Any, argument: str
) -> dict[tuple[Any, ...], float]:
    """Population counts keyed by tuples of values, from a mapping, Series or DataFrame."""
    if isinstance(population, pd.DataFrame):
        missing = [v for v in names if v not in population.columns]
        counts = [c for c in population.columns if c not in names]
        if missing or len(counts) != 1:
            raise CalibrationError(
                f"{argument}: a population DataFrame needs the columns {names} and one count "
                f"column; it has {list(population.columns)}.",
                argument=argument,
                value=list(population.columns),
                allowed=f"columns {names} + one count column (e.g. 'Freq')",
            )
        items: list[tuple[Any, Any]] = [
            (tuple(row[v] for v in names), row[counts[0]]) for _, row in population.iterrows()
        ]
    elif isinstance(population, (pd.Series, Mapping)):
        items = list(population.items())
    else:
        raise CalibrationError(
            f"{argument}: population counts must be a mapping, Series or DataFrame, not "
            f"{type(population).__name__}.",
            argument=argument,
            value=type(population).__name__,
            allowed="mapping {category: count}, Series or DataFrame",
        )
    table: dict[tuple[Any, ...], float] = {}
    for key, value in items:
        k = tuple(_label(v) for v in key) if isinstance(key, tuple) else (_label(key),)
        if len(k) != len(names):
            raise CalibrationError(
                f"{argument}: population key {key!r} does not give one value for each of {names}.",
                argument=argument,
                value=key,
                allowed=f"tuples of {len(names)} values",
            )
        count = float(value)
        if not np.isfinite(count) or count < 0:
            raise CalibrationError(
                f"{argument}: population count for {key!r} is {value!r}.",
                argument=argument,
                value=value,
                allowed="non-negative finite numbers",
            )
        table[k] = table.get(k, 0.0) + count
    return table


def _match(
    names: list[str],
    keys: list[tuple[Any, ...]],
    table: dict[tuple[Any, ...], float],
    argument: str,
    partial: bool = False,
) -> tuple[FloatArray, list[str]]:
    """Population count of each sample cell; errors for cells that cannot be matched."""
    label = " x ".join(names)
    absent = [k for k in keys if k not in table]
    if absent:
        raise CalibrationError(
            f"{argument}: sample cell(s) {_show(absent)} of {label} are not in the population.",
            argument=argument,
            value=_show(absent),
            allowed=f"population counts for every category of {label} in the sample",
            hint="Give a population count for every category, or recode the respondents.",
        )
    zero = [k for k in keys if table[k] == 0]
    if zero:
        raise CalibrationError(
            f"{argument}: cell(s) {_show(zero)} of {label} have population 0 but respondents.",
            argument=argument,
            value=_show(zero),
            allowed="positive population counts where there are respondents",
        )
    empty = [k for k, v in table.items() if v > 0 and k not in set(keys)]
    notes: list[str] = []
    if empty:
        message = (
            f"{argument}: no respondents in cell(s) {_show(empty)} of {label} "
            f"(population {sum(table[k] for k in empty):g})."
        )
        if not partial:
            raise CalibrationError(
                message + " The weights cannot reproduce these population counts.",
                argument=argument,
                value=_show(empty),
                allowed="a respondent in every cell with a positive population",
                hint="Collapse the empty cells with neighbouring ones (or partial=True to "
                "ignore them, which leaves those population units unrepresented).",
            )
        notes.append(emit(message + " Ignored (partial=True).", ConvergenceWarning))
    return np.array([table[k] for k in keys], dtype=float), notes


def _show(keys: list[tuple[Any, ...]]) -> str:
    shown = [k[0] if len(k) == 1 else k for k in keys[:6]]
    return ", ".join(repr(k) for k in shown) + (" ..." if len(keys) > 6 else "")


# -- post-stratification and raking ------------------------------------------------------------


def post_stratify(
    design: Design,
    variables: str | Sequence[str],
    population: Population,
    *,
    partial: bool = False,
) -> Design:
    """Post-stratify the weights to known population counts (R ``postStratify``).

    Parameters
    ----------
    design : Design
    variables : str or list of str
        The variable(s) whose cross-classification defines the post-strata.
    population : mapping, Series or DataFrame
        Population counts per cell: ``{"E": 4421, ...}`` or ``{("NO", "small"): 120, ...}``,
        a Series indexed by cell, or a DataFrame with the variables and one count column.
    partial : bool
        Ignore population cells without respondents (with a warning) instead of failing.

    Returns
    -------
    Design
        With weights summing to the population in every cell.

    Raises
    ------
    CalibrationError
        A sample cell missing from ``population``, a cell with respondents but population 0, or
        (unless ``partial``) a population cell without respondents.

    Examples
    --------
    >>> from tillit.analysis import Design, datasets, mean, post_stratify
    >>> design = Design.from_data(datasets.load("apisrs"), fpc="fpc")
    >>> ps = post_stratify(design, "stype", {"E": 4421, "H": 755, "M": 1018})
    >>> round(mean(ps, "api00").get("api00").se, 4)
    9.1565
    """
    names = _columns(design, variables, "variables")
    codes, keys = _cells(design, names)
    table = _population_table(names, population, "population")
    counts, notes = _match(names, keys, table, "population", partial)
    sample = np.bincount(codes, weights=design.weights, minlength=len(keys))
    new = design.weights * (counts / sample)[codes]
    step = WeightingStep(
        "post-stratified",
        f"post-stratified to {' x '.join(names)} ({len(keys)} cells)"
        + "".join(f"; {n}" for n in notes),
    )
    adjustment = PostStratAdjustment(codes, len(keys), new, design.weights.copy())
    return design.with_weights(new, step, adjustment)


def rake(
    design: Design,
    margins: Mapping[str | tuple[str, ...], Population],
    *,
    epsilon: float = 1e-7,
    max_iter: int = 100,
    on_nonconvergence: Literal["raise", "warn"] = "raise",
) -> Design:
    """Rake the weights to population margins by iterative proportional fitting (R ``rake``).

    Parameters
    ----------
    design : Design
    margins : mapping
        One entry per margin: the variable (or a tuple of variables for a crossed margin, e.g.
        ``("country", "size_class")``) mapped to its population counts as for
        :func:`post_stratify`.
    epsilon : float
        Convergence: the largest change of a cell of the weighted joint table of all margin
        variables in one full cycle. Below 1 it is relative to the sum of the weights; from 1 up
        it is in weight units (R's default is ``epsilon=1, max_iter=10``).
    max_iter : int
        Most full cycles.
    on_nonconvergence : {"raise", "warn"}
        Whether failing to converge is an error (default; the margins probably cannot be met
        together) or a :class:`~tillit.analysis.warnings.ConvergenceWarning` as in R.

    Returns
    -------
    Design
        ``history[-1]`` reports iterations, convergence and the last change.

    Raises
    ------
    CalibrationError
        Margins that sum to different population totals, empty cells, categories missing from a
        margin, or no convergence (``on_nonconvergence="raise"``).
    """
    check_choice("on_nonconvergence", on_nonconvergence, ("raise", "warn"))
    if not isinstance(margins, Mapping) or not margins:
        raise CalibrationError(
            "margins must be a non-empty mapping {variable: population counts}.",
            argument="margins",
            value=type(margins).__name__,
            allowed="mapping of variable (or tuple of variables) to counts",
        )
    if not epsilon > 0:
        raise AnalysisError(
            f"epsilon={epsilon!r} must be positive.",
            argument="epsilon",
            value=epsilon,
            allowed="> 0",
        )
    if not isinstance(max_iter, int) or max_iter < 1:
        raise AnalysisError(
            f"max_iter={max_iter!r} must be a whole number >= 1.",
            argument="max_iter",
            value=max_iter,
            allowed="integer >= 1",
        )
    prepared = []
    totals = {}
    for key, population in margins.items():
        names = _columns(design, [key] if isinstance(key, str) else list(key), "margins")
        codes, keys = _cells(design, names)
        table = _population_table(names, population, f"margins[{key!r}]")
        counts, _ = _match(names, keys, table, f"margins[{key!r}]")
        prepared.append((codes, len(keys), counts))
        totals[" x ".join(names)] = sum(table.values())
    first = next(iter(totals.values()))
    if any(abs(t - first) > 1e-9 * max(abs(first), 1.0) for t in totals.values()):
        shown = ", ".join(f"{k} sums to {v:g}" for k, v in totals.items())
        raise CalibrationError(
            f"margins do not sum to the same population: {shown}.",
            argument="margins",
            value=totals,
            allowed="margins with equal totals",
            hint="Use population counts from the same frame and date for every margin.",
        )
    # The cross-classification of the margins' cells is that of all margin variables (R's table).
    joint = np.zeros(design.n, dtype=np.int64)
    k_joint = 1
    for codes, k, _ in prepared:
        joint = joint * k + codes
        k_joint *= k
    if k_joint > 4 * design.n:  # many empty combinations: number the present ones
        joint = np.unique(joint, return_inverse=True)[1].reshape(-1)
        k_joint = int(joint.max()) + 1
    tol = epsilon * float(design.weights.sum()) if epsilon < 1 else epsilon
    w = design.weights.copy()
    old = np.bincount(joint, weights=w, minlength=k_joint)
    converged, iterations, change = False, 0, float("inf")
    steps: list[tuple[IntArray, int, FloatArray, FloatArray]] = []
    while iterations < max_iter:
        steps = []
        for codes, k, counts in prepared:
            before = w
            w = w * (counts / np.bincount(codes, weights=w, minlength=k))[codes]
            steps.append((codes, k, w, before))
        iterations += 1
        new = np.bincount(joint, weights=w, minlength=k_joint)
        change = float(np.max(np.abs(old - new)))
        if change < tol:
            converged = True
            break
        old = new
    label = ", ".join(" x ".join([k] if isinstance(k, str) else list(k)) for k in margins)
    if converged:
        _check_margins_met(margins, prepared, w, max(10 * tol, 1e-6 * float(w.sum())))
    notes = ""
    if not converged:
        message = (
            f"Raking to {label} did not converge in {iterations} iterations (last change "
            f"{change:.3g} > epsilon {tol:.3g}): the margins probably cannot be met together."
        )
        if on_nonconvergence == "raise":
            raise CalibrationError(
                message,
                argument="max_iter",
                value=max_iter,
                allowed="more iterations, or margins that can be met",
                hint="Check for structurally empty cells, collapse sparse categories, or "
                "increase max_iter.",
            )
        notes = "; " + emit(message, ConvergenceWarning)
    step = WeightingStep(
        "raked",
        f"raked to {label} in {iterations} iterations" + notes,
        iterations=iterations,
        converged=converged,
        max_change=change,
        epsilon=tol,
    )
    adjustment = RakingAdjustment(tuple((c, k, wk) for c, k, wk, _ in steps))
    return design.with_weights(w, step, adjustment)


def _check_margins_met(
    margins: Mapping[Any, Any],
    prepared: list[tuple[IntArray, int, FloatArray]],
    w: FloatArray,
    tol: float,
) -> None:
    """Raking can settle without meeting every margin (inconsistent margins): say which."""
    for key, (codes, k, counts) in zip(margins, prepared, strict=True):
        miss = float(np.max(np.abs(np.bincount(codes, weights=w, minlength=k) - counts)))
        if miss > tol:
            name = key if isinstance(key, str) else " x ".join(key)
            raise CalibrationError(
                f"margins cannot be met together: after raking, the weights miss the {name} "
                f"counts by up to {miss:.4g}.",
                argument="margins",
                value=name,
                allowed="margins consistent with each other and with the sample's cells",
                hint="Check that nested margins agree (e.g. county totals add up to the country "
                "totals) and that no needed cell is empty; collapse categories if it is.",
            )


# -- linear calibration ---------------------------------------------------------------------------


def _model_matrix(
    design: Design,
    population: Mapping[str, float | Mapping[Any, float]],
    population_size: float | None,
) -> tuple[FloatArray, FloatArray, list[str]]:
    """R-style model matrix (intercept + k-1 dummies per factor + numeric) and its totals."""
    columns: list[FloatArray] = []
    targets: list[float] = []
    labels: list[str] = []
    sizes: dict[str, float] = {}
    for name, spec in population.items():
        col = design.column(name, "population")
        if col.isna().any():
            raise CalibrationError(
                f"population: {name!r} has missing values; calibration needs it for everyone.",
                argument="population",
                value=name,
                allowed="variables known for every respondent",
            )
        if isinstance(spec, (Mapping, pd.Series)):
            table = _population_table([name], spec, f"population[{name!r}]")
            codes, keys = _cells(design, [name])
            counts, _ = _match([name], keys, table, f"population[{name!r}]")
            sizes[name] = sum(table.values())
            for j in range(1, len(keys)):
                columns.append((codes == j).astype(float))
                targets.append(float(counts[j]))
                labels.append(f"{name}{keys[j][0]}")
        else:
            if not pd.api.types.is_numeric_dtype(col):
                raise CalibrationError(
                    f"population: {name!r} is categorical; give its counts as a mapping.",
                    argument="population",
                    value=spec,
                    allowed="{category: count} for a categorical variable",
                )
            columns.append(col.to_numpy(dtype=float))
            targets.append(float(spec))
            labels.append(name)
    if population_size is None:
        if not sizes:
            raise CalibrationError(
                "calibrate needs the population size: give population_size= or the counts of "
                "a categorical variable.",
                argument="population_size",
                value=None,
                allowed="a positive number",
            )
        population_size = next(iter(sizes.values()))
    for name, size in sizes.items():
        if abs(size - population_size) > 1e-9 * max(population_size, 1.0):
            raise CalibrationError(
                f"population: counts of {name!r} sum to {size:g}, not the population size "
                f"{population_size:g}.",
                argument="population",
                value=size,
                allowed=f"counts summing to {population_size:g}",
            )
    matrix = np.column_stack([np.ones(design.n), *columns])
    totals = np.array([float(population_size), *targets])
    return matrix, totals, ["(Intercept)", *labels]


def calibrate(
    design: Design,
    population: Mapping[str, float | Mapping[Any, float]],
    *,
    population_size: float | None = None,
    calfun: Literal["linear"] = "linear",
) -> Design:
    """Linear (GREG) calibration to population totals (R ``calibrate(calfun = "linear")``).

    Parameters
    ----------
    design : Design
    population : mapping
        For each calibration variable either its population total (numeric variables) or its
        population counts per category (a mapping; categorical variables). The model has an
        intercept and, as R's ``model.matrix``, the first category of each factor is the
        reference.
    population_size : float, optional
        Population size (the intercept's total); default: the sum of a categorical margin.
    calfun : {"linear"}
        The calibration function (only linear, which R uses by default).

    Raises
    ------
    CalibrationError
        Categories without respondents or without a count, margins summing to different
        sizes, a singular calibration model, or negative calibrated weights.

    Examples
    --------
    >>> from tillit.analysis import Design, calibrate, datasets, total
    >>> design = Design.from_data(datasets.load("apiclus1"), clusters="dnum", fpc="fpc")
    >>> cal = calibrate(design, {"stype": {"E": 4421, "H": 755, "M": 1018}, "api99": 3914069})
    >>> round(total(cal, "api99").get("api99").estimate)
    3914069
    """
    check_choice("calfun", calfun, ("linear",))
    matrix, totals, labels = _model_matrix(design, population, population_size)
    w = design.weights
    whalf = np.sqrt(w)
    sample = matrix.T @ w
    tmat = (matrix * w[:, None]).T @ matrix
    if np.linalg.matrix_rank(tmat) < tmat.shape[0]:
        raise CalibrationError(
            f"the calibration model {labels} is singular (collinear variables or a constant).",
            argument="population",
            value=labels,
            allowed="linearly independent calibration variables",
        )
    g = 1.0 + matrix @ np.linalg.solve(tmat, totals - sample)
    if (g <= 0).any():
        raise CalibrationError(
            f"linear calibration gives {int((g <= 0).sum())} zero or negative weights.",
            argument="population",
            value=labels,
            allowed="totals the sample can reach with positive weights",
            hint="Use rake() (multiplicative, always positive) or collapse categories.",
        )
    basis, _ = np.linalg.qr(matrix * whalf[:, None])
    step = WeightingStep("calibrated", f"linear calibration to {', '.join(labels)}")
    return design.with_weights(w * g, step, GregAdjustment(basis, g * whalf))


# -- trimming and diagnostics -------------------------------------------------------------------


def trim(
    design: Design,
    *,
    upper: float | None = None,
    lower: float | None = None,
    strict: bool = False,
    max_iter: int = 100,
) -> Design:
    """Trim weights to ``[lower, upper]``, sharing the trimmed amount equally (R ``trimWeights``).

    Parameters
    ----------
    upper, lower : float, optional
        Bounds (at least one).
    strict : bool
        Repeat until no weight is outside the bounds (redistribution can push weights over).
    max_iter : int
        Most repetitions with ``strict``.

    Examples
    --------
    >>> from tillit.analysis import Design, datasets, trim
    >>> design = Design.from_data(datasets.load("apistrat"), strata="stype", fpc="fpc")
    >>> trimmed = trim(design, upper=40)
    >>> round(float(trimmed.weights.max()), 4), round(float(trimmed.weights.sum()))
    (40.0, 6194)
    """
    hi = np.inf if upper is None else float(upper)
    lo = -np.inf if lower is None else float(lower)
    if upper is None and lower is None:
        raise AnalysisError(
            "trim needs at least one bound: upper= or lower=.",
            argument="upper",
            value=None,
            allowed="a number",
        )
    if not lo < hi:
        raise AnalysisError(
            f"trim needs lower < upper; got lower={lower!r}, upper={upper!r}.",
            argument="upper",
            value=upper,
            allowed="at least one bound, with lower < upper",
        )
    w = design.weights.copy()
    rounds = 0
    while True:
        outside = (w < lo) | (w > hi)
        if not outside.any():
            break
        if outside.all():
            raise CalibrationError(
                "every weight is outside the trimming bounds; nothing to redistribute to.",
                argument="upper",
                value=(lower, upper),
                allowed="bounds that keep some weights",
            )
        clipped = np.clip(w, lo, hi)
        w = np.where(outside, clipped, clipped + (w - clipped).sum() / (~outside).sum())
        rounds += 1
        if not strict:
            break
        if rounds >= max_iter:
            raise CalibrationError(
                f"trimming with strict=True did not settle in {max_iter} rounds: the bounds "
                f"cannot hold the total weight.",
                argument="upper",
                value=(lower, upper),
                allowed="bounds whose range contains the mean weight",
            )
    if (w <= 0).any():
        raise CalibrationError(
            "trimming produced weights <= 0.", argument="lower", value=lower, allowed="> 0"
        )
    step = WeightingStep("trimmed", f"trimmed to [{lo:g}, {hi:g}] in {rounds} round(s)")
    return design.with_weights(w, step)


def weight_summary(weights: Design | npt.ArrayLike) -> WeightSummary:
    """Kish's design effect due to weighting, effective n and a summary of the weights.

    Examples
    --------
    >>> from tillit.analysis import weight_summary
    >>> s = weight_summary([1.0, 1.0, 2.0, 4.0])
    >>> s.estimate, round(s.n_effective, 4)
    (1.375, 2.9091)
    """
    w = np.asarray(weights.weights if isinstance(weights, Design) else weights, dtype=float)
    if w.ndim != 1 or w.size == 0 or not np.isfinite(w).all() or (w <= 0).any():
        raise AnalysisError(
            "weights must be a non-empty 1-d array of positive finite numbers.",
            argument="weights",
            value=w.shape,
            allowed="positive finite numbers",
        )
    n = w.size
    total_w = float(w.sum())
    deff = float(n * (w**2).sum() / total_w**2)
    cv = float(np.sqrt(max(deff - 1.0, 0.0)))
    qs = {
        f"q{int(q * 100):02d}": float(np.quantile(w, q))
        for q in (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
    }
    return WeightSummary(
        estimate=deff,
        n_effective=total_w**2 / float((w**2).sum()),
        cv=cv,
        n=n,
        total=total_w,
        minimum=float(w.min()),
        maximum=float(w.max()),
        mean=total_w / n,
        quantiles=qs,
        method="Kish: deff = 1 + cv^2 = n sum(w^2) / sum(w)^2; n_eff = sum(w)^2 / sum(w^2)",
    )
