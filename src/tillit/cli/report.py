"""`tillit report`: build a project's report (HTML or PDF) from a template, list and check
templates.

A thin group over :mod:`tillit.apps.reports.services`. Exit codes: 0 success, 1 a runtime
failure (a template error included), 2 usage.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from tillit.cli.context import dir_option, resolve_project_dir, setup_django
from tillit.cli.output import emit_json, emit_table
from tillit.errors import ErrorCode, NotFoundError, TillitError

LANGS = ("nb", "da", "en")


def _setup(project_dir: Path | None) -> None:
    setup_django(resolve_project_dir(project_dir))


def _project(slug: str | None) -> Any:
    from tillit.apps.core.models import Project

    if slug:
        p = Project.objects.filter(slug=slug).first()
        if p is None:
            raise NotFoundError(
                f"There is no project {slug!r}.", hint="List projects with `tillit project list`."
            )
        return p
    projects = list(Project.objects.all()[:2])
    if len(projects) != 1:
        raise TillitError(
            "Say which project: the database holds "
            + ("no project." if not projects else "more than one."),
            code=ErrorCode.USAGE,
            hint="Pass --project SLUG.",
        )
    return projects[0]


def _user(name: str | None) -> Any:
    if not name:
        return None
    from django.contrib.auth import get_user_model

    u = get_user_model().objects.filter(username__iexact=name).first()
    if u is None:
        raise NotFoundError(f"There is no user {name!r}.", hint="Check the user name.")
    return u


project_option = click.option("--project", "slug", default=None, help="Project (short name).")


@click.group()
def report() -> None:
    """Reports: build HTML/PDF from a template with a methods section filled from the data."""


@report.command("build")
@dir_option
@project_option
@click.option("--template", default="default", show_default=True, help="Template name.")
@click.option("--lang", "language", type=click.Choice(LANGS), default="nb", show_default=True)
@click.option("--format", "fmt", type=click.Choice(("html", "pdf")), default="html",
              show_default=True)  # fmt: skip
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the report to this file.",
)
@click.option("--user", "username", default=None, help="Account recorded in the audit trail.")
@click.option("--json", "as_json", is_flag=True, help="Print facts about the build as JSON.")
def report_build(
    project_dir: Path | None,
    slug: str | None,
    template: str,
    language: str,
    fmt: str,
    out: Path | None,
    username: str | None,
    as_json: bool,
) -> None:
    """Build the report and store it in the project (and in --out when given)."""
    if as_json:
        click.get_current_context().meta["tillit.json"] = True
    _setup(project_dir)
    from tillit.apps.reports import services

    project = _project(slug)
    with click.progressbar(
        length=1, label="Building the report", file=click.get_text_stream("stderr")
    ) as bar:
        b = services.do_build_report(
            project, template=template, language=language, fmt=fmt, actor=_user(username)
        )
        bar.update(1)
    if out is not None:
        out.write_bytes(bytes(b.content))
    facts = {
        "ok": True,
        "id": b.pk,
        "project": project.slug,
        "template": b.template_name,
        "template_version": b.template_version,
        "language": b.language,
        "format": b.format,
        "data_version": b.data_version,
        "tillit_version": b.tillit_version,
        "size": b.size,
        "pages": b.pages,
        "seconds": round(b.seconds or 0.0, 3),
        "sha256": b.sha256,
        "out": str(out) if out else None,
    }
    if as_json:
        emit_json(facts)
        return
    where = f" -> {out}" if out else ""
    pages = f", {b.pages} pages" if b.pages else ""
    click.echo(
        f"Built {b.template_name} ({b.language}, {b.format}, {b.size} bytes{pages}) in "
        f"{facts['seconds']} s{where}"
    )


@report.command("templates")
@dir_option
@project_option
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def report_templates(project_dir: Path | None, slug: str | None, as_json: bool) -> None:
    """List the project's report templates (the packaged default included)."""
    _setup(project_dir)
    from tillit.apps.reports import services

    rows = services.templates_of(_project(slug))
    if as_json:
        emit_json([{**r, "updated_at": str(r["updated_at"] or "")} for r in rows])
        return
    emit_table(
        ["name", "language", "version"],
        [[r["name"], r["language"], r["version"] if r["edited"] else "default"] for r in rows],
    )


@report.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
def report_check(file: Path, as_json: bool) -> None:
    """Check a template file for syntax errors (with line numbers); exit 1 when it has any."""
    setup_django(None)
    from tillit.apps.reports import engine

    problems = engine.check(file.read_text(encoding="utf-8"))
    if as_json:
        emit_json({"ok": not problems, "errors": [p.__dict__ for p in problems]})
    else:
        for p in problems:
            click.echo(f"{file}:{p.line}: {p.message}", err=True)
        if not problems:
            click.echo(f"{file}: OK")
    if problems:
        raise SystemExit(1)


COMMANDS: list[Any] = [report]
