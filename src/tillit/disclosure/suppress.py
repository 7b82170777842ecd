"""Primary and secondary (complementary) cell suppression.

* **Primary suppression** hides every published cell built from fewer than ``k`` respondents
  (``0 < n < k``; an empty cell describes nobody and stays, unless ``zero_safe=False``).
* **Secondary suppression** hides further cells so that no hidden cell can be recovered by
  differencing the published margins:

  1. every relation (``total = parts``) that has exactly one unknown cell gets a second one,
     chosen as the smallest positive published cell of the relation (a part before the
     total, a zero last); repeated until no relation has a single unknown;
  2. the result is audited with linear programming (:func:`tillit.disclosure.audit.audit`);
     for each hidden cell whose feasible interval is narrower than the protection width,
     one more cell of its relations is hidden (the smallest again), and the audit repeats
     until it finds nothing. Every round hides at least one cell, so this stops.

:func:`protect` does both and returns the pattern with its audit.

Examples
--------
The classic attack: a total and all but one of its parts are shown.

>>> from tillit.disclosure.tables import one_way
>>> t = one_way([2, 12, 9, 30], ["a", "b", "c", "d"])
>>> p = protect(t, k=5)
>>> [t.labels[i] for i in p.hidden.nonzero()[0]]
['a', 'c']
>>> p.audit.ok
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tillit.disclosure.audit import AuditResult, CellInterval, audit, feasible_intervals
from tillit.disclosure.tables import BoolArray, FloatArray, LinearTable

__all__ = ["Protection", "primary_suppression", "protect", "secondary_suppression"]


def primary_suppression(
    values: FloatArray | list[float], k: int, *, zero_safe: bool = True
) -> BoolArray:
    """Cells with fewer than ``k`` respondents (``0 < n < k``; with ``zero_safe=False`` also
    empty cells).

    >>> primary_suppression([0, 1, 4, 5, 12], 5).tolist()
    [False, True, True, False, False]
    """
    if k < 1:
        raise ValueError(f"k: the minimum cell size must be at least 1, got {k}")
    v = np.asarray(values, dtype=float)
    small = v < k
    return small & (v > 0) if zero_safe else small


def _candidates(table: LinearTable, cells: list[int], unknown: BoolArray) -> list[int]:
    """Cells that may be hidden next, best first: published, not yet hidden; smallest positive
    part, then totals, then zeros."""
    totals = {t for t, _ in table.relations}
    free = [c for c in cells if not unknown[c]]

    def key(c: int) -> tuple[int, int, float]:
        v = float(table.values[c])
        return (v == 0, c in totals, v)

    return sorted(free, key=key)


def _pass_pairs(table: LinearTable, hidden: BoolArray) -> BoolArray:
    """Step 1: no relation keeps a single unknown cell."""
    hidden = hidden.copy()
    changed = True
    while changed:
        changed = False
        for total, parts in table.relations:
            unknown = hidden | ~table.published
            cells = [total, *parts]
            n_unknown = sum(bool(unknown[c]) for c in cells)
            n_hidden = sum(bool(hidden[c]) for c in cells)
            if n_unknown == 1 and n_hidden == 1:
                cand = _candidates(table, cells, unknown)
                if cand:
                    hidden[cand[0]] = True
                    changed = True
    return hidden


def secondary_suppression(
    table: LinearTable,
    primary: BoolArray,
    *,
    protection: float,
    max_rounds: int = 200,
) -> BoolArray:
    """The cells to hide (primary and secondary) so that the audit finds no recoverable cell.

    Parameters
    ----------
    table : LinearTable
    primary : array of bool
        Primary-suppressed cells (from :func:`primary_suppression`).
    protection : float
        Minimum width of each hidden cell's feasible interval (see :func:`audit`).
    max_rounds : int
        Safety limit on audit rounds (each hides at least one more cell).
    """
    return _secondary(table, primary, protection, max_rounds)[0]


def _secondary(
    table: LinearTable, primary: BoolArray, protection: float, max_rounds: int
) -> tuple[BoolArray, dict[int, tuple[float, float]]]:
    """Secondary suppression; also returns the last computed interval of every hidden cell."""
    primary = np.asarray(primary, dtype=bool)
    if primary.shape != (table.n_cells,):
        raise ValueError(f"primary: {primary.shape[0]} flags for {table.n_cells} cells")
    primary = primary & table.published
    hidden = _pass_pairs(table, primary)
    known: dict[int, tuple[float, float]] = {}
    if not hidden.any():
        return hidden, known
    # Hiding more cells only relaxes the attacker's constraints, so a cell's feasible interval
    # can only widen: a cell found safe stays safe, and each round re-checks only the cells
    # found recoverable and the newly hidden ones.
    check: set[int] | None = None
    # Feasible tables seen so far (the true one first; LP solutions join): a cell on which two
    # of them differ by the protection width is safe without solving anything, and hiding more
    # cells keeps them feasible, so the pool lasts through all rounds.
    pool: list[FloatArray] = [np.asarray(table.values, dtype=float).copy()]
    for _ in range(max_rounds):
        bounds = feasible_intervals(table, hidden, decide=protection, cells=check, points=pool)
        known.update(bounds)
        recoverable = [c for c, (lo, hi) in sorted(bounds.items()) if hi - lo < protection - 1e-7]
        if not recoverable:
            return hidden, known
        before = hidden.copy()
        newly: set[int] = set()
        for cell in recoverable:
            unknown = hidden | ~table.published
            related = sorted({c for t, p in table.relations_of(cell) for c in (t, *p)})
            if newly & set(related):
                continue  # a cell hidden this round already widens this one: audit again first
            cand = _candidates(table, related, unknown)
            if not cand:  # its relations are all hidden: widen through their neighbours
                near = sorted(
                    {c for r in related for t, p in table.relations_of(r) for c in (t, *p)}
                )
                cand = _candidates(table, near, unknown)
            if not cand:
                cand = _candidates(table, list(range(table.n_cells)), unknown)
            if cand:
                hidden[cand[0]] = True
                newly.add(cand[0])
        if not newly:
            return hidden, known
        hidden = _pass_pairs(table, hidden)
        check = set(recoverable) | {int(c) for c in np.flatnonzero(hidden & ~before)}
    return hidden, known


@dataclass(frozen=True)
class Protection:
    """A table's suppression pattern and the audit that proves it."""

    table: LinearTable
    primary: BoolArray
    hidden: BoolArray  # primary | secondary
    audit: AuditResult
    k: int

    @property
    def secondary(self) -> BoolArray:
        return self.hidden & ~self.primary

    def shown(self) -> dict[str, float | None]:
        """``{label: value}`` of the published cells, None where hidden."""
        return {
            lbl: (None if self.hidden[i] else float(self.table.values[i]))
            for i, lbl in enumerate(self.table.labels)
            if self.table.published[i]
        }


def protect(
    table: LinearTable,
    k: int,
    *,
    protection: float | None = None,
    zero_safe: bool = True,
) -> Protection:
    """Primary suppression at ``k``, secondary suppression, and the audit of the result.

    ``protection`` (the minimum feasible-interval width of a hidden cell) defaults to ``k``.
    The audit decides every hidden cell exactly, but its intervals are only as exact as the
    decision needs: a safe cell's interval may be an inner bound (the range of feasible tables
    found, at least ``protection`` wide), a recoverable one's low may be 0. Run :func:`audit`
    for all exact intervals.
    """
    width = float(k if protection is None else protection)
    primary = primary_suppression(table.values, k, zero_safe=zero_safe) & table.published
    hidden, known = _secondary(table, primary, width, 200)
    if set(known) != {int(c) for c in np.flatnonzero(hidden)}:
        result = audit(table, hidden, protection=width, fast=True)
    else:  # every hidden cell was decided in the last state of the loop (widths only grow)
        result = AuditResult(
            tuple(
                CellInterval(c, table.labels[c], float(table.values[c]), lo, hi,
                             hi - lo < width - 1e-7)
                for c, (lo, hi) in sorted(known.items())
            ),
            width,
        )  # fmt: skip
    return Protection(table, primary, hidden, result, k)
