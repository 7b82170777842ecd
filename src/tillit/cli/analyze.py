"""`tillit analyze`: design-based analysis of a survey in a project, or of a CSV/SAV file.

A thin group over :mod:`tillit.apps.analysis.services` and :mod:`tillit.analysis`. ``--json``
prints data (numbers unrounded); otherwise tables. Exit codes: 0 success, 1 bad data or a
runtime failure, 2 usage error.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import click

from tillit.cli.context import dir_option, resolve_project_dir, setup_django
from tillit.cli.output import emit_json, emit_table
from tillit.errors import ErrorCode, TillitError

DOMAINS = ("country", "size_class", "county")


def _setup(project_dir: Path | None) -> None:
    setup_django(resolve_project_dir(project_dir))


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _num(x: Any, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def _short(text: str, width: int = 48) -> str:
    text = str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


@click.group()
def analyze() -> None:
    """Analysis: AAPOR rates, design-based estimates, NO vs DK comparisons and scales."""


@analyze.command("survey")
@dir_option
@click.argument("project")
@click.argument("slug")
@click.option("--by", type=click.Choice(DOMAINS), default=None, help="Estimates by this domain.")
@click.option("--items", default=None, help="Comma-separated item names (default: all).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def analyze_survey(
    project_dir: Path | None,
    project: str,
    slug: str,
    by: str | None,
    items: str | None,
    as_json: bool,
) -> None:
    """AAPOR rates, estimates, NO vs DK differences and trust scales of survey SLUG."""
    if as_json:
        click.get_current_context().meta["tillit.json"] = True
    _setup(project_dir)
    from tillit.apps.analysis import data, services
    from tillit.cli.survey import _survey

    sd = data.load(_survey(project, slug))
    report = services.survey_report(sd, by=by, items=_split(items))
    if as_json:
        emit_json(report)
        return
    _print_report(report)


def _print_report(r: dict[str, Any]) -> None:
    click.echo(f"{r['survey']}\nDesign: {r['design']['description']}")
    click.echo("\nAAPOR outcome rates")
    rates = ("RR1", "RR2", "RR3", "RR4", "RR5", "RR6", "COOP1", "REF1", "CON1")
    emit_table(
        ["domain", "I", "P", *rates],
        [
            [a["domain"], _num(a["I"], 0), _num(a["P"], 0), *[_num(a[k]) for k in rates]]
            for a in r["aapor"]
        ],
    )
    for key, title in (("proportions", "Proportions"), ("proportions_by", "Proportions by")):
        if r.get(key):
            click.echo(f"\n{title}{' ' + r['by'] if key.endswith('_by') else ''}")
            emit_table(
                ["domain", "item", "category", "n", "share", "se", "95% CI"],
                [
                    [
                        p["domain"],
                        p["variable"],
                        _short(p["label"], 30),
                        p["n"],
                        _num(p["estimate"]),
                        _num(p["se"]),
                        f"[{_num(p['ci_low'])}, {_num(p['ci_high'])}]",
                    ]
                    for p in r[key]
                ],
            )
    for key, title in (("means", "Means"), ("means_by", "Means by")):
        if r.get(key):
            click.echo(f"\n{title}{' ' + r['by'] if key.endswith('_by') else ''}")
            emit_table(
                ["domain", "item", "n", "mean", "se", "95% CI"],
                [
                    [
                        m["domain"],
                        m["variable"],
                        m["n"],
                        _num(m["estimate"]),
                        _num(m["se"]),
                        f"[{_num(m['ci_low'])}, {_num(m['ci_high'])}]",
                    ]
                    for m in r[key]
                ],
            )
    if r["comparison"]:
        click.echo("\nNorway vs Denmark (difference NO - DK)")
        emit_table(
            ["item", "mean NO", "mean DK", "difference", "se", "p"],
            [
                [
                    c["variable"],
                    _num(c["mean_no"]),
                    _num(c["mean_dk"]),
                    _num(c["difference"]),
                    _num(c["se"]),
                    _num(c["p_value"], 4),
                ]
                for c in r["comparison"]
            ],
        )
    if r["scales"]:
        click.echo("\nScales")
        emit_table(
            ["scale", "items", "n", "alpha", "95% CI", "omega"],
            [
                [
                    s["name"],
                    len(s["items"]),
                    s["n"],
                    _num(s["alpha"]),
                    f"[{_num(s['alpha_ci_low'])}, {_num(s['alpha_ci_high'])}]",
                    _num(s["omega"]),
                ]
                for s in r["scales"]
            ],
        )


# ----------------------------------------------------------------------------------------------
# a file


def read_data(path: Path) -> Any:
    """A CSV (comma or semicolon) or SPSS .sav file as a DataFrame."""
    import pandas as pd

    suffix = path.suffix.lower()
    try:
        if suffix == ".sav":
            import pyreadstat

            frame, _ = pyreadstat.read_sav(str(path))
            return frame
        if suffix in (".csv", ".txt"):
            return pd.read_csv(path, sep=None, engine="python")
    except Exception as exc:
        from tillit.errors import CorruptFileError

        raise CorruptFileError(
            f"{path.name}: cannot be read ({exc}).",
            hint="Give a CSV file with a header row, or an SPSS .sav file.",
        ) from exc
    raise TillitError(
        f"{path.name}: unknown file type {suffix or '(none)'!r}.",
        ErrorCode.USAGE,
        hint="Give a .csv or a .sav file.",
    )


def file_report(
    frame: Any,
    variables: list[str],
    *,
    strata: str | None,
    fpc: str | None,
    weights: str | None,
    by: str | None,
) -> dict[str, Any]:
    """Means of numeric variables and shares of the others, overall and by ``by``."""
    import pandas as pd

    from tillit.analysis import Design, mean, proportion
    from tillit.analysis.errors import unknown_names
    from tillit.apps.analysis.services import records

    for argument, names in (("vars", variables), ("by", [by] if by else [])):
        missing = [v for v in names if v not in frame.columns]
        if missing:
            raise unknown_names(argument, missing, frame.columns)
    design = Design.from_data(frame, strata=strata, fpc=fpc, weights=weights)
    numeric = [v for v in variables if pd.api.types.is_numeric_dtype(frame[v])]
    other = [v for v in variables if v not in numeric]
    out: dict[str, Any] = {
        "design": {"description": design.describe(), "n": int(design.n), "df": float(design.df)}
    }
    for key, dom in (("", None), ("_by", by)):
        if key and not by:
            continue
        if numeric:
            out["means" + key] = records(
                mean(design, numeric, by=dom, nan_policy="omit").to_frame()
            )
        if other:
            out["proportions" + key] = records(
                proportion(design, other, by=dom, nan_policy="omit").to_frame()
            )
    if by:
        out["by"] = by
    return out


@analyze.command("file")
@click.argument("data_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--vars", "variables", required=True, help="Comma-separated variable names.")
@click.option("--strata", default=None, help="Stratum column.")
@click.option("--fpc", default=None, help="Population size (or sampling fraction) column.")
@click.option("--weights", default=None, help="Weight column (default: N_h / n_h, or 1).")
@click.option("--by", default=None, help="Estimates by this domain column too.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def analyze_file(
    data_file: Path,
    variables: str,
    strata: str | None,
    fpc: str | None,
    weights: str | None,
    by: str | None,
    as_json: bool,
) -> None:
    """Means and shares with design-based SEs for the variables of DATA_FILE (.csv or .sav)."""
    from tillit.analysis import AnalysisError

    if as_json:
        click.get_current_context().meta["tillit.json"] = True
    names = _split(variables)
    if not names:
        raise TillitError("--vars is empty.", ErrorCode.USAGE, hint="Name one or more columns.")
    frame = read_data(data_file)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            report = file_report(frame, names, strata=strata, fpc=fpc, weights=weights, by=by)
    except AnalysisError as exc:
        raise TillitError(
            f"{data_file.name}: {exc.message}", exc.code, hint=exc.hint, errors=exc.errors
        ) from exc
    report = {"file": data_file.name, **report}
    if as_json:
        emit_json(report)
        return
    click.echo(f"{data_file.name}\nDesign: {report['design']['description']}")
    for key in ("means", "means_by", "proportions", "proportions_by"):
        rows = report.get(key)
        if not rows:
            continue
        click.echo(f"\n{key.replace('_by', ' by ' + str(by)).capitalize()}")
        dom = [by] if key.endswith("_by") and by else []
        cat = ["category"] if key.startswith("proportions") else []
        emit_table(
            [*dom, "variable", *cat, "n", "estimate", "se", "95% CI"],
            [
                [
                    *[str(r[by]) for _ in dom],
                    r["variable"],
                    *[str(r["category"]) for _ in cat],
                    r["n"],
                    _num(r["estimate"]),
                    _num(r["se"]),
                    f"[{_num(r['ci_low'])}, {_num(r['ci_high'])}]",
                ]
                for r in rows
            ],
        )


COMMANDS = [analyze]
