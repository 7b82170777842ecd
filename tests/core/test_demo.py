"""`tillit demo` builds the demo: real registry, labelled synthetic study, one account per role."""

import json

import pytest

pytestmark = pytest.mark.slow


def test_demo_builds_and_rebuilds(run_cli, tmp_path):
    d = tmp_path / "demo"
    r = run_cli("demo", "--dir", str(d), "--no-serve", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["seconds"] < 60
    assert set(out["accounts"]) >= {"owner", "researcher", "coder", "viewer"}
    r = run_cli("project", "members", out["project"], "--dir", str(d), "--json")
    roles = {m["user"]: m["role"] for m in json.loads(r.stdout)}
    assert roles == {
        "owner": "owner",
        "researcher": "researcher",
        "coder": "coder",
        "viewer": "viewer",
    }
    r = run_cli("project", "list", "--dir", str(d), "--json")
    demo = next(p for p in json.loads(r.stdout) if p["slug"] == out["project"])
    assert demo["synthetic"] is True and "SYNTHETIC" in demo["name"]
    # Rebuilding replaces the old demo.
    assert run_cli("demo", "--dir", str(d), "--no-serve").returncode == 0


def test_demo_refuses_to_overwrite_a_real_project(run_cli, tmp_path):
    d = tmp_path / "real"
    assert run_cli("init", str(d), "--password", "Tillit-test-password-1").returncode == 0
    r = run_cli("demo", "--dir", str(d), "--no-serve")
    assert r.returncode == 1
    assert "is a real tillit project" in r.stderr
    assert run_cli("project", "list", "--dir", str(d)).returncode == 0
