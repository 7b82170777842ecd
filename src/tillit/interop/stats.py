"""Write an export's data set for statistics software: SPSS, Stata, CSV and Excel.

Every writer takes the frame from :func:`~tillit.interop.dataset.build_frame` and its
:class:`~tillit.interop.codebook.Codebook`, and writes variable labels, value labels and the
declared missing codes in the way the format allows:

========  =====================================================================================
Format    Missing codes ``-7`` not reached, ``-8`` don't know, ``-9`` not asked
========  =====================================================================================
``.sav``  kept as values, declared as discrete user-missing values (``MISSING VALUES``), labelled
``.dta``  Stata extended missing values: ``-7 → .a``, ``-8 → .b``, ``-9 → .c``, labelled
          (value labels are on integers and tagged missing values only, as Stata requires)
``.csv``  kept as values (codes) or written as their labels (``labels=True``); the
          ``*_codebook.csv`` beside the data marks them ``missing=Y``
``.xlsx`` kept as values; the ``values`` sheet marks them ``missing=Y``
========  =====================================================================================

Labels longer than a format allows are shortened with ``…`` (SPSS: variable labels 256 bytes,
value labels 120 bytes; Stata: variable labels 80 characters), keeping the ``": option"`` end of
option variables whole; the full text stays in the codebook and the DDI file.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tillit.errors import TillitError
from tillit.interop.codebook import (
    MISSING_DONT_KNOW,
    MISSING_NOT_ASKED,
    MISSING_NOT_REACHED,
    Codebook,
    Variable,
)
from tillit.interop.naming import fit_label

__all__ = [
    "STATA_MISSING",
    "check_frame",
    "codebook_rows",
    "write_csv",
    "write_dta",
    "write_sav",
    "write_xlsx",
]

#: Stata extended missing value (the letter of ``.a`` …) for each declared missing code.
STATA_MISSING: Mapping[int, str] = {
    MISSING_NOT_REACHED: "a",
    MISSING_DONT_KNOW: "b",
    MISSING_NOT_ASKED: "c",
}
SPSS_VARIABLE_LABEL_BYTES = 256
SPSS_VALUE_LABEL_BYTES = 120
SPSS_FILE_LABEL_BYTES = 64
STATA_VARIABLE_LABEL_CHARS = 80
STATA_VALUE_LABEL_BYTES = 32_000
STATA_FILE_LABEL_CHARS = 80
EXCEL_CELL_CHARS = 32_767
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XML = re.compile(r"[\000-\010\013\014\016-\037]")


def check_frame(frame: pd.DataFrame, codebook: Codebook) -> None:
    """Raise unless ``frame`` has exactly the codebook's variables, in its order.

    Raises
    ------
    TillitError
        Naming the missing and unexpected columns.
    """
    names = list(codebook.names())
    if list(frame.columns) != names:
        missing = [n for n in names if n not in frame.columns]
        extra = [str(c) for c in frame.columns if c not in names]
        raise TillitError(
            "The data frame's columns do not match the codebook "
            f"(missing: {missing or 'none'}; unexpected: {extra or 'none'}; or another order).",
            hint="Build the frame with tillit.interop.dataset.build_frame from this codebook.",
        )


def _decimals(values: pd.Series) -> int:
    """Decimals needed to show every finite value exactly (0 to 6)."""
    x = values.to_numpy(dtype=np.float64, na_value=np.nan)
    x = x[np.isfinite(x)]
    for k in range(7):
        scaled = x * 10**k
        if np.allclose(scaled, np.round(scaled), rtol=0, atol=1e-6):
            return k
    return 6


def _width(values: pd.Series, decimals: int) -> int:
    x = values.to_numpy(dtype=np.float64, na_value=np.nan)
    x = x[np.isfinite(x)]
    digits = len(str(int(np.abs(x).max()))) if x.size else 1
    return min(40, max(8, digits + decimals + 2))


def _is_scale(var: Variable) -> bool:
    return var.kind == "numeric" and not var.value_labels and var.measure == "scale"


def _variable_label(var: Variable, *, max_chars: int | None, max_bytes: int | None) -> str:
    head, tail = var.label_parts
    return fit_label(head, max_chars=max_chars, max_bytes=max_bytes, keep_tail=tail)


def write_sav(
    frame: pd.DataFrame, codebook: Codebook, path: str | Path, *, compress: bool = False
) -> Path:
    """Write an SPSS ``.sav`` (or ``.zsav`` with ``compress=True``) file with pyreadstat.

    Parameters
    ----------
    frame : pandas.DataFrame
        From :func:`~tillit.interop.dataset.build_frame`.
    codebook : Codebook
    path : str or Path
    compress : bool, default False
        Write zlib-compressed ``.zsav`` (SPSS 21+).

    Returns
    -------
    Path

    Notes
    -----
    Numeric answer variables declare ``-9, -8, -7`` as discrete missing values (SPSS allows three)
    and label them. Formats: ``F8.0`` for codes, ``Fw.d`` with the decimals the data need for
    scale variables, ``DATE11``/``DATETIME20`` for dates, ``A<max length>`` for strings.
    Measurement level from the codebook (nominal, ordinal, scale).
    """
    import pyreadstat

    check_frame(frame, codebook)
    path = Path(path)
    labels: dict[str, Any] = {}
    value_labels: dict[str, Any] = {}
    missing: dict[str, Any] = {}
    measure: dict[str, Any] = {}
    formats: dict[str, Any] = {}
    for var in codebook.variables:
        labels[var.name] = _variable_label(var, max_chars=None, max_bytes=SPSS_VARIABLE_LABEL_BYTES)
        measure[var.name] = var.measure
        if var.kind != "numeric":
            continue
        coded = var.all_labels()
        if coded:
            value_labels[var.name] = {
                int(k) if isinstance(k, int) else k: fit_label(v, max_bytes=SPSS_VALUE_LABEL_BYTES)
                for k, v in coded.items()
            }
        if var.missing:
            codes = sorted(var.missing)
            if len(codes) <= 3:
                missing[var.name] = list(codes)
            else:  # SPSS: one range (plus one value) at most
                missing[var.name] = [{"lo": codes[0], "hi": codes[-1]}]
        if _is_scale(var):
            d = _decimals(frame[var.name])
            formats[var.name] = f"F{_width(frame[var.name], d)}.{d}"
        else:
            formats[var.name] = "F8.0"
    pyreadstat.write_sav(
        frame,
        str(path),
        file_label=fit_label(codebook.title, max_bytes=SPSS_FILE_LABEL_BYTES),
        column_labels=labels,
        compress=compress,
        note=_note(codebook),
        variable_value_labels=value_labels,
        missing_ranges=missing,
        variable_measure=measure,
        variable_format=formats,
    )
    return path


def _note(codebook: Codebook) -> list[str]:
    """SPSS document lines (at most 80 bytes each)."""
    lines = [
        f"tillit export: form {codebook.form_id}, version {codebook.version}",
        f"labels in {codebook.language}; {codebook.n_cases} cases",
        "missing: -7 not reached, -8 don't know, -9 not asked (skip logic)",
    ]
    return [fit_label(line, max_bytes=80) for line in lines]


def write_dta(
    frame: pd.DataFrame, codebook: Codebook, path: str | Path, *, version: int = 15
) -> Path:
    """Write a Stata ``.dta`` file (format 119 for ``version=15``) with pyreadstat.

    Parameters
    ----------
    frame : pandas.DataFrame
    codebook : Codebook
    path : str or Path
    version : int, default 15
        Stata version the file is for (8–15); 14 and later store UTF-8 text.

    Returns
    -------
    Path

    Notes
    -----
    The declared missing codes become Stata's extended missing values (:data:`STATA_MISSING`:
    ``-7 → .a``, ``-8 → .b``, ``-9 → .c``) with value labels, so ``summarize`` and ``tab`` leave
    them out unless asked (``tab q1, missing``) and ``q1 == .a`` selects not-reached cases.
    Value labels are on integers only (Stata cannot label strings). Formats: ``%8.0g`` for
    codes, ``%w.df`` for scale variables, ``%td`` dates, ``%tc`` date-times.
    """
    import pyreadstat

    check_frame(frame, codebook)
    path = Path(path)
    data: dict[str, Any] = {}
    labels: dict[str, Any] = {}
    value_labels: dict[str, Any] = {}
    user_missing: dict[str, Any] = {}
    formats: dict[str, Any] = {}
    for var in codebook.variables:
        column = frame[var.name]
        labels[var.name] = _variable_label(
            var, max_chars=STATA_VARIABLE_LABEL_CHARS, max_bytes=None
        )
        if var.kind != "numeric":
            data[var.name] = column
            continue
        tagged = {code: STATA_MISSING[code] for code in var.missing if code in STATA_MISSING}
        if tagged:
            x = column.to_numpy(dtype=np.float64, na_value=np.nan)
            hits = {code: x == code for code in tagged}
            if any(hit.any() for hit in hits.values()):
                values = x.astype(object)
                for code, hit in hits.items():
                    values[hit] = tagged[code]
                column = pd.Series(values, index=column.index, dtype=object)
            user_missing[var.name] = sorted(tagged.values())
        data[var.name] = column
        coded: dict[int | float | str, str] = {
            int(k): fit_label(v, max_bytes=STATA_VALUE_LABEL_BYTES)
            for k, v in var.value_labels.items()
            if isinstance(k, int)
        }
        coded.update({letter: var.missing[code] for code, letter in tagged.items()})
        if coded:
            value_labels[var.name] = coded
        if _is_scale(var):
            d = _decimals(frame[var.name])
            formats[var.name] = f"%{_width(frame[var.name], d)}.{d}f" if d else "%10.0g"
        else:
            formats[var.name] = "%8.0g"
    pyreadstat.write_dta(
        pd.DataFrame(data, columns=list(codebook.names())),
        str(path),
        file_label=fit_label(codebook.title, max_chars=STATA_FILE_LABEL_CHARS),
        column_labels=labels,
        version=version,
        variable_value_labels=value_labels,  # str keys "a" … are the tagged missing values
        missing_user_values=user_missing,
        variable_format=formats,
    )
    return path


def codebook_rows(codebook: Codebook) -> list[dict[str, Any]]:
    """The codebook in long form: a row per variable (``value`` empty), then per labelled value.

    Columns: ``variable``, ``label``, ``kind``, ``measure``, ``role``, ``question``, ``option``,
    ``concepts`` (space-separated), ``original_name``, ``value``, ``value_label``, ``missing``
    (``Y`` for declared missing codes).
    """
    rows: list[dict[str, Any]] = []
    for var in codebook.variables:
        base = {
            "variable": var.name,
            "label": var.label,
            "kind": var.kind,
            "measure": var.measure,
            "role": var.role,
            "question": var.question,
            "option": var.option or "",
            "concepts": " ".join(var.concepts),
            "original_name": var.intended,
        }
        rows.append({**base, "value": "", "value_label": "", "missing": ""})
        for value, label in var.value_labels.items():
            rows.append({**base, "value": value, "value_label": label, "missing": "N"})
        for code, label in sorted(var.missing.items(), reverse=True):
            rows.append({**base, "value": code, "value_label": label, "missing": "Y"})
    return rows


def _excel_text(value: Any) -> Any:
    """Neutralise a text cell Excel would run as a formula (prefix ``'``)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _numbers_as_text(column: pd.Series) -> pd.Series:
    """Numeric codes as text: whole numbers without ``.0``, system missing empty."""
    x = column.to_numpy(dtype=np.float64, na_value=np.nan)
    finite = np.isfinite(x)
    whole = bool(np.all(np.equal(np.mod(x[finite], 1), 0)))
    out = np.full(x.shape, "", dtype=object)
    if whole:
        out[finite] = x[finite].astype(np.int64).astype(str)
    else:
        out[finite] = [repr(float(v)) for v in x[finite]]
    return pd.Series(out, index=column.index, dtype=object)


def write_csv(
    frame: pd.DataFrame,
    codebook: Codebook,
    path: str | Path,
    *,
    labels: bool = False,
    excel: bool = False,
) -> tuple[Path, Path]:
    """Write the data as CSV, and the codebook beside it as ``<stem>_codebook.csv``.

    Parameters
    ----------
    frame : pandas.DataFrame
    codebook : Codebook
    path : str or Path
        The data file; the codebook goes to the same folder.
    labels : bool, default False
        Write value labels instead of codes (missing codes too); values without a label stay
        numbers.
    excel : bool, default False
        For opening in Excel: UTF-8 with a byte-order mark, and text cells that start with
        ``= + - @`` prefixed with ``'`` so Excel does not run them as formulas. Leave it off for
        R, Stata or pandas, which read the plain UTF-8 file exactly.

    Returns
    -------
    (Path, Path)
        The data file and the codebook file.

    Notes
    -----
    Comma-separated, ``"``-quoted where needed, ``\\n`` line ends; dates ``YYYY-MM-DD``,
    date-times ``YYYY-MM-DDTHH:MM:SS`` (UTC); system missing is an empty field.
    """
    check_frame(frame, codebook)
    path = Path(path)
    out: dict[str, pd.Series] = {}
    for var in codebook.variables:
        column = frame[var.name]
        if var.kind == "numeric":
            text = _numbers_as_text(column)
            coded = var.all_labels() if labels else {}
            if coded:
                x = column.to_numpy(dtype=np.float64, na_value=np.nan)
                by_value = {float(k): v for k, v in coded.items() if isinstance(k, int)}
                mapped = [by_value.get(v) for v in x]
                text = pd.Series(
                    [m if m is not None else t for m, t in zip(mapped, text, strict=True)],
                    index=column.index,
                    dtype=object,
                )
                if excel:
                    text = text.map(_excel_text)
            out[var.name] = text
        elif var.kind == "datetime":
            out[var.name] = column.dt.strftime("%Y-%m-%dT%H:%M:%S").fillna("").astype(object)
        elif var.kind == "date":
            out[var.name] = column.map(lambda v: v.isoformat() if v else "").astype(object)
        else:
            text = column.fillna("").astype(object)
            out[var.name] = text.map(_excel_text) if excel else text
    encoding = "utf-8-sig" if excel else "utf-8"
    pd.DataFrame(out, columns=list(codebook.names())).to_csv(
        path, index=False, encoding=encoding, lineterminator="\n"
    )
    book = path.with_name(f"{path.stem}_codebook.csv")
    rows = codebook_rows(codebook)
    table = pd.DataFrame(rows, columns=list(rows[0]) if rows else None)
    if excel:
        table = table.map(_excel_text)
    table.to_csv(book, index=False, encoding=encoding, lineterminator="\n")
    return path, book


def _cell(value: Any) -> Any:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return None
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return _ILLEGAL_XML.sub("", value)[:EXCEL_CELL_CHARS]
    return value


def write_xlsx(frame: pd.DataFrame, codebook: Codebook, path: str | Path) -> Path:
    """Write an Excel workbook: a ``data`` sheet, a ``variables`` sheet and a ``values`` sheet.

    Parameters
    ----------
    frame : pandas.DataFrame
    codebook : Codebook
    path : str or Path

    Returns
    -------
    Path

    Notes
    -----
    ``data`` holds codes (missing codes as values); ``variables`` one row per variable (name,
    label, kind, measure, role, question, option, concepts, original name); ``values`` every
    value label with ``missing`` ``Y``/``N``. Text is stored as text, never as a formula;
    characters XML cannot hold are dropped and cells are cut at Excel's 32,767 characters.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    check_frame(frame, codebook)
    path = Path(path)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("data")

    def text_cell(ws: Any, value: Any) -> Any:
        if isinstance(value, str) and value.startswith("="):
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"  # a string, not a formula
            return cell
        return value

    sheet.append(list(codebook.names()))
    kinds = [var.kind for var in codebook.variables]
    columns = [frame[name].tolist() for name in codebook.names()]
    for record in zip(*columns, strict=True):
        sheet.append(
            [
                text_cell(sheet, _cell(v)) if k == "string" else _cell(v)
                for v, k in zip(record, kinds, strict=True)
            ]
        )
    variables = book.create_sheet("variables")
    head = ["variable", "label", "kind", "measure", "role", "question", "option", "concepts"]
    variables.append([*head, "original_name"])
    values = book.create_sheet("values")
    values.append(["variable", "value", "value_label", "missing"])
    for row in codebook_rows(codebook):
        if row["value"] == "":
            variables.append(
                [text_cell(variables, _cell(row[k])) for k in [*head, "original_name"]]
            )
        else:
            values.append(
                [
                    row["variable"],
                    row["value"],
                    text_cell(values, _cell(row["value_label"])),
                    row["missing"],
                ]
            )
    book.save(path)
    return path
