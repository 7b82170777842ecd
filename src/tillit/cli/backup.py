"""`tillit backup` and `tillit restore`."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from tillit.cli.context import dir_option, resolve_project_dir, setup_django
from tillit.cli.output import emit_json
from tillit.errors import ErrorCode, TillitError


@click.command()
@dir_option
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Backup file (default: DIR/backups/tillit-TIME.tillit-backup).",
)
@click.option("--json", "as_json", is_flag=True)
def backup(project_dir: Path | None, output: Path | None, as_json: bool) -> None:
    """Back up the database (SQLite online backup or pg_dump) with table checksums."""
    pdir = resolve_project_dir(project_dir)
    setup_django(pdir)
    from tillit.apps.core.backup import create_backup

    if output is None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        output = pdir.backup_path / f"tillit-{stamp}.tillit-backup"
    info = create_backup(output)
    if as_json:
        emit_json(
            {
                "ok": True,
                "path": str(info.path),
                "engine": info.engine,
                "tables": info.tables,
                "rows": info.rows,
                "bytes": info.bytes,
            }
        )
    else:
        click.echo(
            f"Backed up {info.rows} rows in {info.tables} tables ({info.engine}) to {info.path}"
        )


@click.command()
@dir_option
@click.argument("backup_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True)
def restore(project_dir: Path | None, backup_file: Path, yes: bool, as_json: bool) -> None:
    """Replace the database with BACKUP_FILE, after verifying every table's checksum."""
    pdir = resolve_project_dir(project_dir)
    setup_django(pdir)
    from tillit.apps.core.backup import describe, restore_backup

    meta = describe(backup_file)
    if not yes:
        if not sys.stdin.isatty():
            raise TillitError(
                "Restoring replaces the whole database, and there is no terminal to confirm it.",
                ErrorCode.USAGE,
                hint="Pass --yes to confirm.",
            )
        click.confirm(
            f"Replace the database of {pdir.path} with the backup from {meta.get('created')} "
            f"({meta['rows']} rows)?",
            abort=True,
        )
    sums = restore_backup(backup_file)
    if as_json:
        emit_json({"ok": True, "tables": len(sums), "rows": sum(t["rows"] for t in sums.values())})
    else:
        click.echo(
            f"Restored {sum(t['rows'] for t in sums.values())} rows in {len(sums)} tables; "
            "every table matches its checksum."
        )


COMMANDS = [backup, restore]
