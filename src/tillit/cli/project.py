"""`tillit init`, `upgrade`, `check`, and the `project` and `user` groups."""

from __future__ import annotations

import datetime as dt
import getpass
import secrets
import shutil
import sys
from pathlib import Path

import click

from tillit import config
from tillit.cli.context import (
    dir_option,
    migrate,
    pending_migrations,
    resolve_project_dir,
    setup_django,
)
from tillit.cli.output import emit_json, emit_table
from tillit.errors import ErrorCode, NotFoundError, TillitError

ROLE_CHOICE = click.Choice(["owner", "researcher", "coder", "viewer"])


def _check_target(path: Path) -> None:
    if path.exists() and not path.is_dir():
        raise TillitError(
            f"{path} exists and is a file.", ErrorCode.CONFLICT, hint="Choose a directory path."
        )
    if config.is_project_dir(path):
        raise TillitError(
            f"{path} is already a tillit project.",
            ErrorCode.CONFLICT,
            hint=f"Serve it with `tillit serve --dir {path}`, or choose another directory.",
        )
    if path.exists() and any(path.iterdir()):
        raise TillitError(
            f"{path} is not empty and is not a tillit project; nothing was changed.",
            ErrorCode.CONFLICT,
            hint="Choose a new or empty directory.",
        )


def _new_password() -> tuple[str, bool]:
    """A password from the terminal, or a generated one when there is no terminal."""
    if sys.stdin.isatty():
        while True:
            pw = getpass.getpass("Password for the owner account: ")
            if pw and pw == getpass.getpass("Repeat the password: "):
                return pw, False
            click.echo("The passwords differ or are empty; try again.", err=True)
    return secrets.token_urlsafe(12), True


def create_project_dir(
    path: Path,
    *,
    owner: str,
    password: str,
    email: str = "",
    project_name: str | None = None,
    demo: bool = False,
) -> tuple[config.ProjectDir, object, object]:
    """Make a project directory with its database, an owner account and a first project.

    On any failure the directory is put back as it was.
    """
    path = path.expanduser().resolve()
    _check_target(path)
    created = not path.exists()
    try:
        path.mkdir(parents=True, exist_ok=True)
        pdir = config.write_project_config(path, demo=demo)
        pdir.media_path.mkdir(exist_ok=True)
        setup_django(pdir)
        migrate()
        from tillit.apps.core import services

        user = services.do_create_user(
            owner, password, email=email, is_staff=True, check_password=not demo
        )
        project = services.do_create_project(name=project_name or path.name, owner=user, actor=user)
    except BaseException:
        if created:
            shutil.rmtree(path, ignore_errors=True)
        else:
            for child in path.iterdir():
                if child.is_dir():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
        raise
    return pdir, user, project


@click.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--owner", default="owner", show_default=True, help="User name of the first owner.")
@click.option("--email", default="", help="E-mail of the first owner.")
@click.option(
    "--password",
    envvar="TILLIT_OWNER_PASSWORD",
    default=None,
    help="Owner password (or $TILLIT_OWNER_PASSWORD); asked for, or generated without a terminal.",
)
@click.option("--project-name", default=None, help="Name of the first project (default: DIR).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def init(
    directory: Path,
    owner: str,
    email: str,
    password: str | None,
    project_name: str | None,
    as_json: bool,
) -> None:
    """Create a project directory DIR with its SQLite database and a first owner."""
    generated = False
    if password is None:
        _check_target(directory.expanduser().resolve())
        password, generated = _new_password()
    pdir, _user, project = create_project_dir(
        directory, owner=owner, password=password, email=email, project_name=project_name
    )
    result = {
        "ok": True,
        "directory": str(pdir.path),
        "owner": owner,
        "project": project.slug,  # type: ignore[attr-defined]
        "generated_password": password if generated else None,
    }
    if as_json:
        emit_json(result)
        return
    click.echo(f"Created the tillit project directory {pdir.path}")
    click.echo(f"Owner account: {owner}")
    if generated:
        click.echo(f"Generated password: {password}  (change it after logging in)")
    click.echo(f"Next: tillit serve --dir {pdir.path}")


@click.command()
@dir_option
def upgrade(project_dir: Path | None) -> None:
    """Apply database migrations, after backing up a SQLite database."""
    pdir = resolve_project_dir(project_dir)
    setup_django(pdir)
    todo = pending_migrations()
    if not todo:
        click.echo("The database is up to date.")
        return
    from django.db import connection

    if connection.vendor == "sqlite":
        from tillit.apps.core.backup import create_backup

        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        info = create_backup(pdir.backup_path / f"before-upgrade-{stamp}.tillit-backup")
        click.echo(f"Backed up the database to {info.path}")
    with click.progressbar(todo, label="Migrating", file=sys.stderr) as bar:
        for _ in bar:
            pass
    migrate()
    click.echo(f"Applied {len(todo)} migrations.")


@click.command()
@dir_option
@click.option("--deploy", is_flag=True, help="Also run Django's production checks.")
def check(project_dir: Path | None, deploy: bool) -> None:
    """Check the installation (settings, database, migrations)."""
    pdir = resolve_project_dir(project_dir)
    setup_django(pdir)
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    try:
        call_command("check", deploy=deploy, fail_level="WARNING")
    except SystemCheckError as exc:
        raise TillitError(
            str(exc).strip(),
            ErrorCode.CONFIG,
            hint="Fix the settings named above (see docs/cli.md, Environment); in production set "
            "TILLIT_PRODUCTION=1 and TILLIT_ALLOWED_HOSTS.",
        ) from exc
    todo = pending_migrations()
    if todo:
        raise TillitError(
            f"{len(todo)} database migrations are not applied.",
            ErrorCode.CONFIG,
            hint=f"Run `tillit upgrade --dir {pdir.path}`.",
        )
    click.echo("All checks passed.")


# --------------------------------------------------------------------------------------------
# project and user management


@click.group()
def project() -> None:
    """Projects and their members."""


def _get_project(slug: str):  # type: ignore[no-untyped-def]
    from tillit.apps.core.models import Project

    p = Project.objects.filter(slug=slug).first()
    if p is None:
        raise NotFoundError(
            f"There is no project {slug!r}.", hint="List projects with `tillit project list`."
        )
    return p


def _get_user(name: str):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    u = get_user_model().objects.filter(username__iexact=name).first()
    if u is None:
        raise NotFoundError(
            f"There is no user {name!r}.", hint="Create the account with `tillit user create`."
        )
    return u


@project.command("list")
@dir_option
@click.option("--json", "as_json", is_flag=True)
def project_list(project_dir: Path | None, as_json: bool) -> None:
    """List the projects."""
    setup_django(resolve_project_dir(project_dir))
    from tillit.apps.core.models import Project

    rows = [
        {
            "slug": p.slug,
            "name": p.name,
            "synthetic": p.is_synthetic,
            "members": p.memberships.count(),
        }
        for p in Project.objects.all()
    ]
    if as_json:
        emit_json(rows)
    else:
        emit_table(["slug", "name", "synthetic", "members"], [list(r.values()) for r in rows])


@project.command("create")
@dir_option
@click.argument("name")
@click.option("--owner", required=True, help="User name of the owner.")
@click.option("--slug", default="", help="Short name used in addresses.")
@click.option("--description", default="")
def project_create(
    project_dir: Path | None, name: str, owner: str, slug: str, description: str
) -> None:
    """Create a project NAME owned by --owner."""
    setup_django(resolve_project_dir(project_dir))
    from tillit.apps.core import services

    user = _get_user(owner)
    p = services.do_create_project(
        name=name, slug=slug, description=description, owner=user, actor=None
    )
    click.echo(f"Created project {p.slug}.")


@project.command("members")
@dir_option
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True)
def project_members(project_dir: Path | None, slug: str, as_json: bool) -> None:
    """List the members of project SLUG and their roles."""
    setup_django(resolve_project_dir(project_dir))
    p = _get_project(slug)
    rows = [{"user": m.user.username, "role": m.role} for m in p.memberships.select_related("user")]
    if as_json:
        emit_json(rows)
    else:
        emit_table(["user", "role"], [list(r.values()) for r in rows])


@project.command("add-member")
@dir_option
@click.argument("slug")
@click.argument("username")
@click.option("--role", type=ROLE_CHOICE, required=True)
def project_add_member(project_dir: Path | None, slug: str, username: str, role: str) -> None:
    """Give USERNAME a role in project SLUG."""
    setup_django(resolve_project_dir(project_dir))
    from tillit.apps.core import services

    services.do_add_member(_get_project(slug), _get_user(username), role, actor=None)
    click.echo(f"{username} is now {role} in {slug}.")


@project.command("set-role")
@dir_option
@click.argument("slug")
@click.argument("username")
@click.option("--role", type=ROLE_CHOICE, required=True)
def project_set_role(project_dir: Path | None, slug: str, username: str, role: str) -> None:
    """Change USERNAME's role in project SLUG."""
    setup_django(resolve_project_dir(project_dir))
    from tillit.apps.core import services

    services.do_change_member_role(_get_project(slug), _get_user(username), role, actor=None)
    click.echo(f"{username} is now {role} in {slug}.")


@project.command("remove-member")
@dir_option
@click.argument("slug")
@click.argument("username")
def project_remove_member(project_dir: Path | None, slug: str, username: str) -> None:
    """Take USERNAME out of project SLUG."""
    setup_django(resolve_project_dir(project_dir))
    from tillit.apps.core import services

    services.do_remove_member(_get_project(slug), _get_user(username), actor=None)
    click.echo(f"{username} is no longer a member of {slug}.")


@project.command("audit")
@dir_option
@click.argument("slug")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--json", "as_json", is_flag=True)
def project_audit(project_dir: Path | None, slug: str, limit: int, as_json: bool) -> None:
    """Show the audit trail of project SLUG, newest first."""
    setup_django(resolve_project_dir(project_dir))
    p = _get_project(slug)
    rows = [
        {
            "at": e.at.isoformat(),
            "actor": e.actor_name,
            "action": e.action,
            "object": f"{e.object_type}:{e.object_id}",
            "before": e.before,
            "after": e.after,
        }
        for e in p.audit_events.all()[:limit]
    ]
    if as_json:
        emit_json(rows)
    else:
        emit_table(
            ["at", "actor", "action", "object"],
            [[r["at"], r["actor"], r["action"], r["object"]] for r in rows],
        )


@click.group()
def user() -> None:
    """Accounts."""


@user.command("create")
@dir_option
@click.argument("username")
@click.option("--email", default="")
@click.option(
    "--password",
    envvar="TILLIT_USER_PASSWORD",
    default=None,
    help="Password (or $TILLIT_USER_PASSWORD); asked for, or generated without a terminal.",
)
@click.option("--staff", is_flag=True, help="May use the Django admin.")
def user_create(
    project_dir: Path | None, username: str, email: str, password: str | None, staff: bool
) -> None:
    """Create the account USERNAME."""
    setup_django(resolve_project_dir(project_dir))
    from tillit.apps.core import services

    generated = False
    if password is None:
        password, generated = _new_password()
    services.do_create_user(username, password, email=email, is_staff=staff)
    click.echo(f"Created user {username}.")
    if generated:
        click.echo(f"Generated password: {password}")


@user.command("set-password")
@dir_option
@click.argument("username")
@click.option("--password", envvar="TILLIT_USER_PASSWORD", default=None)
def user_set_password(project_dir: Path | None, username: str, password: str | None) -> None:
    """Set a new password for USERNAME."""
    setup_django(resolve_project_dir(project_dir))
    from tillit.apps.core import services

    generated = False
    if password is None:
        password, generated = _new_password()
    services.do_change_password(_get_user(username), password, actor=None)
    click.echo(f"Changed the password of {username}.")
    if generated:
        click.echo(f"Generated password: {password}")


COMMANDS = [init, upgrade, check, project, user]
