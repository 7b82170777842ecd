"""Backup then restore gives identical tables; a damaged backup changes nothing."""

import gzip
import io
import json
import tarfile

import pytest

from tillit.apps.core import services
from tillit.apps.core.backup import create_backup, live_checksums, restore_backup
from tillit.apps.core.models import AuditEvent, Project
from tillit.errors import CorruptFileError

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def populated(project_with_roles):
    project, users = project_with_roles
    services.do_update_project(project, actor=users["owner"], description="Bølge 1 – æøå")
    return project, users


def test_backup_then_restore_gives_identical_tables(populated, tmp_path):
    project, users = populated
    before = live_checksums()
    info = create_backup(tmp_path / "b.tillit-backup")
    assert info.rows > 0 and info.tables == len(before)
    # Change the data after the backup...
    services.do_create_project(name="Made after the backup", owner=users["owner"])
    services.do_update_project(project, actor=users["owner"], name="Changed")
    assert live_checksums() != before
    # ...and restore: every table is back as it was.
    restore_backup(info.path)
    assert live_checksums() == before
    assert not Project.objects.filter(name="Made after the backup").exists()
    assert Project.objects.get(pk=project.pk).name == "Trust study"


def _rewrite(src, dst, change):
    with tarfile.open(src, "r:gz") as tar:
        files = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    change(files)
    with tarfile.open(dst, "w:gz") as tar:
        for name, data in files.items():
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            tar.addfile(ti, io.BytesIO(data))


def _tamper_manifest(files):
    m = json.loads(files["manifest.json"])
    first = sorted(m["tables"])[0]
    m["tables"][first]["sha256"] = "0" * 64
    files["manifest.json"] = json.dumps(m).encode()


def _tamper_db(files):
    name = "db.sqlite3" if "db.sqlite3" in files else "db.pgdump"
    data = bytearray(files[name])
    data[len(data) // 2] ^= 0xFF
    files[name] = bytes(data)


def _drop_manifest(files):
    del files["manifest.json"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_tamper_manifest, "tables differ from the manifest"),
        (_tamper_db, "does not match the checksum"),
        (_drop_manifest, "not a tillit backup"),
    ],
)
def test_tampered_backup_is_refused_and_changes_nothing(populated, tmp_path, change, message):
    good = create_backup(tmp_path / "good.tillit-backup").path
    bad = tmp_path / "bad.tillit-backup"
    _rewrite(good, bad, change)
    _, users = populated
    services.do_create_project(name="After", owner=users["owner"])
    state = live_checksums()
    with pytest.raises(CorruptFileError, match=message):
        restore_backup(bad)
    assert live_checksums() == state


@pytest.mark.parametrize("content", [b"", b"not a backup at all", b"\x1f\x8b\x08" + b"\0" * 50])
def test_garbage_file_is_refused(populated, tmp_path, content):
    bad = tmp_path / "garbage.tillit-backup"
    bad.write_bytes(content)
    state = live_checksums()
    with pytest.raises(CorruptFileError, match="damaged or not a tillit backup"):
        restore_backup(bad)
    assert live_checksums() == state


def test_truncated_backup_is_refused(populated, tmp_path):
    good = create_backup(tmp_path / "good.tillit-backup").path
    bad = tmp_path / "short.tillit-backup"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    state = live_checksums()
    with pytest.raises(CorruptFileError):
        restore_backup(bad)
    assert live_checksums() == state


def test_decompression_bomb_is_refused(populated, tmp_path):
    bomb = tmp_path / "bomb.tillit-backup"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        manifest = json.dumps({"format": "tillit-backup/1"}).encode()
        ti = tarfile.TarInfo("manifest.json")
        ti.size = len(manifest)
        tar.addfile(ti, io.BytesIO(manifest))
        big = tarfile.TarInfo("db.sqlite3")
        big.size = 50_000_000
        tar.addfile(big, io.BytesIO(b"\0" * big.size))
    bomb.write_bytes(gzip.compress(buf.getvalue(), compresslevel=9))
    assert bomb.stat().st_size < 200_000
    with pytest.raises(CorruptFileError, match="decompression bomb"):
        restore_backup(bomb)


def test_restore_audit_rows_survive(populated, tmp_path):
    n = AuditEvent.objects.count()
    info = create_backup(tmp_path / "b.tillit-backup")
    restore_backup(info.path)
    assert AuditEvent.objects.count() == n
