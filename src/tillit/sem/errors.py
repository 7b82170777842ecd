"""Errors of the model library: syntax, identification, data and convergence.

All are :class:`tillit.analysis.errors.AnalysisError` (so :class:`tillit.errors.TillitError`
with code ``invalid_input``, and :class:`ValueError`), each with a message that says where and
what, and a hint that says what to do next.
"""

from __future__ import annotations

from tillit.analysis.errors import AnalysisError
from tillit.analysis.warnings import AnalysisWarning

__all__ = [
    "ConvergenceError",
    "IdentificationError",
    "ModelDataError",
    "ModelSyntaxError",
    "ModelWarning",
    "SEMError",
]


class SEMError(AnalysisError):
    """Any problem with a model or its data."""


class ModelSyntaxError(SEMError):
    """The model text is not valid lavaan-style syntax (with the line and the statement)."""


class IdentificationError(SEMError):
    """The model cannot be identified: negative degrees of freedom, a latent variable without a
    scale, a single-indicator factor, or a singular information matrix at the solution."""


class ModelDataError(SEMError):
    """The data cannot support the model: a variable missing, not numeric, constant, too few
    complete cases, or a singular covariance matrix."""


class ConvergenceError(SEMError):
    """The optimiser did not reach a solution (iteration limit, implied covariance not positive
    definite)."""


class ModelWarning(AnalysisWarning):
    """Something about the data or the fit the reader should know (rows dropped, ...)."""
