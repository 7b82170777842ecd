"""Errors of the QDA library: each says what is wrong, where (row, line, column) and what to do.

All are :class:`tillit.errors.TillitError` (one JSON error shape for the CLI and the web API) and
:class:`ValueError` (so notebook users can catch them the usual way).
"""

from __future__ import annotations

from typing import Any

from tillit.errors import ErrorCode, TillitError

__all__ = ["OffsetError", "QdaError", "QueryError", "TranscriptError"]


class QdaError(TillitError, ValueError):
    """Bad input to a :mod:`tillit.qda` function.

    Parameters
    ----------
    message : str
        What is wrong and where.
    hint : str
        What to do next.
    **where : object
        Location details kept in :attr:`errors` (``row``, ``line``, ``column``, ``argument``...).
    """

    def __init__(self, message: str, hint: str = "", **where: Any) -> None:
        detail = {k: v for k, v in where.items() if v is not None}
        super().__init__(message, ErrorCode.INVALID_INPUT, hint, [detail] if detail else [])
        self.where = detail


class QueryError(QdaError):
    """A query text could not be parsed; :attr:`position` is the 0-based column of the fault."""

    def __init__(self, message: str, query: str, position: int, hint: str = "") -> None:
        caret = f"\n  {query}\n  {' ' * position}^"
        super().__init__(
            f"{message} (column {position + 1}){caret}", hint, position=position, query=query
        )
        self.position = position
        self.query = query


class TranscriptError(QdaError):
    """A transcript is malformed; :attr:`line` is the 1-based line number of the fault."""

    def __init__(self, message: str, line: int, hint: str = "") -> None:
        super().__init__(f"line {line}: {message}", hint, line=line)
        self.line = line


class OffsetError(QdaError):
    """A coding cannot be moved to the pseudonymised text (a boundary falls inside a name)."""
