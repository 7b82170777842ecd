"""Warning classes of the analysis library, all in one place.

Every warning the library emits is a subclass of :class:`AnalysisWarning`, so callers can filter
them as a group (``warnings.simplefilter("error", AnalysisWarning)`` in tests) or one by one. The
text of each warning emitted while computing a result is also kept in the result's ``warnings``
field, so that the CLI and the web pages can show it next to the numbers.
"""

from __future__ import annotations

import warnings as _warnings

__all__ = [
    "AnalysisWarning",
    "ConvergenceWarning",
    "DesignWarning",
    "LonelyPSUWarning",
    "ScaleWarning",
    "SmallCellWarning",
    "emit",
]


class AnalysisWarning(UserWarning):
    """Base class of every warning from :mod:`tillit.analysis`."""


class DesignWarning(AnalysisWarning):
    """The design was completed with an assumption (equal weights, no fpc, ...)."""


class LonelyPSUWarning(DesignWarning):
    """A stratum has a single sampled unit and was handled by the ``lonely_psu`` option."""


class ConvergenceWarning(AnalysisWarning):
    """An iterative fit (raking, factor analysis, GLM) stopped before its convergence criterion."""


class ScaleWarning(AnalysisWarning):
    """A scale looks mis-specified (an item correlates negatively with the rest, a Heywood case)."""


class SmallCellWarning(AnalysisWarning):
    """A table cell or domain is so small that its estimate or test is unreliable."""


def emit(message: str, category: type[AnalysisWarning], stacklevel: int = 3) -> str:
    """Issue ``message`` as a warning of ``category`` and return it (to store in a result)."""
    _warnings.warn(message, category, stacklevel=stacklevel)
    return message
