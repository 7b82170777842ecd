"""Report tables through :mod:`tillit.disclosure` (primary and secondary suppression)."""

from __future__ import annotations

import numpy as np

from tillit.disclosure.suppress import protect
from tillit.disclosure.tables import two_way


def protect_two_way(grid: np.ndarray, k: int) -> np.ndarray:
    """Mask (True = hide) for ``grid``, a table of counts whose last row and column are the
    totals; the audit of :func:`tillit.disclosure.suppress.protect` must pass."""
    inner = np.asarray(grid, dtype=float)[:-1, :-1]
    r, c = inner.shape
    rows = [f"r{i}" for i in range(r)]
    cols = [f"c{j}" for j in range(c)]
    table = two_way(inner, rows, cols)
    p = protect(table, k)
    if not p.audit.ok:
        raise RuntimeError("disclosure audit failed for a report table")
    hidden = dict(zip(table.labels, p.hidden, strict=True))
    out = np.zeros(grid.shape, dtype=bool)
    names_r = [*rows, "total"]
    names_c = [*cols, "total"]
    for i, rn in enumerate(names_r):
        for j, cn in enumerate(names_c):
            out[i, j] = bool(hidden[f"{rn}|{cn}"])
    return out
