"""`tillit serve`: the web application under gunicorn, static files served by WhiteNoise."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import click

from tillit import config
from tillit.cli.context import dir_option, pending_migrations, resolve_project_dir, setup_django
from tillit.errors import ErrorCode, TillitError


def check_port(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            raise TillitError(
                f"Cannot listen on {host}:{port}: {exc.strerror}.",
                ErrorCode.CONFLICT,
                hint="Another program uses that port: pass --port with a free one.",
            ) from exc


def gunicorn_argv(host: str, port: int, workers: int, threads: int = 2) -> list[str]:
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "tillit.web.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "10",
        "--timeout",
        "120",
        "--worker-tmp-dir",
        "/dev/shm" if os.path.isdir("/dev/shm") else "/tmp",  # noqa: S108
    ]


def exec_server(
    pdir: config.ProjectDir, host: str, port: int, workers: int, production: bool = False
) -> None:
    """Replace this process with gunicorn serving ``pdir``."""
    check_port(host, port)
    env = dict(os.environ)
    env[config.ENV_DIR] = str(pdir.path)
    env["DJANGO_SETTINGS_MODULE"] = "tillit.web.settings"
    if production:
        env["TILLIT_PRODUCTION"] = "1"
    argv = gunicorn_argv(host, port, workers)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, argv, env)  # noqa: S606 (argv built above, no shell)


@click.command()
@dir_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
# 3 processes x 2 threads measured best on 2 cores (benchmarks/bench_survey_load.py).
@click.option("--workers", default=3, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--production",
    is_flag=True,
    help="Behind a TLS proxy: secure cookies, HSTS, redirect to https.",
)
def serve(project_dir: Path | None, host: str, port: int, workers: int, production: bool) -> None:
    """Serve a project with gunicorn (a production WSGI server)."""
    pdir = resolve_project_dir(project_dir)
    setup_django(pdir)
    todo = pending_migrations()
    if todo:
        raise TillitError(
            f"The database needs {len(todo)} migrations before it can be served.",
            ErrorCode.CONFIG,
            hint=f"Run `tillit upgrade --dir {pdir.path}` (it backs up a SQLite file first).",
        )
    click.echo(f"Serving {pdir.path} at http://{host}:{port}/  (Ctrl+C stops)")
    exec_server(pdir, host, port, workers, production)


COMMANDS = [serve]
