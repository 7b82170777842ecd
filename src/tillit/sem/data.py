"""Reading data files and preparing the complete cases and covariance matrix of a model.

:func:`read_table` reads CSV (comma, semicolon or tab), XLSX, Parquet, SPSS ``.sav`` and Stata
``.dta`` files into a DataFrame. :func:`prepare` checks that every model variable is a numeric
column, drops incomplete rows (listwise) and refuses data too small for the model.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from tillit.errors import CorruptFileError
from tillit.sem.errors import ModelDataError

__all__ = ["SUFFIXES", "complete_cases", "read_table", "sample_covariance"]

FloatArray = npt.NDArray[np.float64]

#: File types :func:`read_table` reads.
SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".parquet", ".sav", ".dta")


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a data file (one row per respondent, a header row of variable names).

    Parameters
    ----------
    path : str or Path
        ``.csv``/``.tsv``/``.txt`` (separator sniffed), ``.xlsx`` (first sheet), ``.parquet``,
        ``.sav`` (SPSS) or ``.dta`` (Stata). Declared missing codes of SPSS/Stata files become
        NaN.

    Raises
    ------
    ModelDataError
        Unknown file type.
    CorruptFileError
        The file cannot be parsed.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ModelDataError(
            f"{path.name}: unknown file type {suffix or '(none)'!r}.",
            argument="data",
            value=str(path),
            allowed=", ".join(SUFFIXES),
            hint="Give a CSV, XLSX, Parquet, SPSS (.sav) or Stata (.dta) file.",
        )
    try:
        if suffix in (".csv", ".tsv", ".txt"):
            return pd.read_csv(path, sep=None, engine="python", encoding="utf-8-sig")
        if suffix == ".xlsx":
            return pd.read_excel(path, engine="openpyxl")
        if suffix == ".parquet":
            return pd.read_parquet(path)
        import pyreadstat

        reader = pyreadstat.read_sav if suffix == ".sav" else pyreadstat.read_dta
        frame, _ = reader(str(path), user_missing=False)
        return frame
    except (OSError, ValueError, UnicodeDecodeError, KeyError, ImportError) as exc:
        raise CorruptFileError(
            f"{path.name}: cannot be read as {suffix} ({exc}).",
            hint="Check the file opens in a spreadsheet or statistics program; CSV files need a "
            "header row.",
        ) from exc
    except Exception as exc:  # pyreadstat and pyarrow raise their own exception types
        raise CorruptFileError(
            f"{path.name}: cannot be read as {suffix} ({type(exc).__name__}: {exc}).",
            hint="Check the file opens in a statistics program.",
        ) from exc


def _numeric(frame: pd.DataFrame, variables: Sequence[str]) -> pd.DataFrame:
    missing = [v for v in variables if v not in frame.columns]
    if missing:
        columns = [str(c) for c in frame.columns]
        close = sorted({m for v in missing for m in difflib.get_close_matches(v, columns, 3)})
        listed = ", ".join(repr(v) for v in missing)
        raise ModelDataError(
            f"data: the model names {listed}, which {'is' if len(missing) == 1 else 'are'} not "
            "a column of the data (names in the model that are not left of '=~' are observed "
            "variables).",
            argument="data",
            value=missing,
            allowed="column names of the data",
            hint=(f"Did you mean {', '.join(repr(c) for c in close)}? " if close else "")
            + "If it is a latent variable, define it with '=~'.",
        )
    out = {}
    for v in variables:
        column = frame[v]
        if pd.api.types.is_bool_dtype(column):
            column = column.astype(float)
        if not pd.api.types.is_numeric_dtype(column):
            converted = pd.to_numeric(column, errors="coerce")
            bad = (converted.isna() & column.notna()).to_numpy()
            if bad.any():
                row = int(np.flatnonzero(bad)[0])
                raise ModelDataError(
                    f"data: column {v!r} is not numeric (e.g. {column.iloc[row]!r} in data "
                    f"row {row + 1}).",
                    argument="data",
                    value=v,
                    allowed="numeric columns",
                    hint="Recode text answers to numbers (e.g. 1-5), or remove the variable "
                    "from the model.",
                )
            column = converted
        out[v] = column.astype(float)
    return pd.DataFrame(out, index=frame.index)


def complete_cases(
    data: pd.DataFrame, variables: Sequence[str], *, n_parameters: int = 0
) -> tuple[FloatArray, int]:
    """The complete rows of ``variables`` as a float matrix, and how many rows were dropped.

    Raises
    ------
    ModelDataError
        A variable missing or non-numeric, a constant variable, fewer complete cases than
        variables + 1 (the covariance matrix would be singular).
    """
    if not isinstance(data, pd.DataFrame):
        raise ModelDataError(
            f"data: expected a pandas DataFrame, got {type(data).__name__}.",
            argument="data",
            value=type(data).__name__,
            hint="Read the file with tillit.sem.read_table(path).",
        )
    frame = _numeric(data, variables)
    values = frame.to_numpy(dtype=float)
    finite = np.isfinite(values).all(axis=1)
    x = values[finite]
    n, p = x.shape
    needed = max(p + 1, 3)
    if n < needed:
        raise ModelDataError(
            f"data: only {n} complete case{'s' if n != 1 else ''} for {p} variables; the model "
            f"needs at least {needed} (and many more for stable estimates: {p} variables and "
            f"{n_parameters} free parameters).",
            argument="data",
            value=n,
            allowed=f">= {needed} complete rows",
            hint="Check the missing-value codes (e.g. -9 coded as a number or text), or use "
            "fewer variables.",
        )
    sd = x.std(axis=0)
    constant = [v for v, s in zip(variables, sd, strict=True) if not s > 0]
    if constant:
        raise ModelDataError(
            f"data: {', '.join(repr(c) for c in constant)} "
            f"{'has' if len(constant) == 1 else 'have'} no variation in the {n} complete cases.",
            argument="data",
            value=constant,
            hint="A constant item carries no information: remove it from the model.",
        )
    return x, int(len(values) - n)


def sample_covariance(x: FloatArray, variables: Sequence[str] = ()) -> FloatArray:
    """The biased (divisor N) covariance matrix, as lavaan's ML; checked positive definite."""
    centred = x - x.mean(axis=0)
    s: FloatArray = centred.T @ centred / x.shape[0]
    try:
        np.linalg.cholesky(s)
    except np.linalg.LinAlgError:
        names: list[Any] = list(variables) or list(range(s.shape[0]))
        raise ModelDataError(
            "data: the covariance matrix of the model variables is singular (some variables "
            f"are linear combinations of others: {', '.join(map(str, names))}).",
            argument="data",
            value=names,
            hint="Remove duplicated items or sum scores of items that are also in the model.",
        ) from None
    return s
