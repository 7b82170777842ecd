"""`tillit register ...`: the reform register (issue mapping).

A thin group over :mod:`tillit.apps.mapping.services`: list and show initiatives, import and
export the register (CSV, XLSX), list and add national context events. Every command takes
``--dir``; data output has ``--json``. Exit codes: 0 success, 1 runtime failure, 2 usage error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from tillit.cli.context import dir_option, resolve_project_dir, setup_django
from tillit.cli.output import emit_json, emit_table
from tillit.errors import ErrorCode, NotFoundError, TillitError

json_option = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
user_option = click.option(
    "--user", "username", default=None, help="Account recorded as the actor in the audit trail."
)


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


def _user(name: str | None) -> Any:
    if not name:
        return None
    from django.contrib.auth import get_user_model

    u = get_user_model().objects.filter(username__iexact=name).first()
    if u is None:
        raise NotFoundError(f"There is no user {name!r}.", hint="Check the user name.")
    return u


def _as_dict(i: Any, with_evidence: bool = False) -> dict[str, Any]:
    from tillit import registry
    from tillit.apps.mapping import services

    out = {
        "number": i.pk,
        "id": str(i.uid),
        "municipality": registry.get(i.municipality_code, i.country).name,
        **services.snapshot(i),
    }
    if with_evidence:
        out["evidence"] = [services.evidence_spec(e) for e in i.evidence.all()]
        out["history"] = [
            {"at": r.at.isoformat(), "user": r.user_name, "action": r.action, "diff": r.diff}
            for r in i.revisions.all()
        ]
    return out


@click.group()
def register() -> None:
    """The reform register: initiatives per municipality, evidence, national context."""


@register.command("list")
@dir_option
@click.argument("project")
@click.option("--country", type=click.Choice(["no", "dk"], case_sensitive=False), default=None)
@click.option(
    "--status",
    type=click.Choice(["suggested", "planned", "active", "ended", "abandoned", "rejected"]),
    default=None,
)
@click.option("--year", type=int, default=None, help="Only initiatives that started this year.")
@click.option("--measure", default=None, help="Only initiatives with this measure concept id.")
@json_option
def register_list(
    project_dir: Path | None,
    project: str,
    country: str | None,
    status: str | None,
    year: int | None,
    measure: str | None,
    as_json: bool,
) -> None:
    """List the initiatives of PROJECT's register."""
    _setup(project_dir)
    from tillit.apps.mapping import services

    qs = services.initiatives_for(_project(project), country=country)
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(start_year=year)
    rows = [_as_dict(i) for i in qs if not measure or measure in i.measures]
    if as_json:
        emit_json(rows)
        return
    emit_table(
        ["number", "country", "code", "municipality", "start", "status", "title"],
        [
            [
                r["number"],
                r["country"],
                r["municipality_code"],
                r["municipality"],
                r["start_year"] or "-",
                r["status"],
                r["title"],
            ]
            for r in rows
        ],
    )


@register.command("show")
@dir_option
@click.argument("project")
@click.argument("municipality", required=False)
@click.option("--initiative", default=None, help="An initiative's number or id instead.")
@json_option
def register_show(
    project_dir: Path | None,
    project: str,
    municipality: str | None,
    initiative: str | None,
    as_json: bool,
) -> None:
    """Show every initiative of MUNICIPALITY (a code or a name), or one --initiative, with its
    evidence and history."""
    if (municipality is None) == (initiative is None):
        raise TillitError(
            "Give a municipality or --initiative (one of them).",
            ErrorCode.USAGE,
            hint="For example: tillit register show PROJECT 0301, or --initiative 12.",
        )
    _setup(project_dir)
    from tillit.apps.mapping import checks, services

    p = _project(project)
    heading = ""
    if municipality is not None:
        text = municipality.strip()
        code = text if text.isdigit() else None
        m = checks.resolve_municipality(code, None if code else text).municipality
        items = list(services.initiatives_for(p, m.code, m.country))
        heading = f"{m.name} ({m.country} {m.code})"
    else:
        items = [services.get_initiative(p, str(initiative))]
    data = [_as_dict(i, with_evidence=True) for i in items]
    if as_json:
        emit_json(data)
        return
    if heading:
        click.echo(f"{heading}: {len(items)} initiative(s)")
    for d in data:
        click.echo(f"\n#{d['number']} {d['title']}  [{d['status']}]  id {d['id']}")
        click.echo(f"  {d['municipality']} ({d['country']} {d['municipality_code']})")
        start = d["start_date"] or d["start_year"] or "unknown"
        click.echo(f"  start {start}, decided by {d['decided_by']}, scope {d['scope'] or '-'}")
        for name in ("sectors", "measures", "problem_perceptions"):
            if d[name]:
                click.echo(f"  {name}: {'; '.join(d[name])}")
        if d["notes"]:
            click.echo(f"  notes: {d['notes']}")
        for e in d["evidence"]:
            where = e["url"] or e["ref"]
            click.echo(f"  evidence ({e['kind']}): {e['title'] or ''} {where}".rstrip())
        click.echo(f"  history: {len(d['history'])} change(s)")


@register.command("import")
@dir_option
@click.argument("project")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@user_option
@json_option
def register_import(
    project_dir: Path | None,
    project: str,
    files: tuple[Path, ...],
    username: str | None,
    as_json: bool,
) -> None:
    """Import register rows (and evidence) from FILES: an .xlsx workbook, or CSV files.

    Every row is checked first; if any is wrong, every problem is listed and nothing changes.
    """
    for f in files:
        if not f.is_file():
            raise TillitError(f"No file {str(f)!r}.", ErrorCode.USAGE, hint="Check the path.")
    _setup(project_dir)
    from tillit.apps.mapping import services

    p, actor = _project(project), _user(username)
    try:
        result = services.do_import_register(
            p, [(f.name, f.read_bytes()) for f in files], actor=actor
        )
    except TillitError as exc:
        if not as_json and exc.errors:
            for e in exc.errors:
                where = f"{e['file']} row {e['row']}, {e['column']}"
                click.echo(f"{where}: {e['message']} {e['hint']}".rstrip(), err=True)
        raise
    if as_json:
        emit_json({"ok": True, **result.as_dict()})
        return
    click.echo(
        f"Imported {result.n_rows} rows: {result.n_created} new, {result.n_updated} changed, "
        f"{result.n_unchanged} unchanged; {result.n_evidence} evidence items added."
    )
    for w in result.warnings:
        click.echo(f"Note: {w}")


@register.command("export")
@dir_option
@click.argument("project")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="File to write: .xlsx (register and evidence sheets) or .csv (the register).",
)
@click.option(
    "--evidence",
    "evidence_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="With a .csv output: also write the evidence table to this .csv file.",
)
@json_option
def register_export(
    project_dir: Path | None,
    project: str,
    output: Path,
    evidence_path: Path | None,
    as_json: bool,
) -> None:
    """Export PROJECT's register to OUTPUT (.xlsx or .csv); re-importing it changes nothing."""
    suffix = output.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise TillitError(
            f"Cannot tell the format of {output.name}.",
            ErrorCode.USAGE,
            hint="Name the output file .xlsx or .csv.",
        )
    if evidence_path is not None and suffix != ".csv":
        raise TillitError(
            "--evidence is for CSV output; an .xlsx file holds the evidence sheet already.",
            ErrorCode.USAGE,
        )
    _setup(project_dir)
    from tillit.apps.mapping import services, tables

    reg, ev = services.export_tables(_project(project))
    if suffix == ".xlsx":
        output.write_bytes(tables.to_xlsx(reg, ev))
    else:
        output.write_bytes(tables.to_csv(reg))
        if evidence_path is not None:
            evidence_path.write_bytes(tables.to_csv(ev))
    summary = {
        "ok": True,
        "initiatives": len(reg) - 1,
        "evidence": len(ev) - 1,
        "output": str(output),
        "evidence_output": str(evidence_path) if evidence_path else None,
    }
    if as_json:
        emit_json(summary)
    else:
        click.echo(f"Wrote {summary['initiatives']} initiatives to {output}.")
        if evidence_path is not None:
            click.echo(f"Wrote {summary['evidence']} evidence items to {evidence_path}.")


@register.command("events")
@dir_option
@click.argument("project")
@click.option("--country", type=click.Choice(["NO", "DK", "SE", "all"], case_sensitive=False))
@json_option
def register_events(
    project_dir: Path | None, project: str, country: str | None, as_json: bool
) -> None:
    """List PROJECT's national context events (initiatives, agreements, milestones)."""
    _setup(project_dir)
    from tillit.apps.mapping.models import ContextEvent

    qs = ContextEvent.objects.filter(project=_project(project))
    if country:
        qs = qs.filter(country=country.upper() if country.lower() != "all" else "all")
    rows = [
        {
            "number": e.pk,
            "country": e.country,
            "year": e.year,
            "date": e.date.isoformat() if e.date else None,
            "kind": e.kind,
            "title": e.title,
            "description": e.description,
            "source": e.source,
            "source_url": e.source_url,
        }
        for e in qs
    ]
    if as_json:
        emit_json(rows)
        return
    emit_table(
        ["number", "when", "country", "kind", "title"],
        [[r["number"], r["date"] or r["year"], r["country"], r["kind"], r["title"]] for r in rows],
    )


@register.command("add-event")
@dir_option
@click.argument("project")
@click.option(
    "--country", required=True, type=click.Choice(["NO", "DK", "SE", "all"], case_sensitive=False)
)
@click.option("--title", required=True)
@click.option("--year", type=int, default=None)
@click.option("--date", "date_text", default=None, help="YYYY-MM-DD, when the day is known.")
@click.option(
    "--kind",
    type=click.Choice(["agreement", "platform", "programme", "guidance", "law", "debate", "other"]),
    default="other",
    show_default=True,
)
@click.option("--description", default="")
@click.option("--source", default="", help="Short citation of the source.")
@click.option("--source-url", default="", help="Address of the source.")
@user_option
@json_option
def register_add_event(
    project_dir: Path | None,
    project: str,
    country: str,
    title: str,
    year: int | None,
    date_text: str | None,
    kind: str,
    description: str,
    source: str,
    source_url: str,
    username: str | None,
    as_json: bool,
) -> None:
    """Add a national context event to PROJECT (a year or a date is required)."""
    if year is None and not date_text:
        raise TillitError("Give --year or --date.", ErrorCode.USAGE)
    _setup(project_dir)
    from tillit.apps.mapping import services

    e = services.do_create_context_event(
        _project(project),
        country=country if country.lower() != "all" else "all",
        title=title,
        year=year,
        date=date_text,
        kind=kind,
        description=description,
        source=source,
        source_url=source_url,
        actor=_user(username),
    )
    if as_json:
        emit_json({"ok": True, "number": e.pk, "year": e.year})
    else:
        click.echo(f"Added context event {e.pk}: {e.year} {e.title}.")


COMMANDS: list[Any] = [register]
