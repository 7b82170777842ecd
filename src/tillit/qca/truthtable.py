"""Truth tables (R ``QCA::truthTable``): rows, inclusion, PRI, cases, and the output value.

A case belongs to the row whose configuration it is closest to: fuzzy memberships above 0.5
count as presence; crisp values are taken as they are. Rows are numbered as in R: one plus the
mixed-radix number of the configuration, the first condition being the most significant digit.
For every observed row, with ``X`` the membership of each case in the row (the minimum over
conditions of ``x`` or ``1 - x``):

* ``n`` = number of cases with ``X > 0.5``;
* ``incl = sum(min(X, Y)) / sum(X)``;
* ``PRI = (sum(min(X, Y)) - sum(min(X, Y, 1 - Y))) / (sum(X) - sum(min(X, Y, 1 - Y)))``;
* ``OUT`` = ``"?"`` (remainder) if ``n < n_cut``; ``"1"`` if ``incl >= incl_cut`` and
  ``PRI >= pri_cut``; ``"C"`` (contradiction) if ``incl`` lies in ``[incl_cut0, incl_cut)``;
  ``"0"`` otherwise. Comparisons allow a tolerance of ``sqrt(machine epsilon)`` like R's
  ``admisc::agteb``.

Examples
--------
>>> import pandas as pd
>>> d = pd.DataFrame({"A": [0, 1, 1, 0], "B": [1, 1, 0, 0], "Y": [0, 1, 1, 0]},
...                  index=["a", "b", "c", "d"])
>>> tt = truth_table(d, "Y")
>>> [(r.number, r.out, r.cases) for r in tt.rows]
[(1, '0', ('d',)), (2, '0', ('a',)), (3, '1', ('c',)), (4, '1', ('b',))]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from tillit.qca.errors import QCAError
from tillit.qca.sets import SetData, prepare

__all__ = ["TruthTable", "TruthTableRow", "agteb", "truth_table"]

FloatArray = npt.NDArray[np.float64]
TOLERANCE = math.sqrt(np.finfo(float).eps)


def agteb(a: float, b: float) -> bool:
    """``a >= b`` allowing for floating-point noise (R ``admisc::agteb``)."""
    return bool(a > b or abs(a - b) <= TOLERANCE)


@dataclass(frozen=True)
class TruthTableRow:
    """One observed configuration.

    Attributes
    ----------
    number : int
        R's row number (1-based mixed-radix number of the configuration).
    config : tuple of int
        Value of each condition (0/1, or 0..k for multi-value).
    out : str
        ``"1"``, ``"0"``, ``"C"`` or ``"?"``.
    n : int
        Number of cases in the row.
    incl, pri : float
        Sufficiency inclusion and PRI of the row for the outcome.
    cases : tuple of str
        Names of the cases in the row.
    """

    number: int
    config: tuple[int, ...]
    out: str
    n: int
    incl: float
    pri: float
    cases: tuple[str, ...]


@dataclass(frozen=True)
class TruthTable:
    """A truth table with its settings; the input of :func:`tillit.qca.minimize.minimize`.

    Attributes
    ----------
    data : SetData
        The conditions and the outcome it was built from.
    rows : tuple of TruthTableRow
        Observed configurations in row-number order (remainders are implicit).
    incl_cut : tuple of float
        ``(incl_cut1, incl_cut0)``: rows at or above the first are positive; rows between the
        second and the first are contradictions.
    n_cut : int
    pri_cut : float
    """

    data: SetData
    rows: tuple[TruthTableRow, ...]
    incl_cut: tuple[float, float]
    n_cut: int
    pri_cut: float

    @property
    def conditions(self) -> tuple[str, ...]:
        """Condition names."""
        return self.data.conditions

    @property
    def noflevels(self) -> tuple[int, ...]:
        """Levels of each condition."""
        return self.data.noflevels

    @property
    def outcome(self) -> str:
        """The outcome as written."""
        return self.data.outcome

    def row_number(self, config: Sequence[int]) -> int:
        """R's row number of a configuration."""
        number = 0
        for value, levels in zip(config, self.noflevels, strict=True):
            number = number * levels + int(value)
        return number + 1

    def configuration(self, number: int) -> tuple[int, ...]:
        """The configuration of R's row ``number``."""
        rest = number - 1
        out = []
        for levels in reversed(self.noflevels):
            out.append(rest % levels)
            rest //= levels
        return tuple(reversed(out))

    def to_frame(self, complete: bool = False) -> pd.DataFrame:
        """One row per configuration: conditions, OUT, n, incl, PRI, cases.

        ``complete=True`` adds the remainders (unobserved rows, ``OUT = "?"``); otherwise
        only rows with an output value are shown, as R prints by default.
        """
        records = []
        observed = {r.number: r for r in self.rows}
        numbers = (
            range(1, int(np.prod(self.noflevels)) + 1)
            if complete
            else [r.number for r in self.rows if r.out != "?"]
        )
        for number in numbers:
            row = observed.get(number)
            config = self.configuration(number)
            rec: dict[str, object] = {"row": number}
            rec.update(dict(zip(self.conditions, config, strict=True)))
            if row is None:
                rec.update(OUT="?", n=0, incl=float("nan"), PRI=float("nan"), cases="")
            else:
                rec.update(
                    OUT=row.out, n=row.n, incl=row.incl, PRI=row.pri, cases=",".join(row.cases)
                )
            records.append(rec)
        columns = ["row", *self.conditions, "OUT", "n", "incl", "PRI", "cases"]
        return pd.DataFrame(records, columns=columns)

    def to_dict(self, complete: bool = False) -> dict[str, object]:
        """Plain data for JSON (NaN as None)."""
        frame = self.to_frame(complete)
        rows = [
            {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
            for r in frame.to_dict("records")
        ]
        return {
            "outcome": self.outcome,
            "conditions": list(self.conditions),
            "incl_cut": list(self.incl_cut),
            "n_cut": self.n_cut,
            "pri_cut": self.pri_cut,
            "rows": rows,
        }

    def summary(self, complete: bool = False, show_cases: bool = True) -> str:
        """R's printed layout (three decimals)."""
        frame = self.to_frame(complete)
        names = list(self.conditions)
        num_w = max([len(str(n)) for n in frame["row"]] + [1])
        header = " " * (num_w + 2) + "  ".join(f"{n:>{max(len(n), 1)}}" for n in names)
        header += "   OUT    n  incl  PRI  " + ("  cases" if show_cases else "")
        lines = [
            "  OUT: output value",
            "    n: number of cases in configuration",
            " incl: sufficiency inclusion score",
            "  PRI: proportional reduction in inconsistency",
            "",
            header.rstrip(),
        ]
        for rec in frame.to_dict("records"):
            cells = "  ".join(f"{rec[n]!s:>{len(n)}}" for n in names)
            incl = "  -  " if math.isnan(rec["incl"]) else f"{rec['incl']:.3f}"
            pri = "  -  " if math.isnan(rec["PRI"]) else f"{rec['PRI']:.3f}"
            line = f"{rec['row']:>{num_w}}  {cells}     {rec['OUT']}  {rec['n']:>4}  {incl} {pri}"
            if show_cases:
                line += f" {rec['cases']}"
            lines.append(line.rstrip())
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def _memberships(data: SetData, configs: npt.NDArray[np.int64]) -> FloatArray:
    """Membership of every case (columns) in every configuration (rows)."""
    k = data.k_conditions
    out = np.empty((len(configs), data.n_cases))
    step = max(1, 2_000_000 // max(1, k * data.n_cases))
    for start in range(0, len(configs), step):
        block = configs[start : start + step]
        out[start : start + step] = data.literals[np.arange(k)[None, :], block].min(axis=1)
    return out


def truth_table(
    data: pd.DataFrame | SetData,
    outcome: str | None = None,
    conditions: Sequence[str] | None = None,
    *,
    incl_cut: float | Sequence[float] = 1.0,
    n_cut: int = 1,
    pri_cut: float = 0.0,
    case_column: str | None = None,
) -> TruthTable:
    """Build a truth table (R ``truthTable(data, outcome, conditions, incl.cut, n.cut, pri.cut)``).

    Parameters
    ----------
    data : pandas.DataFrame or SetData
        Calibrated cases by conditions.
    outcome : str
        Outcome column; ``"~Y"`` negates it, ``"Y[1]"`` picks values of a multi-value outcome.
    conditions : sequence of str, optional
        Condition columns (default: all other columns).
    incl_cut : float or (float, float)
        Inclusion cut for a positive row; a pair ``(ic1, ic0)`` marks rows with inclusion in
        ``[ic0, ic1)`` as contradictions ``"C"``.
    n_cut : int
        Rows with fewer cases are remainders (``"?"``).
    pri_cut : float
        Minimum PRI of a positive row.
    case_column : str, optional
        Column with case names (default: the index).

    Raises
    ------
    QCAError
        Cuts outside 0..1, ``incl_cut0 > incl_cut1``, ``n_cut < 1``, no row at or above
        ``n_cut``, and every error of :func:`tillit.qca.sets.prepare`.
    """
    cuts = [float(incl_cut)] if isinstance(incl_cut, (int, float)) else [float(v) for v in incl_cut]
    if len(cuts) not in (1, 2) or not all(0 <= c <= 1 for c in cuts):
        raise QCAError(
            f"incl_cut={incl_cut!r} must be one or two numbers within 0..1.",
            argument="incl_cut",
            value=incl_cut,
        )
    ic1 = cuts[0]
    ic0 = cuts[1] if len(cuts) == 2 else ic1
    if ic0 > ic1:
        raise QCAError(
            f"The contradiction cut {ic0:g} is above the inclusion cut {ic1:g}.",
            argument="incl_cut",
            value=incl_cut,
            hint="Give the pair as (incl_cut1, incl_cut0) with incl_cut0 <= incl_cut1.",
        )
    if not isinstance(n_cut, (int, np.integer)) or n_cut < 1:
        raise QCAError(
            f"n_cut={n_cut!r} must be a whole number >= 1.", argument="n_cut", value=n_cut
        )
    if not 0 <= pri_cut <= 1:
        raise QCAError(
            f"pri_cut={pri_cut!r} must be within 0..1.", argument="pri_cut", value=pri_cut
        )
    if isinstance(data, SetData):
        sd = data
    else:
        if outcome is None:
            raise QCAError("Name the outcome column.", argument="outcome", value=outcome)
        sd = prepare(data, outcome, conditions, case_column=case_column)
    if sd.k_conditions > 25:
        raise QCAError(
            f"{sd.k_conditions} conditions are too many for a truth table (at most 25).",
            argument="conditions",
            value=sd.k_conditions,
        )
    crisp = sd.values.copy()
    for j, fz in enumerate(sd.fuzzy):
        if fz:
            crisp[:, j] = (sd.values[:, j] > 0.5).astype(np.float64)
    crisp_int = crisp.astype(np.int64)
    half = np.zeros(sd.n_cases, dtype=bool)
    for j, fz in enumerate(sd.fuzzy):
        if fz:
            half |= np.abs(sd.values[:, j] - 0.5) < TOLERANCE
    mbase = np.ones(sd.k_conditions, dtype=np.int64)
    for j in range(sd.k_conditions - 2, -1, -1):
        mbase[j] = mbase[j + 1] * sd.noflevels[j + 1]
    line = crisp_int @ mbase + 1
    rows = []
    y = sd.y
    numbers, first, inverse = np.unique(line, return_index=True, return_inverse=True)
    members_of: list[list[int]] = [[] for _ in numbers]
    for i, (pos, skip) in enumerate(zip(inverse.tolist(), half.tolist(), strict=True)):
        if not skip:
            members_of[pos].append(i)
    memberships = _memberships(sd, crisp_int[first])
    for pos, number in enumerate(numbers.tolist()):
        config = tuple(int(v) for v in crisp_int[first[pos]])
        x = memberships[pos]
        mxy = np.minimum(x, y)
        pri_part = float(np.minimum(mxy, 1.0 - y).sum())
        sx, sxy = float(x.sum()), float(mxy.sum())
        incl = sxy / sx if sx else float("nan")
        pri = (sxy - pri_part) / (sx - pri_part) if sx - pri_part else float("nan")
        n = int((x > 0.5).sum())
        if n < n_cut:
            out = "?"
        elif agteb(incl, ic1) and agteb(pri, pri_cut):
            out = "1"
        elif incl < ic1 and agteb(incl, ic0):
            out = "C"
        else:
            out = "0"
        cases = tuple(sd.cases[i] for i in members_of[pos])
        rows.append(TruthTableRow(int(number), config, out, n, incl, pri, cases))
    if not any(r.out != "?" for r in rows):
        raise QCAError(
            f"No configuration has at least n_cut={n_cut} cases.",
            argument="n_cut",
            value=n_cut,
            hint="Lower n_cut.",
        )
    return TruthTable(sd, tuple(rows), (ic1, ic0), int(n_cut), float(pri_cut))
