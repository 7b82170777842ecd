"""Exports of query and reliability results: CSV, XLSX (openpyxl) and a standalone HTML report.

Every result of :mod:`tillit.qda` has ``to_frame()``; matrices also have ``sheets()`` (several
tables). These functions take a result, a DataFrame, or a mapping of sheet names to DataFrames.
The HTML report is one self-contained file (inline CSS in a ``<style>`` element, no script, no
external resource) and escapes every value, so segment texts cannot inject markup.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from tillit.qda.errors import QdaError

__all__ = ["html_report", "sheets_of", "to_csv", "to_xlsx"]

Exportable = Any  # a result with to_frame()/sheets(), a DataFrame, or {name: DataFrame}


def sheets_of(result: Exportable) -> dict[str, pd.DataFrame]:
    """The tables of a result: ``{name: DataFrame}``."""
    if isinstance(result, pd.DataFrame):
        return {"data": result}
    if isinstance(result, Mapping):
        return {str(k): v for k, v in result.items()}
    if hasattr(result, "sheets"):
        return dict(result.sheets())
    if hasattr(result, "to_frame"):
        return {"data": result.to_frame()}
    raise QdaError(
        f"cannot export a {type(result).__name__}",
        "Pass a DataFrame or a tillit.qda result.",
        argument="result",
    )


def to_csv(result: Exportable, path: str | Path | None = None, *, sheet: str | None = None) -> str:
    """CSV of a result (its first table, or ``sheet``), full precision; written when ``path``.

    Examples
    --------
    >>> print(to_csv(pd.DataFrame({"code": ["a"], "n": [2]})), end="")
    code,n
    a,2
    """
    tables = sheets_of(result)
    name = sheet or next(iter(tables))
    if name not in tables:
        raise QdaError(f"no table {name!r}; the result has {', '.join(tables)}", argument="sheet")
    text = str(tables[name].to_csv(index=False, lineterminator="\n"))
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if value is pd.NA:
        return None
    if isinstance(value, list | tuple | set | frozenset):
        value = "; ".join(str(v) for v in value)
    elif isinstance(value, dict):
        value = "; ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # never a formula in a spreadsheet cell
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    return value


def to_xlsx(result: Exportable, path: str | Path | None = None) -> bytes:
    """XLSX workbook, one sheet per table; returns the bytes and writes them when ``path``.

    Text that would start a spreadsheet formula (``=``, ``+``, ``-``, ``@``) is prefixed with
    an apostrophe so that segment texts never run as formulas.
    """
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, frame in sheets_of(result).items():
        sheet = workbook.create_sheet(title=name[:31] or "data")
        sheet.append([str(c) for c in frame.columns])
        for row in frame.itertuples(index=False, name=None):
            sheet.append([_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data


_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#1a1a1a}
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.25rem .5rem;vertical-align:top;text-align:left}
th{background:#f2f2f2}td.n{text-align:right;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:.25rem 0}p.meta{color:#555}
"""


def _fmt(value: Any, digits: int) -> str:
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, float):
        return "NA" if math.isnan(value) else f"{value:.{digits}f}"
    return str(value)


def _table_html(name: str, frame: pd.DataFrame, digits: int, max_rows: int) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for row in frame.head(max_rows).itertuples(index=False, name=None):
        cells = []
        for value in row:
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            cls = ' class="n"' if numeric else ""
            cells.append(f"<td{cls}>{html.escape(_fmt(value, digits))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if len(frame) > max_rows:
        more = f'<p class="meta">{len(frame) - max_rows} more rows in the CSV/XLSX export.</p>'
    return (
        f"<table><caption>{html.escape(name)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>{more}"
    )


def html_report(
    title: str,
    sections: Sequence[tuple[str, Exportable | str]],
    *,
    path: str | Path | None = None,
    digits: int = 3,
    max_rows: int = 2000,
    generated: dt.datetime | None = None,
) -> str:
    """A standalone HTML report: a title, then sections of text or tables.

    Parameters
    ----------
    title : str
    sections : sequence of (heading, content)
        Content is a paragraph of text, a DataFrame, a mapping of tables or a result.
    path : path, optional
        Also write the report there (UTF-8).
    digits : int
        Decimals shown for floats (exports keep full precision).
    max_rows : int
        Rows shown per table.
    generated : datetime, optional
        Time stamp in the footer (default: now, UTC).

    Examples
    --------
    >>> page = html_report("<Report>", [("Notes", "a < b"), ("T", pd.DataFrame({"x": ["<i>"]}))])
    >>> "<i>" in page, "&lt;i&gt;" in page, "&lt;Report&gt;" in page
    (False, True, True)
    """
    when = (generated or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
    body = [f"<h1>{html.escape(title)}</h1>"]
    for heading, content in sections:
        body.append(f"<h2>{html.escape(heading)}</h2>")
        if isinstance(content, str):
            for paragraph in content.split("\n\n"):
                body.append(f"<p>{html.escape(paragraph)}</p>")
            continue
        tables = sheets_of(content)
        for name, frame in tables.items():
            label = heading if len(tables) == 1 else f"{heading}: {name}"
            body.append(_table_html(label, frame, digits, max_rows))
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        + "\n".join(body)
        + f'<p class="meta">Generated by tillit, {html.escape(when)}.</p></body></html>\n'
    )
    if path is not None:
        Path(path).write_text(page, encoding="utf-8")
    return page
