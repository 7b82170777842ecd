"""Calibration of raw values into crisp, multi-value or fuzzy set memberships (R ``calibrate``).

Examples
--------
>>> calibrate([300, 550, 900], type="fuzzy", thresholds="e=400, c=550, i=900").round(3).tolist()
[0.007, 0.5, 0.95]
>>> calibrate([400, 600, 900], type="crisp", thresholds=[550, 850]).tolist()
[0, 1, 2]
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from tillit.qca.errors import QCAError

__all__ = ["RAGIN_IDM", "calibrate", "parse_thresholds"]

RAGIN_IDM = math.exp(3) / (1 + math.exp(3))
"""Inclusion degree that reproduces Ragin's log-odds of +-3 at the anchors (about 0.9526)."""

FloatArray = npt.NDArray[np.float64]
Thresholds = str | Sequence[float] | Mapping[str, float]


def parse_thresholds(thresholds: Thresholds) -> tuple[list[float], list[str] | None]:
    """Thresholds as numbers plus their names (``"e=400, c=550, i=900"`` -> e, c, i)."""
    if isinstance(thresholds, str):
        names: list[str] = []
        values: list[float] = []
        for part in re.split(r"[,;]", thresholds):
            part = part.strip()
            if not part:
                continue
            name, sep, raw = part.partition("=")
            if not sep:
                name, raw = "", part
            try:
                values.append(float(raw))
            except ValueError as exc:
                raise QCAError(
                    f"The threshold {part!r} is not a number.",
                    argument="thresholds",
                    value=thresholds,
                    hint='Write them as "e=400, c=550, i=900" or as a list of numbers.',
                ) from exc
            names.append(name.strip())
        return values, (names if all(names) else None)
    if isinstance(thresholds, Mapping):
        return [float(v) for v in thresholds.values()], [str(k) for k in thresholds]
    try:
        return [float(v) for v in thresholds], None
    except (TypeError, ValueError) as exc:
        raise QCAError(
            "Thresholds must be numbers.", argument="thresholds", value=thresholds
        ) from exc


def _reorder(values: list[float], names: list[str] | None, order: Sequence[str]) -> list[float]:
    if names is None:
        return values
    if sorted(names) != sorted(order):
        raise QCAError(
            f"Named thresholds must be exactly {', '.join(order)}; got {', '.join(names)}.",
            argument="thresholds",
            value=dict(zip(names, values, strict=True)),
        )
    by_name = dict(zip(names, values, strict=True))
    return [by_name[n] for n in order]


def calibrate(
    x: Any,
    type: str = "fuzzy",
    thresholds: Thresholds = (),
    *,
    logistic: bool = True,
    idm: float = 0.95,
    below: float = 1.0,
    above: float = 1.0,
) -> npt.NDArray[Any]:
    """Calibrate raw values into set memberships, as R's ``QCA::calibrate`` (direct method).

    Parameters
    ----------
    x : array-like of float
        Raw values (no missing values).
    type : {"fuzzy", "crisp"}
        ``"crisp"``: the number of thresholds at or below each value (0/1 with one threshold,
        0/1/2 with two: multi-value). ``"fuzzy"``: the direct method.
    thresholds : str, sequence or mapping
        Crisp: one or more cut points. Fuzzy: the three anchors exclusion, crossover,
        inclusion (``"e=400, c=550, i=900"``, ``{"e": 400, ...}`` or ``[400, 550, 900]`` in
        that order); inclusion below exclusion gives a decreasing set. Six anchors
        (``e1, c1, i1, i2, c2, e2``) give a bell-shaped set (linear method only).
    logistic : bool
        Logistic function through the anchors (default); ``False`` for the linear (or
        power, with ``below``/``above``) function.
    idm : float
        Inclusion degree of membership at the inclusion anchor, in (0.5, 1). R's default is
        0.95; :data:`RAGIN_IDM` reproduces Ragin's log-odds of 3.
    below, above : float
        Exponents of the linear variant below and above the crossover.

    Returns
    -------
    numpy.ndarray
        Integers for crisp, floats in [0, 1] for fuzzy (values below 1e-4 are set to 0 and
        above 0.9999 to 1, as R does).

    Notes
    -----
    Logistic direct method: with ``s = ln(idm / (1 - idm))``, the log-odds are
    ``s (x - c) / (i - c)`` for ``x >= c`` and ``s (x - c) / (c - e)`` below, and the
    membership is ``1 / (1 + exp(-log-odds))``. Values beyond the anchors are not capped.

    Raises
    ------
    QCAError
        No thresholds, a crisp threshold outside the range of ``x``, fuzzy anchors out of
        order (the crossover must lie strictly between exclusion and inclusion), ``idm``
        outside (0.5, 1), or ``x`` with missing values.

    References
    ----------
    Ragin, C. (2008) *Redesigning Social Inquiry*, ch. 5. Dusa, A. (2019) *QCA with R*, ch. 4.
    """
    values = np.asarray(x, dtype=np.float64)
    if values.ndim != 1 or values.size == 0:
        raise QCAError("x must be a non-empty list of numbers.", argument="x", value=x)
    if np.isnan(values).any():
        raise QCAError(
            "x has missing values; calibration needs a value for every case.",
            argument="x",
            value=int(np.isnan(values).sum()),
        )
    th, names = parse_thresholds(thresholds)
    if not th:
        raise QCAError("No thresholds were given.", argument="thresholds", value=thresholds)
    if type == "crisp":
        if names:
            raise QCAError(
                "Named thresholds need fuzzy calibration; crisp takes plain cut points.",
                argument="thresholds",
                value=thresholds,
            )
        lo, hi = float(values.min()), float(values.max())
        outside = [t for t in th if t < lo or t > hi]
        if outside:
            raise QCAError(
                f"Crisp threshold(s) {outside} lie outside the range of x ({lo:g} to {hi:g}).",
                argument="thresholds",
                value=th,
                hint="Every cut point must fall within the observed values.",
            )
        cuts = np.sort(np.asarray(th))
        return np.searchsorted(cuts, values, side="right").astype(np.int64)
    if type != "fuzzy":
        raise QCAError(
            f"type={type!r} is not allowed; use 'fuzzy' or 'crisp'.", argument="type", value=type
        )
    if not 0.5 < idm < 1:
        raise QCAError(f"idm={idm!r} must be above 0.5 and below 1.", argument="idm", value=idm)
    if len(th) == 6:
        return _bell(
            values, _reorder(th, names, ("e1", "c1", "i1", "i2", "c2", "e2")), below, above
        )
    if len(th) != 3:
        raise QCAError(
            f"Fuzzy direct calibration takes 3 anchors (or 6 for a bell shape), not {len(th)}.",
            argument="thresholds",
            value=thresholds,
        )
    e, c, i = _reorder(th, names, ("e", "c", "i"))
    if not (min(e, i) < c < max(e, i)):
        raise QCAError(
            f"The anchors are out of order: the crossover c={c:g} must lie strictly between "
            f"exclusion e={e:g} and inclusion i={i:g}.",
            argument="thresholds",
            value={"e": e, "c": c, "i": i},
            hint="For an increasing set write e < c < i; for a decreasing set i < c < e.",
        )
    decreasing = e > i
    if logistic:
        lo, hi = (i, e) if decreasing else (e, i)
        scale = math.log(idm / (1 - idm))
        denom = np.where(values < c, c - lo, hi - c)
        fs = 1.0 / (1.0 + np.exp(-(values - c) * scale / denom))
        if decreasing:
            fs = 1.0 - fs
    else:
        fs = _linear(values, e, c, i, below, above)
    fs[fs < 0.0001] = 0.0
    fs[fs > 0.9999] = 1.0
    return fs


def _linear(x: FloatArray, e: float, c: float, i: float, below: float, above: float) -> FloatArray:
    out = np.empty_like(x)
    if e < i:
        out[x <= e] = 0.0
        m = (x > e) & (x <= c)
        out[m] = (((e - x[m]) / (e - c)) ** below) / 2
        m = (x > c) & (x <= i)
        out[m] = 1 - (((i - x[m]) / (i - c)) ** above) / 2
        out[x > i] = 1.0
    else:
        out[x <= i] = 1.0
        m = (x > i) & (x <= c)
        out[m] = 1 - (((i - x[m]) / (i - c)) ** above) / 2
        m = (x > c) & (x <= e)
        out[m] = (((e - x[m]) / (e - c)) ** below) / 2
        out[x > e] = 0.0
    return out


def _bell(x: FloatArray, th: list[float], below: float, above: float) -> FloatArray:
    e1, c1, i1, i2, c2, e2 = th
    if not (min(e1, i1) < c1 < max(e1, i1)) or not (min(e2, i2) < c2 < max(e2, i2)):
        raise QCAError(
            "The anchors are out of order: each crossover must lie strictly between its "
            "exclusion and inclusion anchors.",
            argument="thresholds",
            value=th,
        )
    if not (e1 < c1 < i1 <= i2 < c2 < e2):
        raise QCAError(
            "A bell-shaped set needs e1 < c1 < i1 <= i2 < c2 < e2.",
            argument="thresholds",
            value=th,
        )
    out = np.zeros_like(x)
    left = x < i1
    out[left] = _linear(x[left], e1, c1, i1, below, above)
    mid = (x >= i1) & (x <= i2)
    out[mid] = 1.0
    right = x > i2
    out[right] = _linear(x[right], e2, c2, i2, below, above)
    out[out < 0.0001] = 0.0
    out[out > 0.9999] = 1.0
    return out
