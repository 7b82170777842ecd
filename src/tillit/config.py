"""Project directories and database configuration, without Django.

A *project directory* holds one tillit installation: ``tillit.toml`` (its settings and secret key),
the SQLite database ``tillit.sqlite3`` (unless ``DATABASE_URL`` points elsewhere), uploaded files
under ``media/`` and backups under ``backups/``.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tillit.errors import ConfigError

CONFIG_FILE = "tillit.toml"
SQLITE_FILE = "tillit.sqlite3"
ENV_DIR = "TILLIT_DIR"

#: SQLite connection settings, set in this one place (WAL, busy timeout, foreign keys).
SQLITE_PRAGMAS: tuple[str, ...] = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=10000",
    "PRAGMA foreign_keys=ON",
)
SQLITE_TIMEOUT_S = 10


@dataclass(frozen=True)
class ProjectDir:
    """A project directory on disk and what its ``tillit.toml`` says."""

    path: Path
    settings: dict[str, Any]

    @property
    def sqlite_path(self) -> Path:
        return self.path / SQLITE_FILE

    @property
    def media_path(self) -> Path:
        return self.path / "media"

    @property
    def backup_path(self) -> Path:
        return self.path / "backups"

    @property
    def secret_key(self) -> str:
        return str(self.settings["secret_key"])

    @property
    def is_demo(self) -> bool:
        return bool(self.settings.get("demo", False))


def is_project_dir(path: Path) -> bool:
    return (path / CONFIG_FILE).is_file()


def load_project_dir(path: str | os.PathLike[str]) -> ProjectDir:
    """Read a project directory, or raise :class:`ConfigError` saying what to do."""
    p = Path(path).expanduser().resolve()
    cfg = p / CONFIG_FILE
    if not cfg.is_file():
        raise ConfigError(
            f"{p} is not a tillit project directory (no {CONFIG_FILE}).",
            hint=f"Create one with `tillit init {p}`, or pass --dir with an existing project.",
        )
    try:
        data = tomllib.loads(cfg.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"{cfg} cannot be read: {exc}.",
            hint="Fix the file by hand or restore it from a backup.",
        ) from exc
    if not isinstance(data.get("secret_key"), str) or len(data["secret_key"]) < 50:
        raise ConfigError(
            f"{cfg}: secret_key is missing or shorter than 50 characters.",
            hint="Set secret_key to a long random string (`python -c 'import secrets; "
            "print(secrets.token_urlsafe(64))'`).",
        )
    return ProjectDir(p, data)


def write_project_config(path: Path, *, demo: bool = False) -> ProjectDir:
    """Write a fresh ``tillit.toml`` with a new secret key into ``path`` (which must exist)."""
    key = secrets.token_urlsafe(64)
    text = (
        "# tillit project settings. Keep this file private: it holds the secret key.\n"
        f'secret_key = "{key}"\n'
        f"demo = {'true' if demo else 'false'}\n"
    )
    (path / CONFIG_FILE).write_text(text, encoding="utf-8")
    os.chmod(path / CONFIG_FILE, 0o600)
    return load_project_dir(path)


def parse_database_url(url: str) -> dict[str, Any]:
    """Check and split a ``DATABASE_URL``; raise :class:`ConfigError` with the fix when malformed.

    Accepted forms: ``postgres://USER[:PASSWORD]@HOST[:PORT]/NAME`` (also ``postgresql://``) and
    ``sqlite:///ABSOLUTE/PATH``.
    """
    hint = (
        "Use postgres://USER@HOST:PORT/NAME (for example postgres://postgres@127.0.0.1:5432/tillit)"
        " or sqlite:////absolute/path/tillit.sqlite3, or unset DATABASE_URL to use the project's "
        "SQLite file."
    )
    shown = _redact(url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ConfigError(f"DATABASE_URL {shown!r} is malformed: {exc}.", hint) from exc
    scheme = parts.scheme.lower()
    if scheme in {"postgres", "postgresql", "pgsql"}:
        name = parts.path.lstrip("/")
        if not parts.hostname and not name:
            raise ConfigError(f"DATABASE_URL {shown!r} names neither a host nor a database.", hint)
        if not name or "/" in name:
            raise ConfigError(f"DATABASE_URL {shown!r} has no valid database name.", hint)
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": parts.username or "",
            "PASSWORD": parts.password or "",
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
        }
    if scheme == "sqlite":
        path = parts.path
        if not path or path == "/":
            raise ConfigError(f"DATABASE_URL {shown!r} has no file path.", hint)
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path}
    raise ConfigError(
        f"DATABASE_URL {shown!r} has an unsupported scheme {scheme or '(none)'!r}.", hint
    )


def _redact(url: str) -> str:
    try:
        parts = urlsplit(url)
        if parts.password:
            return url.replace(f":{parts.password}@", ":***@")
    except ValueError:
        pass
    return url
