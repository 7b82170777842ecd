"""Exceptions of the analysis library: each names the argument, the value and what is allowed.

All are :class:`tillit.errors.TillitError` (so the CLI and the web API render them in the one JSON
error shape) and :class:`ValueError` (so plain Python callers can catch them the usual way).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from tillit.errors import ErrorCode, TillitError

__all__ = ["AnalysisError", "CalibrationError", "DesignError", "check_choice", "unknown_names"]


class AnalysisError(TillitError, ValueError):
    """Bad input to an analysis function.

    Parameters
    ----------
    message : str
        What is wrong, naming the argument and the offending value.
    argument : str, optional
        The argument (or column) at fault, e.g. ``"weights"``.
    value : object, optional
        The value given (kept as ``repr`` in :attr:`errors`).
    allowed : str, optional
        What would be accepted, e.g. ``"one of 'raise', 'omit'"``.
    hint : str, optional
        What to do next.
    """

    def __init__(
        self,
        message: str,
        *,
        argument: str | None = None,
        value: Any = None,
        allowed: str | None = None,
        hint: str = "",
    ) -> None:
        detail: dict[str, Any] = {}
        if argument is not None:
            detail["argument"] = argument
            detail["value"] = _short_repr(value)
        if allowed is not None:
            detail["allowed"] = allowed
        super().__init__(message, ErrorCode.INVALID_INPUT, hint, [detail] if detail else [])
        self.argument = argument
        self.value = value
        self.allowed = allowed


class DesignError(AnalysisError):
    """The survey design cannot support the requested variance estimate (e.g. a lonely PSU)."""


class CalibrationError(AnalysisError):
    """Weights cannot be calibrated: margins that disagree, an empty cell, no convergence."""


def _short_repr(value: Any, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_choice(argument: str, value: Any, allowed: Iterable[Any]) -> None:
    """Raise :class:`AnalysisError` unless ``value`` is one of ``allowed``.

    Examples
    --------
    >>> check_choice("nan_policy", "omit", ("raise", "omit"))
    >>> check_choice("nan_policy", "drop", ("raise", "omit"))
    Traceback (most recent call last):
    ...
    tillit.analysis.errors.AnalysisError: nan_policy='drop' is not allowed; use one of ...
    """
    options = tuple(allowed)
    if value not in options:
        listed = ", ".join(repr(o) for o in options)
        raise AnalysisError(
            f"{argument}={value!r} is not allowed; use one of {listed}.",
            argument=argument,
            value=value,
            allowed=f"one of {listed}",
        )


def unknown_names(argument: str, names: Iterable[str], available: Iterable[Any]) -> AnalysisError:
    """The error for variables that are not columns of the data, with close matches as a hint.

    Examples
    --------
    >>> str(unknown_names("variables", ["api0"], ["api00", "api99", "stype"])).splitlines()[0]
    "variables: unknown variable 'api0' (not a column of the data)."
    """
    missing = list(names)
    columns = [str(c) for c in available]
    close = sorted(
        {m for name in missing for m in difflib.get_close_matches(str(name), columns, 3)}
    )
    listed = ", ".join(repr(m) for m in missing)
    plural = "s" if len(missing) > 1 else ""
    hint = f"Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    if not hint:
        shown = ", ".join(repr(c) for c in columns[:20])
        more = " ..." if len(columns) > 20 else ""
        hint = f"Columns are: {shown}{more}."
    return AnalysisError(
        f"{argument}: unknown variable{plural} {listed} (not a column of the data).",
        argument=argument,
        value=missing if len(missing) > 1 else missing[0],
        allowed="column names of the data",
        hint=hint,
    )
