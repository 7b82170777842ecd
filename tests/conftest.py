"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL is
set (.ci/run does both)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 as in production, with cheap parameters so the suite stays fast."""
    settings.PASSWORD_HASHERS = ["tests.hashers.CheapArgon2PasswordHasher"]


@pytest.fixture
def make_user(db):
    """Create an account through the service layer."""
    from tillit.apps.core import services

    def _make(username: str, password: str = "correct-horse-battery-9", **kw):
        return services.do_create_user(username, password, **kw)

    return _make


@pytest.fixture
def project_with_roles(db, make_user):
    """A project with one member per role and an outsider; returns (project, users by role)."""
    from tillit.apps.core import services

    users = {r: make_user(r) for r in ("owner", "researcher", "coder", "viewer", "outsider")}
    project = services.do_create_project(name="Trust study", slug="trust", owner=users["owner"])
    for role in ("researcher", "coder", "viewer"):
        services.do_add_member(project, users[role], role, actor=users["owner"])
    return project, users


def on_postgres() -> bool:
    import os

    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


@pytest.fixture
def cli_env(tmp_path):
    """Environment for running `python -m tillit` in a subprocess against a fresh database.

    On SQLite the project directory's own file is used; on PostgreSQL a new database is created
    for the test and dropped afterwards.
    """
    import os
    import uuid

    drop = {"TILLIT_DIR", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.pop("DATABASE_URL", None)
    created = None
    if on_postgres():
        import psycopg

        from tillit.config import parse_database_url

        db = parse_database_url(os.environ["DATABASE_URL"])
        created = f"tillit_cli_{uuid.uuid4().hex[:10]}"
        conninfo = {
            "host": db["HOST"] or None,
            "port": db["PORT"] or None,
            "user": db["USER"] or None,
            "password": db["PASSWORD"] or None,
        }
        with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as conn:
            conn.execute(f'CREATE DATABASE "{created}"')
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        env["DATABASE_URL"] = f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{created}"
    yield env
    if created:
        with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')


@pytest.fixture
def run_cli(cli_env):
    """Run the real `tillit` command in a subprocess; returns CompletedProcess."""
    import subprocess
    import sys

    def _run(*args: str, env: dict | None = None, timeout: int = 120, input: str | None = None):
        return subprocess.run(
            [sys.executable, "-m", "tillit", *args],
            env={**cli_env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            check=False,
        )

    return _run


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def chromium(monkeypatch):
    """A headless Debian chromium driven by Playwright (skipped without it, failed in CI)."""
    import os
    import shutil

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI: .ci/run must install it")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM must still work here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    # The live server's threads must not keep the test database open (PostgreSQL drop).
    connections.close_all()
