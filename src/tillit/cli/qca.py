"""`tillit qca ...`: qualitative comparative analysis on a table of cases (issue cases).

Works on a CSV, XLSX or Parquet file with one row per case (so it is useful before the case
matrix exists): ``calibrate`` a raw column, test ``necessity``, build a ``truth-table``,
``minimize`` it. Conditions and the outcome are column names; case names come from
``--case-column`` (default: a column called ``case``, else a first text column, else the row
number). ``--json`` prints data; errors exit 1 (bad data) or 2 (usage).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import click
import pandas as pd

from tillit.cli.output import emit_json, emit_table
from tillit.errors import CorruptFileError, ErrorCode, NotFoundError, TillitError

READERS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".parquet": "parquet"}


def read_table(path: Path, case_column: str | None = None) -> pd.DataFrame:
    """A cases table from CSV/XLSX/Parquet, indexed by case name."""
    if not path.exists():
        raise NotFoundError(
            f"No file {path}.", hint="Give the path of a CSV, XLSX or Parquet file."
        )
    kind = READERS.get(path.suffix.lower())
    if kind is None:
        raise TillitError(
            f"{path.name}: unknown file type {path.suffix!r}.",
            ErrorCode.USAGE,
            hint="Use a .csv, .xlsx or .parquet file.",
        )
    try:
        if kind == "csv":
            frame = pd.read_csv(path, sep=None, engine="python", encoding="utf-8-sig")
        elif kind == "xlsx":
            frame = pd.read_excel(path)
        else:
            frame = pd.read_parquet(path)
    except Exception as exc:
        raise CorruptFileError(
            f"{path.name} could not be read as {kind.upper()}: {exc}",
            hint="Check that the file is a valid table with a header row.",
        ) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    if case_column is None:
        if "case" in frame.columns:
            case_column = "case"
        elif len(frame.columns) and frame[frame.columns[0]].dtype == object:
            case_column = str(frame.columns[0])
    if case_column is not None:
        if case_column not in frame.columns:
            raise TillitError(
                f"No column {case_column!r} in {path.name}.",
                ErrorCode.USAGE,
                hint="Columns: " + ", ".join(frame.columns),
            )
        frame = frame.set_index(case_column)
    else:
        frame.index = [str(i + 1) for i in range(len(frame))]
    frame.index = [str(v) for v in frame.index]
    return frame


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write a cases table (case names as the first column ``case``)."""
    kind = READERS.get(path.suffix.lower())
    out = frame.reset_index(names="case")
    if kind == "csv":
        out.to_csv(path, index=False)
    elif kind == "xlsx":
        out.to_excel(path, index=False)
    elif kind == "parquet":
        out.to_parquet(path, index=False)
    else:
        raise TillitError(
            f"Cannot write {path.suffix!r} files.",
            ErrorCode.USAGE,
            hint="Use --out with .csv, .xlsx or .parquet.",
        )


def _split(value: str | None) -> list[str] | None:
    items = [v.strip() for v in (value or "").split(",") if v.strip()]
    return items or None


def _cut(value: str) -> float | tuple[float, float]:
    try:
        parts = [float(v) for v in value.split(",") if v.strip()]
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a number (or two, comma-separated).") from exc
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        return (parts[0], parts[1])
    raise click.BadParameter("give one number, or two: incl_cut1,incl_cut0")


def _json_mode(as_json: bool) -> None:
    if as_json:
        click.get_current_context().meta["tillit.json"] = True


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


_table_args = [
    click.argument("file", type=click.Path(path_type=Path, dir_okay=False)),
    click.option(
        "--outcome",
        "-o",
        required=True,
        help="Outcome column; ~Y for its absence, Y[1] for a multi-value outcome.",
    ),
    click.option(
        "--conditions",
        "-c",
        default=None,
        help="Comma-separated condition columns (default: all other columns).",
    ),
    click.option("--case-column", default=None, help="Column with case names."),
]


def _table_options(fn: Any) -> Any:
    for decorator in reversed(_table_args):
        fn = decorator(fn)
    return fn


def _tt_options(fn: Any) -> Any:
    fn = click.option(
        "--pri-cut",
        type=float,
        default=0.0,
        show_default=True,
        help="Minimum PRI of a positive row.",
    )(fn)
    fn = click.option(
        "--n-cut",
        type=int,
        default=1,
        show_default=True,
        help="Rows with fewer cases are remainders.",
    )(fn)
    fn = click.option(
        "--incl-cut",
        default="1",
        show_default=True,
        help="Inclusion cut; 'ic1,ic0' marks rows in [ic0, ic1) as contradictions.",
    )(fn)
    return fn


@click.group()
def qca() -> None:
    """Qualitative comparative analysis (R QCA compatible) on a CSV/XLSX/Parquet table."""


@qca.command("calibrate")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--column", required=True, help="Raw column to calibrate.")
@click.option(
    "--type", "kind", type=click.Choice(["fuzzy", "crisp"]), default="fuzzy", show_default=True
)
@click.option(
    "--thresholds",
    required=True,
    help="Fuzzy: 'e=..., c=..., i=...' (i < e for a decreasing set); crisp: '550,850'.",
)
@click.option(
    "--idm",
    type=float,
    default=0.95,
    show_default=True,
    help="Inclusion degree at the inclusion anchor (0.9526 = Ragin's log-odds 3).",
)
@click.option("--linear", is_flag=True, help="Linear instead of logistic fuzzy calibration.")
@click.option("--name", default=None, help="Name of the new column (default: replace --column).")
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the table with the calibrated column to this file.",
)
@click.option("--case-column", default=None, help="Column with case names.")
@click.option("--json", "as_json", is_flag=True, help="Print the memberships as JSON.")
def calibrate_cmd(
    file: Path,
    column: str,
    kind: str,
    thresholds: str,
    idm: float,
    linear: bool,
    name: str | None,
    out: Path | None,
    case_column: str | None,
    as_json: bool,
) -> None:
    """Calibrate COLUMN of FILE into set memberships (R calibrate(), direct method)."""
    _json_mode(as_json)
    from tillit.qca import QCAError, calibrate

    frame = read_table(file, case_column)
    if column not in frame.columns:
        raise QCAError(
            f"No column {column!r} in {file.name}.",
            argument="column",
            value=column,
            hint="Columns: " + ", ".join(frame.columns),
        )
    raw = pd.to_numeric(frame[column], errors="coerce")
    values = calibrate(raw, kind, thresholds, idm=idm, logistic=not linear)
    target = name or column
    result = frame.copy()
    result[target] = values
    if out is not None:
        write_table(result, out)
    if as_json:
        emit_json(
            {
                "column": target,
                "type": kind,
                "thresholds": thresholds,
                "cases": [
                    {"case": c, "raw": _clean(float(r)), "value": _clean(v.item())}
                    for c, r, v in zip(frame.index, raw, values, strict=True)
                ],
                "written": str(out) if out else None,
            }
        )
        return
    emit_table(
        ["case", column, target if target != column else f"{column} (calibrated)"],
        [
            [c, f"{r:g}", f"{v:.3f}" if kind == "fuzzy" else str(v)]
            for c, r, v in zip(frame.index, raw, values, strict=True)
        ],
    )
    if out is not None:
        click.echo(f"Wrote {out}", err=True)


@qca.command("necessity")
@_table_options
@click.option(
    "--incl-cut",
    type=float,
    default=0.9,
    show_default=True,
    help="inclN from which a condition is flagged necessary.",
)
@click.option(
    "--expression",
    "expressions",
    multiple=True,
    help="Test this expression instead (repeatable), e.g. 'DEV + URB'.",
)
@click.option(
    "--search", is_flag=True, help="Search necessary conjunctions and disjunctions (superSubset)."
)
@click.option("--cov-cut", type=float, default=0.0, show_default=True, help="--search: min covN.")
@click.option("--ron-cut", type=float, default=0.0, show_default=True, help="--search: min RoN.")
@click.option("--depth", type=int, default=None, help="--search: most literals combined.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def necessity_cmd(
    file: Path,
    outcome: str,
    conditions: str | None,
    case_column: str | None,
    incl_cut: float,
    expressions: tuple[str, ...],
    search: bool,
    cov_cut: float,
    ron_cut: float,
    depth: int | None,
    as_json: bool,
) -> None:
    """Necessity of each condition and its negation for OUTCOME (inclN, RoN, covN)."""
    _json_mode(as_json)
    from tillit.qca import necessity, super_subset

    frame = read_table(file, case_column)
    if search:
        result = super_subset(
            frame,
            outcome,
            _split(conditions),
            incl_cut=incl_cut,
            cov_cut=cov_cut,
            ron_cut=ron_cut,
            depth=depth,
        )
    else:
        result = necessity(
            frame,
            outcome,
            _split(conditions),
            incl_cut=incl_cut,
            expressions=list(expressions) or None,
        )
    if as_json:
        emit_json(_clean(result.to_dict()))
        return
    click.echo(result.summary())


@qca.command("truth-table")
@_table_options
@_tt_options
@click.option("--complete", is_flag=True, help="Also list the remainders (unobserved rows).")
@click.option("--json", "as_json", is_flag=True, help="Print the truth table as JSON.")
def truth_table_cmd(
    file: Path,
    outcome: str,
    conditions: str | None,
    case_column: str | None,
    incl_cut: str,
    n_cut: int,
    pri_cut: float,
    complete: bool,
    as_json: bool,
) -> None:
    """Truth table of FILE for OUTCOME: OUT, n, incl, PRI and cases per row."""
    _json_mode(as_json)
    from tillit.qca import truth_table

    frame = read_table(file, case_column)
    tt = truth_table(
        frame, outcome, _split(conditions), incl_cut=_cut(incl_cut), n_cut=n_cut, pri_cut=pri_cut
    )
    if as_json:
        emit_json(tt.to_dict(complete=complete))
        return
    click.echo(tt.summary(complete=complete))


@qca.command("minimize")
@_table_options
@_tt_options
@click.option("--include", default="", help="'?' to use remainders (parsimonious/intermediate).")
@click.option(
    "--dir-exp",
    default=None,
    help="Directional expectations, e.g. 'DEV,URB,~IND' or R's '1,1,-,0,1'.",
)
@click.option(
    "--max-models",
    type=int,
    default=10_000,
    show_default=True,
    help="Stop listing tied models after this many.",
)
@click.option("--brief", is_flag=True, help="Only the solution lines, no fit table.")
@click.option("--json", "as_json", is_flag=True, help="Print the solutions as JSON.")
def minimize_cmd(
    file: Path,
    outcome: str,
    conditions: str | None,
    case_column: str | None,
    incl_cut: str,
    n_cut: int,
    pri_cut: float,
    include: str,
    dir_exp: str | None,
    max_models: int,
    brief: bool,
    as_json: bool,
) -> None:
    """Boolean minimisation: conservative, parsimonious (--include '?') or intermediate."""
    _json_mode(as_json)
    from tillit.qca import minimize, truth_table

    frame = read_table(file, case_column)
    tt = truth_table(
        frame, outcome, _split(conditions), incl_cut=_cut(incl_cut), n_cut=n_cut, pri_cut=pri_cut
    )
    expectations: str | list[str] | None = None
    if dir_exp:
        parts = [p.strip() for p in dir_exp.split(",")]
        numeric = all(p.replace(";", "").isdigit() or p in ("-", "dc") for p in parts)
        expectations = dir_exp if numeric else parts
    result = minimize(tt, include=include, dir_exp=expectations, max_models=max_models)
    if as_json:
        emit_json(_clean(result.to_dict()))
        return
    click.echo(result.summary(details=not brief), nl=False)


COMMANDS: list[Any] = [qca]
