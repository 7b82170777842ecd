"""`tillit registry ...`: list, show, find and crosswalk municipalities; print the sources.

These commands use only the pure library (:mod:`tillit.registry`): no Django, no project
directory. Data goes to stdout (a table, or JSON with ``--json``); warnings go to stderr.
"""

from __future__ import annotations

from typing import Any

import click

from tillit.cli.output import emit_json, emit_table
from tillit.errors import NotFoundError, TillitError

COUNTRY = click.Choice(["no", "dk"], case_sensitive=False)
SIZE_CLASS = click.Choice(["small", "medium", "large", "city"], case_sensitive=False)


def _json_mode(ctx: click.Context, as_json: bool) -> None:
    """Tell the top-level group to report errors as JSON."""
    if as_json:
        ctx.meta["tillit.json"] = True


def _code(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from tillit.registry.normalise import clean_code

    try:
        return clean_code(value)
    except TillitError as exc:
        raise click.BadParameter(f"{exc.message}. {exc.hint}", ctx=ctx, param=param) from None


def _warn(messages: Any) -> None:
    for message in messages:
        click.secho(f"Warning: {message}", err=True, fg="yellow")


def _row(m: Any) -> list[Any]:
    names = m.name if not m.parallel_names else f"{m.name} ({', '.join(m.parallel_names)})"
    return [
        m.country,
        m.code,
        names,
        m.county_code,
        m.county_name,
        f"{m.population:,}".replace(",", " "),
        m.population_year,
        str(m.size_class),
    ]


_HEADERS = ["country", "code", "name", "county", "county/region", "population", "year", "size"]


@click.group()
def registry() -> None:
    """Municipalities of Norway and Denmark: list, look up, crosswalk old codes."""


@registry.command("list")
@click.option("--country", type=COUNTRY, help="Only Norway (no) or Denmark (dk).")
@click.option("--county", metavar="CODE", help="NO county (e.g. 55) or DK region (e.g. 1084).")
@click.option("--size-class", type=SIZE_CLASS, help="small <5k, medium <20k, large <100k, city.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def list_(
    ctx: click.Context,
    country: str | None,
    county: str | None,
    size_class: str | None,
    as_json: bool,
) -> None:
    """List municipalities (NO first, then DK, by code), optionally filtered.

    Size classes use the bundled population: Norway 2024, Denmark 2020.
    """
    from tillit import registry as reg

    _json_mode(ctx, as_json)
    try:
        found = reg.municipalities(country, county, size_class)
    except TillitError as exc:
        raise click.BadParameter(f"{exc.message}. {exc.hint}", param_hint="--county") from None
    if as_json:
        emit_json([m.as_dict() for m in found])
        return
    emit_table(_HEADERS, [_row(m) for m in found])
    click.echo(f"{len(found)} municipalities", err=True)


@registry.command()
@click.argument("code", callback=_code)
@click.option("--country", type=COUNTRY, help="Needed only if the code exists in both.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_context
def show(ctx: click.Context, code: str, country: str | None, as_json: bool) -> None:
    """Show one municipality by code: 0301 (NO), 101 or 0101 (DK)."""
    from tillit import registry as reg

    _json_mode(ctx, as_json)
    m = reg.get(code, country)
    history = reg.history(m)
    if as_json:
        emit_json({**m.as_dict(), "history": [c.as_dict() for c in history]})
        return
    facts = [
        ("code", f"{m.country} {m.code}" + (f" (code4 {m.code4})" if m.code4 != m.code else "")),
        ("name", m.name),
        ("official name", m.name_official),
        ("parallel names", "; ".join(m.parallel_names)),
        ("county" if m.country == "NO" else "region", f"{m.county_code} {m.county_name}"),
        ("population", f"{m.population:,} ({m.population_date.isoformat()})".replace(",", " ")),
        ("size class", f"{m.size_class} ({m.size_class.label})"),
        ("language form", m.language_form or ""),
        ("area km²", "" if m.area_km2 is None else f"{m.area_km2:g}"),
        ("admin centre", m.admin_centre or ""),
        ("ISO 3166-2", m.iso_region),
    ]
    width = max(len(k) for k, _ in facts)
    for key, value in facts:
        if value:
            click.echo(f"{key.ljust(width)}  {value}")
    if history:
        click.echo("\ncode history")
        emit_table(
            ["year", "old code", "old name", "new code", "new name", "change"],
            [
                [c.year, c.old_code, c.old_name, c.new_code, c.new_name, c.change_type]
                for c in history
            ],
        )


@registry.command()
@click.argument("name")
@click.option("--country", type=COUNTRY, help="Only Norway (no) or Denmark (dk).")
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def find(ctx: click.Context, name: str, country: str | None, limit: int, as_json: bool) -> None:
    """Find municipalities by name, ignoring case and accents; also Sami and Kven names.

    Exact matches come first (namesakes such as Herøy are all listed, with their county),
    then close matches for typos and partial names.
    """
    from tillit import registry as reg

    _json_mode(ctx, as_json)
    exact = reg.find(name, country)
    hits = reg.search(name, limit=limit, country=country)
    exact_keys = {(m.country, m.code) for m in exact}
    suggestions = [
        h for h in hits if (h.municipality.country, h.municipality.code) not in exact_keys
    ]
    if not exact and not suggestions:
        raise NotFoundError(
            f"no municipality is called or resembles {name!r}",
            hint="Check the spelling, try part of the name, or list them all: "
            "`tillit registry list`.",
        )
    if as_json:
        emit_json(
            {
                "query": name,
                "matches": [m.as_dict() for m in exact],
                "suggestions": [
                    {
                        **h.municipality.as_dict(),
                        "score": h.score,
                        "match": h.kind,
                        "matched_name": h.matched_name,
                    }
                    for h in suggestions
                ],
            }
        )
        return
    rows = [[*_row(m)[:5], "exact", m.name] for m in exact]
    rows += [[*_row(h.municipality)[:5], h.kind, h.matched_name] for h in suggestions]
    emit_table([*_HEADERS[:5], "match", "matched name"], rows)


@registry.command()
@click.argument("code", callback=_code)
@click.option("--year", type=int, required=True, help="The year the code was in use.")
@click.option("--country", type=COUNTRY, help="Needed only if the code was used in both.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def crosswalk(ctx: click.Context, code: str, year: int, country: str | None, as_json: bool) -> None:
    """Map an old municipality code of YEAR to today's municipality or municipalities.

    Norway: 1971 onward to the 2024 structure. Denmark: the 2007 reform (271 to 98) and the
    2003 Bornholm merger. Splits list every successor and warn (no population weights).
    """
    from tillit import registry as reg

    _json_mode(ctx, as_json)
    result = reg.crosswalk(code, year, country)
    _warn(result.warnings)
    if as_json:
        emit_json(result.as_dict())
        return
    click.echo(f"{result.country} {result.code} {result.name} ({result.year}) →")
    headers = ["code", "name", "county/region"]
    rows = [[m.code, m.name, m.county_name] for m in result.successors]
    if result.primary_target is not None:
        headers.append("primary target")
        for row, m in zip(rows, result.successors, strict=True):
            row.append("yes" if m == result.primary_target else "")
    emit_table(headers, rows)
    click.echo(f"via: {result.via}", err=True)


@registry.command()
def sources() -> None:
    """Print where the bundled data comes from, its licences and caveats (PROVENANCE.md)."""
    from tillit import registry as reg

    click.echo(reg.provenance())
