"""`tillit taxonomy ...`: list, show, search and validate the shared concept taxonomy.

Needs no project directory and no database: everything comes from :mod:`tillit.taxonomy`.
"""

from __future__ import annotations

from pathlib import Path

import click

from tillit.cli.output import emit_json
from tillit.taxonomy import LANGUAGES, Concept, Taxonomy, load_taxonomy

_LANG = click.Choice(LANGUAGES)


def _json_mode(ctx: click.Context, as_json: bool) -> None:
    """Tell the top-level group to report errors as JSON too."""
    if as_json:
        ctx.meta["tillit.json"] = True


def _line(concept: Concept, lang: str, indent: int = 0) -> str:
    text = f"{'  ' * indent}{concept.id}  {concept.label(lang)}"
    if concept.deprecated:
        text += " [deprecated" + (f", use {concept.replaced_by}]" if concept.replaced_by else "]")
    return text


@click.group()
def taxonomy() -> None:
    """The shared concept taxonomy: list, show, search and validate concepts."""


@taxonomy.command("list")
@click.option("--branch", "branch", metavar="ID", help="Only this concept and everything below.")
@click.option("--lang", type=_LANG, default="en", show_default=True, help="Label language.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of concepts.")
@click.pass_context
def list_concepts(ctx: click.Context, branch: str | None, lang: str, as_json: bool) -> None:
    """Print the concepts as an indented tree of ids and labels."""
    _json_mode(ctx, as_json)
    tax = load_taxonomy()
    walked = list(tax.walk(branch))
    if as_json:
        emit_json([c.to_dict() for c, _ in walked])
        return
    top = walked[0][1] if branch else 0
    for concept, depth in walked:
        click.echo(_line(concept, lang, depth - top))


@taxonomy.command("show")
@click.argument("concept_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the concept as JSON.")
@click.pass_context
def show(ctx: click.Context, concept_id: str, as_json: bool) -> None:
    """Show one concept: labels, definitions, parent and children."""
    _json_mode(ctx, as_json)
    tax = load_taxonomy()
    concept = tax.get(concept_id)
    children = tax.children(concept.id)
    if as_json:
        data = concept.to_dict()
        data["ancestors"] = [a.id for a in tax.ancestors(concept.id)]
        data["children"] = [c.id for c in children]
        data["version"] = tax.version
        emit_json(data)
        return
    _print_concept(tax, concept, children)


def _print_concept(tax: Taxonomy, concept: Concept, children: list[Concept]) -> None:
    click.secho(concept.id, bold=True)
    if concept.deprecated:
        use = f"; use {concept.replaced_by}" if concept.replaced_by else ""
        click.echo(f"DEPRECATED{use}")
    path = " > ".join(a.id for a in tax.ancestors(concept.id)) or "(branch root)"
    click.echo(f"parent:   {concept.parent or '-'}")
    click.echo(f"path:     {path}")
    click.echo("labels:")
    for code in tax.languages:
        click.echo(f"  {code}  {concept.labels.get(code, '')}")
    click.echo("definitions:")
    for code in tax.languages:
        if code in concept.definitions:
            click.echo(f"  {code}  {concept.definitions[code]}")
    if concept.note:
        click.echo(f"note:     {concept.note}")
    if concept.source:
        click.echo(f"source:   {concept.source}")
    if concept.related:
        click.echo(f"related:  {', '.join(concept.related)}")
    click.echo("children:" + ("" if children else " none"))
    for child in children:
        click.echo(_line(child, "en", 1))


@taxonomy.command("search")
@click.argument("text")
@click.option("--lang", type=_LANG, help="Search labels in this language only (default: all).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of matching concepts.")
@click.pass_context
def search(ctx: click.Context, text: str, lang: str | None, as_json: bool) -> None:
    """Find concepts whose label or id contains TEXT (case and accents ignored)."""
    _json_mode(ctx, as_json)
    hits = load_taxonomy().search(text, lang=lang)
    if as_json:
        emit_json([c.to_dict() for c in hits])
        return
    if not hits:
        click.echo(f"No concept matches {text!r}.", err=True)
        return
    for concept in hits:
        click.echo(_line(concept, lang or "en"))


@taxonomy.command("validate")
@click.argument(
    "file", required=False, type=click.Path(dir_okay=False, path_type=Path), metavar="[FILE]"
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def validate_file(ctx: click.Context, file: Path | None, as_json: bool) -> None:
    """Check the bundled taxonomy, or FILE, and report every problem with its location."""
    _json_mode(ctx, as_json)
    tax = load_taxonomy(file)
    if as_json:
        emit_json({"ok": True, "concepts": len(tax), "version": tax.version, "file": tax.source})
        return
    click.echo(f"OK: {len(tax)} concepts, version {tax.version} ({tax.source})")
