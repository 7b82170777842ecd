"""`tillit instrument ...`: validate, show and convert XLSForm instruments.

Needs no project directory and no database: everything comes from :mod:`tillit.instruments`.
Problems and warnings name their sheet, row and column. Exit codes: 0 valid, 1 invalid or
unreadable file, 2 usage error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from tillit.cli.output import emit_json
from tillit.errors import ErrorCode, TillitError
from tillit.instruments import (
    Group,
    Instrument,
    InstrumentError,
    Problem,
    Question,
    read_xlsform,
    text,
    write_xlsform,
)
from tillit.instruments.engine import matrix_list

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_REPEATS = click.Choice(["group", "error"])


def _json_mode(ctx: click.Context, as_json: bool) -> None:
    """Tell the top-level group to report errors as JSON too."""
    if as_json:
        ctx.meta["tillit.json"] = True


def _warn(warnings: list[Problem]) -> None:
    for problem in warnings:
        click.secho(f"Warning: {problem}", err=True, fg="yellow")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _languages(form: Instrument) -> str:
    """Language codes; ``default`` is the text of columns without a language."""
    return ", ".join(form.languages) or "-"


def _summary(form: Instrument) -> dict[str, Any]:
    return {
        "form_id": form.form_id,
        "title": form.title,
        "version": form.version,
        "default_language": form.default_language,
        "languages": list(form.languages),
        "n_questions": sum(1 for q in form.questions() if q.type != "calculate"),
        "n_calculations": sum(1 for q in form.questions() if q.type == "calculate"),
        "n_pages": len(form.pages()),
        "n_choice_lists": len(form.choice_lists),
    }


@click.group()
def instrument() -> None:
    """Survey instruments in XLSForm (.xlsx, .xls, .md): validate, show, convert."""


@instrument.command("validate")
@click.argument("file", type=_FILE)
@click.option(
    "--repeats",
    type=_REPEATS,
    default="group",
    show_default=True,
    help="Read a repeat as a group asked once, or refuse it.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def validate(ctx: click.Context, file: Path, repeats: str, as_json: bool) -> None:
    """Check FILE and report every problem with its sheet, row and column."""
    _json_mode(ctx, as_json)
    warnings: list[Problem] = []
    try:
        form = read_xlsform(file, warnings=warnings, repeats=repeats)  # type: ignore[arg-type]
    except InstrumentError as exc:
        if as_json:
            data = exc.as_json()
            data["warnings"] = [w.as_dict() for w in warnings]
            emit_json(data)
        else:
            n_problems = len(exc.problems)
            click.secho(
                f"{file.name}: {n_problems} problem{'s' if n_problems != 1 else ''}",
                err=True,
                fg="red",
            )
            for problem in exc.problems:
                click.echo(f"  {problem}", err=True)
            _warn(warnings)
            click.echo("Fix these rows and run `tillit instrument validate FILE` again.", err=True)
        ctx.exit(1)
    summary = _summary(form)
    if as_json:
        emit_json({"ok": True, **summary, "warnings": [w.as_dict() for w in warnings]})
        return
    _warn(warnings)
    click.echo(
        f"OK: {file.name}: {form.title!r} ({form.form_id}"
        + (f", version {form.version}" if form.version else "")
        + f"): {_count(summary['n_questions'], 'question')} on "
        f"{_count(summary['n_pages'], 'page')}, "
        f"{_count(summary['n_choice_lists'], 'choice list')}, "
        f"languages {_languages(form)}; {_count(len(warnings), 'warning')}"
    )


def _condition(item: Question | Group) -> str:
    return f"  [if {item.relevant}]" if item.relevant else ""


def _question_line(q: Question, lang: str, form: Instrument, depth: int) -> str:
    kind = q.type + (f" {q.list_name}" if q.list_name else "") + (" or_other" if q.or_other else "")
    parts = [f"{'  ' * depth}{q.name}  ({kind})"]
    label = text(q.labels, lang, form.default_language)
    if label:
        parts.append(f'"{label}"')
    if q.required:
        parts.append("required" if q.required == "yes" else f"required if {q.required}")
    line = "  ".join(parts) + _condition(q)
    for key, value in (
        ("constraint", q.constraint),
        ("calculation", q.calculation),
        ("choice_filter", q.choice_filter),
    ):
        if value:
            line += f"  [{key}: {value}]"
    return line


def _outline(items: tuple[Question | Group, ...], lang: str, form: Instrument, depth: int) -> None:
    for item in items:
        if isinstance(item, Group):
            label = text(item.labels, lang, form.default_language)
            grid = matrix_list(item)
            kind = f"matrix of {grid}" if grid else "group"
            click.echo(
                f"{'  ' * depth}{item.name}  ({kind})"
                + (f'  "{label}"' if label else "")
                + _condition(item)
            )
            _outline(item.children, lang, form, depth + 1)
        else:
            click.echo(_question_line(item, lang, form, depth))


def _page_data(page: Group, lang: str, form: Instrument) -> dict[str, Any]:
    def item(node: Question | Group) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": node.name,
            "label": text(node.labels, lang, form.default_language),
            "relevant": node.relevant,
        }
        if isinstance(node, Group):
            data.update(
                kind="group",
                matrix=matrix_list(node),
                items=[item(child) for child in node.children],
            )
        else:
            data.update(
                kind="question",
                type=node.type,
                list_name=node.list_name,
                or_other=node.or_other,
                required=node.required,
                constraint=node.constraint,
                calculation=node.calculation,
                choice_filter=node.choice_filter,
                concepts=list(node.concepts),
            )
        return data

    return {**item(page), "kind": "page"}


@instrument.command("show")
@click.argument("file", type=_FILE)
@click.option("--lang", metavar="CODE", help="Language of the labels (default: the form's).")
@click.option("--json", "as_json", is_flag=True, help="Print the outline as JSON.")
@click.pass_context
def show(ctx: click.Context, file: Path, lang: str | None, as_json: bool) -> None:
    """Print an outline of FILE: pages, questions, types, skip logic and choice lists."""
    _json_mode(ctx, as_json)
    warnings: list[Problem] = []
    form = read_xlsform(file, warnings=warnings)
    language = lang or form.default_language
    if lang and lang not in form.languages:
        click.secho(
            f"Warning: the form has no {lang!r} texts (it has {', '.join(form.languages)}); "
            "showing fallbacks.",
            err=True,
            fg="yellow",
        )
    pages = form.pages()
    if as_json:
        data = _summary(form)
        data["pages"] = [_page_data(p, language, form) for p in pages]
        data["choice_lists"] = {
            name: [
                {"name": c.name, "label": text(c.labels, language, form.default_language)}
                for c in cl.choices
            ]
            for name, cl in form.choice_lists.items()
        }
        emit_json(data)
        return
    version = f", version {form.version}" if form.version else ""
    click.secho(f"{form.title} ({form.form_id}{version})", bold=True)
    click.echo(f"languages: {_languages(form)} (default {form.default_language})")
    for number, page in enumerate(pages, start=1):
        label = text(page.labels, language, form.default_language)
        click.secho(
            f"\nPage {number}: {page.name}" + (f'  "{label}"' if label else "") + _condition(page),
            bold=True,
        )
        _outline(page.children, language, form, 1)
    if form.choice_lists:
        click.secho("\nChoice lists", bold=True)
        for name, cl in form.choice_lists.items():
            names = ", ".join(cl.names()[:12]) + (", ..." if len(cl.choices) > 12 else "")
            click.echo(f"  {name} ({len(cl.choices)}): {names}")


@instrument.command("convert")
@click.argument("file", type=_FILE)
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite OUT if it exists.")
def convert(file: Path, out: Path, force: bool) -> None:
    """Read FILE (.xlsx, .xls or .md) and write it as an XLSForm workbook OUT.xlsx."""
    if out.suffix.lower() != ".xlsx":
        raise TillitError(
            f"{out.name}: the output must be an .xlsx file.",
            ErrorCode.USAGE,
            hint="Name the output like instrument.xlsx.",
        )
    if out.exists() and not force:
        raise TillitError(
            f"{out} exists already.", ErrorCode.USAGE, hint="Add --force to overwrite it."
        )
    warnings: list[Problem] = []
    form = read_xlsform(file, warnings=warnings)
    _warn(warnings)
    write_xlsform(form, out)
    summary = _summary(form)
    click.echo(
        f"Wrote {out}: {_count(summary['n_questions'], 'question')} on "
        f"{_count(summary['n_pages'], 'page')}, {_count(summary['n_choice_lists'], 'choice list')} "
        f"({_count(len(warnings), 'warning')})."
    )
