"""`tillit qda ...`: qualitative sources, codebooks, REFI-QDA, reliability, queries (issue qda).

A thin group over :mod:`tillit.apps.qda.services` and :mod:`tillit.qda`. Every command takes
``--dir``; commands that print data take ``--json``. Writes are recorded in the audit trail
under ``--user`` (default: the project's first owner). Exit codes: 0 success, 1 runtime
failure, 2 usage error.
"""

from __future__ import annotations

import datetime as dt
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
    help="Account recorded as the actor (default: the project's first owner).",
)
QUERY_KINDS = ("retrieve", "cooccurrence", "matrix", "words", "kwic")


def _setup(project_dir: Path | None) -> None:
    setup_django(resolve_project_dir(project_dir))


def _project(slug: str) -> Any:
    from tillit.apps.core.models import Project

    p = Project.objects.filter(slug=slug).first()
    if p is None:
        raise NotFoundError(
            f"There is no project {slug!r}.", hint="List projects with `tillit project list`."
        )
    return p


def _user(project: Any, name: str | None) -> Any:
    from django.contrib.auth import get_user_model

    from tillit.apps.core.models import Membership

    if not name:
        m = (
            Membership.objects.filter(project=project, role="owner")
            .select_related("user")
            .order_by("id")
            .first()
        )
        return m.user if m else None
    u = get_user_model().objects.filter(username__iexact=name).first()
    if u is None:
        raise NotFoundError(f"There is no user {name!r}.", hint="Check the user name.")
    return u


def _write(path: Path, data: bytes | str) -> None:
    if isinstance(data, str):
        data = data.encode()
    path.write_bytes(data)
    click.echo(f"Wrote {path} ({len(data):,} bytes).", err=True)


@click.group()
def qda() -> None:
    """Qualitative analysis: sources, codebook, REFI-QDA exchange, reliability, queries."""


@qda.command("sources")
@dir_option
@click.argument("project")
@json_option
def qda_sources(project_dir: Path | None, project: str, as_json: bool) -> None:
    """List the sources of PROJECT with their metadata and number of codings."""
    _setup(project_dir)
    from django.db.models import Count
    from django.db.models.functions import Length

    from tillit.apps.qda.models import Source

    rows = [
        {
            "id": s.pk,
            "guid": str(s.guid),
            "name": s.name,
            "kind": s.kind,
            "actor_type": s.actor_type,
            "municipality_code": s.municipality_code,
            "country": s.country,
            "language": s.language,
            "consent": s.consent,
            "length": s.n_chars,
            "codings": s.n_codings,
            "synthetic": s.is_synthetic,
        }
        for s in Source.objects.filter(project=_project(project))
        .annotate(n_codings=Count("codings"), n_chars=Length("text"))
        .defer("text")
        .order_by("name", "id")
    ]
    if as_json:
        emit_json(rows)
    else:
        keys = ["id", "name", "kind", "language", "consent", "length", "codings"]
        emit_table(keys, [[r[k] for k in keys] for r in rows])


@qda.command("import")
@dir_option
@click.argument("project")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--kind",
    type=click.Choice(["interview", "field_note", "observation", "document"]),
    default="document",
    show_default=True,
)
@click.option(
    "--actor-type",
    type=click.Choice(["union", "party", "ministry", "municipality", "association", "other"]),
    default=None,
)
@click.option("--organisation", default="", help="Organisation of the interviewee or author.")
@click.option("--municipality", default="", help="Registry code, e.g. 0301 or 101.")
@click.option("--country", default="", help="NO, DK or SE.")
@click.option("--language", default="", help="nb, nn, da, sv or en.")
@click.option("--date", "when", default=None, help="Date of the interview or document (ISO).")
@click.option("--interviewer", default="")
@click.option(
    "--consent",
    type=click.Choice(["obtained", "pending", "withdrawn", "not_needed"]),
    default="pending",
    show_default=True,
)
@click.option("--transcript", is_flag=True, help="Text files hold 'Speaker: text' turns.")
@click.option("--name", default=None, help="Source name (one file only; default: file title).")
@user_option
@json_option
def qda_import(
    project_dir: Path | None,
    project: str,
    files: tuple[Path, ...],
    kind: str,
    actor_type: str | None,
    organisation: str,
    municipality: str,
    country: str,
    language: str,
    when: str | None,
    interviewer: str,
    consent: str,
    transcript: bool,
    name: str | None,
    username: str | None,
    as_json: bool,
) -> None:
    """Import FILES (TXT, DOCX, ODT, PDF, HTML, VTT, SRT) as sources of PROJECT.

    Each file is imported on its own: a bad file is reported and changes nothing.
    """
    _setup(project_dir)
    from tillit.apps.qda import services

    if name and len(files) > 1:
        raise TillitError("--name works with one file only.", ErrorCode.USAGE)
    date = None
    if when:
        try:
            date = dt.date.fromisoformat(when)
        except ValueError as exc:
            raise TillitError(
                f"--date {when!r} is not a date.", ErrorCode.USAGE, hint="Write 2026-05-04."
            ) from exc
    p = _project(project)
    actor = _user(p, username)
    done, failed = [], []
    meta = {
        "kind": kind,
        "actor_type": actor_type or "",
        "organisation": organisation,
        "municipality_code": municipality,
        "country": country,
        "language": language,
        "date": date,
        "interviewer": interviewer,
        "consent": consent,
    }
    with click.progressbar(files, label="Importing", file=sys.stderr) as bar:
        for path in bar:
            try:
                s = services.do_import_source(
                    p,
                    path.name,
                    path.read_bytes(),
                    actor=actor,
                    transcript=transcript,
                    **({"name": name} if name else {}),
                    **meta,
                )
            except TillitError as exc:
                failed.append({"file": str(path), "error": exc.message, "hint": exc.hint})
            else:
                done.append(
                    {
                        "file": str(path),
                        "id": s.pk,
                        "name": s.name,
                        "length": len(s.text),
                        "segments": s.segments.count(),
                    }
                )
    if as_json:
        emit_json({"ok": not failed, "imported": done, "failed": failed})
    else:
        for d in done:
            click.echo(f"Imported {d['file']} as source {d['id']} ({d['length']} characters).")
        for f in failed:
            click.secho(f"Error: {f['file']}: {f['error']} {f['hint']}".strip(), err=True, fg="red")
    if failed:
        sys.exit(1)


@qda.command("codes")
@dir_option
@click.argument("project")
@click.option(
    "--starter",
    type=click.Choice(["en", "nb", "da"]),
    default=None,
    help="First add the starter codebook from the taxonomy, names in this language.",
)
@user_option
@json_option
def qda_codes(
    project_dir: Path | None,
    project: str,
    starter: str | None,
    username: str | None,
    as_json: bool,
) -> None:
    """List the codebook of PROJECT as a tree (optionally adding the starter codebook)."""
    _setup(project_dir)
    from django.db.models import Count

    from tillit.apps.qda import services_codebook
    from tillit.apps.qda.views import code_tree

    p = _project(project)
    if starter:
        created = services_codebook.do_create_starter_codebook(
            p, actor=_user(p, username), lang=starter
        )
        click.echo(f"Added {len(created)} codes.", err=True)
    counts = dict(
        p.qda_codes.annotate(n=Count("codings")).values_list("pk", "n")  # type: ignore[attr-defined]
    )
    rows = [
        {
            "id": c.pk,
            "guid": str(c.guid),
            "name": c.name,
            "depth": depth,
            "parent": c.parent_id,
            "concept": c.concept_id,
            "colour": c.colour,
            "codings": counts.get(c.pk, 0),
        }
        for c, depth in code_tree(p)
    ]
    if as_json:
        emit_json(rows)
    else:
        emit_table(
            ["id", "code", "concept", "codings"],
            [[r["id"], "  " * r["depth"] + r["name"], r["concept"], r["codings"]] for r in rows],
        )


@qda.command("export-qdpx")
@dir_option
@click.argument("project")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@user_option
def qda_export_qdpx(
    project_dir: Path | None, project: str, out: Path, username: str | None
) -> None:
    """Write PROJECT as a REFI-QDA project (.qdpx), validated against Project.xsd."""
    _setup(project_dir)
    from tillit.apps.qda import services_exchange

    p = _project(project)
    _write(out, services_exchange.do_export_qdpx(p, actor=_user(p, username)))


@qda.command("import-qdpx")
@dir_option
@click.argument("project")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@user_option
@json_option
def qda_import_qdpx(
    project_dir: Path | None, project: str, file: Path, username: str | None, as_json: bool
) -> None:
    """Import a REFI-QDA project (.qdpx) into PROJECT: all or nothing; lists what tillit cannot
    represent."""
    _setup(project_dir)
    from tillit.apps.qda import services_exchange

    p = _project(project)
    report = services_exchange.do_import_qdpx(p, file.read_bytes(), actor=_user(p, username))
    if as_json:
        emit_json({"ok": True, **report})
        return
    click.echo(
        f"Imported {report['sources']} sources, {report['codes']} codes, "
        f"{report['codings']} codings, {report['memos']} memos, {report['cases']} cases, "
        f"{report['sets']} sets."
    )
    for line in report["not_represented"]:
        click.echo(f"Not represented: {line}", err=True)
    for line in report["warnings"]:
        click.echo(f"Warning: {line}", err=True)


@qda.command("export-qdc")
@dir_option
@click.argument("project")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def qda_export_qdc(project_dir: Path | None, project: str, out: Path) -> None:
    """Write the codebook of PROJECT as a REFI-QDA codebook (.qdc)."""
    _setup(project_dir)
    from tillit.apps.qda import refi

    _write(out, refi.export_codebook(_project(project)))


@qda.command("import-qdc")
@dir_option
@click.argument("project")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@user_option
@json_option
def qda_import_qdc(
    project_dir: Path | None, project: str, file: Path, username: str | None, as_json: bool
) -> None:
    """Import a REFI-QDA codebook (.qdc) into PROJECT (codes matched by GUID are updated)."""
    _setup(project_dir)
    from tillit.apps.qda import services_codebook

    p = _project(project)
    report = services_codebook.do_import_qdc(p, file.read_bytes(), actor=_user(p, username))
    if as_json:
        emit_json({"ok": True, **report})
    else:
        click.echo(f"Added {report['added']} codes, updated {report['updated']}.")


def _frame_json(frame: Any) -> list[dict[str, Any]]:
    import json

    return list(json.loads(frame.to_json(orient="records", force_ascii=False)))


def _save_table(out: Path, table: Any, sheets: dict[str, Any], title: str) -> None:
    import tillit.qda.export as export

    suffix = out.suffix.lower()
    if suffix == ".csv":
        _write(out, export.to_csv(table))
    elif suffix == ".xlsx":
        _write(out, export.to_xlsx(sheets))
    elif suffix in (".html", ".htm"):
        _write(out, export.html_report(title, list(sheets.items())))
    else:
        raise TillitError(
            f"{out.name}: cannot tell the format from {suffix or 'no extension'}.",
            ErrorCode.USAGE,
            hint="End the file name in .csv, .xlsx or .html.",
        )


@qda.command("reliability")
@dir_option
@click.argument("project")
@click.option("--coder-a", required=True, help="User name of the first coder.")
@click.option("--coder-b", required=True, help="User name of the second coder.")
@click.option("--exclude-uncoded", is_flag=True, help="Leave out text nobody coded.")
@click.option(
    "--threshold",
    type=float,
    default=0.9,
    show_default=True,
    help="Segment overlap (intersection / union) for a match.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the tables to a .csv, .xlsx or .html file.",
)
@json_option
def qda_reliability(
    project_dir: Path | None,
    project: str,
    coder_a: str,
    coder_b: str,
    exclude_uncoded: bool,
    threshold: float,
    out: Path | None,
    as_json: bool,
) -> None:
    """Intercoder reliability of two coders: percent agreement and Cohen's kappa per code and
    overall (characters), Krippendorff's alpha, and the segment overlap table."""
    _setup(project_dir)
    from tillit.apps.qda.models import Source
    from tillit.apps.qda.views_analysis import reliability_report

    if not 0 < threshold <= 1:
        raise TillitError("--threshold must be above 0 and at most 1.", ErrorCode.USAGE)
    p = _project(project)
    report = reliability_report(
        p,
        Source.objects.filter(project=p),
        {
            "coder_a": coder_a,
            "coder_b": coder_b,
            "exclude_uncoded": exclude_uncoded,
            "threshold": threshold,
        },
    )
    if "error" in report:
        raise TillitError(
            str(report["error"]),
            ErrorCode.INVALID_INPUT,
            hint="List coders' work with `tillit qda query PROJECT 'coder:NAME'`.",
        )
    agreement, alpha, overlap = report["agreement"], report["alpha"], report["overlap"]
    if out is not None:
        _save_table(out, report["agreement_table"], report["sheets"], f"{p.name}: reliability")
    data = {
        "coder_a": coder_a,
        "coder_b": coder_b,
        "uncoded": report["uncoded"],
        "overall_agreement": agreement.overall_agreement,
        "overall_kappa": agreement.overall_kappa,
        "mean_kappa": agreement.mean_kappa,
        "overall_alpha": alpha.overall_alpha,
        "unitizing_alpha": report["unitizing"].alpha,
        "segment_agreement": overlap.percent_agreement,
        "kappa_bp": overlap.kappa_bp,
        "threshold": overlap.threshold,
        "codes": _frame_json(report["agreement_table"]),
        "disagreements": _frame_json(report["sheets"]["disagreements"]),
    }
    if as_json:
        emit_json(data)
        return
    click.echo(f"Percent agreement  {100 * data['overall_agreement']:.1f} %")
    click.echo(
        f"Cohen's kappa      {data['overall_kappa']:.3f} (mean over codes {data['mean_kappa']:.3f})"
    )
    click.echo(
        f"Krippendorff alpha {data['overall_alpha']:.3f} (unitizing {data['unitizing_alpha']:.3f})"
    )
    click.echo(
        f"Segment agreement  {100 * data['segment_agreement']:.1f} % "
        f"(threshold {threshold}); {len(data['disagreements'])} disagreements"
    )
    table = report["agreement_table"]
    emit_table(
        ["code", "both", "only_a", "only_b", "agreement", "kappa", "alpha"],
        [
            [
                r.code,
                r.both,
                r.only_a,
                r.only_b,
                f"{r.agreement:.3f}",
                f"{r.kappa:.3f}",
                f"{r.alpha:.3f}",
            ]
            for r in table.itertuples()
        ],
    )


@qda.command("query")
@dir_option
@click.argument("project")
@click.argument("expression", required=False, default="")
@click.option(
    "--kind",
    type=click.Choice(QUERY_KINDS),
    default="retrieve",
    show_default=True,
    help="retrieve: coded segments matching EXPRESSION; cooccurrence: code "
    "co-occurrence; matrix: codes by --by; words: word frequencies; kwic: keyword "
    "EXPRESSION in context.",
)
@click.option(
    "--by",
    default="case",
    show_default=True,
    help="Matrix columns: case, source, coder or an attribute name.",
)
@click.option("--language", default=None, help="Stemming language for words and kwic (nb, da).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the result to a .csv, .xlsx or .html file.",
)
@json_option
def qda_query(
    project_dir: Path | None,
    project: str,
    expression: str,
    kind: str,
    by: str,
    language: str | None,
    out: Path | None,
    as_json: bool,
) -> None:
    """Run a query on PROJECT: coded segments (EXPRESSION such as 'Vertical trust AND NOT
    coder:anna', 'A OVERLAPS B', 'A NEAR/200 B'), co-occurrence, matrix, words, kwic."""
    _setup(project_dir)
    import tillit.qda.queries as qq
    from tillit.apps.qda import queries
    from tillit.apps.qda.models import Source

    p = _project(project)
    sources = Source.objects.filter(project=p)
    frame = queries.codings_frame(sources)
    paths = queries.code_paths(p)
    names = dict(sources.values_list("pk", "name"))
    sheets: dict[str, Any]
    if kind == "retrieve":
        if not expression:
            raise TillitError(
                "Give a query EXPRESSION.",
                ErrorCode.USAGE,
                hint="For example: tillit qda query study 'Vertical trust'.",
            )
        table = qq.run_query(
            expression, frame, texts=queries.texts(sources), data=queries.query_data(p, sources)
        )
        table.insert(0, "source", table["source_id"].map(names))
        table.insert(1, "code", table["code_id"].map(paths))
        sheets = {"segments": table}
    elif kind == "cooccurrence":
        result = qq.cooccurrence(frame)
        table = result.pairs.assign(
            code_a=result.pairs["code_a"].map(paths), code_b=result.pairs["code_b"].map(paths)
        )
        sheets = result.sheets()
    elif kind == "matrix":
        result = qq.code_matrix(
            frame, by, data=queries.query_data(p, sources), texts=queries.texts(sources)
        )
        table = result.counts.rename(index=paths).reset_index()
        sheets = {"counts": table, "segments": result.cells}
    elif kind == "words":
        table = qq.word_frequencies(
            queries.texts(sources), language=language, stem=language is not None, top=200
        )
        sheets = {"words": table}
    else:
        if not expression:
            raise TillitError("Give the keyword as EXPRESSION.", ErrorCode.USAGE)
        table = qq.kwic(
            queries.texts(sources), expression, language=language, stem=language is not None
        )
        sheets = {"kwic": table}
    if out is not None:
        _save_table(out, table, sheets, f"{p.name}: {kind}")
    if as_json:
        emit_json(_frame_json(table))
    elif out is None:
        cols = [str(c) for c in table.columns][:8]
        emit_table(cols, [[str(v)[:60] for v in row] for row in table[cols].head(200).values])


COMMANDS: list[Any] = [qda]
