"""QCA from the case matrix: calibrate matrix columns into sets, then the truth table, the
necessity table and the conservative, parsimonious and intermediate solutions of
:mod:`tillit.qca` (R's QCA package).

Each set is a matrix column with a short name (used in the formulas, R notation) and a
calibration: ``asis`` (the column is already a crisp 0/1, multi-value 0/1/2 or fuzzy 0..1 set),
``crisp`` (cut points: ``"5"`` or ``"5, 10"`` for multi-value), ``fuzzy`` (direct method,
anchors ``"e=..., c=..., i=..."``) or ``in`` (1 for the listed codes, ``"1, 2"``, else 0: a
single-choice answer such as "adopted formally or informally"). Rows with a missing value in
any chosen column are left out and named in the notes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _

from tillit import qca
from tillit.apps.cases.matrix import Matrix
from tillit.errors import ErrorCode, TillitError

CALIBRATIONS = ("asis", "crisp", "fuzzy", "in")
DIRECTIONS = ("-", "1", "0")
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,30}$")


@dataclass(frozen=True)
class SetSpec:
    """One set of the analysis: matrix column, set name, calibration, expectation."""

    column: str
    name: str
    type: str = "asis"
    thresholds: str = ""
    direction: str = "-"

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SetSpec:
        return cls(
            column=str(d.get("column", "")).strip(),
            name=str(d.get("name", "")).strip(),
            type=str(d.get("type") or "asis").strip(),
            thresholds=str(d.get("thresholds") or "").strip(),
            direction=str(d.get("direction") or "-").strip(),
        )

    def as_dict(self) -> dict[str, str]:
        return {
            "column": self.column,
            "name": self.name,
            "type": self.type,
            "thresholds": self.thresholds,
            "direction": self.direction,
        }


@dataclass
class QcaResult:
    data: pd.DataFrame  # calibrated sets, index = case names
    raw: pd.DataFrame  # the matrix values used
    truth_table: Any = None
    necessity: Any = None
    solutions: dict[str, Any] = field(default_factory=dict)  # kind -> Minimization
    errors: dict[str, str] = field(default_factory=dict)  # kind -> message
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "cases": list(self.data.index),
            "data": _records(self.data.reset_index(names="case")),
            "truth_table": self.truth_table.to_dict() if self.truth_table is not None else None,
            "necessity": self.necessity.to_dict() if self.necessity is not None else None,
            "solutions": {k: v.to_dict() for k, v in self.solutions.items()},
            "errors": dict(self.errors),
            "notes": list(self.notes),
        }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in frame.to_dict("records"):
        out.append({str(k): (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()})
    return out


def default_name(column: str, taken: Sequence[str] = ()) -> str:
    """A short upper-case set name from a column id (``register.adopted`` -> ``ADOPTED``)."""
    tail = column.split(":")[-1].split(".")[-1]
    base = re.sub(r"[^A-Za-z0-9]", "", tail.upper())[:8] or "X"
    if not base[0].isalpha():
        base = "X" + base
    name, n = base, 2
    while name in taken:
        name, n = f"{base}{n}", n + 1
    return name


def check_specs(outcome: SetSpec, conditions: Sequence[SetSpec]) -> None:
    specs = [outcome, *conditions]
    if not conditions:
        raise TillitError(
            _("Choose at least one condition."),
            ErrorCode.INVALID_INPUT,
            hint=_("Pick conditions from the matrix columns."),
        )
    names = [s.name for s in specs]
    for s in specs:
        if not NAME_RE.match(s.name):
            raise TillitError(
                _("The set name %(name)r is not allowed.") % {"name": s.name},
                ErrorCode.INVALID_INPUT,
                hint=_("Use a letter followed by letters, digits or _ (e.g. ADOPT, SIZE)."),
            )
        if s.type not in CALIBRATIONS:
            raise TillitError(
                _("Unknown calibration %(type)r for %(name)s.") % {"type": s.type, "name": s.name},
                ErrorCode.INVALID_INPUT,
                hint=_("Use asis, crisp or fuzzy."),
            )
        if s.direction not in DIRECTIONS:
            raise TillitError(
                _("Unknown directional expectation %(d)r for %(name)s.")
                % {"d": s.direction, "name": s.name},
                ErrorCode.INVALID_INPUT,
                hint=_("Use 1 (presence), 0 (absence) or - (none)."),
            )
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise TillitError(
            _("Set names must differ: %(names)s.") % {"names": ", ".join(dupes)},
            ErrorCode.INVALID_INPUT,
            hint=_("Give each condition its own name."),
        )
    cols = [s.column for s in specs]
    if len(set(cols)) != len(cols):
        raise TillitError(
            _("A matrix column is used twice."),
            ErrorCode.INVALID_INPUT,
            hint=_("The outcome and each condition need their own column."),
        )


def case_names(matrix: Matrix) -> list[str]:
    """Row names, made unique with the code where two municipalities share a name."""
    names = [r.name for r in matrix.rows]
    return [
        f"{r.name} ({r.code or r.key})" if names.count(r.name) > 1 else r.name for r in matrix.rows
    ]


def calibrate_sets(matrix: Matrix, outcome: SetSpec, conditions: Sequence[SetSpec]):
    """The calibrated data (cases by set names) and the raw values; drops incomplete rows."""
    check_specs(outcome, conditions)
    specs = [outcome, *conditions]
    missing_cols = [s.column for s in specs if s.column not in matrix.frame.columns]
    if missing_cols:
        raise TillitError(
            _("These columns are not in the matrix: %(cols)s.") % {"cols": ", ".join(missing_cols)},
            ErrorCode.INVALID_INPUT,
            hint=_("Add them to the matrix first."),
        )
    raw = matrix.frame[[s.column for s in specs]].copy()
    raw.index = case_names(matrix)
    notes: list[str] = []
    for s in specs:
        col = pd.to_numeric(raw[s.column], errors="coerce")
        if col.isna().all() and raw[s.column].notna().any():
            raise TillitError(
                _("The column %(col)s is not numeric, so it cannot be calibrated.")
                % {"col": s.column},
                ErrorCode.INVALID_INPUT,
                hint=_("Choose a numeric or yes/no column."),
            )
        raw[s.column] = col
    incomplete = raw.index[raw.isna().any(axis=1)].tolist()
    if incomplete:
        notes.append(
            _("%(n)d cases with a missing value were left out: %(cases)s.")
            % {
                "n": len(incomplete),
                "cases": ", ".join(incomplete[:20]) + (" …" if len(incomplete) > 20 else ""),
            }
        )
    raw = raw.dropna()
    if len(raw) < 2:
        raise TillitError(
            _("Fewer than two cases have values in every chosen column."),
            ErrorCode.INVALID_INPUT,
            hint=_("Choose other columns, or rows where the sources have data."),
        )
    data = pd.DataFrame(index=raw.index)
    for s in specs:
        x = raw[s.column].to_numpy(dtype=float)
        try:
            if s.type == "asis":
                data[s.name] = x
            elif s.type == "in":
                data[s.name] = np.isin(x, _codes(s)).astype(float)
            else:
                data[s.name] = qca.calibrate(x, type=s.type, thresholds=s.thresholds)
        except qca.QCAError as exc:
            raise TillitError(
                f"{s.name} ({s.column}): {exc.message}", ErrorCode.INVALID_INPUT, exc.hint
            ) from exc
    return data, raw, notes


def _codes(s: SetSpec) -> list[float]:
    try:
        codes = [float(v) for v in s.thresholds.replace(";", ",").split(",") if v.strip()]
    except ValueError:
        codes = []
    if not codes:
        raise TillitError(
            _("%(name)s: list the codes that count as members, e.g. 1, 2.") % {"name": s.name},
            ErrorCode.INVALID_INPUT,
            hint=_("The codes are those of the survey's exports (see the codebook)."),
        )
    return codes


def run(
    matrix: Matrix,
    outcome: SetSpec,
    conditions: Sequence[SetSpec],
    *,
    incl_cut: float = 0.8,
    n_cut: int = 1,
    pri_cut: float = 0.0,
    negate: bool = False,
) -> QcaResult:
    """Calibrate, then the truth table and the three solutions; errors of a step are kept as
    messages (``errors[kind]``) when a step after the truth table fails."""
    data, raw, notes = calibrate_sets(matrix, outcome, conditions)
    result = QcaResult(data, raw, notes=notes)
    out = ("~" if negate else "") + outcome.name
    names = [c.name for c in conditions]
    try:
        sd = qca.prepare(data, out, names)
        result.truth_table = qca.truth_table(sd, incl_cut=incl_cut, n_cut=n_cut, pri_cut=pri_cut)
    except qca.QCAError as exc:
        raise TillitError(exc.message, ErrorCode.INVALID_INPUT, exc.hint) from exc
    try:
        result.necessity = qca.necessity(sd)
    except qca.QCAError as exc:
        result.errors["necessity"] = exc.message
    tt = result.truth_table
    dir_exp = {c.name: int(c.direction) for c in conditions if c.direction in ("0", "1")}
    steps: list[tuple[str, dict[str, Any]]] = [
        ("conservative", {}),
        ("parsimonious", {"include": "?"}),
    ]
    if dir_exp:
        steps.append(("intermediate", {"include": "?", "dir_exp": dir_exp}))
    else:
        result.errors["intermediate"] = _(
            "No directional expectations were given, so there is no intermediate solution."
        )
    for kind, kw in steps:
        try:
            result.solutions[kind] = qca.minimize(tt, **kw)
        except qca.QCAError as exc:
            result.errors[kind] = f"{exc.message} {exc.hint}".strip()
    return result
