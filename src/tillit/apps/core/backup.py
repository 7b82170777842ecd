"""Backup and restore of a tillit database, verified by per-table checksums.

A backup is one ``.tillit-backup`` file: a gzip-compressed tar holding ``manifest.json`` (format,
engine, tillit version, time, and the row count and SHA-256 of every table) and the database
itself (``db.sqlite3``, made with SQLite's online backup API; or ``db.pgdump``, made by
``pg_dump --format=custom`` from the same snapshot the checksums were computed on).

Restore checks the archive (members, sizes, compression ratio), restores into a scratch copy,
compares every table's checksum with the manifest, and only then replaces the live database; it
checks the checksums once more afterwards. A damaged or tampered backup changes nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection, transaction

import tillit
from tillit.errors import CorruptFileError, ErrorCode, TillitError

FORMAT = "tillit-backup/1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "db.sqlite3"
PG_MEMBER = "db.pgdump"
#: A backup may not unpack to more than this many times its own size (zip-bomb guard).
MAX_EXPANSION = 200
MAX_MANIFEST_BYTES = 1_000_000

Checksums = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    engine: str
    tables: int
    rows: int
    bytes: int


# ---------------------------------------------------------------------------------------------
# checksums


def _normalise(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return value


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def checksums_from_cursor(cursor: Any, tables: list[str], *, sqlite: bool = False) -> Checksums:
    """Row count and SHA-256 of each table, rows ordered by every column.

    Every value is read as text made by the database itself (SQLite ``quote()``, PostgreSQL
    ``::text`` in UTC and ISO dates), so the result does not depend on the client's type
    converters or session settings.
    """
    out: Checksums = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT * FROM {_quote(table)} WHERE 1=0")  # noqa: S608 (quoted name)
        names = [d[0] for d in cursor.description]
        order = ", ".join(str(i) for i in range(1, len(names) + 1))
        if sqlite:
            cols = ", ".join(f"quote({_quote(n)})" for n in names)
        else:
            cols = ", ".join(f"{_quote(n)}::text" for n in names)
        cursor.execute(f"SELECT {cols} FROM {_quote(table)} ORDER BY {order}")  # noqa: S608
        h = hashlib.sha256()
        n_rows = 0
        for row in cursor.fetchall():
            h.update(
                json.dumps([_normalise(v) for v in row], ensure_ascii=False, default=str).encode()
            )
            h.update(b"\n")
            n_rows += 1
        out[table] = {"rows": n_rows, "sha256": h.hexdigest()}
    return out


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return [r[0] for r in rows]


def _pg_tables(cursor: Any) -> list[str]:
    cursor.execute("SET TIME ZONE 'UTC'")
    cursor.execute("SET datestyle TO ISO")
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return [r[0] for r in cursor.fetchall()]


def live_checksums() -> Checksums:
    """Checksums of the database Django is connected to."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            return checksums_from_cursor(cursor, _sqlite_tables(connection.connection), sqlite=True)
        return checksums_from_cursor(cursor, _pg_tables(cursor))


# ---------------------------------------------------------------------------------------------
# backup


def create_backup(output: Path) -> BackupInfo:
    """Write a verified backup of the current database to ``output``."""
    output = output.expanduser().resolve()
    if output.is_dir():
        raise TillitError(
            f"{output} is a directory.", ErrorCode.USAGE, hint="Give a file name for the backup."
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".tillit-backup-") as tmp:
        tmpdir = Path(tmp)
        if connection.vendor == "sqlite":
            member, sums = _dump_sqlite(tmpdir)
        elif connection.vendor == "postgresql":
            member, sums = _dump_postgres(tmpdir)
        else:  # pragma: no cover - settings only allow the two
            raise TillitError(f"Backups of {connection.vendor} are not supported.")
        manifest = {
            "format": FORMAT,
            "engine": connection.vendor,
            "tillit_version": tillit.__version__,
            "created": dt.datetime.now(dt.UTC).isoformat(),
            "member": member.name,
            "member_sha256": _file_sha256(member),
            "tables": sums,
        }
        (tmpdir / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        partial = tmpdir / "out.tar.gz"
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(tmpdir / MANIFEST, arcname=MANIFEST)
            tar.add(member, arcname=member.name)
        os.replace(partial, output)
    return BackupInfo(
        output,
        connection.vendor,
        len(sums),
        sum(t["rows"] for t in sums.values()),
        output.stat().st_size,
    )


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _dump_sqlite(tmpdir: Path) -> tuple[Path, Checksums]:
    connection.ensure_connection()
    target = tmpdir / SQLITE_MEMBER
    dst = sqlite3.connect(target)
    try:
        connection.connection.backup(dst)
        sums = checksums_from_cursor(dst.cursor(), _sqlite_tables(dst), sqlite=True)
    finally:
        dst.close()
    return target, sums


def _pg_env_and_args(dbname: str | None = None) -> tuple[dict[str, str], list[str]]:
    s = connection.settings_dict
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    args = []
    if s.get("HOST"):
        args += ["--host", str(s["HOST"])]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    if s.get("USER"):
        args += ["--username", str(s["USER"])]
    args += ["--dbname", dbname or str(s["NAME"])]
    return env, args


def _run_pg_tool(tool: str, args: list[str], env: dict[str, str]) -> None:
    if shutil.which(tool) is None:
        raise TillitError(
            f"{tool} is not installed, and PostgreSQL backups need it.",
            ErrorCode.EXTERNAL_TOOL,
            hint="Install the PostgreSQL client tools (Debian: apt-get install postgresql-client).",
        )
    proc = subprocess.run([tool, *args], env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise TillitError(
            f"{tool} failed: {proc.stderr.strip()[-2000:]}",
            ErrorCode.EXTERNAL_TOOL,
            hint="Check that the database server answers and that the client version is at "
            "least the server's.",
        )


def _dump_postgres(tmpdir: Path) -> tuple[Path, Checksums]:
    target = tmpdir / PG_MEMBER
    env, args = _pg_env_and_args()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        sums = checksums_from_cursor(cursor, _pg_tables(cursor))
        _run_pg_tool(
            "pg_dump",
            [
                *args,
                "--format=custom",
                "--no-owner",
                f"--snapshot={snapshot}",
                "--file",
                str(target),
            ],
            env,
        )
    return target, sums


# ---------------------------------------------------------------------------------------------
# restore


def read_backup(path: Path, into: Path) -> tuple[dict[str, Any], Path]:
    """Check a backup file and unpack it into ``into``; raise :class:`CorruptFileError`."""
    path = path.expanduser().resolve()
    if not path.is_file():
        raise TillitError(f"No backup file at {path}.", ErrorCode.NOT_FOUND)
    size = path.stat().st_size
    where = f"Backup {path}"
    try:
        with tarfile.open(path, "r:gz") as tar:
            members = {m.name: m for m in tar.getmembers()}
            if MANIFEST not in members:
                raise CorruptFileError(f"{where}: no {MANIFEST} inside; it is not a tillit backup.")
            for m in members.values():
                if not m.isfile() or m.name not in {MANIFEST, SQLITE_MEMBER, PG_MEMBER}:
                    raise CorruptFileError(f"{where}: unexpected member {m.name!r}.")
            total = sum(m.size for m in members.values())
            if members[MANIFEST].size > MAX_MANIFEST_BYTES or total > MAX_EXPANSION * max(size, 1):
                raise CorruptFileError(
                    f"{where} would unpack to {total} bytes from {size}: refused as a likely "
                    "decompression bomb."
                )
            manifest_file = tar.extractfile(members[MANIFEST])
            assert manifest_file is not None  # a regular file, checked above
            manifest = json.loads(manifest_file.read().decode("utf-8"))
            _check_manifest(manifest, where)
            member = manifest["member"]
            if member not in members:
                raise CorruptFileError(f"{where}: the manifest names {member!r}, which is missing.")
            tar.extract(members[member], into, filter="data")
    except (tarfile.TarError, EOFError, OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptFileError(
            f"{where} is damaged or not a tillit backup ({type(exc).__name__}: {exc}).",
            hint="Use another backup file; nothing was changed.",
        ) from exc
    unpacked = into / member
    if _file_sha256(unpacked) != manifest["member_sha256"]:
        raise CorruptFileError(
            f"{where}: {member} does not match the checksum in the manifest.",
            hint="The file was changed or damaged after it was made; nothing was changed.",
        )
    return manifest, unpacked


def _check_manifest(manifest: Any, where: str) -> None:
    if not isinstance(manifest, dict):
        raise CorruptFileError(f"{where}: the manifest is not a JSON object.")
    if manifest.get("format") != FORMAT:
        raise CorruptFileError(f"{where}: unknown format {manifest.get('format')!r}.")
    for key in ("engine", "member", "member_sha256", "tables"):
        if key not in manifest:
            raise CorruptFileError(f"{where}: the manifest has no {key!r}.")
    if manifest["engine"] != connection.vendor:
        raise TillitError(
            f"{where} was made from {manifest['engine']}, but this installation uses "
            f"{connection.vendor}.",
            ErrorCode.CONFLICT,
            hint="Restore it into an installation that uses the same database engine.",
        )


def _compare(expected: Checksums, got: Checksums, what: str) -> None:
    bad = sorted(t for t in set(expected) | set(got) if expected.get(t) != got.get(t))
    if bad:
        raise CorruptFileError(
            f"{what}: tables differ from the manifest: {', '.join(bad[:10])}.",
            hint="The backup is not trustworthy; nothing was changed.",
        )


def restore_backup(path: Path) -> Checksums:
    """Replace the current database with a verified backup; return the verified checksums."""
    base = Path(connection.settings_dict["NAME"]).parent if connection.vendor == "sqlite" else None
    tmp_parent = base if base is not None and base.is_dir() else None
    with tempfile.TemporaryDirectory(dir=tmp_parent, prefix=".tillit-restore-") as tmp:
        manifest, unpacked = read_backup(path, Path(tmp))
        expected: Checksums = manifest["tables"]
        if connection.vendor == "sqlite":
            _restore_sqlite(unpacked, expected, str(path))
        else:
            _restore_postgres(unpacked, expected, str(path))
    _compare(expected, live_checksums(), f"After restoring {path}")
    return expected


def _restore_sqlite(unpacked: Path, expected: Checksums, where: str) -> None:
    src = sqlite3.connect(unpacked)
    try:
        ok = src.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            raise CorruptFileError(f"Backup {where}: the database fails its integrity check: {ok}")
        _compare(
            expected, checksums_from_cursor(src.cursor(), _sqlite_tables(src), sqlite=True), where
        )
        connection.close()
        connection.ensure_connection()
        src.backup(connection.connection)
    except sqlite3.DatabaseError as exc:
        raise CorruptFileError(f"Backup {where}: the database cannot be read ({exc}).") from exc
    finally:
        src.close()


@contextlib.contextmanager
def _scratch_database() -> Iterator[str]:
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"[:63]
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {_quote(name)}")
    try:
        yield name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {_quote(name)}")


def _pg_checksums(dbname: str) -> Checksums:
    import psycopg

    s = connection.settings_dict
    with (
        psycopg.connect(
            dbname=dbname,
            host=s.get("HOST") or None,
            port=s.get("PORT") or None,
            user=s.get("USER") or None,
            password=s.get("PASSWORD") or None,
        ) as conn,
        conn.cursor() as cursor,
    ):
        return checksums_from_cursor(cursor, _pg_tables(cursor))


def _restore_postgres(unpacked: Path, expected: Checksums, where: str) -> None:
    with _scratch_database() as scratch:
        env, args = _pg_env_and_args(scratch)
        try:
            _run_pg_tool("pg_restore", [*args, "--no-owner", "--exit-on-error", str(unpacked)], env)
        except TillitError as exc:
            raise CorruptFileError(f"Backup {where} cannot be restored: {exc.message}") from exc
        _compare(expected, _pg_checksums(scratch), where)
    env, args = _pg_env_and_args()
    connection.close()
    _run_pg_tool(
        "pg_restore",
        [
            *args,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            str(unpacked),
        ],
        env,
    )
    connection.close()


def describe(path: Path) -> dict[str, Any]:
    """The manifest of a backup, checked, without restoring it."""
    with tempfile.TemporaryDirectory() as tmp:
        manifest, _ = read_backup(path, Path(tmp))
    return {k: v for k, v in manifest.items() if k != "tables"} | {
        "tables": len(manifest["tables"]),
        "rows": sum(t["rows"] for t in manifest["tables"].values()),
    }


__all__ = ["BackupInfo", "create_backup", "describe", "live_checksums", "restore_backup"]
