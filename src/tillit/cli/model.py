"""`tillit model ...`: CFA, SEM and trust maps on a data file (issue cases).

A thin group over :mod:`tillit.sem`; no project or database needed. The data file is CSV, XLSX,
Parquet, SPSS ``.sav`` or Stata ``.dta``; the model is lavaan syntax, given inline (``-m``) or in
a file (``-f``). ``--json`` prints data (numbers unrounded); otherwise tables. Exit codes: 0
success, 1 bad data, an unidentified model or no convergence, 2 usage error.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path
from typing import Any

import click

from tillit.cli.output import emit_json, emit_table
from tillit.errors import CorruptFileError, ErrorCode, TillitError

DATA_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _json_mode(as_json: bool) -> None:
    if as_json:
        click.get_current_context().meta["tillit.json"] = True


def _model_text(model: str | None, model_file: Path | None) -> str:
    if (model is None) == (model_file is None):
        raise TillitError(
            "Give the model either inline (-m 'f =~ x1 + x2 + x3') or as a file (-f model.lav), "
            "not both or neither.",
            ErrorCode.USAGE,
        )
    if model_file is not None:
        try:
            return model_file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CorruptFileError(
                f"{model_file.name}: cannot be read as UTF-8 text ({exc}).",
                hint="Save the model as a plain text file.",
            ) from exc
    return str(model)


def _num(x: Any, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def _fit(kind: str, data_file: Path, model: str, std_lv: bool, as_json: bool) -> None:
    from tillit.sem import cfa, read_table, sem

    _json_mode(as_json)
    frame = read_table(data_file)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        result = (cfa if kind == "cfa" else sem)(model, frame, std_lv=std_lv)
    if as_json:
        emit_json({"ok": True, "file": data_file.name, **result.to_dict()})
        return
    f = result.fit
    click.echo(f"{result.title}: {data_file.name}, {result.n} cases")
    if result.n_dropped:
        click.echo(f"({result.n_dropped} incomplete rows dropped)")
    click.echo(
        f"chi-square {_num(f.chisq)} on {f.df} df (p = {_num(f.pvalue, 4)}); "
        f"CFI {_num(f.cfi)}; TLI {_num(f.tli)}; RMSEA {_num(f.rmsea)} "
        f"[{_num(f.rmsea_ci_low)}, {_num(f.rmsea_ci_high)}]; SRMR {_num(f.srmr)}"
    )
    click.echo("")
    p = result.parameters
    emit_table(
        ["lhs", "op", "rhs", "estimate", "se", "z", "p", "std.all"],
        [
            [
                r.lhs,
                r.op,
                r.rhs,
                _num(r.estimate),
                _num(r.se if r.free else math.nan),
                _num(r.z, 2),
                _num(r.p_value, 4),
                _num(r.std_all),
            ]
            for r in p.itertuples(index=False)
        ],
    )
    if not result.reliability.empty:
        click.echo("")
        emit_table(
            ["factor", "items", "omega", "alpha"],
            [
                [r.factor, r.k_items, _num(r.omega), _num(r.alpha)]
                for r in result.reliability.itertuples(index=False)
            ],
        )
    if kind == "sem" and not result.r2.empty:
        click.echo("")
        emit_table(
            ["variable", "R-square"],
            [[r.variable, _num(r.r2)] for r in result.r2.itertuples(index=False)],
        )
    for w in result.warnings:
        click.secho(f"warning: {w}", err=True, fg="yellow")


@click.group("model")
def model_group() -> None:
    """Trust models: confirmatory factor analysis, structural equation models, trust maps."""


_model_options = [
    click.option("-m", "--model", "model", default=None, help="Model in lavaan syntax."),
    click.option(
        "-f",
        "--model-file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        help="File with the model in lavaan syntax.",
    ),
    click.option("--std-lv", is_flag=True, help="Fix factor variances to 1 (not first loadings)."),
    click.option("--json", "as_json", is_flag=True, help="Print the result as JSON."),
]


def _with_model_options(func: Any) -> Any:
    for option in reversed(_model_options):
        func = option(func)
    return func


@model_group.command("cfa")
@click.argument("data_file", type=DATA_FILE)
@_with_model_options
def model_cfa(
    data_file: Path, model: str | None, model_file: Path | None, std_lv: bool, as_json: bool
) -> None:
    """Confirmatory factor analysis of DATA_FILE: loadings, fit and reliability per factor."""
    _fit("cfa", data_file, _model_text(model, model_file), std_lv, as_json)


@model_group.command("sem")
@click.argument("data_file", type=DATA_FILE)
@_with_model_options
def model_sem(
    data_file: Path, model: str | None, model_file: Path | None, std_lv: bool, as_json: bool
) -> None:
    """Structural equation model of DATA_FILE: factors, regressions and covariates.

    Example model: 'horizontal ~ vertical + log_pop' with the factors defined by =~.
    """
    _fit("sem", data_file, _model_text(model, model_file), std_lv, as_json)


def _read_items(path: Path) -> tuple[dict[str, tuple[str, str]], dict[str, tuple[float, float]]]:
    """Item mapping from JSON ({item: [from, to]} or {item: {from, to, min, max}}) or CSV
    (columns item, from, to, and optionally min, max)."""
    items: dict[str, tuple[str, str]] = {}
    scales: dict[str, tuple[float, float]] = {}
    try:
        if path.suffix.lower() == ".json":
            raw = json.loads(path.read_text(encoding="utf-8-sig"))
            if not isinstance(raw, dict):
                raise ValueError("expected an object {item: [from_group, to_group]}")
            for item, spec in raw.items():
                if isinstance(spec, dict):
                    items[item] = (str(spec["from"]), str(spec["to"]))
                    if "min" in spec and "max" in spec:
                        scales[item] = (float(spec["min"]), float(spec["max"]))
                else:
                    a, b = spec
                    items[item] = (str(a), str(b))
        else:
            import pandas as pd

            frame = pd.read_csv(path, sep=None, engine="python", encoding="utf-8-sig")
            for row in frame.to_dict("records"):
                items[str(row["item"])] = (str(row["from"]), str(row["to"]))
                if "min" in row and "max" in row:
                    scales[str(row["item"])] = (float(row["min"]), float(row["max"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CorruptFileError(
            f"{path.name}: not an item mapping ({type(exc).__name__}: {exc}).",
            hint="Give a CSV with columns item,from,to (optionally min,max), or JSON "
            '{"item": ["from_group", "to_group"]}.',
        ) from exc
    return items, scales


def _parse_scale(scale: str) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in scale.split(","))
    except ValueError:
        raise TillitError(
            f"--scale {scale!r} is not 'min,max'.", ErrorCode.USAGE, hint="E.g. --scale 0,10."
        ) from None
    return lo, hi


@model_group.command("trustmap")
@click.argument("data_file", type=DATA_FILE)
@click.option(
    "--items",
    "items_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Item mapping: CSV (item,from,to[,min,max]) or JSON.",
)
@click.option("--scale", default="0,10", show_default=True, help="Answer scale 'min,max'.")
@click.option("--by", default=None, help="Column with one map per value (e.g. country).")
@click.option("--min-n", default=5, show_default=True, help="Suppress edges with fewer answers.")
@click.option(
    "--svg-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write one SVG figure (and an HTML table) per group here.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def model_trustmap(
    data_file: Path,
    items_file: Path,
    scale: str,
    by: str | None,
    min_n: int,
    svg_dir: Path | None,
    as_json: bool,
) -> None:
    """Trust map of DATA_FILE: mean trust between actor groups, reciprocity and asymmetry."""
    from tillit.sem import read_table
    from tillit.sem.results import frame_records
    from tillit.sem.trustmap import to_html_table, to_svg, trust_map

    _json_mode(as_json)
    items, scales = _read_items(items_file)
    default = _parse_scale(scale)
    per_item = {item: scales.get(item, default) for item in items}
    tm = trust_map(read_table(data_file), items, scale=per_item, by=by, min_n=min_n)
    written: list[str] = []
    if svg_dir is not None:
        svg_dir.mkdir(parents=True, exist_ok=True)
        for group in tm.groups:
            stem = "trustmap" + (f"-{_slug(group)}" if by else "")
            (svg_dir / f"{stem}.svg").write_text(to_svg(tm, group), encoding="utf-8")
            (svg_dir / f"{stem}.html").write_text(to_html_table(tm, group), encoding="utf-8")
            written.append(str(svg_dir / f"{stem}.svg"))
    if as_json:
        emit_json(
            {
                "ok": True,
                "file": data_file.name,
                "groups": list(tm.groups),
                "by": by,
                "min_n": min_n,
                "edges": frame_records(tm.edges),
                "pairs": frame_records(tm.pairs),
                "svg": written,
            }
        )
        return
    for group in tm.groups:
        e = tm.edges[tm.edges.group == group]
        click.echo(f"Trust map: {group}" if by else "Trust map")
        emit_table(
            ["from", "to", "trust", "n", "CI"],
            [
                [
                    r.source,
                    r.target,
                    _num(r.weight, 2),
                    r.n,
                    f"[{_num(r.ci_low, 2)}, {_num(r.ci_high, 2)}]",
                ]
                for r in e.itertuples(index=False)
            ],
        )
        pairs = tm.pairs[(tm.pairs.group == group) & tm.pairs.reciprocal]
        if len(pairs):
            click.echo("")
            emit_table(
                ["a", "b", "a->b", "b->a", "min", "mean", "asymmetry"],
                [
                    [
                        r.a,
                        r.b,
                        _num(r.weight_ab, 2),
                        _num(r.weight_ba, 2),
                        _num(r.reciprocity_min, 2),
                        _num(r.reciprocity_mean, 2),
                        _num(r.asymmetry, 2),
                    ]
                    for r in pairs.itertuples(index=False)
                ],
            )
        click.echo("")
    for path in written:
        click.echo(f"wrote {path}")


def _slug(value: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in value)


COMMANDS: list[Any] = [model_group]
