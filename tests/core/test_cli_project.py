"""The real `tillit` command in a subprocess: init, project management, bad input, exit codes."""

import json
import sqlite3

import pytest

pytestmark = pytest.mark.slow

PW = "Tillit-test-password-1"


def test_init_creates_a_project_directory(run_cli, tmp_path):
    d = tmp_path / "study"
    r = run_cli("init", str(d), "--owner", "lise", "--password", PW, "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["ok"] and out["owner"] == "lise" and out["project"] == "study"
    assert (d / "tillit.toml").is_file()
    assert (d / "tillit.toml").stat().st_mode & 0o077 == 0  # the secret key is private
    r = run_cli("project", "members", "study", "--dir", str(d), "--json")
    assert json.loads(r.stdout) == [{"user": "lise", "role": "owner"}]


def test_init_without_terminal_generates_a_password(run_cli, tmp_path):
    r = run_cli("init", str(tmp_path / "p"), "--json")
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout)["generated_password"]) >= 12


def test_init_into_non_empty_directory_changes_nothing(run_cli, tmp_path):
    d = tmp_path / "notes"
    d.mkdir()
    (d / "interview.txt").write_text("Intervju 1")
    r = run_cli("init", str(d), "--password", PW)
    assert r.returncode == 1
    assert "is not empty and is not a tillit project" in r.stderr
    assert "Choose a new or empty directory" in r.stderr
    assert sorted(p.name for p in d.iterdir()) == ["interview.txt"]


def test_init_twice_is_refused(run_cli, tmp_path):
    d = tmp_path / "p"
    assert run_cli("init", str(d), "--password", PW).returncode == 0
    r = run_cli("init", str(d), "--password", PW)
    assert r.returncode == 1
    assert "already a tillit project" in r.stderr


def test_failed_init_leaves_no_directory(run_cli, tmp_path):
    d = tmp_path / "weak"
    r = run_cli("init", str(d), "--password", "123")
    assert r.returncode == 1
    assert "password is too weak" in r.stderr
    assert not d.exists()


def test_malformed_database_url(run_cli, tmp_path):
    d = tmp_path / "p"
    assert run_cli("init", str(d), "--password", PW).returncode == 0
    for url in ("not a url", "postgres://host:notaport/db", "mysql://x@y/z", "postgres://"):
        r = run_cli("project", "list", "--dir", str(d), env={"DATABASE_URL": url})
        assert r.returncode == 2, (url, r.stderr)
        assert "DATABASE_URL" in r.stderr and "Use postgres://" in r.stderr
        assert "Traceback" not in r.stderr


def test_missing_project_dir_is_a_usage_error(run_cli, tmp_path):
    r = run_cli("project", "list", "--dir", str(tmp_path / "nowhere"))
    assert r.returncode == 2
    assert "is not a tillit project directory" in r.stderr
    assert "tillit init" in r.stderr


def test_member_management_from_the_cli(run_cli, tmp_path):
    d = str(tmp_path / "p")
    assert run_cli("init", d, "--owner", "lise", "--password", PW).returncode == 0
    assert run_cli("user", "create", "ola", "--dir", d, "--password", PW).returncode == 0
    assert (
        run_cli("project", "add-member", "p", "ola", "--role", "viewer", "--dir", d).returncode == 0
    )
    assert run_cli("project", "set-role", "p", "ola", "--role", "coder", "--dir", d).returncode == 0
    r = run_cli("project", "members", "p", "--dir", d, "--json")
    assert {"user": "ola", "role": "coder"} in json.loads(r.stdout)
    r = run_cli("project", "remove-member", "p", "lise", "--dir", d)
    assert r.returncode == 1 and "at least one owner" in r.stderr
    r = run_cli("project", "add-member", "p", "nobody", "--role", "viewer", "--dir", d)
    assert r.returncode == 1 and "no user 'nobody'" in r.stderr
    r = run_cli("project", "add-member", "p", "ola", "--role", "king", "--dir", d)
    assert r.returncode == 2
    r = run_cli("project", "audit", "p", "--dir", d, "--json")
    actions = [e["action"] for e in json.loads(r.stdout)]
    assert actions[:2] == ["member.change_role", "member.add"]


def test_sqlite_settings_are_applied(run_cli, tmp_path, cli_env):
    if "DATABASE_URL" in cli_env:
        pytest.skip("SQLite-only check")
    d = tmp_path / "p"
    assert run_cli("init", str(d), "--password", PW).returncode == 0
    import subprocess
    import sys

    code = (
        "import django; django.setup(); from django.db import connection; c = connection.cursor();"
        "print([c.execute(f'PRAGMA {p}').fetchone()[0] for p in "
        "('journal_mode', 'foreign_keys', 'busy_timeout')])"
    )
    env = {**cli_env, "TILLIT_DIR": str(d), "DJANGO_SETTINGS_MODULE": "tillit.web.settings"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['wal', 1, 10000]"
    con = sqlite3.connect(d / "tillit.sqlite3")
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_deploy_check_is_clean_in_production(run_cli, tmp_path):
    d = tmp_path / "p"
    assert run_cli("init", str(d), "--password", PW).returncode == 0
    r = run_cli(
        "check",
        "--deploy",
        "--dir",
        str(d),
        env={"TILLIT_PRODUCTION": "1", "TILLIT_ALLOWED_HOSTS": "tillit.example.org"},
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "All checks passed" in r.stdout


def test_deploy_check_fails_without_production_settings(run_cli, tmp_path):
    d = tmp_path / "p"
    assert run_cli("init", str(d), "--password", PW).returncode == 0
    r = run_cli("check", "--deploy", "--dir", str(d))
    assert r.returncode == 2
    assert "SECURE_HSTS_SECONDS" in r.stderr
    assert "TILLIT_PRODUCTION=1" in r.stderr
    assert "Traceback" not in r.stderr


def test_version_and_help(run_cli):
    r = run_cli("--version")
    assert r.returncode == 0 and "tillit" in r.stdout
    r = run_cli("no-such-command")
    assert r.returncode == 2


def test_upgrade_backs_up_sqlite_before_migrating(run_cli, tmp_path, cli_env):
    import subprocess
    import sys

    d = tmp_path / "p"
    assert run_cli("init", str(d), "--password", PW).returncode == 0
    r = run_cli("upgrade", "--dir", str(d))
    assert r.returncode == 0 and "up to date" in r.stdout
    # Roll one app back, as if a new tillit version brought migrations.
    env = {**cli_env, "TILLIT_DIR": str(d), "DJANGO_SETTINGS_MODULE": "tillit.web.settings"}
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "axes", "zero", "-v", "0"], env=env, check=True
    )
    r = run_cli("serve", "--dir", str(d), "--port", "1")
    assert r.returncode == 2 and "tillit upgrade" in r.stderr
    r = run_cli("upgrade", "--dir", str(d))
    assert r.returncode == 0, r.stderr
    assert "Applied" in r.stdout
    if "DATABASE_URL" not in cli_env:
        assert "Backed up the database to" in r.stdout
        assert list((d / "backups").glob("before-upgrade-*.tillit-backup"))
    assert "up to date" in run_cli("upgrade", "--dir", str(d)).stdout
