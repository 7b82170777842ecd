"""`tillit backup` and `tillit restore` end to end, as a user runs them."""

import json

import pytest

pytestmark = pytest.mark.slow
PW = "Tillit-test-password-1"


def test_backup_restore_round_trip_from_the_cli(run_cli, tmp_path):
    d = str(tmp_path / "p")
    assert run_cli("init", d, "--owner", "lise", "--password", PW).returncode == 0
    r = run_cli("backup", "--dir", d, "--output", str(tmp_path / "b.tillit-backup"), "--json")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["rows"] > 0
    assert run_cli("user", "create", "ola", "--dir", d, "--password", PW).returncode == 0
    r = run_cli("restore", str(tmp_path / "b.tillit-backup"), "--dir", d)
    assert r.returncode == 2 and "--yes" in r.stderr  # no terminal to confirm on
    r = run_cli("restore", str(tmp_path / "b.tillit-backup"), "--dir", d, "--yes")
    assert r.returncode == 0, r.stderr
    assert "every table matches its checksum" in r.stdout
    r = run_cli("user", "create", "ola", "--dir", d, "--password", PW)
    assert r.returncode == 0, "ola was created after the backup, so the restore removed her"


def test_corrupt_backup_file_from_the_cli(run_cli, tmp_path):
    d = str(tmp_path / "p")
    assert run_cli("init", d, "--password", PW).returncode == 0
    bad = tmp_path / "bad.tillit-backup"
    bad.write_bytes(b"PK\x03\x04 definitely not ours")
    r = run_cli("restore", str(bad), "--dir", d, "--yes")
    assert r.returncode == 1
    assert "damaged or not a tillit backup" in r.stderr
    assert "nothing was changed" in r.stderr
    r = run_cli("project", "list", "--dir", d, "--json")
    assert [p["slug"] for p in json.loads(r.stdout)] == ["p"]
