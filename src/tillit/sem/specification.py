"""From parsed statements to a full parameter table and the LISREL-style matrices (as lavaan).

The model-implied covariance of the observed variables is

.. math:: \\Sigma(\\theta) = \\Lambda (I - B)^{-1} \\Psi (I - B)^{-\\top} \\Lambda^\\top + \\Theta

with :math:`\\Lambda` the loadings (observed x latent), :math:`B` the regressions among latent
variables, :math:`\\Psi` the (residual) covariances of the latent variables and :math:`\\Theta`
the residual covariances of the observed variables. As lavaan does, an observed variable that
takes part in a regression (or is covaried with a latent variable) gets a "phantom" latent
variable of the same name with loading 1 and residual variance 0, so all regressions live in
:math:`B`.

Default parameters follow lavaan's ``sem()``/``cfa()``: the first loading of each factor fixed
to 1 (``std_lv=False``) or every latent variance fixed to 1 (``std_lv=True``); free residual
variances of every observed and latent variable; free covariances among exogenous latent
variables (but not between exogenous latent and observed covariates); free residual covariances
among "pure" dependent variables (regressed, never a predictor, not an indicator); and observed
exogenous covariates treated as fixed (``fixed.x``): their variances and covariances are the
sample values and are not counted as parameters or moments.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import numpy.typing as npt

from tillit.sem.errors import IdentificationError, ModelSyntaxError
from tillit.sem.syntax import Statement, parse_model

__all__ = ["ModelSpec", "Parameter", "specify"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Parameter:
    """One row of the parameter table.

    ``free`` is 0 for a fixed parameter, else the 1-based index into the vector of free
    parameters (parameters with the same label share an index). ``matrix`` is one of
    ``"lambda"``, ``"beta"``, ``"psi"``, ``"theta"`` with ``row`` and ``col`` in it. ``exo``
    marks the fixed variances and covariances of observed covariates (set from the data).
    """

    lhs: str
    op: str
    rhs: str
    free: int
    value: float
    label: str | None
    user: bool
    exo: bool
    matrix: str
    row: int
    col: int
    start: float | None = None


@dataclass(frozen=True)
class ModelSpec:
    """A specified model: variables, parameter table, degrees of freedom.

    Attributes
    ----------
    observed : tuple of str
        Observed variables, in the order of :math:`\\Sigma`.
    latent : tuple of str
        Latent variables (left of ``=~``).
    eta : tuple of str
        Latent variables then phantom latent variables (observed variables in regressions).
    covariates : tuple of str
        Observed exogenous covariates (``fixed.x``).
    parameters : tuple of Parameter
        Every parameter, fixed or free.
    n_free : int
        Number of free parameters (labels shared count once).
    n_moments : int
        Variances and covariances of the observed variables, minus those of the covariates.
    """

    model: str
    observed: tuple[str, ...]
    latent: tuple[str, ...]
    eta: tuple[str, ...]
    phantom: tuple[str, ...]
    covariates: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    n_free: int
    n_moments: int
    std_lv: bool
    indicators: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def df(self) -> int:
        """Degrees of freedom of the model chi-square."""
        return self.n_moments - self.n_free

    def matrices(self, theta: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Lambda, B, Psi, Theta at the free-parameter vector ``theta``."""
        p, m = len(self.observed), len(self.eta)
        mats = {
            "lambda": np.zeros((p, m)),
            "beta": np.zeros((m, m)),
            "psi": np.zeros((m, m)),
            "theta": np.zeros((p, p)),
        }
        for k, name in enumerate(self.eta):
            if name in self.phantom:
                mats["lambda"][self.observed.index(name), k] = 1.0
        for par in self.parameters:
            value = theta[par.free - 1] if par.free else par.value
            mat = mats[par.matrix]
            mat[par.row, par.col] = value
            if par.matrix in ("psi", "theta"):
                mat[par.col, par.row] = value
        return mats["lambda"], mats["beta"], mats["psi"], mats["theta"]


def _ordered(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


def _key(lhs: str, op: str, rhs: str) -> tuple[str, str, str]:
    if op == "~~":
        a, b = sorted((lhs, rhs))
        return a, op, b
    return lhs, op, rhs


def specify(model: str | Sequence[Statement], *, std_lv: bool = False) -> ModelSpec:
    """Build the full parameter table of a model in lavaan syntax.

    Parameters
    ----------
    model : str or sequence of Statement
        Model text (see :mod:`tillit.sem.syntax`) or already parsed statements.
    std_lv : bool
        Identify factors by fixing their variances to 1 (lavaan ``std.lv = TRUE``) instead of
        fixing their first loading to 1.

    Raises
    ------
    ModelSyntaxError
        A parameter specified twice or contradictory statements.
    IdentificationError
        Negative degrees of freedom, a factor with one indicator whose residual variance is
        free, a factor without a scale.
    """
    statements = parse_model(model) if isinstance(model, str) else list(model)
    text = (
        model
        if isinstance(model, str)
        else "; ".join(f"{s.lhs} {s.op} {s.rhs}" for s in statements)
    )
    latent = _ordered(s.lhs for s in statements if s.op == "=~")
    latent_set = set(latent)
    names = _ordered(n for s in statements for n in (s.lhs, s.rhs))
    observed_all = [n for n in names if n not in latent_set]
    indicators = {
        f: tuple(s.rhs for s in statements if s.op == "=~" and s.lhs == f) for f in latent
    }
    ind_set = {s.rhs for s in statements if s.op == "=~"}
    dependent = {s.lhs for s in statements if s.op == "~"}
    predictor = {s.rhs for s in statements if s.op == "~"}

    phantom = {n for n in observed_all if n in dependent or n in predictor}
    changed = True
    while changed:
        changed = False
        for s in statements:
            if s.op != "~~" or s.lhs == s.rhs:
                continue
            for a, b in ((s.lhs, s.rhs), (s.rhs, s.lhs)):
                if a not in latent_set and a not in phantom and (b in latent_set or b in phantom):
                    phantom.add(a)
                    changed = True
    covariates = [
        n for n in observed_all if n in predictor and n not in dependent and n not in ind_set
    ]
    pure_y = [
        n
        for n in names
        if n in dependent and n not in predictor and (n in latent_set or n not in ind_set)
    ]
    lv_x = [f for f in latent if f not in dependent and f not in ind_set]

    # The observed order: indicators first (as lavaan), then the others as they appear.
    observed = _ordered([n for n in names if n in ind_set and n not in latent_set] + observed_all)
    phantoms = [n for n in observed if n in phantom]
    eta = latent + phantoms
    obs_index = {n: i for i, n in enumerate(observed)}
    eta_index = {n: i for i, n in enumerate(eta)}

    rows: list[dict[str, Any]] = []
    seen: dict[tuple[str, str, str], int] = {}

    def place(lhs: str, op: str, rhs: str) -> tuple[str, int, int]:
        if op == "=~":
            if rhs in eta_index:
                return "beta", eta_index[rhs], eta_index[lhs]
            return "lambda", obs_index[rhs], eta_index[lhs]
        if op == "~":
            return "beta", eta_index[lhs], eta_index[rhs]
        if lhs in eta_index and rhs in eta_index:
            return "psi", eta_index[lhs], eta_index[rhs]
        return "theta", obs_index[lhs], obs_index[rhs]

    def add(
        lhs: str,
        op: str,
        rhs: str,
        *,
        fixed: float | None,
        label: str | None = None,
        user: bool = False,
        exo: bool = False,
        start: float | None = None,
        line: int = 0,
    ) -> None:
        key = _key(lhs, op, rhs)
        if key in seen:
            if user:
                raise ModelSyntaxError(
                    f"model line {line}: the parameter '{lhs} {op} {rhs}' is specified twice.",
                    argument="model",
                    value=f"{lhs} {op} {rhs}",
                    hint="Keep one statement per parameter.",
                )
            return
        matrix, row, col = place(lhs, op, rhs)
        seen[key] = len(rows)
        rows.append(
            {
                "lhs": lhs,
                "op": op,
                "rhs": rhs,
                "fixed": fixed,
                "label": label,
                "user": user,
                "exo": exo,
                "matrix": matrix,
                "row": row,
                "col": col,
                "start": start,
            }
        )

    # 1. What the user wrote, with the automatic marker (first loading = 1).
    first = {f: ind[0] for f, ind in indicators.items()}
    for s in statements:
        if s.op == "~~" and (s.lhs in covariates or s.rhs in covariates):
            covariates = [c for c in covariates if c not in (s.lhs, s.rhs)]
        fixed = s.fixed
        if s.op == "=~" and not std_lv and first[s.lhs] == s.rhs and s.fixed is None and not s.free:
            fixed = 1.0
        add(s.lhs, s.op, s.rhs, fixed=fixed, label=s.label, user=True, start=s.start, line=s.line)

    # 2. Variances: every observed (covariates fixed to the sample) and latent variable.
    for n in observed:
        add(n, "~~", n, fixed=None, exo=n in covariates)
    for f in latent:
        add(f, "~~", f, fixed=1.0 if std_lv else None)
    # 3. Covariances of exogenous latent variables, of pure dependent variables, of covariates.
    for a, b in combinations(lv_x, 2):
        add(a, "~~", b, fixed=None)
    for a, b in combinations(pure_y, 2):
        add(a, "~~", b, fixed=None)
    for a, b in combinations(covariates, 2):
        add(a, "~~", b, fixed=None, exo=True)

    parameters, n_free = _number(rows)
    p, nx = len(observed), len(covariates)
    spec = ModelSpec(
        model=text,
        observed=tuple(observed),
        latent=tuple(latent),
        eta=tuple(eta),
        phantom=tuple(phantoms),
        covariates=tuple(covariates),
        parameters=parameters,
        n_free=n_free,
        n_moments=p * (p + 1) // 2 - nx * (nx + 1) // 2,
        std_lv=std_lv,
        indicators=indicators,
    )
    _check_identification(spec)
    return spec


def _number(rows: list[dict[str, Any]]) -> tuple[tuple[Parameter, ...], int]:
    """Free-parameter indices; equal labels share one; a label with a fixed member is fixed."""
    label_fixed: dict[str, float] = {}
    for r in rows:
        if r["label"] and r["fixed"] is not None:
            label_fixed.setdefault(r["label"], r["fixed"])
    index: dict[str, int] = {}
    n_free = 0
    out = []
    for r in rows:
        fixed = r["fixed"]
        if fixed is None and r["label"] in label_fixed:
            fixed = label_fixed[r["label"]]
        if r["exo"]:
            free, value = 0, float("nan")
        elif fixed is not None:
            free, value = 0, float(fixed)
        elif r["label"] and r["label"] in index:
            free, value = index[r["label"]], float("nan")
        else:
            n_free += 1
            free, value = n_free, float("nan")
            if r["label"]:
                index[r["label"]] = free
        out.append(
            Parameter(
                r["lhs"],
                r["op"],
                r["rhs"],
                free,
                value,
                r["label"],
                r["user"],
                r["exo"],
                r["matrix"],
                r["row"],
                r["col"],
                r["start"],
            )
        )
    return tuple(out), n_free


def _check_identification(spec: ModelSpec) -> None:
    by_key = {_key(p.lhs, p.op, p.rhs): p for p in spec.parameters}
    for f, items in spec.indicators.items():
        loadings = [by_key[(f, "=~", i)] for i in items]
        variance = by_key[(f, "~~", f)]
        if not any(p.free == 0 and p.value != 0 for p in loadings) and variance.free:
            raise IdentificationError(
                f"model: the latent variable {f!r} has no scale (no loading and not its variance "
                "is fixed).",
                argument="model",
                value=f,
                hint=f"Fix one loading (e.g. '{f} =~ 1*{items[0]} + ...'), or fit with "
                "std_lv=True (--std-lv) to fix the variance of every factor to 1.",
            )
        if len(items) == 1:
            residual = by_key.get(_key(items[0], "~~", items[0]))
            if residual is not None and residual.free:
                raise IdentificationError(
                    f"model: the latent variable {f!r} has a single indicator ({items[0]!r}) and "
                    "its residual variance is free, so the model is not identified.",
                    argument="model",
                    value=f,
                    hint=f"Add indicators to {f!r}, or fix the residual variance, e.g. "
                    f"'{items[0]} ~~ 0*{items[0]}' (a perfectly measured item).",
                )
    if spec.df < 0:
        raise IdentificationError(
            f"model: {spec.n_free} free parameters but only {spec.n_moments} variances and "
            f"covariances to fit them (degrees of freedom {spec.df} < 0); the model is not "
            "identified.",
            argument="model",
            value=spec.model,
            hint="Remove free parameters (residual covariances, cross-loadings, paths), add "
            "equality constraints with shared labels, or add indicators.",
        )
