"""Survey designs: simple random and stratified (optionally one-stage cluster) samples with fpc.

A :class:`Design` holds the respondents, their analysis weights and the sampling structure that the
Taylor-linearised variance needs: strata, primary sampling units (PSUs; each respondent is its own
PSU unless ``clusters=`` is given) and, per stratum, the population size for the finite population
correction. Weighting adjustments (:mod:`tillit.analysis.weights`) return a new design that also
remembers how the weights were calibrated, so that standard errors account for it as R does.

Notes
-----
For a statistic whose linearisation (influence) values are :math:`z_i` (already multiplied by the
weights), the variance is, as in R ``survey::svyrecvar`` for a one-stage design,

.. math::

    \\hat V = \\sum_h (1 - f_h) \\frac{n_h}{n_h - 1} \\sum_{c \\in h} (t_c - \\bar t_h)^2,
    \\qquad t_c = \\sum_{i \\in c} z_i,\\quad f_h = n_h / N_h,

where :math:`n_h` is the number of sampled PSUs in stratum :math:`h` (counted in the whole sample,
also for domain estimates) and :math:`N_h` the population number of PSUs (``fpc``); without fpc,
:math:`f_h = 0`. A stratum sampled completely (:math:`n_h = N_h`, a census) contributes exactly 0,
so a full census has standard error exactly 0. The design degrees of freedom are the number of PSUs
minus the number of strata (R ``degf``).

A stratum with a single PSU has no within-stratum variance. ``lonely_psu`` chooses what happens,
with the names of R's ``options(survey.lonely.psu = ...)``:

* ``"fail"`` (default): :class:`~tillit.analysis.errors.DesignError` when the design is built;
* ``"certainty"``: the stratum contributes nothing (treated as sampled with certainty);
* ``"remove"``: the same for one-stage designs (R distinguishes them only in multistage designs);
* ``"adjust"``: the PSU total is centred at the overall mean (R's conservative choice),
  contributing :math:`(1 - f_h)\\, t_c^2` where :math:`t_c` is the unit's influence value.

A stratum with one PSU that is also its whole population (:math:`N_h = 1`) is a census and is
never "lonely".

References
----------
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley. Chapters 2-3.
Lumley, T. (2024). survey: analysis of complex survey samples. R package 4.1
(``svydesign``, ``svyrecvar``, ``as.fpc``).

Examples
--------
>>> from tillit.analysis import Design, datasets
>>> api = datasets.load("apistrat")
>>> design = Design.from_data(api, strata="stype", fpc="fpc")
>>> design.n, design.n_strata, design.df
(200, 3, 197)
>>> round(float(design.weights.sum()))
6194
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse

from tillit.analysis.errors import AnalysisError, DesignError, check_choice, unknown_names
from tillit.analysis.variance import (
    Adjustment,
    GregAdjustment,
    PostStratAdjustment,
    RakingAdjustment,
)
from tillit.analysis.warnings import DesignWarning, LonelyPSUWarning, emit

__all__ = [
    "LONELY_PSU_OPTIONS",
    "Design",
    "GregAdjustment",
    "PostStratAdjustment",
    "RakingAdjustment",
    "WeightingStep",
]

FloatArray = npt.NDArray[np.floating[Any]]
IntArray = npt.NDArray[np.integer[Any]]
LonelyPSU = Literal["fail", "certainty", "remove", "adjust"]
LONELY_PSU_OPTIONS: tuple[str, ...] = ("fail", "certainty", "remove", "adjust")
#: A stratum whose 1 - n_h/N_h is below this is a census (R's threshold in ``onestrat``).
CENSUS_TOLERANCE = 1e-7


@dataclass(frozen=True)
class WeightingStep:
    """One entry of :attr:`Design.history`: what was done to the weights, and how it went."""

    kind: str
    description: str
    iterations: int | None = None
    converged: bool | None = None
    max_change: float | None = None
    epsilon: float | None = None


# -- the design ---------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class Design:
    """A survey design over a data frame of respondents (use :meth:`from_data`/:meth:`from_frame`).

    Attributes
    ----------
    data : pandas.DataFrame
        The respondents, one row each (index reset to ``0..n-1``).
    weights : ndarray
        Analysis weights (positive and finite).
    strata : ndarray of int
        Stratum code of each row, indexing :attr:`stratum_labels`.
    stratum_labels : tuple
        Stratum values (tuples when several columns define the strata).
    psu : ndarray of int or None
        PSU code of each row, or ``None`` when every row is its own PSU.
    population : ndarray or None
        Population number of PSUs per stratum (``N_h``), or ``None`` without fpc.
    lonely_psu : str
        How a stratum with a single PSU is handled (see the module notes).
    adjustments : tuple
        Calibration steps, in order, that the variance accounts for.
    history : tuple of WeightingStep
        What was done to the weights, for reports.
    names : mapping
        The columns the design was built from (``strata``, ``clusters``, ``weights``, ``fpc``).
    """

    data: pd.DataFrame
    weights: FloatArray
    strata: IntArray
    stratum_labels: tuple[Any, ...]
    psu: IntArray | None = None
    population: FloatArray | None = None
    lonely_psu: str = "fail"
    adjustments: tuple[Adjustment, ...] = ()
    history: tuple[WeightingStep, ...] = ()
    names: Mapping[str, Any] = field(default_factory=dict)

    # -- construction -----------------------------------------------------------------------

    @classmethod
    def from_data(
        cls,
        data: pd.DataFrame,
        *,
        strata: str | Sequence[str] | None = None,
        clusters: str | None = None,
        weights: str | npt.ArrayLike | None = None,
        fpc: str | float | Mapping[Any, float] | None = None,
        lonely_psu: LonelyPSU = "fail",
    ) -> Design:
        """Build a design like R ``svydesign(ids, strata, weights, fpc, data)``.

        Parameters
        ----------
        data : pandas.DataFrame
            One row per respondent.
        strata : str or list of str, optional
            Column(s) defining the strata (several columns are crossed, e.g. country x size
            class). Without strata the design is a simple random (or cluster) sample.
        clusters : str, optional
            Column identifying the PSUs of a one-stage cluster sample (nested in strata).
        weights : str or array-like, optional
            Column name or values of the sampling weights. Default: ``N_h / n_h`` when ``fpc``
            gives population sizes, else 1 (with a :class:`DesignWarning`).
        fpc : str, float or mapping, optional
            Finite population correction, as R reads it: a column, a number (unstratified) or a
            mapping ``{stratum: value}``. Values above 1 are population numbers of PSUs ``N_h``;
            values at most 1 are sampling fractions ``n_h / N_h``.
        lonely_psu : {"fail", "certainty", "remove", "adjust"}
            What to do with a stratum that has a single sampled PSU.

        Returns
        -------
        Design

        Raises
        ------
        AnalysisError
            Unknown columns, missing strata/cluster values, weights that are zero, negative or
            missing, an fpc that varies within a stratum or is smaller than the sample.
        DesignError
            A stratum with one PSU when ``lonely_psu="fail"``.

        Examples
        --------
        >>> from tillit.analysis import Design, datasets
        >>> srs = Design.from_data(datasets.load("apisrs"), fpc="fpc")
        >>> srs.describe()
        'simple random sample of 200 units with fpc (population 6194), df 199'
        """
        check_choice("lonely_psu", lonely_psu, LONELY_PSU_OPTIONS)
        if not isinstance(data, pd.DataFrame):
            raise AnalysisError(
                f"data must be a pandas DataFrame, not {type(data).__name__}.",
                argument="data",
                value=type(data).__name__,
                allowed="a pandas.DataFrame",
            )
        if len(data) == 0:
            raise AnalysisError("data has no rows.", argument="data", value=0, allowed=">= 2 rows")
        data = data.reset_index(drop=True)
        n_rows = len(data)
        strata_cols = _as_columns("strata", strata, data)
        codes, labels = _codes(data, strata_cols, "strata")
        psu_codes: IntArray | None = None
        if clusters is not None:
            cluster_cols = _as_columns("clusters", clusters, data)
            psu_codes, _ = _codes(data, cluster_cols, "clusters")
            _check_nested(psu_codes, codes, labels, clusters)
        n_psu = _count_psu(codes, psu_codes, len(labels))
        population, fpc_kind = _population(fpc, data, codes, labels, n_psu)
        w = _weights(weights, data, n_rows)
        warnings: list[str] = []
        if w is None:
            if population is not None:
                w = (population / n_psu)[codes]
            else:
                w = np.ones(n_rows)
                warnings.append(
                    emit(
                        "No weights or fpc given: assuming equal probability (weights 1).",
                        DesignWarning,
                    )
                )
        names = {
            "strata": tuple(strata_cols),
            "clusters": clusters,
            "weights": weights if isinstance(weights, str) else None,
            "fpc": fpc if isinstance(fpc, str) else None,
            "fpc_kind": fpc_kind,
        }
        design = cls(
            data=data,
            weights=_readonly(w),
            strata=_readonly(codes),
            stratum_labels=labels,
            psu=None if psu_codes is None else _readonly(psu_codes),
            population=None if population is None else _readonly(population),
            lonely_psu=lonely_psu,
            history=(WeightingStep("base", "sampling weights", None, None, None, None),),
            names=names,
        )
        design._check_lonely()
        return design

    @classmethod
    def from_frame(
        cls,
        respondents: pd.DataFrame,
        population: pd.DataFrame | pd.Series | Mapping[Any, float],
        *,
        strata: str | Sequence[str],
        lonely_psu: LonelyPSU = "fail",
    ) -> Design:
        """A stratified design of respondents from population counts per stratum.

        The respondents in each stratum are treated as a simple random sample of its ``N_h``
        population units: weights ``N_h / n_h`` and fpc ``N_h`` (so a stratum where everyone
        answered is a census with SE 0). This is also nonresponse adjustment within strata.

        Parameters
        ----------
        respondents : pandas.DataFrame
            One row per respondent, with the stratum column(s).
        population : DataFrame, Series or mapping
            Either the sampling frame itself (a DataFrame with one row per population unit and the
            stratum columns, e.g. :func:`tillit.registry.frame.to_frame`), or counts per stratum
            (a Series or mapping keyed by stratum value, tuples for several columns).
        strata : str or list of str
            Stratum column(s), e.g. ``["country", "size_class"]``.
        lonely_psu : {"fail", "certainty", "remove", "adjust"}
            What to do with a stratum with one respondent out of several population units.

        Examples
        --------
        >>> import pandas as pd
        >>> from tillit.analysis import Design
        >>> frame = pd.DataFrame({"country": ["NO"] * 6 + ["DK"] * 3})
        >>> answers = pd.DataFrame({"country": ["NO", "NO", "NO", "DK", "DK", "DK"],
        ...                         "trust": [4.0, 5.0, 3.0, 2.0, 4.0, 3.0]})
        >>> d = Design.from_frame(answers, frame, strata="country")
        >>> d.weights.tolist()
        [2.0, 2.0, 2.0, 1.0, 1.0, 1.0]
        """
        strata_cols = _as_columns("strata", strata, respondents)
        if isinstance(population, pd.DataFrame):
            missing = [c for c in strata_cols if c not in population.columns]
            if missing:
                raise unknown_names("population", missing, population.columns)
            key: Any = strata_cols[0] if len(strata_cols) == 1 else strata_cols
            counts: dict[Any, float] = {
                _label(k): float(v) for k, v in population.groupby(key, sort=True).size().items()
            }
        elif isinstance(population, (pd.Series, Mapping)):
            counts = {_label(k): float(v) for k, v in population.items()}
        else:
            raise AnalysisError(
                f"population must be a DataFrame (the frame), a Series or a mapping of counts, "
                f"not {type(population).__name__}.",
                argument="population",
                value=type(population).__name__,
                allowed="DataFrame, Series or mapping {stratum: N_h}",
            )
        _, present = _codes(respondents.reset_index(drop=True), strata_cols, "strata")
        absent = [k for k in counts if k not in set(present) and counts[k] > 0]
        design = cls.from_data(respondents, strata=strata_cols, fpc=counts, lonely_psu=lonely_psu)
        if absent:
            shown = ", ".join(repr(a) for a in absent)
            message = emit(
                f"No respondents in stratum {shown} of the population: its units are not "
                f"represented. Collapse strata or post-stratify.",
                DesignWarning,
            )
            design = dataclasses.replace(
                design, history=(*design.history, WeightingStep("note", message))
            )
        return design

    # -- derived structure ------------------------------------------------------------------

    @property
    def n(self) -> int:
        """Number of respondents (rows)."""
        return int(self.weights.shape[0])

    @property
    def n_strata(self) -> int:
        """Number of strata (1 for an unstratified design)."""
        return len(self.stratum_labels)

    @functools.cached_property
    def n_psu(self) -> IntArray:
        """Sampled PSUs per stratum."""
        return _count_psu(self.strata, self.psu, self.n_strata)

    @property
    def df(self) -> int:
        """Design degrees of freedom: PSUs minus strata (R ``degf``)."""
        return int(self.n_psu.sum()) - self.n_strata

    @property
    def has_fpc(self) -> bool:
        """Whether a finite population correction is applied."""
        return self.population is not None

    @property
    def is_stratified(self) -> bool:
        return self.n_strata > 1 or bool(self.names.get("strata"))

    @functools.cached_property
    def _scale(self) -> FloatArray:
        """Per-stratum variance factor (1 - f_h) n_h / (n_h - 1), 0 for a census stratum."""
        n_h = self.n_psu.astype(float)
        if self.population is None:
            remain = np.ones_like(n_h)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                remain = np.where(np.isinf(self.population), 1.0, 1.0 - n_h / self.population)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(n_h > 1, remain * n_h / (n_h - 1), remain)
        scale[remain < CENSUS_TOLERANCE] = 0.0
        return scale

    @functools.cached_property
    def _lonely(self) -> npt.NDArray[np.bool_]:
        """Strata with one PSU that are not a census."""
        return (self.n_psu == 1) & (self._scale > 0)

    @functools.cached_property
    def _psu_index(self) -> tuple[Any, IntArray]:
        """Sparse PSU-by-row indicator (or None) and the stratum of each PSU."""
        if self.psu is None:
            return None, self.strata
        k = int(self.psu.max()) + 1
        matrix = sparse.csr_matrix(
            (np.ones(self.n), (self.psu, np.arange(self.n))), shape=(k, self.n)
        )
        psu_stratum = np.zeros(k, dtype=np.int64)
        psu_stratum[self.psu] = self.strata
        return matrix, psu_stratum

    @functools.cached_property
    def _stratum_matrix(self) -> Any:
        _, psu_stratum = self._psu_index
        m = psu_stratum.shape[0]
        return sparse.csr_matrix(
            (np.ones(m), (psu_stratum, np.arange(m))), shape=(self.n_strata, m)
        )

    def _check_lonely(self) -> None:
        if not self._lonely.any():
            return
        shown = ", ".join(repr(self.stratum_labels[h]) for h in np.flatnonzero(self._lonely))
        if self.lonely_psu != "fail":
            emit(
                f"Stratum {shown} has only one sampled unit; handled with "
                f"lonely_psu={self.lonely_psu!r}.",
                LonelyPSUWarning,
                stacklevel=4,
            )
        else:
            raise DesignError(
                f"Stratum {shown} has only one sampled unit (PSU), so its variance cannot be "
                f"estimated.",
                argument="lonely_psu",
                value="fail",
                allowed=", ".join(repr(o) for o in LONELY_PSU_OPTIONS),
                hint="Collapse the stratum with a similar one, or pass lonely_psu='certainty' "
                "(no contribution) or 'adjust' (centre at the overall mean, conservative).",
            )

    # -- variance ----------------------------------------------------------------------------

    def variance(self, z: npt.ArrayLike, *, full: bool = False) -> FloatArray:
        """Design-based variance of the totals of influence values ``z``.

        Parameters
        ----------
        z : array-like, shape (n,) or (n, p)
            Linearisation values already multiplied by the weights, one row per respondent (0
            for respondents outside a domain or with a missing value).
        full : bool
            Return the p x p covariance matrix instead of the p variances.

        Returns
        -------
        ndarray
            Variances (p,) or covariance matrix (p, p).
        """
        x: FloatArray = np.asarray(z, dtype=np.float64)
        if x.ndim == 1:
            x = x[:, None]
        for adjustment in self.adjustments:
            x = adjustment.residuals(x)
        matrix, psu_stratum = self._psu_index
        t = x if matrix is None else np.asarray(matrix @ x)
        sums = np.asarray(self._stratum_matrix @ t)
        means = sums / self.n_psu[:, None]
        d = t - means[psu_stratum]
        if self.lonely_psu == "adjust" and self._lonely.any():
            lonely_rows = self._lonely[psu_stratum]
            d[lonely_rows] = t[lonely_rows]
        scale = self._scale[psu_stratum]
        if full:
            dw = d * np.sqrt(scale)[:, None]
            return np.asarray(dw.T @ dw)
        return np.asarray(scale @ (d * d))

    # -- helpers for estimators -----------------------------------------------------------------

    def column(self, name: str, argument: str = "variables") -> pd.Series:
        """The column ``name`` of :attr:`data`, or a clear error naming close matches."""
        if name not in self.data.columns:
            raise unknown_names(argument, [name], self.data.columns)
        return self.data[name]

    def with_weights(
        self,
        weights: FloatArray,
        step: WeightingStep,
        adjustment: Adjustment | None = None,
    ) -> Design:
        """A copy with new weights, a history entry and (optionally) a variance adjustment."""
        adjustments = self.adjustments if adjustment is None else (*self.adjustments, adjustment)
        return dataclasses.replace(
            self,
            weights=_readonly(weights),
            adjustments=adjustments,
            history=(*self.history, step),
        )

    def subset(self, rows: npt.ArrayLike) -> Design:
        """A new design on the selected rows, treated as the sample (PSU counts recomputed).

        Use this for a new sample (e.g. the respondents of an invited sample), not for domain
        estimation: domains are estimated with ``by=`` on the full design.
        """
        mask = np.asarray(rows, dtype=bool)
        if mask.shape != (self.n,):
            raise AnalysisError(
                f"rows must be a boolean mask of length {self.n}, not shape {mask.shape}.",
                argument="rows",
                value=mask.shape,
                allowed=f"boolean array of length {self.n}",
            )
        if self.adjustments:
            raise AnalysisError(
                "Cannot take a subset of a calibrated design as a new sample.",
                argument="rows",
                value="subset",
                allowed="a design without calibration",
                hint="Subset first, then calibrate; for domain estimates use by= instead.",
            )
        present = np.unique(self.strata[mask])
        remap = np.full(self.n_strata, -1, dtype=np.int64)
        remap[present] = np.arange(present.shape[0])
        psu = None
        if self.psu is not None:
            psu = np.unique(self.psu[mask], return_inverse=True)[1].astype(np.int64)
        design = dataclasses.replace(
            self,
            data=self.data.loc[mask].reset_index(drop=True),
            weights=_readonly(self.weights[mask]),
            strata=_readonly(remap[self.strata[mask]]),
            stratum_labels=tuple(self.stratum_labels[h] for h in present),
            psu=None if psu is None else _readonly(psu),
            population=None if self.population is None else _readonly(self.population[present]),
        )
        design._check_lonely()
        return design

    def describe(self) -> str:
        """One line describing the design (for ``method`` texts and reports)."""
        if self.psu is not None:
            units = f"{int(self.n_psu.sum())} PSUs ({self.n} units)"
            kind = f"one-stage cluster sample of {units}"
        else:
            kind = f"simple random sample of {self.n} units"
        if self.is_stratified:
            sample = "cluster sample" if self.psu is not None else "random sample"
            units = units if self.psu is not None else f"{self.n} units"
            kind = f"stratified {sample} of {units} in {self.n_strata} strata"
        if self.population is not None:
            total = float(self.population.sum())
            shown = f"{total:.0f}" if np.isfinite(total) and total == round(total) else f"{total:g}"
            kind += f" with fpc (population {shown})"
        else:
            kind += " without fpc"
        if self.adjustments:
            kinds = [s.kind for s in self.history if s.kind not in ("base", "note")]
            kind += ", weights " + " + ".join(kinds)
        return f"{kind}, df {self.df}"

    def __repr__(self) -> str:
        return f"<Design: {self.describe()}>"


# -- construction helpers -------------------------------------------------------------------------


def _readonly(values: Any) -> Any:
    out = np.array(values, copy=True)
    out.setflags(write=False)
    return out


def _label(value: Any) -> Hashable:
    """Normalise a stratum value: numpy scalars to Python, lists to tuples."""
    if isinstance(value, (list, tuple)):
        return tuple(_label(v) for v in value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _as_columns(argument: str, value: str | Sequence[str] | None, data: pd.DataFrame) -> list[str]:
    if value is None:
        return []
    cols = [value] if isinstance(value, str) else list(value)
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise unknown_names(argument, missing, data.columns)
    return cols


def _codes(data: pd.DataFrame, cols: list[str], argument: str) -> tuple[IntArray, tuple[Any, ...]]:
    """Integer codes 0..k-1 of the (crossed) columns and their sorted labels."""
    if not cols:
        return np.zeros(len(data), dtype=np.int64), (None,)
    frame = data[cols]
    bad = frame.isna().any(axis=1)
    if bad.any():
        rows = [int(i) for i in np.flatnonzero(bad.to_numpy())[:5]]
        raise AnalysisError(
            f"{argument}: column {cols if len(cols) > 1 else cols[0]!r} has missing values "
            f"(rows {rows}{' ...' if bad.sum() > 5 else ''}).",
            argument=argument,
            value=cols,
            allowed="columns without missing values",
            hint="Fill in the stratum or cluster of every respondent, or drop those rows.",
        )
    codes, keys = factorize(frame, cols)
    labels = tuple(k[0] for k in keys) if len(cols) == 1 else tuple(keys)
    return codes, labels


def factorize(frame: pd.DataFrame, cols: Sequence[str]) -> tuple[IntArray, list[tuple[Any, ...]]]:
    """Codes 0..k-1 of the combinations of ``cols`` present (sorted, first column slowest).

    Rows with a missing value in any column get code -1. Keys are tuples of Python values.
    """
    n = len(frame)
    if len(cols) == 1:
        codes, values = pd.factorize(frame[cols[0]], sort=True)
        return np.asarray(codes, dtype=np.int64), [(_label(u),) for u in values]
    combined = np.zeros(n, dtype=np.int64)
    missing = np.zeros(n, dtype=bool)
    uniques_per_col: list[list[Any]] = []
    for col in cols:
        codes, values = pd.factorize(frame[col], sort=True)
        missing |= codes < 0
        combined = combined * max(len(values), 1) + np.maximum(codes, 0)
        uniques_per_col.append([_label(u) for u in values])
    cells = int(np.prod([max(len(u), 1) for u in uniques_per_col]))
    if cells <= 4 * n + 1024:  # small product: present cells by counting, in O(n)
        present = np.flatnonzero(np.bincount(combined[~missing], minlength=cells))
        lookup = np.full(cells, -1, dtype=np.int64)
        lookup[present] = np.arange(present.shape[0])
        out = np.where(missing, -1, lookup[combined])
    else:
        present, inverse = np.unique(combined[~missing], return_inverse=True)
        out = np.full(n, -1, dtype=np.int64)
        out[~missing] = inverse
    keys = []
    for value in present.tolist():
        key = []
        for uniques in reversed(uniques_per_col):
            value, j = divmod(value, max(len(uniques), 1))
            key.append(uniques[j])
        keys.append(tuple(reversed(key)))
    return out, keys


def _check_nested(psu: IntArray, strata: IntArray, labels: tuple[Any, ...], name: str) -> None:
    pairs = np.unique(np.stack([psu, strata], axis=1), axis=0)
    counts = np.bincount(pairs[:, 0])
    if (counts > 1).any():
        raise AnalysisError(
            f"clusters={name!r}: some clusters lie in more than one stratum.",
            argument="clusters",
            value=name,
            allowed="clusters nested in strata",
            hint="Give clusters unique ids within the whole sample (e.g. stratum + cluster id).",
        )


def _count_psu(strata: IntArray, psu: IntArray | None, k: int) -> IntArray:
    if psu is None:
        return np.bincount(strata, minlength=k).astype(np.int64)
    pairs = np.unique(np.stack([psu, strata], axis=1), axis=0)
    return np.bincount(pairs[:, 1], minlength=k).astype(np.int64)


def _weights(weights: Any, data: pd.DataFrame, n: int) -> FloatArray | None:
    if weights is None:
        return None
    if isinstance(weights, str):
        if weights not in data.columns:
            raise unknown_names("weights", [weights], data.columns)
        values = pd.to_numeric(data[weights], errors="coerce").to_numpy(dtype=float)
        name = repr(weights)
    else:
        values = np.asarray(weights, dtype=float)
        name = "weights"
        if values.shape != (n,):
            raise AnalysisError(
                f"weights has shape {values.shape}; it needs one value per row ({n}).",
                argument="weights",
                value=values.shape,
                allowed=f"{n} positive numbers",
            )
    bad = ~np.isfinite(values) | (values <= 0)
    if bad.any():
        rows = [int(i) for i in np.flatnonzero(bad)[:5]]
        kinds = []
        if np.isnan(values).any():
            kinds.append("missing")
        if (values == 0).any():
            kinds.append("zero")
        if (values < 0).any():
            kinds.append("negative")
        if np.isinf(values).any():
            kinds.append("infinite")
        raise AnalysisError(
            f"weights {name} has {' and '.join(kinds)} values in {int(bad.sum())} rows "
            f"(rows {rows}{' ...' if bad.sum() > 5 else ''}).",
            argument="weights",
            value=name,
            allowed="positive finite numbers",
            hint="Every respondent needs a positive weight; drop respondents outside the "
            "analysis with by= or a subset of the data instead of weight 0.",
        )
    return values


def _population(
    fpc: Any,
    data: pd.DataFrame,
    codes: IntArray,
    labels: tuple[Any, ...],
    n_psu: IntArray,
) -> tuple[FloatArray | None, str | None]:
    """Population PSUs per stratum from an fpc column, number or mapping (R ``as.fpc``)."""
    if fpc is None:
        return None, None
    k = len(labels)
    per_stratum = np.full(k, np.nan)
    if isinstance(fpc, str):
        if fpc not in data.columns:
            raise unknown_names("fpc", [fpc], data.columns)
        values = pd.to_numeric(data[fpc], errors="coerce").to_numpy(dtype=float)
        if np.isnan(values).any():
            raise AnalysisError(
                f"fpc column {fpc!r} has missing values.",
                argument="fpc",
                value=fpc,
                allowed="a population size or sampling fraction on every row",
            )
        for h in range(k):
            vals = np.unique(values[codes == h])
            if vals.shape[0] > 1:
                raise AnalysisError(
                    f"fpc column {fpc!r} varies within stratum {labels[h]!r}: {vals[:5].tolist()}.",
                    argument="fpc",
                    value=fpc,
                    allowed="one value per stratum",
                )
            per_stratum[h] = vals[0]
    elif isinstance(fpc, Mapping):
        lookup = {_label(key): float(v) for key, v in fpc.items()}
        for h, label in enumerate(labels):
            key = label
            if key not in lookup and label is None and len(lookup) == 1:
                key = next(iter(lookup))
            if key not in lookup:
                raise AnalysisError(
                    f"fpc has no value for stratum {label!r}.",
                    argument="fpc",
                    value=sorted(map(str, lookup)),
                    allowed=f"a value for every stratum: {list(labels)}",
                )
            per_stratum[h] = lookup[key]
    elif isinstance(fpc, (int, float, np.integer, np.floating)) and not isinstance(fpc, bool):
        if k > 1:
            raise AnalysisError(
                f"fpc={fpc!r} is a single number but the design has {k} strata.",
                argument="fpc",
                value=fpc,
                allowed="a column or a mapping {stratum: N_h} for a stratified design",
            )
        per_stratum[:] = float(fpc)
    else:
        raise AnalysisError(
            f"fpc must be a column name, a number or a mapping, not {type(fpc).__name__}.",
            argument="fpc",
            value=fpc,
            allowed="column name, number, or mapping {stratum: N_h}",
        )
    if not np.isfinite(per_stratum).all() or (per_stratum <= 0).any():
        raise AnalysisError(
            f"fpc must be positive and finite; got {per_stratum.tolist()}.",
            argument="fpc",
            value=per_stratum.tolist(),
            allowed="population sizes (> 1) or sampling fractions (0 < f <= 1)",
        )
    if (per_stratum > 1).any():
        if (per_stratum < 1).any():
            raise AnalysisError(
                "fpc mixes population sizes (> 1) and sampling fractions (< 1).",
                argument="fpc",
                value=per_stratum.tolist(),
                allowed="all population sizes or all sampling fractions",
            )
        population, kind = per_stratum, "population"
    else:
        population, kind = n_psu / per_stratum, "fraction"
    too_small = population < n_psu - 1e-9
    if too_small.any():
        h = int(np.flatnonzero(too_small)[0])
        raise AnalysisError(
            f"fpc implies more than 100% sampling in stratum {labels[h]!r}: population "
            f"{population[h]:g} but {int(n_psu[h])} sampled units.",
            argument="fpc",
            value=float(per_stratum[h]),
            allowed="population size at least the number sampled",
        )
    return population.astype(float), kind
