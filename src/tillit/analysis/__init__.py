"""Survey statistics: AAPOR rates, weights, design-based estimates, scales (issue: survey analysis).

Pure library: plain Python, numpy, pandas and scipy; never Django.
Every statistic is checked against R (tests/analysis/reference/*.R).

The public API, by topic:

* :mod:`~tillit.analysis.aapor`: :func:`aapor_rates`, :func:`disposition_counts`;
* :mod:`~tillit.analysis.design`: :class:`Design` (``from_data``, ``from_frame``);
* :mod:`~tillit.analysis.estimate`: :func:`mean`, :func:`total`, :func:`proportion`,
  :func:`select_multiple`, :func:`ratio`, :func:`difference`;
* :mod:`~tillit.analysis.tables`: :func:`crosstab` (Rao-Scott);
* :mod:`~tillit.analysis.regression`: :func:`glm` (like ``svyglm``);
* :mod:`~tillit.analysis.weights`: :func:`post_stratify`, :func:`rake`, :func:`calibrate`,
  :func:`trim`, :func:`weight_summary`;
* :mod:`~tillit.analysis.nonresponse`: :func:`adjust_nonresponse`, :func:`nonresponse_analysis`;
* :mod:`~tillit.analysis.scales`: :func:`cronbach_alpha`, :func:`omega`, :func:`scale_scores`,
  :func:`scale_from_concepts`;
* :mod:`~tillit.analysis.variance`: calibration residuals used by ``Design.variance``;
* :mod:`~tillit.analysis.results`, :mod:`~tillit.analysis.errors`,
  :mod:`~tillit.analysis.warnings`, :mod:`~tillit.analysis.datasets`.
"""

from tillit.analysis import datasets
from tillit.analysis.aapor import AAPORRates, DispositionCounts, aapor_rates, disposition_counts
from tillit.analysis.design import Design, WeightingStep
from tillit.analysis.errors import AnalysisError, CalibrationError, DesignError
from tillit.analysis.estimate import (
    difference,
    mean,
    proportion,
    ratio,
    select_multiple,
    t_interval,
    total,
)
from tillit.analysis.nonresponse import adjust_nonresponse, nonresponse_analysis
from tillit.analysis.regression import glm
from tillit.analysis.results import (
    AlphaResult,
    ChiSquareTest,
    Crosstab,
    Estimate,
    Estimates,
    OmegaResult,
    RegressionResult,
    Result,
    WeightSummary,
)
from tillit.analysis.scales import Scale, cronbach_alpha, omega, scale_from_concepts, scale_scores
from tillit.analysis.tables import crosstab, rao_scott
from tillit.analysis.weights import (
    calibrate,
    post_stratify,
    rake,
    trim,
    weight_summary,
)

__all__ = [
    "AAPORRates",
    "AlphaResult",
    "AnalysisError",
    "CalibrationError",
    "ChiSquareTest",
    "Crosstab",
    "Design",
    "DesignError",
    "DispositionCounts",
    "Estimate",
    "Estimates",
    "OmegaResult",
    "RegressionResult",
    "Result",
    "Scale",
    "WeightSummary",
    "WeightingStep",
    "aapor_rates",
    "adjust_nonresponse",
    "calibrate",
    "cronbach_alpha",
    "crosstab",
    "datasets",
    "difference",
    "disposition_counts",
    "glm",
    "mean",
    "nonresponse_analysis",
    "omega",
    "post_stratify",
    "proportion",
    "rake",
    "rao_scott",
    "ratio",
    "scale_from_concepts",
    "scale_scores",
    "select_multiple",
    "t_interval",
    "total",
    "trim",
    "weight_summary",
]
