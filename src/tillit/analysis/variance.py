"""Calibration residuals for the Taylor variance of post-stratified, raked and calibrated designs.

When weights are calibrated to known population counts or totals, the variance of an estimate
is that of the residuals of its influence values from the calibration model: what the
calibration already knows contributes no variance. Each adjustment below is one step in
:attr:`Design.adjustments <tillit.analysis.design.Design.adjustments>` and transforms the
influence values exactly as R ``survey::svyrecvar`` does for the corresponding ``postStrata``
entry, before the stratified variance of :meth:`Design.variance
<tillit.analysis.design.Design.variance>` is taken.

References
----------
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, chapter 7.
Särndal, C.-E., Swensson, B. and Wretman, J. (1992). *Model Assisted Survey Sampling*. Springer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

__all__ = ["Adjustment", "GregAdjustment", "PostStratAdjustment", "RakingAdjustment"]

FloatArray = npt.NDArray[np.floating[Any]]
IntArray = npt.NDArray[np.integer[Any]]


def _group_sums(codes: IntArray, k: int, x: FloatArray) -> FloatArray:
    """Column sums of ``x`` (n x p) within groups ``codes`` (0..k-1) -> k x p."""
    n = codes.shape[0]
    indicator = sparse.csr_matrix((np.ones(n), (codes, np.arange(n))), shape=(k, n))
    return np.asarray(indicator @ x)


@dataclass(frozen=True, eq=False)
class PostStratAdjustment:
    """Post-stratification: influence values are replaced by residuals from post-stratum means.

    As R ``svyrecvar`` for a ``postStratify`` step: :math:`z_i - w_i \\bar m_{g(i)}` with
    :math:`\\bar m_g = \\sum_{i \\in g} w^0_i z_i / w_i \\,/\\, \\sum_{i \\in g} w^0_i`,
    where :math:`w^0` are the weights before and :math:`w` after the step.
    """

    codes: IntArray
    k: int
    weights: FloatArray
    old_weights: FloatArray

    def residuals(self, z: FloatArray) -> FloatArray:
        sums = _group_sums(self.codes, self.k, z * (self.old_weights / self.weights)[:, None])
        means = sums / np.bincount(self.codes, weights=self.old_weights, minlength=self.k)[:, None]
        return z - means[self.codes] * self.weights[:, None]


@dataclass(frozen=True, eq=False)
class RakingAdjustment:
    """Raking: ten backfitting sweeps of unweighted centring within each margin, as R does."""

    margins: tuple[tuple[IntArray, int, FloatArray], ...]
    sweeps: int = 10

    def residuals(self, z: FloatArray) -> FloatArray:
        for _ in range(self.sweeps):
            for codes, k, w in self.margins:
                counts = np.bincount(codes, minlength=k)[:, None]
                means = _group_sums(codes, k, z / w[:, None]) / counts
                z = z - w[:, None] * means[codes]
        return z


@dataclass(frozen=True, eq=False)
class GregAdjustment:
    """Linear (GREG) calibration: residuals of :math:`z / (g w^{1/2})` on the calibration model.

    ``basis`` is an orthonormal basis (QR) of :math:`X w^{1/2}` and ``scale`` is
    :math:`g\\, w^{1/2}`, as in R ``regcalibrate``: ``qr.resid(qr, z / scale) * scale``.
    """

    basis: FloatArray
    scale: FloatArray

    def residuals(self, z: FloatArray) -> FloatArray:
        r = z / self.scale[:, None]
        r = r - self.basis @ (self.basis.T @ r)
        return r * self.scale[:, None]


Adjustment = PostStratAdjustment | RakingAdjustment | GregAdjustment
