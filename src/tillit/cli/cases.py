"""`tillit cases ...`: the case matrix, its exports, QCA on it, and trust models of a survey.

A thin group over :mod:`tillit.apps.cases` (matrix, qca, trust, exports, services). Every command
takes ``--dir``; commands that print data take ``--json``. Survey columns (one municipality's
answers: personal data) need ``--user`` naming an owner or researcher of the project, and each
use is recorded in the audit trail; exports carry them only with ``--pseudonymous``. Exit codes:
0 success, 1 runtime failure or bad data, 2 usage error.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import click

from tillit.cli.context import dir_option, resolve_project_dir, setup_django
from tillit.cli.output import emit_json, emit_table
from tillit.errors import ErrorCode, NotFoundError, TillitError

json_option = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
user_option = click.option(
    "--user",
    "username",
    default=None,
    help="Member acting (needed for survey columns and for saving; audited).",
)


def _rows_options(f: Any) -> Any:
    f = click.option(
        "--codes", default=None, help="Only these municipalities (comma-separated codes or names)."
    )(f)
    f = click.option(
        "--country",
        "countries",
        multiple=True,
        type=click.Choice(["NO", "DK"]),
        help="Only municipalities of this country (repeatable).",
    )(f)
    f = click.option(
        "--unit",
        type=click.Choice(["municipality", "qda_case"]),
        default="municipality",
        help="Rows: municipalities (default) or the cases of the qualitative project.",
    )(f)
    f = click.option("--columns", default=None, help="Comma-separated column ids.")(f)
    f = click.option("--saved", default=None, help="Name (or number) of a saved case matrix.")(f)
    return f


def _setup(project_dir: Path | None, as_json: bool = False) -> None:
    if as_json:
        click.get_current_context().meta["tillit.json"] = True
    setup_django(resolve_project_dir(project_dir))


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _project(slug: str) -> Any:
    from tillit.apps.core.models import Project

    p = Project.objects.filter(slug=slug).first()
    if p is None:
        raise NotFoundError(
            f"There is no project {slug!r}.", hint="List projects with `tillit project list`."
        )
    return p


def _member(project: Any, username: str | None, need: str) -> Any:
    """The user and whether their role allows ``need`` (None: no --user)."""
    if not username:
        return None
    from django.contrib.auth import get_user_model

    from tillit.apps.core.access import role_in

    u = get_user_model().objects.filter(username__iexact=username).first()
    if u is None:
        raise NotFoundError(f"There is no user {username!r}.", hint="Check the user name.")
    role = role_in(u, project)
    from tillit.apps.core.roles import PERMISSIONS

    if role is None or not PERMISSIONS[need](role):
        raise TillitError(
            f"{username} may not do this in project {project.slug} "
            f"(role: {role.value if role else 'not a member'}).",
            ErrorCode.PERMISSION,
            hint="Survey columns and pseudonymous exports need an owner or researcher; saving "
            "needs a researcher or owner.",
        )
    return u


def _num(x: Any, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if isinstance(x, float):
        return str(int(x)) if x.is_integer() else f"{x:.{digits}f}"
    return str(x)


def _plain(v: Any) -> Any:
    import numpy as np

    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def _matrix(
    project: Any,
    saved: str | None,
    columns: str | None,
    unit: str,
    countries: tuple[str, ...],
    codes: str | None,
    user: Any,
):
    from tillit.apps.cases import matrix as mx
    from tillit.apps.cases import services

    if saved:
        cm = services.get_matrix(project, saved)
        cols, spec = list(cm.columns), mx.RowSpec.from_dict(cm.rows, cm.unit)
        if columns:
            cols = _split(columns)
    else:
        cols = _split(columns)
        if not cols:
            cols = [
                c.id
                for c in mx.available_columns(project, personal=False)
                if c.source in ("registry", "register")
            ][:8]
        spec = mx.RowSpec.from_dict({"countries": list(countries), "codes": _split(codes)}, unit)
    if countries or codes:
        spec = mx.RowSpec(
            spec.unit,
            tuple(countries) or spec.countries,
            tuple(mx.normalise_key(c) for c in _split(codes)) or spec.codes,
            spec.sources,
        )
    personal = services.uses_personal(cols)
    if personal and user is None:
        raise TillitError(
            "Survey columns show one municipality's answers (personal data).",
            ErrorCode.PERMISSION,
            hint="Add --user naming an owner or researcher of the project (the access is "
            "recorded), or leave the survey columns out.",
        )
    m = mx.build(project, cols, spec, personal=personal)
    if personal:
        mx.audit_personal_access(project, m, actor=user, purpose="cli:case-matrix")
    return m


@click.group()
def cases() -> None:
    """Case comparison: the case matrix, exports, QCA, and trust models of a survey."""


@cases.command("columns")
@dir_option
@click.argument("project")
@user_option
@json_option
def cases_columns(project_dir: Path | None, project: str, username: str | None, as_json: bool):
    """List the columns the project's data can fill (survey columns only with --user)."""
    _setup(project_dir, as_json)
    from tillit.apps.cases import matrix as mx

    p = _project(project)
    user = _member(p, username, "personal_data") if username else None
    cols = mx.available_columns(p, personal=user is not None)
    if as_json:
        emit_json([c.as_dict() for c in cols])
        return
    emit_table(["column", "source", "label"], [[c.id, c.source, c.label] for c in cols])


@cases.command("list")
@dir_option
@click.argument("project")
@json_option
def cases_list(project_dir: Path | None, project: str, as_json: bool) -> None:
    """List the saved case matrices and QCA models."""
    _setup(project_dir, as_json)
    from tillit.apps.cases.models import CaseMatrix, QcaModel

    p = _project(project)
    ms = [
        {
            "id": m.pk,
            "name": m.name,
            "unit": m.unit,
            "columns": m.columns,
            "rows": m.rows,
            "synthetic": m.is_synthetic,
        }
        for m in CaseMatrix.objects.filter(project=p)
    ]
    qs = [
        {
            "id": q.pk,
            "name": q.name,
            "matrix": q.matrix.name,
            "outcome": q.outcome,
            "conditions": q.conditions,
            "incl_cut": q.incl_cut,
            "n_cut": q.n_cut,
            "pri_cut": q.pri_cut,
            "synthetic": q.is_synthetic,
        }
        for q in QcaModel.objects.filter(project=p).select_related("matrix")
    ]
    if as_json:
        emit_json({"matrices": ms, "qca": qs})
        return
    click.echo("Case matrices")
    emit_table(
        ["id", "name", "rows", "columns"],
        [[m["id"], m["name"], m["unit"], len(m["columns"])] for m in ms],
    )
    click.echo("\nQCA models")
    emit_table(
        ["id", "name", "matrix", "outcome", "conditions"],
        [
            [
                q["id"],
                q["name"],
                q["matrix"],
                q["outcome"].get("name", ""),
                ", ".join(c["name"] for c in q["conditions"]),
            ]
            for q in qs
        ],
    )


@cases.command("matrix")
@dir_option
@click.argument("project")
@_rows_options
@click.option("--save", "save_as", default=None, help="Save the set-up under this name.")
@click.option("--evidence", is_flag=True, help="With --json: add each cell's evidence links.")
@user_option
@json_option
def cases_matrix(
    project_dir: Path | None,
    project: str,
    saved: str | None,
    columns: str | None,
    unit: str,
    countries: tuple[str, ...],
    codes: str | None,
    save_as: str | None,
    evidence: bool,
    username: str | None,
    as_json: bool,
) -> None:
    """Print the case matrix of PROJECT (a saved one, or the columns and rows given)."""
    _setup(project_dir, as_json)
    from tillit.apps.cases import services

    p = _project(project)
    need = "personal_data" if services.uses_personal(_split(columns)) else "view"
    user = _member(p, username, need)
    m = _matrix(p, saved, columns, unit, countries, codes, user)
    if save_as:
        if user is None:
            raise TillitError("--save needs --user (a researcher or owner).", ErrorCode.USAGE)
        _member(p, username, "edit")
        services.do_save_matrix(
            p,
            name=save_as,
            columns=[c.id for c in m.columns],
            unit=m.unit,
            rows={"countries": list(countries), "codes": _split(codes)},
            actor=user,
        )
        click.echo(f"Saved case matrix {save_as!r}.", err=True)
    frame = m.labelled()
    if as_json:
        out: dict[str, Any] = {
            "unit": m.unit,
            "columns": [c.as_dict() for c in m.columns],
            "rows": [{k: _plain(v) for k, v in r.items()} for r in frame.to_dict("records")],
        }
        if evidence:
            out["evidence"] = [
                {"row": r, "column": c, "refs": [x.as_dict() for x in refs]}
                for (r, c), refs in m.evidence.items()
            ]
        emit_json(out)
        return
    emit_table(list(frame.columns), [[_num(v) for v in row] for row in frame.to_numpy().tolist()])


@cases.command("export")
@dir_option
@click.argument("project")
@_rows_options
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="File to write (.csv, .xlsx or .parquet).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx", "parquet"]),
    default=None,
    help="Default: from the file suffix.",
)
@click.option(
    "--pseudonymous",
    is_flag=True,
    help="Pseudonyms instead of municipality codes and names, with the survey columns (needs "
    "--user with the owner or researcher role; audited).",
)
@user_option
def cases_export(
    project_dir: Path | None,
    project: str,
    saved: str | None,
    columns: str | None,
    unit: str,
    countries: tuple[str, ...],
    codes: str | None,
    output: Path,
    fmt: str | None,
    pseudonymous: bool,
    username: str | None,
) -> None:
    """Export the case matrix to CSV, XLSX or Parquet."""
    fmt = fmt or output.suffix.lstrip(".").lower()
    if fmt not in ("csv", "xlsx", "parquet"):
        raise TillitError(
            f"Cannot tell the format from {output.name!r}.",
            ErrorCode.USAGE,
            hint="Use a .csv, .xlsx or .parquet file name, or --format.",
        )
    if output.parent and not output.parent.exists():
        raise TillitError(f"The folder {output.parent} does not exist.", ErrorCode.USAGE)
    if pseudonymous and not username:
        raise TillitError(
            "--pseudonymous needs --user naming an owner or researcher.", ErrorCode.USAGE
        )
    _setup(project_dir)
    from tillit.apps.cases import exports, services
    from tillit.apps.cases import matrix as mx

    p = _project(project)
    user = _member(p, username, "personal_data" if pseudonymous else "view")
    cols = _split(columns) or (list(services.get_matrix(p, saved).columns) if saved else [])
    if not pseudonymous:
        dropped = [c for c in cols if c.startswith("survey.")]
        if dropped:
            click.echo(
                f"Left out {len(dropped)} survey column(s): identified exports never carry one "
                "municipality's answers (use --pseudonymous).",
                err=True,
            )
        cols = [c for c in cols if c not in dropped]
    m = _matrix(p, saved, ",".join(cols) or None, unit, countries, codes, user)
    f = exports.export(
        m,
        fmt,
        form="pseudonymous" if pseudonymous else "identified",
        project=p,
        stem=f"{p.slug}_case_matrix",
        synthetic=p.is_synthetic,
    )
    output.write_bytes(f.content)
    if pseudonymous and any(c.personal for c in m.columns):
        mx.audit_personal_access(p, m, actor=user, purpose=f"cli:export:{fmt}")
    click.echo(f"Wrote {output} ({len(f.content):,} bytes, {len(m.rows)} rows).")


def _assignments(values: tuple[str, ...], option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for v in values:
        name, sep, rest = v.partition("=")
        if not sep or not name.strip() or not rest.strip():
            raise TillitError(
                f"{option} {v!r}: write NAME=VALUE.",
                ErrorCode.USAGE,
                hint=f"For example {option} SIZE=registry.population.",
            )
        out[name.strip()] = rest.strip()
    return out


@cases.command("qca")
@dir_option
@click.argument("project")
@click.option("--model", "model_name", default=None, help="A saved QCA model (name or number).")
@click.option("--matrix", "matrix_name", default=None, help="The saved case matrix to use.")
@click.option("--outcome", default=None, help="NAME=COLUMN, e.g. ADOPT=register.adopted.")
@click.option("--condition", "conditions", multiple=True, help="NAME=COLUMN (repeatable).")
@click.option(
    "--calibrate",
    "calibrations",
    multiple=True,
    help="NAME=TYPE:THRESHOLDS, e.g. SIZE=fuzzy:e=5000,c=20000,i=100000 or "
    "YEAR=crisp:2015 (default: the column as it is).",
)
@click.option(
    "--expect",
    "expectations",
    multiple=True,
    help="NAME=1 or NAME=0: directional expectation (intermediate solution).",
)
@click.option("--incl-cut", type=float, default=None, help="Inclusion cut (default 0.8).")
@click.option("--n-cut", type=int, default=None, help="Frequency cut (default 1).")
@click.option("--pri-cut", type=float, default=None, help="PRI cut (default 0).")
@click.option("--negate", is_flag=True, help="Analyse the negated outcome.")
@click.option("--save", "save_as", default=None, help="Save the set-up as a QCA model.")
@user_option
@json_option
def cases_qca(
    project_dir: Path | None,
    project: str,
    model_name: str | None,
    matrix_name: str | None,
    outcome: str | None,
    conditions: tuple[str, ...],
    calibrations: tuple[str, ...],
    expectations: tuple[str, ...],
    incl_cut: float | None,
    n_cut: int | None,
    pri_cut: float | None,
    negate: bool,
    save_as: str | None,
    username: str | None,
    as_json: bool,
) -> None:
    """QCA on a saved case matrix: truth table, necessity, and the three solutions."""
    if not model_name and not (matrix_name and outcome and conditions):
        raise TillitError(
            "Give --model NAME, or --matrix, --outcome and at least one --condition.",
            ErrorCode.USAGE,
            hint="Example: tillit cases qca PROJECT --matrix demo --outcome ADOPT=register.adopted "
            "--condition DK=... --calibrate ...",
        )
    _setup(project_dir, as_json)
    from tillit.apps.cases import matrix as mx
    from tillit.apps.cases import qca as qcas
    from tillit.apps.cases import services

    p = _project(project)
    if model_name:
        qm = services.get_qca(p, model_name)
        cm = qm.matrix
        out = qcas.SetSpec.from_dict(qm.outcome)
        conds = [qcas.SetSpec.from_dict(c) for c in qm.conditions]
        cuts = {"incl_cut": qm.incl_cut, "n_cut": qm.n_cut, "pri_cut": qm.pri_cut}
    else:
        cm = services.get_matrix(p, str(matrix_name))
        cal = _assignments(calibrations, "--calibrate")
        exp = _assignments(expectations, "--expect")

        def spec(name: str, column: str) -> qcas.SetSpec:
            kind, _sep, th = cal.get(name, "asis").partition(":")
            return qcas.SetSpec(column, name, kind, th, exp.get(name, "-"))

        ((oname, ocol),) = _assignments((str(outcome),), "--outcome").items()
        out = spec(oname, ocol)
        conds = [spec(n, c) for n, c in _assignments(conditions, "--condition").items()]
        unknown = sorted((set(cal) | set(exp)) - {oname, *(c.name for c in conds)})
        if unknown:
            raise TillitError(
                f"--calibrate/--expect name sets that are not used: {', '.join(unknown)}.",
                ErrorCode.USAGE,
            )
        cuts = {"incl_cut": 0.8, "n_cut": 1, "pri_cut": 0.0}
    for key, v in (("incl_cut", incl_cut), ("n_cut", n_cut), ("pri_cut", pri_cut)):
        if v is not None:
            cuts[key] = v
    personal = services.uses_personal(cm.columns)
    user = _member(p, username, "personal_data" if personal else "view")
    if personal and user is None:
        raise TillitError(
            f"The matrix {cm.name!r} has survey columns (personal data).",
            ErrorCode.PERMISSION,
            hint="Add --user naming an owner or researcher of the project (recorded).",
        )
    m = services.build_saved(cm, personal=personal)
    if personal:
        mx.audit_personal_access(p, m, actor=user, purpose="cli:qca")
    result = qcas.run(m, out, conds, negate=negate, **cuts)
    if save_as:
        if user is None:
            raise TillitError("--save needs --user (a researcher or owner).", ErrorCode.USAGE)
        _member(p, username, "edit")
        services.do_save_qca(
            cm,
            name=save_as,
            outcome=out.as_dict(),
            conditions=[c.as_dict() for c in conds],
            actor=user,
            **cuts,
        )
        click.echo(f"Saved QCA model {save_as!r}.", err=True)
    if as_json:
        emit_json(
            {
                "matrix": cm.name,
                "outcome": out.as_dict(),
                "conditions": [c.as_dict() for c in conds],
                **cuts,
                "negate": negate,
                **result.as_dict(),
            }
        )
        return
    for n in result.notes:
        click.echo(n)
    click.echo(result.truth_table.summary())
    if result.necessity is not None:
        click.echo("\nNecessity")
        click.echo(result.necessity.summary())
    for kind in ("conservative", "parsimonious", "intermediate"):
        click.echo(f"\n{kind.capitalize()} solution")
        if kind in result.solutions:
            click.echo(result.solutions[kind].summary())
        else:
            click.echo(result.errors.get(kind, ""))


def _survey(project: Any, slug: str) -> Any:
    from tillit.apps.surveys.models import Survey

    s = Survey.objects.filter(project=project, slug=slug).select_related("instrument").first()
    if s is None:
        raise NotFoundError(
            f"Project {project.slug!r} has no survey {slug!r}.",
            hint=f"List its surveys with `tillit survey list {project.slug}`.",
        )
    return s


def _fit_table(res: Any) -> None:
    from tillit.apps.cases import trust

    emit_table(["measure", "value"], [[name, _num(v)] for name, v in trust.fit_rows(res)])


@cases.command("cfa")
@dir_option
@click.argument("project")
@click.argument("survey")
@click.option(
    "--scales", default=None, help="Comma-separated trust scales (default: vertical,horizontal)."
)
@click.option("--country", type=click.Choice(["NO", "DK"]), default=None)
@click.option(
    "--model",
    "model_text",
    default=None,
    help="A structural model in lavaan syntax instead of the scales' CFA.",
)
@json_option
def cases_cfa(
    project_dir: Path | None,
    project: str,
    survey: str,
    scales: str | None,
    country: str | None,
    model_text: str | None,
    as_json: bool,
) -> None:
    """CFA of the trust scales of SURVEY (or an SEM with --model): fit, loadings, reliability."""
    _setup(project_dir, as_json)
    from tillit.apps.cases import trust

    p = _project(project)
    st = trust.load(_survey(p, survey))
    data = trust.subset(st, country)
    k = int(p.k_threshold)
    if model_text:
        res = trust.fit(model_text, data, kind="sem", k=k)
    else:
        syntax = trust.cfa_syntax(st, _split(scales) or list(st.scales)[:2])
        res = trust.fit(syntax, data, kind="cfa", k=k)
    if as_json:
        emit_json(res.to_dict())
        return
    click.echo(res.model)
    _fit_table(res)
    click.echo("")
    lo = trust.loadings(res)
    emit_table(
        ["factor", "item", "estimate", "se", "std_all"],
        [[r.lhs, r.rhs, _num(r.estimate), _num(r.se), _num(r.std_all)] for r in lo.itertuples()],
    )
    if not res.reliability.empty:
        click.echo("")
        emit_table(
            list(res.reliability.columns),
            [[_num(v) for v in row] for row in res.reliability.to_numpy().tolist()],
        )


@cases.command("trustmap")
@dir_option
@click.argument("project")
@click.argument("survey")
@click.option(
    "--country",
    type=click.Choice(["NO", "DK"]),
    default=None,
    help="Write this country's map (with --output).",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the map as SVG.",
)
@json_option
def cases_trustmap(
    project_dir: Path | None,
    project: str,
    survey: str,
    country: str | None,
    output: Path | None,
    as_json: bool,
) -> None:
    """Trust maps (directed trust between actor groups) of SURVEY by country."""
    if output is not None and country is None:
        raise TillitError("--output needs --country NO or DK.", ErrorCode.USAGE)
    _setup(project_dir, as_json)
    from tillit.apps.cases import trust

    p = _project(project)
    st = trust.load(_survey(p, survey))
    k = int(p.k_threshold)
    tm = trust.trustmap(st, k=k)
    if output is not None:
        title = f"{'SYNTHETIC ' if st.synthetic else ''}Trust between actor groups: {country}"
        output.write_text(trust.trustmap_svg(st, country, k=k, title=title), encoding="utf-8")
        click.echo(f"Wrote {output}.", err=True)
    edges = tm.edges if country is None else tm.edges[tm.edges.group == country]
    if as_json:
        emit_json(
            {
                "survey": survey,
                "groups": list(tm.groups),
                "min_n": tm.min_n,
                "edges": [{k2: _plain(v) for k2, v in r.items()} for r in edges.to_dict("records")],
                "pairs": [
                    {k2: _plain(v) for k2, v in r.items()} for r in tm.pairs.to_dict("records")
                ],
            }
        )
        return
    emit_table(
        ["group", "from", "to", "weight", "n"],
        [[r.group, r.source, r.target, _num(r.weight), r.n] for r in edges.itertuples()],
    )
    if sys.stdout.isatty():
        click.echo("\nWeights are mean trust rescaled to 0..1.")


COMMANDS = [cases]
