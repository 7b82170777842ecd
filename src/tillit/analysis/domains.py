"""Many variables in many domains at once: grouped sums for element-sampled designs.

For a design whose PSUs are the respondents and whose weights carry no calibration, the Taylor
variance of a domain mean or total needs only sums over (domain, stratum) cells, so every
variable and every domain is handled in a few passes over the data after one sort, instead of
one pass per domain. The numbers are those of the general path
(:meth:`Design.variance <tillit.analysis.design.Design.variance>` on influence values that are
zero outside the domain): for stratum :math:`h` with :math:`n_h` respondents, of whom the rows
:math:`i \\in h \\cap d` are in the domain,

.. math::

    \\sum_{i \\in h} (z_i - \\bar z_h)^2 = \\sum_{i \\in h \\cap d} (z_i - \\bar z_h)^2
    + (n_h - n_{hd})\\,\\bar z_h^2, \\qquad \\bar z_h = \\frac{1}{n_h}\\sum_{i \\in h \\cap d} z_i,

computed in two passes (no cancellation-prone one-pass formula). The test suite checks that both
paths agree to 1e-12.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from tillit.analysis.design import Design

__all__ = ["can_group", "grouped_linearize"]

FloatArray = npt.NDArray[np.floating[Any]]
IntArray = npt.NDArray[np.integer[Any]]


def can_group(design: Design) -> bool:
    """Whether the grouped path applies: no clusters and no calibration adjustments."""
    return design.psu is None and not design.adjustments


def grouped_linearize(
    design: Design,
    values: FloatArray,
    usable: npt.NDArray[np.bool_],
    codes: IntArray,
    k_domains: int,
    kind: Literal["mean", "total"],
    deff: bool | str,
) -> tuple[FloatArray, FloatArray, IntArray, FloatArray, FloatArray | None]:
    """Estimates, variances, n, population and deff, each (k_domains x p), for every domain.

    ``codes`` gives each row's domain (``-1``: in no domain).
    """
    p = values.shape[1]
    order = np.lexsort((design.strata, codes))
    order = order[codes[order] >= 0]
    dom = codes[order]
    strat = design.strata[order]
    weights = design.weights[order]
    bounds = np.searchsorted(dom, np.arange(k_domains + 1))
    shape = (k_domains, p)
    estimate, variance, population = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    n_used = np.zeros(shape, dtype=np.int64)
    deffs = np.zeros(shape) if deff is not False else None
    for d in range(k_domains):
        a, b = int(bounds[d]), int(bounds[d + 1])
        rows_d = order[a:b]  # gathered per domain: no full-size sorted copies
        okd = usable[rows_d]
        yd = np.where(okd, values[rows_d], 0.0)
        wd = np.where(okd, weights[a:b, None], 0.0)
        sd = strat[a:b]
        starts = np.concatenate([[0], np.flatnonzero(np.diff(sd)) + 1])
        rows = np.diff(np.append(starts, b - a))
        cell_strat = sd[starts]
        total_w = wd.sum(axis=0)
        sums = (wd * yd).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            avg = sums / total_w
            resid = yd - avg
            # Mean: z = w (y - avg) / W, the 1/W applied to the cell sums below. Total: z = w y.
            z = wd * resid if kind == "mean" else wd * yd
            factor = 1.0 / total_w**2 if kind == "mean" else 1.0
        n_h = design.n_psu[cell_strat].astype(float)[:, None]
        cell_mean = np.add.reduceat(z, starts, axis=0) / n_h
        if design.lonely_psu == "adjust":
            cell_mean[design._lonely[cell_strat]] = 0.0
        dev = z - np.repeat(cell_mean, rows, axis=0)
        ss = np.add.reduceat(dev * dev, starts, axis=0) + (n_h - rows[:, None]) * cell_mean**2
        variance[d] = (design._scale[cell_strat] @ ss) * factor
        estimate[d] = avg if kind == "mean" else sums
        population[d] = total_w
        n_used[d] = okd.sum(axis=0)
        if deffs is not None:
            n = n_used[d]
            with np.errstate(invalid="ignore", divide="ignore"):
                s2 = (wd * resid * resid).sum(axis=0) / total_w * n / (n - 1)
                vsrs = s2 / n if deff == "replace" else s2 * (total_w - n) / (total_w * n)
                if kind == "total":
                    vsrs = vsrs * total_w**2
                deffs[d] = variance[d] / vsrs
    return estimate, variance, n_used, population, deffs
