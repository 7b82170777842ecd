"""Scale reliability and scale scores: Cronbach's alpha, McDonald's omega, item statistics.

Notes
-----
With :math:`k` items, item covariance matrix :math:`C` and correlation matrix :math:`R`:

* raw alpha
  :math:`\\alpha = \\frac{k}{k-1}(1 - \\mathrm{tr}\\,C / \\mathbf 1^\\top C \\mathbf 1)`;
  standardised alpha uses :math:`R`; item-rest correlation (psych's ``r.drop``)
  :math:`(\\mathbf 1^\\top C_{\\cdot i} - C_{ii}) /
  \\sqrt{C_{ii}\\,\\mathbf 1^\\top C_{-i,-i} \\mathbf 1}`;
  alpha if item deleted is alpha of :math:`C_{-i,-i}`. All as ``psych::alpha``.
* Interval (``ci_method="feldt"``, psych's ``alpha.ci``, the one ``psych::alpha`` prints as
  "Feldt"): :math:`1 - (1-\\alpha) F_{1-a/2}` and :math:`1 - (1-\\alpha) F_{a/2}` with
  :math:`F` on :math:`n - 1` and :math:`(n-1)(k-1)` degrees of freedom.
  ``ci_method="duhachek"``: :math:`\\alpha \\mp z_{1-a/2}\\,\\mathrm{ase}` with Duhachek and
  Iacobucci's asymptotic SE (psych's ``ase``, reported in ``se`` either way).
* Missing values: ``missing="listwise"`` uses the respondents with every item;
  ``"pairwise"`` uses pairwise-complete covariances and counts every row in :math:`n`, as
  ``psych::alpha``'s default ``use = "pairwise"``.
* Omega total, ``method="minres"`` (default): the one-factor minimum-residual solution of the
  correlation matrix and :math:`\\omega_t = 1 - \\sum_i (1 - \\lambda_i^2) / \\mathbf 1^\\top R
  \\mathbf 1`, which is ``psych::omega(x, nfactors = 1)$omega.tot``. We solve the minres problem
  to machine precision (iterated principal axes), psych stops its optimiser earlier, so omega
  agrees to about 1e-7 and loadings to about 1e-5.
* Omega total, ``method="ml"``: the one-factor confirmatory model fitted by maximum likelihood on
  the covariance matrix (lavaan's ``cfa(..., std.lv = TRUE)``) and McDonald's
  :math:`\\omega = (\\sum\\lambda_i)^2 / ((\\sum\\lambda_i)^2 + \\sum\\theta_i)` (semTools'
  ``compRelSEM`` with model-implied total variance).

References
----------
Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. *Psychometrika* 16.
Feldt, L. S., Woodruff, D. J. and Salih, F. A. (1987). Statistical inference for coefficient
alpha. *Applied Psychological Measurement* 11, 93-103.
Duhachek, A. and Iacobucci, D. (2004). Alpha's standard error (ASE). *Journal of Applied
Psychology* 89, 792-808.
McDonald, R. P. (1999). *Test Theory: A Unified Treatment*. Erlbaum.
Revelle, W. (2022). psych: procedures for psychological, psychometric, and personality research.
R package 2.2.9 (``alpha``, ``omega``).

Examples
--------
>>> from tillit.analysis import cronbach_alpha, datasets
>>> bfi = datasets.load("bfi")
>>> a = cronbach_alpha(bfi, ["C1", "C2", "C3", "C4", "C5"], reverse=["C4", "C5"])
>>> round(a.estimate, 4), round(a.ci_low, 4), round(a.ci_high, 4), a.n
(0.7293, 0.7128, 0.7451, 2707)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import optimize, stats

from tillit.analysis.errors import AnalysisError, check_choice, unknown_names
from tillit.analysis.results import AlphaResult, OmegaResult, frozen_array
from tillit.analysis.warnings import ConvergenceWarning, ScaleWarning, emit

__all__ = ["Scale", "cronbach_alpha", "omega", "scale_from_concepts", "scale_scores"]

FloatArray = npt.NDArray[np.floating[Any]]
Missing = Literal["listwise", "pairwise"]


def _items(
    data: pd.DataFrame,
    items: Sequence[str] | None,
    reverse: Iterable[str],
    reverse_range: tuple[float, float] | None,
) -> pd.DataFrame:
    """The item columns as floats, with reverse-keyed items flipped (``lo + hi - x``)."""
    if not isinstance(data, pd.DataFrame):
        raise AnalysisError(
            f"data must be a pandas DataFrame, not {type(data).__name__}.",
            argument="data",
            value=type(data).__name__,
            allowed="a pandas.DataFrame of item responses",
        )
    names = list(data.columns) if items is None else list(items)
    missing = [c for c in names if c not in data.columns]
    if missing:
        raise unknown_names("items", missing, data.columns)
    if len(names) < 2:
        raise AnalysisError(
            f"a scale needs at least two items; got {names}.",
            argument="items",
            value=names,
            allowed="two or more item columns",
        )
    flip = list(reverse)
    outside = [r for r in flip if r not in names]
    if outside:
        raise AnalysisError(
            f"reverse: {outside} are not among the items {names}.",
            argument="reverse",
            value=outside,
            allowed="a subset of the items",
        )
    frame = pd.DataFrame(index=data.index)
    for name in names:
        col = data[name]
        if not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
            raise AnalysisError(
                f"items: {name!r} is not numeric (dtype {col.dtype}).",
                argument="items",
                value=name,
                allowed="numeric item scores",
                hint="Recode the answer categories to numbers first.",
            )
        frame[name] = col.to_numpy(dtype=float, na_value=np.nan)
    if flip:
        lo, hi = (
            (float(np.nanmin(frame.to_numpy())), float(np.nanmax(frame.to_numpy())))
            if reverse_range is None
            else (float(reverse_range[0]), float(reverse_range[1]))
        )
        for name in flip:
            frame[name] = lo + hi - frame[name]
    return frame


def _alpha_parts(c: FloatArray) -> tuple[float, float, float, float]:
    """Raw alpha, standardised alpha, average r and Duhachek's Q of a covariance matrix."""
    k = c.shape[0]
    d = np.sqrt(np.diag(c))
    r = c / np.outer(d, d)
    total = float(c.sum())
    raw = (1 - np.trace(c) / total) * k / (k - 1)
    sum_r = float(r.sum())
    std = (1 - k / sum_r) * k / (k - 1)
    average_r = (sum_r - k) / (k * (k - 1))
    cc = c @ c
    q = (2 * k**2 / ((k - 1) ** 2 * total**3)) * (
        total * (np.trace(cc) + np.trace(c) ** 2) - 2 * np.trace(c) * float(cc.sum())
    )
    return float(raw), float(std), float(average_r), float(q)


def cronbach_alpha(
    data: pd.DataFrame,
    items: Sequence[str] | None = None,
    *,
    reverse: Iterable[str] = (),
    reverse_range: tuple[float, float] | None = None,
    missing: Missing = "listwise",
    level: float = 0.95,
    ci_method: Literal["feldt", "duhachek"] = "feldt",
) -> AlphaResult:
    """Cronbach's alpha with its interval and item statistics (as ``psych::alpha``).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    items : list of str, optional
        Item columns (default: every column).
    reverse : list of str
        Reverse-keyed items, flipped as ``lo + hi - x``.
    reverse_range : (lo, hi), optional
        The answer scale for flipping (default: smallest and largest value over all items, as
        psych does). Give it explicitly (e.g. ``(1, 5)``) when not every value occurs.
    missing : {"listwise", "pairwise"}
        Complete cases, or pairwise-complete covariances (psych's default).
    level : float
        Confidence level of the interval.
    ci_method : {"feldt", "duhachek"}
        Feldt's F-based interval or the asymptotic (Duhachek) normal interval.

    Returns
    -------
    AlphaResult

    Examples
    --------
    >>> from tillit.analysis import cronbach_alpha, datasets
    >>> a = cronbach_alpha(datasets.load("bfi"), ["A1", "A2", "A3", "A4", "A5"], reverse=["A1"],
    ...                    missing="pairwise")
    >>> round(a.estimate, 4), round(a.standardized, 4)
    (0.703, 0.713)
    >>> a.items["r_drop"].round(3).tolist()
    [0.308, 0.564, 0.587, 0.394, 0.489]
    """
    check_choice("missing", missing, ("listwise", "pairwise"))
    check_choice("ci_method", ci_method, ("feldt", "duhachek"))
    if not 0 < level < 1:
        raise AnalysisError(
            f"level={level!r} must be between 0 and 1.",
            argument="level",
            value=level,
            allowed="0 < level < 1",
        )
    frame = _items(data, items, reverse, reverse_range)
    warnings: list[str] = []
    if missing == "listwise":
        complete = frame.dropna()
        if len(complete) < len(frame):
            warnings.append(
                f"{len(frame) - len(complete)} respondents with a missing item left out"
            )
        frame = complete
    n = len(frame)
    k = frame.shape[1]
    if n < 3:
        raise AnalysisError(
            f"alpha needs at least 3 respondents with answers; got {n}.",
            argument="data",
            value=n,
            allowed=">= 3 respondents",
        )
    c = frame.cov(ddof=1).to_numpy()
    if not np.isfinite(c).all() or (np.diag(c) <= 0).any():
        flat = [str(frame.columns[int(i)]) for i in np.flatnonzero(~(np.diag(c) > 0))]
        raise AnalysisError(
            f"items without variance (or without pairs of answers): {flat}.",
            argument="items",
            value=flat,
            allowed="items whose answers vary",
        )
    raw, std, average_r, q = _alpha_parts(c)
    ase = float(np.sqrt(q / n))
    a = 1 - level
    if ci_method == "feldt":
        df1, df2 = n - 1, (n - 1) * (k - 1)
        lo = 1 - (1 - raw) * float(stats.f.ppf(1 - a / 2, df1, df2))
        hi = 1 - (1 - raw) * float(stats.f.ppf(a / 2, df1, df2))
        method = "Cronbach's alpha (psych::alpha); Feldt F interval"
    else:
        z = float(stats.norm.ppf(1 - a / 2))
        lo, hi = raw - z * ase, raw + z * ase
        method = "Cronbach's alpha (psych::alpha); Duhachek asymptotic interval"
    method += f"; {missing} missing values"
    drop_raw, drop_std, r_drop = np.full(k, np.nan), np.full(k, np.nan), np.zeros(k)
    for i in range(k):
        keep = [j for j in range(k) if j != i]
        sub = c[np.ix_(keep, keep)]
        if k > 2:
            drop_raw[i], drop_std[i], _, _ = _alpha_parts(sub)
        r_drop[i] = (c[:, i].sum() - c[i, i]) / np.sqrt(c[i, i] * sub.sum())
    negative = [str(frame.columns[int(i)]) for i in np.flatnonzero(r_drop < 0)]
    if negative:
        warnings.append(
            emit(
                f"items {negative} correlate negatively with the rest of the scale; should they "
                f"be reverse keyed?",
                ScaleWarning,
            )
        )
    item_table = pd.DataFrame(
        {
            "n": frame.notna().sum().to_numpy(),
            "mean": frame.mean().to_numpy(),
            "sd": frame.std(ddof=1).to_numpy(),
            "r_drop": r_drop,
            "alpha_if_deleted": drop_raw,
            "std_alpha_if_deleted": drop_std,
        },
        index=pd.Index(frame.columns, name="item"),
    )
    scores = frame.mean(axis=1, skipna=True)
    return AlphaResult(
        estimate=raw,
        se=ase,
        ci_low=lo,
        ci_high=hi,
        df=(float(n - 1), float((n - 1) * (k - 1))),
        n=n,
        k_items=k,
        method=method,
        standardized=std,
        average_r=average_r,
        items=item_table,
        scale_mean=float(scores.mean()),
        scale_sd=float(scores.std(ddof=1)),
        warnings=tuple(warnings),
        level=level,
    )


def _minres(
    r: FloatArray, tol: float = 1e-14, max_iter: int = 20000
) -> tuple[FloatArray, int, bool, bool]:
    """One-factor minres solution by iterated principal axes from squared multiple correlations."""
    h = 1 - 1 / np.diag(np.linalg.inv(r))
    heywood = False
    loadings = np.sqrt(np.clip(h, 0, None))
    for iteration in range(1, max_iter + 1):
        reduced = r.copy()
        np.fill_diagonal(reduced, h)
        values, vectors = np.linalg.eigh(reduced)
        loadings = vectors[:, -1] * np.sqrt(max(values[-1], 0.0))
        new = loadings**2
        if (new > 0.995).any():
            heywood = True
            new = np.minimum(new, 0.995)
        if np.max(np.abs(new - h)) < tol:
            return loadings * np.sign(loadings.sum()), iteration, True, heywood
        h = new
    return loadings * np.sign(loadings.sum()), max_iter, False, heywood


def _ml_one_factor(s: FloatArray) -> tuple[FloatArray, FloatArray, int, bool]:
    """Maximum likelihood one-factor model of covariance ``s``: loadings, unique variances."""

    def loadings(psi: FloatArray) -> FloatArray:
        d = 1 / np.sqrt(psi)
        values, vectors = np.linalg.eigh(s * np.outer(d, d))
        return np.sqrt(psi) * vectors[:, -1] * np.sqrt(max(values[-1] - 1, 0.0))

    def sigma(t: FloatArray) -> tuple[FloatArray, FloatArray]:
        psi = np.exp(t)
        lam = loadings(psi)
        return np.outer(lam, lam) + np.diag(psi), psi

    def objective(t: FloatArray) -> float:
        sig, _ = sigma(t)
        return float(np.linalg.slogdet(sig)[1] + np.trace(np.linalg.solve(sig, s)))

    def gradient(t: FloatArray) -> FloatArray:
        sig, psi = sigma(t)
        inv = np.linalg.inv(sig)
        return np.asarray(np.diag(inv @ (sig - s) @ inv) * psi)

    start = np.log(np.diag(s) * 0.5)
    fit = optimize.minimize(
        objective, start, jac=gradient, method="BFGS", options={"gtol": 1e-12, "maxiter": 10000}
    )
    polish = optimize.root(gradient, fit.x, method="hybr", options={"xtol": 1e-15})
    candidates = [fit.x, polish.x]
    t = min(candidates, key=lambda c: float(np.max(np.abs(gradient(c)))))
    converged = bool(np.max(np.abs(gradient(t))) < 1e-8)
    psi = np.exp(t)
    lam = loadings(psi)
    return lam * np.sign(lam.sum()), psi, int(fit.nit) + int(polish.nfev), converged


def omega(
    data: pd.DataFrame,
    items: Sequence[str] | None = None,
    *,
    reverse: Iterable[str] = (),
    reverse_range: tuple[float, float] | None = None,
    method: Literal["minres", "ml"] = "minres",
    missing: Missing = "listwise",
) -> OmegaResult:
    """McDonald's omega total of a one-factor model (see the module notes for the variants).

    Parameters
    ----------
    data, items, reverse, reverse_range, missing
        As for :func:`cronbach_alpha`.
    method : {"minres", "ml"}
        ``"minres"``: as ``psych::omega(x, nfactors = 1)$omega.tot``; ``"ml"``: single-factor
        CFA by maximum likelihood, :math:`(\\sum\\lambda)^2 / ((\\sum\\lambda)^2 + \\sum\\theta)`,
        as lavaan ``cfa(std.lv = TRUE)``.

    Returns
    -------
    OmegaResult

    Examples
    --------
    >>> from tillit.analysis import datasets, omega
    >>> bfi = datasets.load("bfi")
    >>> items = ["C1", "C2", "C3", "C4", "C5"]
    >>> round(omega(bfi, items, reverse=["C4", "C5"]).estimate, 5)
    0.73378
    >>> round(omega(bfi, items, reverse=["C4", "C5"], method="ml").estimate, 5)
    0.73302
    """
    check_choice("method", method, ("minres", "ml"))
    check_choice("missing", missing, ("listwise", "pairwise"))
    frame = _items(data, items, reverse, reverse_range)
    warnings: list[str] = []
    if missing == "listwise":
        frame = frame.dropna()
    n, k = frame.shape
    if k < 3:
        raise AnalysisError(
            f"a one-factor model needs at least 3 items; got {k}.",
            argument="items",
            value=list(frame.columns),
            allowed="three or more items",
        )
    if method == "minres":
        r = frame.corr().to_numpy()
        lam, iterations, converged, heywood = _minres(r)
        uniq = 1 - lam**2
        estimate = float(1 - uniq.sum() / r.sum())
        what = "omega total of the one-factor minres solution of the correlations (psych::omega)"
        if heywood:
            warnings.append(
                emit("Heywood case: a communality reached the bound 0.995.", ScaleWarning)
            )
    else:
        s = frame.cov(ddof=0).to_numpy()
        lam, uniq, iterations, converged = _ml_one_factor(s)
        estimate = float(lam.sum() ** 2 / (lam.sum() ** 2 + uniq.sum()))
        what = "McDonald's omega of the one-factor ML model of the covariances (lavaan cfa)"
        if (uniq < 1e-6 * np.diag(s)).any():
            warnings.append(emit("Heywood case: a unique variance is close to 0.", ScaleWarning))
    if not converged:
        warnings.append(emit(f"the factor fit did not converge ({method}).", ConvergenceWarning))
    return OmegaResult(
        estimate=estimate,
        se=float("nan"),
        ci_low=float("nan"),
        ci_high=float("nan"),
        df=float("nan"),
        n=int(n),
        k_items=int(k),
        method=f"{what}; {missing} missing values",
        items=tuple(frame.columns),
        loadings=frozen_array(lam),
        uniquenesses=frozen_array(uniq),
        iterations=int(iterations),
        warnings=tuple(warnings),
    )


def scale_scores(
    data: pd.DataFrame,
    items: Sequence[str],
    *,
    reverse: Iterable[str] = (),
    reverse_range: tuple[float, float] | None = None,
    min_items: int | None = None,
    method: Literal["mean", "sum"] = "mean",
) -> pd.Series:
    """Scale scores with an explicit missing-data rule.

    Parameters
    ----------
    data, items, reverse, reverse_range
        As for :func:`cronbach_alpha`.
    min_items : int, optional
        Least number of answered items for a score (default: all items); fewer gives NaN.
    method : {"mean", "sum"}
        Mean of the answered items, or their prorated sum (mean times the number of items),
        which equals the plain sum when every item is answered.

    Examples
    --------
    >>> import pandas as pd
    >>> from tillit.analysis import scale_scores
    >>> answers = pd.DataFrame({"a": [1, 2, None], "b": [3, None, None], "c": [5, 4, 2]})
    >>> scale_scores(answers, ["a", "b", "c"], min_items=2).tolist()
    [3.0, 3.0, nan]
    >>> scale_scores(answers, ["a", "b", "c"], min_items=2, method="sum").tolist()
    [9.0, 9.0, nan]
    """
    check_choice("method", method, ("mean", "sum"))
    frame = _items(data, items, reverse, reverse_range)
    k = frame.shape[1]
    need = k if min_items is None else min_items
    if not isinstance(need, int) or not 1 <= need <= k:
        raise AnalysisError(
            f"min_items={min_items!r} is not allowed for a scale of {k} items.",
            argument="min_items",
            value=min_items,
            allowed=f"an integer from 1 to {k}",
        )
    answered = frame.notna().sum(axis=1)
    score = frame.mean(axis=1, skipna=True)
    if method == "sum":
        score = score * k
    return score.where(answered >= need).rename("score")


@dataclass(frozen=True)
class Scale:
    """A scale: its items (instrument question names), the concepts they measure, reverse keys.

    Examples
    --------
    >>> from tillit.analysis import Scale, datasets
    >>> scale = Scale("conscientiousness", ("C1", "C2", "C3", "C4", "C5"), reverse=("C4", "C5"))
    >>> round(scale.alpha(datasets.load("bfi")).estimate, 4)
    0.7293
    """

    name: str
    items: tuple[str, ...]
    concepts: tuple[str, ...] = ()
    reverse: tuple[str, ...] = ()

    def alpha(self, data: pd.DataFrame, **options: Any) -> AlphaResult:
        """:func:`cronbach_alpha` of the scale's items in ``data``."""
        return cronbach_alpha(data, self.items, reverse=self.reverse, **options)

    def omega(self, data: pd.DataFrame, **options: Any) -> OmegaResult:
        """:func:`omega` of the scale's items in ``data``."""
        return omega(data, self.items, reverse=self.reverse, **options)

    def scores(self, data: pd.DataFrame, **options: Any) -> pd.Series:
        """:func:`scale_scores` of the scale's items in ``data``, named after the scale."""
        return scale_scores(data, self.items, reverse=self.reverse, **options).rename(self.name)


#: Question types that carry a numeric score.
SCORED_TYPES = ("integer", "decimal", "select_one")


def scale_from_concepts(
    instrument: Any,
    concept_ids: str | Iterable[str],
    *,
    name: str | None = None,
    reverse: Iterable[str] = (),
) -> Scale:
    """The scale of an instrument's items tagged with any of ``concept_ids``.

    A question belongs to the scale when its own ``concepts`` or those of an enclosing group
    (e.g. a matrix of trust items) include one of the ids. Only scored question types
    (``integer``, ``decimal``, ``select_one``) are taken, in questionnaire order.

    Parameters
    ----------
    instrument : tillit.instruments.model.Instrument
    concept_ids : str or iterable of str
        Taxonomy concept ids, e.g. ``"trust.vertical"``.
    name : str, optional
        The scale's name (default: the concept ids joined by ``+``).
    reverse : iterable of str
        Question names that are reverse keyed.

    Raises
    ------
    AnalysisError
        When no scored item carries the concepts (the message lists the concepts that do occur),
        or ``reverse`` names a question outside the scale.

    Examples
    --------
    >>> from tillit.instruments.model import Group, Instrument, Question
    >>> grid = Group("trust", concepts=("trust.vertical",), children=(
    ...     Question("t1", "select_one", list_name="agree"),
    ...     Question("t2", "select_one", list_name="agree")))
    >>> form = Instrument("f", "Survey", "1", "nb", ("nb",), children=(
    ...     grid, Question("h1", "integer", concepts=("trust.horizontal",))))
    >>> scale_from_concepts(form, "trust.vertical").items
    ('t1', 't2')
    """
    wanted = {concept_ids} if isinstance(concept_ids, str) else set(concept_ids)
    if not wanted:
        raise AnalysisError(
            "concept_ids is empty.",
            argument="concept_ids",
            value=concept_ids,
            allowed="one or more concept ids",
        )
    chosen: list[str] = []
    seen: set[str] = set()
    for item, parents in instrument.walk():
        concepts = set(getattr(item, "concepts", ()))
        for parent in parents:
            concepts |= set(parent.concepts)
        seen |= concepts
        if getattr(item, "type", None) in SCORED_TYPES and concepts & wanted:
            chosen.append(item.name)
    if not chosen:
        raise AnalysisError(
            f"no scored items of instrument {instrument.form_id!r} carry the concept(s) "
            f"{sorted(wanted)}.",
            argument="concept_ids",
            value=sorted(wanted),
            allowed=f"concepts used in the instrument: {sorted(seen)[:20]}",
        )
    flip = tuple(reverse)
    outside = [r for r in flip if r not in chosen]
    if outside:
        raise AnalysisError(
            f"reverse: {outside} are not items of the scale {chosen}.",
            argument="reverse",
            value=outside,
            allowed=f"items of the scale: {chosen}",
        )
    return Scale(name or "+".join(sorted(wanted)), tuple(chosen), tuple(sorted(wanted)), flip)
