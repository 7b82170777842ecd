"""Finding the project directory and starting Django for commands that need the database."""

from __future__ import annotations

import os
from pathlib import Path

import click

from tillit import config
from tillit.errors import ConfigError

dir_option = click.option(
    "--dir",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=config.ENV_DIR,
    help="Project directory (default: $TILLIT_DIR, or the current directory if it is one).",
)


def resolve_project_dir(project_dir: Path | None) -> config.ProjectDir:
    """The project named by --dir / $TILLIT_DIR, or the current directory."""
    if project_dir is None:
        if config.is_project_dir(Path.cwd()):
            project_dir = Path.cwd()
        else:
            raise ConfigError(
                "No project directory given, and the current directory is not one.",
                hint="Pass --dir DIR (or set TILLIT_DIR), or create one with `tillit init DIR`; "
                "`tillit demo` builds a demo project.",
            )
    return config.load_project_dir(project_dir)


def setup_django(pdir: config.ProjectDir | None) -> None:
    """Configure Django for ``pdir`` (once per process)."""
    from django.apps import apps

    if apps.ready:
        return
    if pdir is not None:
        os.environ[config.ENV_DIR] = str(pdir.path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tillit.web.settings")
    url = os.environ.get("DATABASE_URL", "").strip()
    if url and not (pdir is not None and pdir.is_demo):
        config.parse_database_url(url)  # a located message before Django sees it
    import django

    django.setup()


def migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def pending_migrations() -> list[str]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _ in plan]
