"""`tillit demo`: build (or rebuild) the demo project directory and serve it."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import click

from tillit import config
from tillit.cli.output import emit_json
from tillit.errors import ErrorCode, TillitError


def _clear_demo_dir(path: Path) -> None:
    if not path.exists():
        return
    if config.is_project_dir(path):
        if not config.load_project_dir(path).is_demo:
            raise TillitError(
                f"{path} is a real tillit project, not a demo; it was left alone.",
                ErrorCode.CONFLICT,
                hint="Pass --dir with another directory for the demo.",
            )
        shutil.rmtree(path)
    elif path.is_dir() and any(path.iterdir()):
        raise TillitError(
            f"{path} is not empty and is not a demo project; it was left alone.",
            ErrorCode.CONFLICT,
            hint="Pass --dir with a new or empty directory.",
        )


@click.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("tillit-demo"),
    show_default=True,
    help="Demo project directory.",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-serve", is_flag=True, help="Build the demo and stop.")
@click.option("--json", "as_json", is_flag=True, help="Print what was built as JSON.")
def demo(directory: Path, host: str, port: int, no_serve: bool, as_json: bool) -> None:
    """Build the demo (real registry, synthetic study, one account per role) and serve it."""
    from tillit.cli.project import create_project_dir
    from tillit.cli.serve import check_port, exec_server

    t0 = time.monotonic()
    path = directory.expanduser().resolve()
    if not no_serve:
        check_port(host, port)
    if os.environ.pop("DATABASE_URL", None):
        click.echo(
            "Note: the demo always uses its own SQLite file; DATABASE_URL is ignored.", err=True
        )
    _clear_demo_dir(path)
    # The directory's own owner account is "admin"; demo roles are added by the core demo part.
    pdir, _, _ = create_project_dir(
        path,
        owner="admin",
        password=DEMO_PASSWORD_TEXT,
        project_name="Demo administration",
        demo=True,
    )
    from tillit.apps.core import demo as core_demo
    from tillit.apps.core.demo import DEMO_PASSWORD, DEMO_ROLES

    ctx = core_demo.build(log=lambda m: click.echo(m, err=True))
    seconds = time.monotonic() - t0
    url = f"http://{host}:{port}/"
    accounts = [*DEMO_ROLES, "outsider", "admin"]
    if as_json:
        emit_json(
            {
                "ok": True,
                "directory": str(pdir.path),
                "url": url,
                "seconds": seconds,
                "project": ctx.project.slug,
                "accounts": accounts,
                "password": DEMO_PASSWORD,
            }
        )
    else:
        click.echo(f"Built the demo in {pdir.path} in {seconds:.1f} s.")
        click.echo(f"Open {url}")
        click.echo(f"Accounts ({', '.join(accounts)}), all with the password: {DEMO_PASSWORD}")
        click.echo(f"The synthetic study: {url}p/{ctx.project.slug}/")
    if not no_serve:
        exec_server(pdir, host, port, workers=3)


COMMANDS = [demo]

#: Same as tillit.apps.core.demo.DEMO_PASSWORD (importable before Django is set up).
DEMO_PASSWORD_TEXT = "tillit-demo"  # noqa: S105
