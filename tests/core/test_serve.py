"""The demo is the main job: `tillit demo` builds the demo and serves it with gunicorn."""

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 (loopback only)
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)


def test_demo_is_served_and_reachable(tmp_path, cli_env):
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tillit",
            "demo",
            "--dir",
            str(tmp_path / "demo"),
            "--port",
            str(port),
        ],
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, _ = _get(base + "/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, proc.stdout.read()
            assert time.monotonic() < deadline, "the demo server did not answer within 60 s"
            time.sleep(0.3)
        status, body, headers = _get(base + "/")
        assert status == 200
        assert "gunicorn" in headers.get("Server", "")
        assert b"Demo installation" in body
        status, body, _ = _get(base + "/static/tillit/css/tillit.css")
        assert status == 200 and b"--accent" in body
        status, body, _ = _get(base + "/registry/")
        assert status == 200 and b"<svg" in body
        status, _, _ = _get(base + "/p/synthetic-demo/")
        assert status == 200  # redirected to the log-in page
    finally:
        proc.terminate()
        try:
            out, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    assert f"Open http://127.0.0.1:{port}/" in out
    assert "password: tillit-demo" in out


def test_serve_refuses_a_busy_port(run_cli, tmp_path):
    d = tmp_path / "p"
    assert run_cli("init", str(d), "--password", "Tillit-test-password-1").returncode == 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = run_cli("serve", "--dir", str(d), "--port", str(port))
    assert r.returncode == 1
    assert "pass --port with a free one" in r.stderr
