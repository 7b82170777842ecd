"""Set data, the outcome, and expressions in R's QCA notation.

A QCA data set is a table of cases by conditions. Each condition is *crisp* (whole numbers
``0..k``: binary when ``k = 1``, multi-value when ``k > 1``) or *fuzzy* (memberships in
``[0, 1]`` with at least one value strictly between 0 and 1), as R's ``admisc::getInfo`` decides.
The outcome is a column name, optionally negated (``"~SURV"``) or, for a multi-value column,
with the values that count as presence (``"SURV[1]"``).

Expressions are sums of products in R's notation: ``*`` is AND, ``+`` is OR, ``~`` negates,
``DEV[2]`` is "DEV takes the value 2". Implicants are tuples with one code per condition:
0 = the condition does not appear, ``v + 1`` = the condition takes the value ``v`` (so for a
binary condition 1 means ``~X`` and 2 means ``X``), exactly as R's implicant matrices.

Examples
--------
>>> import pandas as pd
>>> d = prepare(pd.DataFrame({"A": [0, 1, 1], "B": [0.2, 0.9, 0.6], "Y": [0, 1, 1]}), "Y")
>>> d.conditions, d.noflevels, d.fuzzy
(('A', 'B'), (2, 2), (False, True))
>>> [round(float(v), 2) for v in evaluate("A*~B", d)]
[0.0, 0.1, 0.4]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from tillit.qca.errors import QCAError

__all__ = [
    "Implicant",
    "SetData",
    "evaluate",
    "implicant_membership",
    "implicant_string",
    "parse_expression",
    "prepare",
]

FloatArray = npt.NDArray[np.float64]
Implicant = tuple[int, ...]
"""One code per condition: 0 absent, ``v + 1`` for value ``v``."""

_OUTCOME = re.compile(r"^\s*(~?)\s*([^\[\]{}~]+?)\s*(?:[\[{]\s*([0-9,\s]+)\s*[\]}])?\s*$")


@dataclass(frozen=True)
class SetData:
    """Conditions and outcome of one QCA, checked and ready for the algorithms.

    Attributes
    ----------
    conditions : tuple of str
        Condition names, in the order given (the first is the most significant digit of a
        truth-table row number, as in R).
    values : numpy.ndarray
        Cases by conditions, float (crisp values are whole numbers).
    fuzzy : tuple of bool
        Whether each condition is a fuzzy set.
    noflevels : tuple of int
        Number of levels of each condition (2 for fuzzy and binary crisp conditions).
    outcome : str
        The outcome as written in results: ``"SURV"``, ``"~SURV"``, ``"SURV[1]"``.
    outcome_column : str
        The column the outcome comes from.
    negated : bool
        Whether the outcome is negated.
    y : numpy.ndarray
        Membership of each case in the outcome (after negation).
    cases : tuple of str
        Case names (the frame index, or the ``case_column``).
    multivalue : bool
        Whether R writes literals with brackets (any condition with more than two levels, or
        an outcome given with brackets).
    """

    conditions: tuple[str, ...]
    values: FloatArray
    fuzzy: tuple[bool, ...]
    noflevels: tuple[int, ...]
    outcome: str
    outcome_column: str
    negated: bool
    y: FloatArray
    cases: tuple[str, ...]
    multivalue: bool

    @cached_property
    def literals(self) -> FloatArray:
        """Membership of every case in every literal: shape (conditions, max levels, cases)."""
        k, n = self.k_conditions, self.n_cases
        out = np.zeros((k, max(self.noflevels), n))
        for j in range(k):
            x = self.values[:, j]
            if self.fuzzy[j]:
                out[j, 0], out[j, 1] = 1.0 - x, x
            else:
                for v in range(self.noflevels[j]):
                    out[j, v] = x == v
        return out

    @property
    def n_cases(self) -> int:
        """Number of cases."""
        return int(self.values.shape[0])

    @property
    def k_conditions(self) -> int:
        """Number of conditions."""
        return len(self.conditions)

    def with_outcome_negated(self) -> SetData:
        """The same data with the outcome negated (``SURV`` becomes ``~SURV`` and back)."""
        outcome = self.outcome[1:] if self.negated else "~" + self.outcome
        return SetData(
            self.conditions,
            self.values,
            self.fuzzy,
            self.noflevels,
            outcome,
            self.outcome_column,
            not self.negated,
            1.0 - self.y,
            self.cases,
            self.multivalue,
        )


def _column(data: pd.DataFrame, name: str, role: str) -> FloatArray:
    if name not in data.columns:
        raise QCAError(
            f"The {role} {name!r} is not a column of the data.",
            argument=role,
            value=name,
            hint="Columns: " + ", ".join(map(str, data.columns)),
        )
    series = pd.to_numeric(data[name], errors="coerce")
    bad = series.isna()
    if bool(bad.any()):
        rows = [str(i) for i in list(data.index[bad])[:5]]
        raise QCAError(
            f"The {role} {name!r} has missing or non-numeric values (rows {', '.join(rows)}).",
            argument=name,
            value=list(data[name][bad])[:5],
            hint="QCA needs a value for every case: calibrate or drop those cases first.",
        )
    return np.asarray(series, dtype=np.float64)


def _kind(name: str, x: FloatArray) -> tuple[bool, int]:
    """(fuzzy, noflevels) of one condition, as admisc::getInfo decides."""
    whole = bool(np.all(np.equal(np.floor(x), x)))
    if whole:
        if float(x.min()) < 0:
            raise QCAError(
                f"The condition {name!r} has negative values; crisp sets are coded 0, 1, 2, ...",
                argument=name,
                value=float(x.min()),
                hint="Recode it with calibrate(..., type='crisp').",
            )
        return False, max(int(x.max()) + 1, 2)
    if float(x.min()) < 0 or float(x.max()) > 1:
        raise QCAError(
            f"The condition {name!r} is neither crisp (whole numbers) nor fuzzy (within 0..1).",
            argument=name,
            value=(float(x.min()), float(x.max())),
            hint="Calibrate raw values first: calibrate(x, type='fuzzy', thresholds=...).",
        )
    return True, 2


def parse_outcome(outcome: str) -> tuple[bool, str, tuple[int, ...] | None]:
    """Split ``"~SURV[1]"`` into (negated, column, values or None)."""
    match = _OUTCOME.match(outcome or "")
    if not match:
        raise QCAError(
            f"The outcome {outcome!r} is not a column name in QCA notation.",
            argument="outcome",
            value=outcome,
            hint="Write it as SURV, ~SURV or, for a multi-value outcome, SURV[1].",
        )
    values = None
    if match.group(3):
        values = tuple(int(v) for v in match.group(3).replace(" ", "").split(",") if v)
    return bool(match.group(1)), match.group(2).strip(), values


def prepare(
    data: pd.DataFrame,
    outcome: str,
    conditions: Sequence[str] | None = None,
    *,
    case_column: str | None = None,
    allow_constant: bool = False,
) -> SetData:
    """Check a cases-by-columns table and return :class:`SetData` for the QCA functions.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per case. The index (or ``case_column``) gives the case names.
    outcome : str
        Outcome column, ``"~Y"`` for its negation, ``"Y[1]"`` (or ``"Y[1,2]"``) for the
        values of a multi-value outcome that count as presence.
    conditions : sequence of str, optional
        Condition columns (default: every column except the outcome and the case column).
    case_column : str, optional
        Column holding case names.
    allow_constant : bool
        Accept a condition with no variation (it carries no information: by default a
        :class:`QCAError` says so).

    Raises
    ------
    QCAError
        A missing column, a missing or non-numeric value, a value that is neither crisp nor
        fuzzy, a condition with no variation, a multi-value outcome without its values, an
        outcome that is never present.
    """
    if not isinstance(data, pd.DataFrame):
        raise QCAError("The data must be a pandas DataFrame.", argument="data", value=type(data))
    negated, column, out_values = parse_outcome(outcome)
    y = _column(data, column, "outcome")
    if conditions is None:
        conditions = [str(c) for c in data.columns if c not in (column, case_column)]
    conditions = [str(c).strip() for c in conditions]
    if not conditions:
        raise QCAError("No conditions were given.", argument="conditions", value=conditions)
    if column in conditions:
        raise QCAError(
            f"The outcome {column!r} is also listed as a condition.",
            argument="conditions",
            value=conditions,
        )
    if len(set(conditions)) != len(conditions):
        raise QCAError("A condition is listed twice.", argument="conditions", value=conditions)
    cols = [_column(data, c, "condition") for c in conditions]
    kinds = [_kind(c, x) for c, x in zip(conditions, cols, strict=True)]
    if not allow_constant:
        for name, x in zip(conditions, cols, strict=True):
            if float(np.ptp(x)) == 0:
                raise QCAError(
                    f"The condition {name!r} has no variation: every case has {x[0]:g}.",
                    argument=name,
                    value=float(x[0]),
                    hint="Drop it from the conditions, or recalibrate it.",
                )
    if out_values is not None:
        y = np.isin(y, out_values).astype(np.float64)
    elif bool(np.all(np.floor(y) == y)) and float(y.max()) > 1:
        raise QCAError(
            f"The outcome {column!r} is multi-value; say which values count as presence.",
            argument="outcome",
            value=outcome,
            hint=f"Write it as {column}[1] (or {column}[1,2]).",
        )
    elif float(y.min()) < 0 or float(y.max()) > 1:
        raise QCAError(
            f"The outcome {column!r} is not a set: its values are outside 0..1.",
            argument="outcome",
            value=(float(y.min()), float(y.max())),
            hint="Calibrate it first with calibrate(x, type='fuzzy' or 'crisp', ...).",
        )
    if negated:
        y = 1.0 - y
    if float(y.sum()) == 0:
        raise QCAError(
            f"No case is a member of the outcome {outcome!r}.",
            argument="outcome",
            value=outcome,
            hint="Check the outcome column, its calibration and the negation.",
        )
    if case_column is not None:
        if case_column not in data.columns:
            raise QCAError(
                f"The case column {case_column!r} is not a column of the data.",
                argument="case_column",
                value=case_column,
            )
        cases = tuple(str(v) for v in data[case_column])
    else:
        cases = tuple(str(v) for v in data.index)
    noflevels = tuple(k[1] for k in kinds)
    multivalue = any(n > 2 for n in noflevels) or out_values is not None
    shown = column
    if multivalue:
        shown = f"{column}[{','.join(map(str, out_values or (1,)))}]"
    return SetData(
        conditions=tuple(conditions),
        values=np.column_stack(cols).astype(np.float64),
        fuzzy=tuple(k[0] for k in kinds),
        noflevels=noflevels,
        outcome=("~" if negated else "") + shown,
        outcome_column=column,
        negated=negated,
        y=y,
        cases=cases,
        multivalue=multivalue,
    )


def literal_membership(data: SetData, j: int, value: int) -> FloatArray:
    """Membership of every case in "condition ``j`` takes ``value``" (fuzzy: 1 = presence)."""
    x = data.values[:, j]
    if data.fuzzy[j]:
        return x if value == 1 else 1.0 - x
    return (x == value).astype(np.float64)


def implicant_membership(data: SetData, implicant: Implicant) -> FloatArray:
    """Membership of every case in a conjunction (the minimum over its literals)."""
    idx = [j for j, code in enumerate(implicant) if code]
    if not idx:
        return np.ones(data.n_cases)
    values = [implicant[j] - 1 for j in idx]
    return np.asarray(data.literals[idx, values].min(axis=0))


def implicant_string(implicant: Implicant, conditions: Sequence[str], multivalue: bool) -> str:
    """An implicant in R's notation: ``DEV*~URB`` (binary) or ``DEV[2]*URB[0]`` (multi-value)."""
    parts = []
    for name, code in zip(conditions, implicant, strict=True):
        if not code:
            continue
        if multivalue:
            parts.append(f"{name}[{code - 1}]")
        else:
            parts.append(name if code == 2 else f"~{name}")
    return "*".join(parts) if parts else "1"


Literal = tuple[int, frozenset[int], bool]
"""(condition index, values meaning presence, negated)."""

_LITERAL = re.compile(r"^(~?)\s*([^\[\]{}~*+]+?)\s*(?:[\[{]\s*([0-9,\s]+)\s*[\]}])?$")


def parse_expression(expression: str, conditions: Sequence[str]) -> list[list[Literal]]:
    """Parse a sum of products (``"DEV*~URB + LIT[2]"``) into terms of literals.

    Raises
    ------
    QCAError
        An empty expression or a name that is not a condition.
    """
    terms: list[list[Literal]] = []
    index = {name: j for j, name in enumerate(conditions)}
    for raw_term in str(expression).split("+"):
        if not raw_term.strip():
            raise QCAError(
                f"The expression {expression!r} has an empty term.",
                argument="expression",
                value=expression,
            )
        term: list[Literal] = []
        for raw in raw_term.split("*"):
            match = _LITERAL.match(raw.strip())
            if not match or match.group(2) not in index:
                raise QCAError(
                    f"{raw.strip()!r} in {expression!r} is not a condition.",
                    argument="expression",
                    value=expression,
                    hint="Conditions: " + ", ".join(conditions),
                )
            values = frozenset({1})
            if match.group(3):
                values = frozenset(int(v) for v in match.group(3).replace(" ", "").split(","))
            term.append((index[match.group(2)], values, bool(match.group(1))))
        terms.append(term)
    return terms


def evaluate(expression: str, data: SetData) -> FloatArray:
    """Membership of every case in a sum-of-products expression (max of mins)."""
    out = np.zeros(data.n_cases)
    for term in parse_expression(expression, data.conditions):
        m = np.ones(data.n_cases)
        for j, values, negated in term:
            x = data.values[:, j]
            if data.fuzzy[j]:
                lit = x if values == frozenset({1}) else 1.0 - x
            else:
                lit = np.isin(x, sorted(values)).astype(np.float64)
            m = np.minimum(m, 1.0 - lit if negated else lit)
        out = np.maximum(out, m)
    return out


def json_safe(value: Any) -> Any:
    """``value`` with NaN replaced by None, recursively (strict JSON, PostgreSQL jsonb)."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def as_float_array(values: Any) -> FloatArray:
    """A float numpy array from a sequence or Series."""
    return np.asarray(values, dtype=np.float64)
