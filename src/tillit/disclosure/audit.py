"""The differencing audit: how precisely can an attacker who sees the published cells of a
table work out each hidden cell?

For every hidden cell the audit solves two linear programmes (:func:`scipy.optimize.linprog`,
HiGHS): the smallest and the largest value the cell can take such that every relation of the
table holds, every published cell keeps its published value and every count is non-negative.
The result is the cell's *feasible interval* ``[low, high]``. A hidden cell whose interval is
narrower than the protection width is *recoverable* (width 0: recovered exactly, as in the
classic attack "total minus the shown cells").

Notes
-----
The attacker model is the one of tau-ARGUS' audit ("the intervals an intruder can compute from
the published table"): linear relations and non-negativity, nothing else. Knowledge from other
sources (for instance that a cell is at least 1) narrows intervals further; the protection
width is the margin for that.

Examples
--------
>>> import numpy as np
>>> from tillit.disclosure.tables import one_way
>>> t = one_way([2, 12, 9], ["a", "b", "c"])
>>> hidden = np.array([True, False, False, False])
>>> r = audit(t, hidden, protection=5)
>>> r.recoverable[0].label, r.recoverable[0].low, r.recoverable[0].high
('a', 2.0, 2.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linprog

from tillit.disclosure.tables import BoolArray, FloatArray, LinearTable

__all__ = ["AuditResult", "CellInterval", "audit", "feasible_intervals"]


@dataclass(frozen=True, slots=True)
class CellInterval:
    """What an attacker can infer about one hidden cell."""

    index: int
    label: str
    value: float
    low: float
    high: float
    recoverable: bool

    @property
    def width(self) -> float:
        return self.high - self.low


@dataclass(frozen=True, slots=True)
class AuditResult:
    """The feasible interval of every hidden cell of a table."""

    intervals: tuple[CellInterval, ...]
    protection: float

    @property
    def recoverable(self) -> list[CellInterval]:
        """Hidden cells an attacker can pin down to an interval narrower than the protection."""
        return [c for c in self.intervals if c.recoverable]

    @property
    def ok(self) -> bool:
        return not self.recoverable

    def summary(self) -> str:
        if self.ok:
            return (
                f"{len(self.intervals)} hidden cells, none recoverable "
                f"(protection width {self.protection:g})"
            )
        worst = ", ".join(f"{c.label} in [{c.low:g}, {c.high:g}]" for c in self.recoverable[:5])
        return f"{len(self.recoverable)} of {len(self.intervals)} hidden cells recoverable: {worst}"


def feasible_intervals(
    table: LinearTable,
    hidden: BoolArray,
    *,
    decide: float | None = None,
    cells: set[int] | None = None,
    points: list[FloatArray] | None = None,
) -> dict[int, tuple[float, float]]:
    """``{cell: (low, high)}`` for every hidden cell (``high`` may be ``inf``).

    With ``decide`` (a protection width) the bounds are computed only as far as the decision
    needs them: when ``high`` is infinite or below ``decide`` the width is clear, and ``low``
    is reported as 0 (a bound, not the solution). ``points`` (with ``decide``) is a pool of
    feasible tables (every cell's value, published cells at their true values; the true table
    is one): a cell on which two of them differ by at least ``decide`` is proven safe without
    solving anything, and its interval is reported as the range of the pool (an inner bound).
    Every solution found is added to the pool. Hiding more cells keeps every pooled table
    feasible, so one pool serves all rounds of a suppression. The final audit never uses this.
    ``cells`` limits the work to some hidden cells.
    """
    hidden = np.asarray(hidden, dtype=bool)
    if hidden.shape != (table.n_cells,):
        raise ValueError(f"hidden: {hidden.shape[0]} flags for {table.n_cells} cells")
    unknown = hidden | ~table.published
    cols = np.flatnonzero(unknown)
    col_of = {int(c): j for j, c in enumerate(cols)}
    rows: list[np.ndarray] = []
    rhs: list[float] = []
    for total, parts in table.relations:
        coef = np.zeros(len(cols))
        known = 0.0
        for cell, sign in ((total, 1.0), *((p, -1.0) for p in parts)):
            if unknown[cell]:
                coef[col_of[cell]] += sign
            else:
                known += sign * float(table.values[cell])
        if np.any(coef != 0):
            rows.append(coef)
            rhs.append(-known)
    out: dict[int, tuple[float, float]] = {}
    targets = [int(c) for c in np.flatnonzero(hidden) if cells is None or int(c) in cells]
    if not rows:
        return dict.fromkeys(targets, (0.0, math.inf))
    a_eq = np.vstack(rows)
    b_eq = np.asarray(rhs)
    pool = points if decide is not None else None
    enough = (math.inf if decide is None else decide) - 1e-7  # a width that decides "safe"

    def pooled(cell: int) -> tuple[float, float]:
        assert pool is not None
        values = [float(p[cell]) for p in pool]
        return (min(values), max(values))

    def keep(x: Any) -> None:
        if pool is not None and x is not None:
            full = np.asarray(table.values, dtype=float).copy()
            full[cols] = x
            pool.append(full)

    for cell in targets:
        if pool:
            low, high = pooled(cell)
            if high - low >= enough:
                out[cell] = (low, high)
                continue
        j = col_of[cell]
        c = np.zeros(len(cols))
        c[j] = 1.0
        hi = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        if hi.status not in (0, 3):
            raise ValueError(f"audit: the relations of {table.labels[cell]!r} are infeasible")
        high = math.inf if hi.status == 3 else float(-hi.fun)
        if decide is not None and (math.isinf(high) or high < decide):
            out[cell] = (0.0, high)
            continue
        keep(hi.x)
        if pool:
            low = pooled(cell)[0]
            if high - low >= enough:
                out[cell] = (low, high)
                continue
        lo = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        if lo.status != 0:
            raise ValueError(f"audit: the relations of {table.labels[cell]!r} are infeasible")
        keep(lo.x)
        out[cell] = (max(0.0, float(lo.fun)), high)
    return out


def audit(
    table: LinearTable, hidden: BoolArray, *, protection: float, fast: bool = False
) -> AuditResult:
    """Audit a published table: the feasible interval of each hidden cell, and which are
    recoverable (interval narrower than ``protection``).

    Parameters
    ----------
    table : LinearTable
        The true values and relations.
    hidden : array of bool
        The cells the publication hides (primary and secondary suppression).
    protection : float
        The smallest acceptable width of a hidden cell's feasible interval (tillit uses the
        project's k).
    fast : bool
        Decide recoverability with as few programmes as possible (lower bounds that do not
        change the decision are reported as 0); used inside the suppression loop.
    """
    if protection < 0:
        raise ValueError(f"protection: must be >= 0, got {protection}")
    bounds = feasible_intervals(table, hidden, decide=protection if fast else None)
    tol = 1e-7
    cells = tuple(
        CellInterval(
            cell,
            table.labels[cell],
            float(table.values[cell]),
            round(lo, 9),
            hi if math.isinf(hi) else round(hi, 9),
            (hi - lo) < protection - tol or (protection == 0 and hi - lo <= tol),
        )
        for cell, (lo, hi) in sorted(bounds.items())
    )
    return AuditResult(cells, float(protection))
