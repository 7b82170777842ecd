"""Nonresponse: adjustment within weighting classes, and respondents compared with the frame.

Notes
-----
* Adjustment within classes :math:`c`: :math:`w_i^* = w_i \\sum_{c} w / \\sum_{c,\\,resp} w`;
  the respondents become the sample (their numbers per stratum drive the fpc). With the strata
  as classes this is :meth:`Design.from_frame <tillit.analysis.design.Design.from_frame>`.
* Nonresponse analysis: for covariates known for the whole frame (registry data), the
  respondents' estimate minus the frame value, with the SE of the respondents' estimate (the
  frame value is known exactly) and a t test on the design df.

References
----------
Kalton, G. and Flores-Cervantes, I. (2003). Weighting methods. *Journal of Official Statistics*
19, 81-97.
Groves, R. M. (2006). Nonresponse rates and nonresponse bias in household surveys. *Public
Opinion Quarterly* 70, 646-675.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from tillit.analysis.design import Design, WeightingStep, _label
from tillit.analysis.errors import AnalysisError, CalibrationError, unknown_names
from tillit.analysis.estimate import mean, proportion
from tillit.analysis.results import Estimates, frozen_array
from tillit.analysis.weights import _cells, _columns, _show

__all__ = ["adjust_nonresponse", "nonresponse_analysis"]

FloatArray = npt.NDArray[np.floating[Any]]


def adjust_nonresponse(
    design: Design,
    responded: str | npt.ArrayLike,
    classes: str | Sequence[str],
) -> Design:
    """Nonresponse adjustment within weighting classes; returns the design of the respondents.

    ``design`` covers the whole (invited) sample; within each class the respondents' weights are
    multiplied by the class's total weight over its respondents' weight, and the respondents
    become the new sample (their PSU counts drive the fpc).

    Examples
    --------
    >>> import pandas as pd
    >>> from tillit.analysis import Design, adjust_nonresponse
    >>> invited = pd.DataFrame({"size": ["small"] * 4 + ["large"] * 2,
    ...                         "answered": [True, True, False, False, True, True]})
    >>> design = Design.from_data(invited, fpc=12)
    >>> adjust_nonresponse(design, "answered", "size").weights.tolist()
    [4.0, 4.0, 2.0, 2.0]
    """
    if isinstance(responded, str):
        col = design.column(responded, "responded")
        flags = col.astype("boolean").to_numpy(dtype=bool, na_value=False)
    else:
        flags = np.asarray(responded, dtype=bool)
    if flags.shape != (design.n,):
        raise AnalysisError(
            f"responded has shape {flags.shape}; it needs one flag per row ({design.n}).",
            argument="responded",
            value=flags.shape,
            allowed=f"column name or {design.n} booleans",
        )
    names = _columns(design, classes, "classes")
    codes, keys = _cells(design, names)
    k = len(keys)
    all_w = np.bincount(codes, weights=design.weights, minlength=k)
    resp_w = np.bincount(codes, weights=np.where(flags, design.weights, 0.0), minlength=k)
    empty = [keys[c] for c in range(k) if resp_w[c] == 0]
    if empty:
        raise CalibrationError(
            f"classes: no respondents in class(es) {_show(empty)} of {' x '.join(names)}.",
            argument="classes",
            value=_show(empty),
            allowed="classes with at least one respondent",
            hint="Collapse the class with a similar one.",
        )
    factor = (all_w / resp_w)[codes]
    adjusted = design.with_weights(
        design.weights * factor,
        WeightingStep("nonresponse", f"nonresponse adjustment within {' x '.join(names)}"),
    )
    return adjusted.subset(flags)


def nonresponse_analysis(
    design: Design,
    frame: pd.DataFrame,
    variables: str | Sequence[str],
    *,
    weighted: bool = True,
    level: float = 0.95,
) -> Estimates:
    """Compare respondents with the sampling frame on covariates known for everyone.

    For a numeric variable the respondents' mean, for a categorical one each category's share,
    is compared with the frame's value (which is known exactly). The difference's SE is the SE of
    the respondents' estimate: from ``design`` when ``weighted`` (does the weighting remove the
    difference?), or, when not ``weighted``, treating the respondents as a simple random sample
    of the frame (are respondents a random subsample?).

    Returns
    -------
    Estimates
        ``statistic="difference from frame"``; ``extra`` holds ``respondents`` and ``frame``.

    Examples
    --------
    >>> import pandas as pd
    >>> from tillit.analysis import Design, nonresponse_analysis
    >>> frame = pd.DataFrame({"country": ["NO"] * 6 + ["DK"] * 4})
    >>> answers = pd.DataFrame({"country": ["NO", "NO", "NO", "NO", "DK"]})
    >>> r = nonresponse_analysis(Design.from_data(answers, fpc=10), frame, "country",
    ...                          weighted=False)
    >>> r.get("country", category="DK").estimate
    -0.2
    """
    names = [variables] if isinstance(variables, str) else list(variables)
    missing = [v for v in names if v not in frame.columns]
    if missing:
        raise unknown_names("variables", missing, frame.columns)
    used = design if weighted else Design.from_data(design.data, fpc=float(len(frame)))
    rows: list[Estimates] = []
    frame_values: list[FloatArray] = []
    for name in names:
        col = frame[name].dropna()
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            est = mean(used, name, nan_policy="omit", level=level)
            frame_values.append(np.array([float(col.mean())]))
        else:
            est = proportion(used, name, nan_policy="omit", level=level)
            shares = col.map(_label).value_counts(normalize=True)
            frame_values.append(
                np.array([float(shares.get(_category(shares.index, c), 0.0)) for c in est.category])
            )
        rows.append(est)
    resp = np.concatenate([r.estimate for r in rows])
    ref = np.concatenate(frame_values)
    se = np.concatenate([r.se for r in rows])
    diff = resp - ref
    q = float(stats.t.ppf(0.5 + level / 2, used.df)) if used.df > 0 else np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        t = diff / se
    categories = tuple(c for r in rows for c in (r.category or (None,) * len(r)))
    return Estimates(
        statistic="difference from frame",
        variable=tuple(v for r in rows for v in r.variable),
        estimate=frozen_array(diff),
        se=frozen_array(se),
        ci_low=frozen_array(diff - q * se),
        ci_high=frozen_array(diff + q * se),
        df=float(used.df),
        n=frozen_array(np.concatenate([r.n for r in rows]), np.int64),
        method=(
            "respondents (weighted) minus frame; "
            if weighted
            else "respondents (unweighted, as a random subsample) minus frame; "
        )
        + used.describe(),
        warnings=tuple(w for r in rows for w in r.warnings),
        level=level,
        category=categories if any(c is not None for c in categories) else (),
        t=frozen_array(t),
        p_value=frozen_array(2 * stats.t.sf(np.abs(t), used.df)),
        extra={"respondents": frozen_array(resp), "frame": frozen_array(ref)},
    )


def _category(index: pd.Index, label: str | None) -> Any:
    for value in index:
        if str(value) == label:
            return value
    return label
