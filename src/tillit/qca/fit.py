"""Parameters of fit: sufficiency (inclS, PRI, covS, covU) and necessity (inclN, RoN, covN).

These are the formulas of R's ``QCA::pof`` (C code ``C_pof``), for crisp and fuzzy sets alike
(a crisp membership is 0 or 1):

* sufficiency: ``inclS = sum(min(X, Y)) / sum(X)``, ``covS = sum(min(X, Y)) / sum(Y)``,
  ``PRI = (sum(min(X, Y)) - sum(min(X, Y, 1 - Y))) / (sum(X) - sum(min(X, Y, 1 - Y)))``;
  the unique coverage of a term is ``covS`` of the term minus the part it shares with the
  other terms of the model, ``sum(min(X_t, Y, max_{o != t} X_o)) / sum(Y)``.
* necessity: ``inclN = sum(min(X, Y)) / sum(Y)``, ``covN = sum(min(X, Y)) / sum(X)``,
  ``RoN = sum(1 - X) / sum(1 - min(X, Y))`` (relevance of necessity, Schneider & Wagemann).

Examples
--------
>>> import numpy as np
>>> f = sufficiency_fit(np.array([1.0, 1, 0, 0]), np.array([1.0, 0, 1, 0]))
>>> (f["inclS"], f["covS"])
(0.5, 0.5)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from tillit.qca.errors import QCAError
from tillit.qca.sets import SetData, evaluate, json_safe, literal_membership, prepare

__all__ = [
    "NecessityResult",
    "necessity",
    "necessity_fit",
    "sufficiency_fit",
    "super_subset",
    "unique_coverage",
]

FloatArray = npt.NDArray[np.float64]


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den != 0 else float("nan")


def sufficiency_fit(x: FloatArray, y: FloatArray) -> dict[str, float]:
    """inclS, PRI and covS of one set ``x`` as sufficient for the outcome ``y``."""
    mxy = np.minimum(x, y)
    pri_part = float(np.minimum(mxy, 1.0 - y).sum())
    sxy, sx = float(mxy.sum()), float(x.sum())
    return {
        "inclS": _ratio(sxy, sx),
        "PRI": _ratio(sxy - pri_part, sx - pri_part),
        "covS": _ratio(sxy, float(y.sum())),
    }


def unique_coverage(terms: Sequence[FloatArray], y: FloatArray) -> list[float]:
    """Unique coverage of each term of a model (``covU`` of R's ``pof``)."""
    if len(terms) < 2:
        return [float("nan")] * len(terms)
    sy = float(y.sum())
    mins = np.minimum(np.vstack(terms), y)
    top = mins.max(axis=0)
    at_top = mins == top
    unique_top = at_top.sum(axis=0) == 1
    second = np.partition(mins, -2, axis=0)[-2]
    out = []
    for m, is_top in zip(mins, at_top, strict=True):
        others = np.where(is_top & unique_top, second, top)
        shared = np.minimum(m, others)
        out.append(_ratio(float(m.sum()) - float(shared.sum()), sy))
    return out


def necessity_fit(x: FloatArray, y: FloatArray) -> dict[str, float]:
    """inclN, RoN and covN of one set ``x`` as necessary for the outcome ``y``."""
    mxy = np.minimum(x, y)
    sxy = float(mxy.sum())
    return {
        "inclN": _ratio(sxy, float(y.sum())),
        "RoN": _ratio(float((1.0 - x).sum()), float((1.0 - mxy).sum())),
        "covN": _ratio(sxy, float(x.sum())),
    }


@dataclass(frozen=True)
class NecessityResult:
    """Necessity of each condition (and of its negation or levels) for the outcome.

    Attributes
    ----------
    outcome : str
        The outcome as written (``"SURV"``, ``"~SURV"``).
    rows : tuple of dict
        One dict per expression: ``condition``, ``inclN``, ``RoN``, ``covN``.
    incl_cut : float
        Expressions with ``inclN`` at or above this are flagged ``necessary``.
    warnings : tuple of str
    """

    outcome: str
    rows: tuple[dict[str, float | str | bool], ...]
    incl_cut: float = 0.9
    method: str = "pof(relation = 'necessity')"
    warnings: tuple[str, ...] = field(default=())

    def to_frame(self) -> pd.DataFrame:
        """One row per expression: condition, inclN, RoN, covN, necessary."""
        return pd.DataFrame(
            list(self.rows), columns=["condition", "inclN", "RoN", "covN", "necessary"]
        )

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON."""
        return json_safe(
            {"outcome": self.outcome, "incl_cut": self.incl_cut, "rows": list(self.rows)}
        )

    def summary(self, digits: int = 3) -> str:
        """Text table in R's layout (three decimals by default)."""
        names = [str(r["condition"]) for r in self.rows]
        width = max([len(n) for n in names] + [2])
        num = len(str(len(names)))
        lines = [" " * (width + num + 2) + "  ".join(f"{c:^5}" for c in ("inclN", "RoN", "covN"))]
        lines.append("-" * (width + num + 2 + 7 * 3))
        for k, row in enumerate(self.rows, start=1):
            cells = "  ".join(f"{float(row[c]):.{digits}f}" for c in ("inclN", "RoN", "covN"))
            lines.append(f"{k:>{num}}  {row['condition']!s:>{width}}  {cells}")
        lines.append("-" * (width + num + 2 + 7 * 3))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def necessity(
    data: pd.DataFrame | SetData,
    outcome: str | None = None,
    conditions: Sequence[str] | None = None,
    *,
    expressions: Sequence[str] | None = None,
    negations: bool = True,
    incl_cut: float = 0.9,
    case_column: str | None = None,
) -> NecessityResult:
    """Necessity of each condition for the outcome (R ``pof(..., relation = "necessity")``).

    Parameters
    ----------
    data : pandas.DataFrame or SetData
        Calibrated cases by conditions (see :func:`tillit.qca.sets.prepare`).
    outcome : str
        Outcome column (``"~Y"`` for its absence); not needed when ``data`` is a SetData.
    conditions : sequence of str, optional
        Conditions to test (default: all but the outcome).
    expressions : sequence of str, optional
        Test these expressions instead (``"DEV + URB"``, ``"~LIT"``, ``"DEV[2]"``).
    negations : bool
        Also test the absence of each condition (for a multi-value condition: every level).
    incl_cut : float
        ``inclN`` from which an expression is flagged ``necessary``.

    Returns
    -------
    NecessityResult
        Rows in R's order: every condition, then every negation.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"A": [1, 1, 0, 1], "B": [0, 1, 0, 1], "Y": [1, 1, 0, 0]})
    >>> necessity(d, "Y").to_frame()[["condition", "inclN"]].to_dict("records")[0]
    {'condition': 'A', 'inclN': 1.0}
    """
    if not 0 <= incl_cut <= 1:
        raise QCAError(
            f"incl_cut={incl_cut!r} must be within 0..1.", argument="incl_cut", value=incl_cut
        )
    if isinstance(data, SetData):
        sd = data
    else:
        if outcome is None:
            raise QCAError("Name the outcome column.", argument="outcome", value=outcome)
        sd = prepare(data, outcome, conditions, case_column=case_column)
    items: list[tuple[str, FloatArray]] = []
    if expressions is not None:
        items = [(e, evaluate(e, sd)) for e in expressions]
    else:
        for j, name in enumerate(sd.conditions):
            if sd.noflevels[j] > 2:
                continue
            label = f"{name}[1]" if sd.multivalue else name
            items.append((label, literal_membership(sd, j, 1)))
        for j, name in enumerate(sd.conditions):
            if sd.noflevels[j] > 2:
                for v in range(sd.noflevels[j]):
                    items.append((f"{name}[{v}]", literal_membership(sd, j, v)))
        if negations:
            for j, name in enumerate(sd.conditions):
                if sd.noflevels[j] == 2:
                    label = f"{name}[0]" if sd.multivalue else f"~{name}"
                    items.append((label, literal_membership(sd, j, 0)))
    rows: list[dict[str, float | str | bool]] = []
    for label, x in items:
        fit = necessity_fit(x, sd.y)
        rows.append({"condition": label, **fit, "necessary": bool(fit["inclN"] >= incl_cut)})
    return NecessityResult(outcome=sd.outcome, rows=tuple(rows), incl_cut=incl_cut)


def super_subset(
    data: pd.DataFrame | SetData,
    outcome: str | None = None,
    conditions: Sequence[str] | None = None,
    *,
    incl_cut: float = 1.0,
    cov_cut: float = 0.0,
    ron_cut: float = 0.0,
    depth: int | None = None,
    case_column: str | None = None,
) -> NecessityResult:
    """Search necessary conjunctions and disjunctions (R ``superSubset(relation = "necessity")``).

    Conjunctions of 1, 2, ... literals with ``inclN >= incl_cut`` and ``covN >= cov_cut`` are
    kept; when a conjunction fails, the disjunction of the same literals is tried, and kept
    unless it contains a conjunction or disjunction found at a smaller size. Search stops, as
    in R, at ``depth`` or after size 3 once a size adds nothing. Rows: conjunctions, then
    disjunctions, in the order found; ``ron_cut`` filters on RoN.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"A": [1, 1, 0, 0], "B": [0, 1, 1, 0], "Y": [1, 1, 1, 0]})
    >>> [r["condition"] for r in super_subset(d, "Y").rows]
    ['A + B']
    """
    from itertools import combinations, product

    for name, value in (("incl_cut", incl_cut), ("cov_cut", cov_cut), ("ron_cut", ron_cut)):
        if not 0 <= value <= 1:
            raise QCAError(f"{name}={value!r} must be within 0..1.", argument=name, value=value)
    sd = data if isinstance(data, SetData) else None
    if sd is None:
        if outcome is None:
            raise QCAError("Name the outcome column.", argument="outcome", value=outcome)
        sd = prepare(data, outcome, conditions, case_column=case_column)  # type: ignore[arg-type]
    k = sd.k_conditions
    depth = k if depth is None else max(1, min(int(depth), k))
    tol = 1.4901161193847656e-08
    icut = incl_cut - tol
    ccut = cov_cut - tol if cov_cut > 0 else cov_cut
    y, sy = sd.y, float(sd.y.sum())
    lits = sd.literals
    conj: list[tuple[dict[int, int], dict[str, float]]] = []
    disj: list[tuple[dict[int, int], dict[str, float]]] = []
    prev_conj = prev_disj = 0
    size, going = 1, True
    while size <= depth and going:
        if conj or disj:
            going = size <= 3
        for combo in combinations(range(k), size):
            for values in product(*[range(sd.noflevels[j]) for j in combo]):
                rows = lits[list(combo), list(values)]
                x = rows.min(axis=0)
                fit = necessity_fit(x, y)
                if fit["inclN"] >= icut and fit["covN"] >= ccut:
                    conj.append((dict(zip(combo, values, strict=True)), fit))
                    going = True
                    continue
                xd = rows.max(axis=0)
                mxy = float(np.minimum(xd, y).sum())
                if not (mxy / sy >= icut and (mxy / float(xd.sum()) if xd.sum() else 0) >= ccut):
                    continue
                lit = dict(zip(combo, values, strict=True))
                found = [c for c, _ in conj[:prev_conj]] + [d for d, _ in disj[:prev_disj]]
                if any(all(lit.get(j) == v for j, v in f.items()) for f in found):
                    continue
                disj.append((lit, necessity_fit(xd, y)))
                going = True
        prev_conj, prev_disj = len(conj), len(disj)
        size += 1

    def label_of(lit: dict[int, int], sep: str) -> str:
        parts = []
        for j, v in sorted(lit.items()):
            c = sd.conditions[j]
            parts.append(f"{c}[{v}]" if sd.multivalue else (c if v == 1 else f"~{c}"))
        return sep.join(parts)

    rows_out: list[dict[str, float | str | bool]] = []
    for lit, fit in [(c, f) for c, f in conj] + [(d, f) for d, f in disj]:
        if fit["RoN"] < ron_cut:
            continue
        label = label_of(lit, "*") if any(lit is c for c, _ in conj) else label_of(lit, " + ")
        rows_out.append({"condition": label, **fit, "necessary": True})
    return NecessityResult(
        outcome=sd.outcome, rows=tuple(rows_out), incl_cut=incl_cut, method="superSubset"
    )
