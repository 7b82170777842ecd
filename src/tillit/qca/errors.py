"""The one exception of the QCA library: it names the argument, the value and what is allowed.

:class:`QCAError` is a :class:`tillit.errors.TillitError` (the CLI and the web API render it in the
one JSON error shape) and a :class:`ValueError` (plain Python callers catch it the usual way).
"""

from __future__ import annotations

from typing import Any

from tillit.errors import ErrorCode, TillitError

__all__ = ["QCAError"]


class QCAError(TillitError, ValueError):
    """Bad input to a QCA function (a condition with no variation, anchors out of order, ...).

    Parameters
    ----------
    message : str
        What is wrong, naming the argument or column and the offending value.
    argument : str, optional
        The argument or column at fault, e.g. ``"thresholds"``.
    value : object, optional
        The value given (kept as ``repr`` in :attr:`errors`).
    hint : str, optional
        What to do next.
    """

    def __init__(
        self, message: str, *, argument: str | None = None, value: Any = None, hint: str = ""
    ) -> None:
        detail: list[dict[str, Any]] = []
        if argument is not None:
            text = repr(value)
            detail.append({"argument": argument, "value": text[:200]})
        super().__init__(message, ErrorCode.INVALID_INPUT, hint, detail)
        self.argument = argument
        self.value = value
