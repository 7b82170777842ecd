"""Shared rendering of :mod:`tillit.qda` results: ``summary()`` as text, HTML or CSV.

Every result is a frozen dataclass with ``to_frame()``; numbers are stored unrounded and only
rendered with ``digits`` decimals in text and HTML (CSV keeps full precision).
"""

from __future__ import annotations

import html
from typing import Literal

import pandas as pd

from tillit.qda.errors import QdaError

__all__ = ["Summary"]

Format = Literal["text", "html", "csv"]


class Summary:
    """Mixin: :meth:`summary` from :meth:`to_frame`, ``title`` and ``method``."""

    title = "Result"

    def to_frame(self) -> pd.DataFrame:  # pragma: no cover - every result overrides it
        raise NotImplementedError

    def summary(self, format: Format = "text", digits: int = 4) -> str:
        """Render as plain text, an HTML ``<table>`` fragment (escaped) or CSV.

        Examples
        --------
        >>> from tillit.qda import krippendorff_alpha
        >>> print(krippendorff_alpha([[1, 2, 2], [1, 2, 3]]).summary(digits=3).splitlines()[0])
        Krippendorff's alpha
        """
        frame = self.to_frame()
        method = str(getattr(self, "method", ""))
        if format == "csv":
            return str(frame.to_csv(index=False, lineterminator="\n"))
        if format == "html":
            from tillit.qda.export import _table_html

            note = f"<p>{html.escape(method)}</p>" if method else ""
            return _table_html(self.title, frame, digits, max_rows=len(frame) + 1) + note
        if format != "text":
            raise QdaError(
                f"format={format!r} is not allowed; use text, html or csv", argument="format"
            )
        body = frame.to_string(index=False, float_format=lambda x: f"{x:.{digits}f}")
        lines = [self.title]
        if method:
            lines.append(method)
        lines.append(body)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()
