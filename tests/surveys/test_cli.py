"""`tillit survey …` end to end in a subprocess against a fresh project directory: exit codes
(0 success, 1 runtime failure, 2 usage), --json output, row errors, mail and exports."""

import json
import subprocess
import sys

import pytest

from tests.surveys.conftest import TEST_FORM, to_csv

pytestmark = pytest.mark.slow

PASSWORD = "Tillit-test-password-1"
#: Runs the real `tillit` group, with the survey group added if main.py does not register it yet.
LAUNCH = (
    "import sys; from tillit.cli.main import cli; from tillit.cli.survey import survey; "
    "'survey' in cli.commands or cli.add_command(survey); "
    "cli(args=sys.argv[1:], prog_name='tillit')"
)


@pytest.fixture
def tillit(cli_env, tmp_path):
    d = tmp_path / "proj"

    def run(*args, env=None):
        return subprocess.run(
            [sys.executable, "-c", LAUNCH, *args],
            env={**cli_env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=180,
            stdin=subprocess.DEVNULL,
            check=False,
        )

    r = run("init", str(d), "--password", PASSWORD, "--project-name", "study")
    assert r.returncode == 0, r.stderr
    run.dir = str(d)
    return run


def _ok(r):
    assert r.returncode == 0, (r.stdout, r.stderr)
    return r


def test_create_frame_contacts_open_status_list(tillit, tmp_path):
    form = tmp_path / "form.md"
    form.write_text(TEST_FORM, encoding="utf-8")
    d = ("--dir", tillit.dir)
    r = _ok(
        tillit(
            "survey",
            "create",
            "study",
            "exec",
            "--instrument",
            str(form),
            "--title",
            "Executive survey",
            "--json",
            *d,
        )
    )
    assert json.loads(r.stdout)["survey"] == "exec"
    r = _ok(
        tillit(
            "survey",
            "frame",
            "study",
            "exec",
            "--country",
            "dk",
            "--sample",
            "10",
            "--seed",
            "3",
            "--json",
            *d,
        )
    )
    frame = json.loads(r.stdout)
    assert frame["n_cases"] == 10 and frame["seed"] == 3
    r = _ok(tillit("survey", "frame", "study", "exec", "--country", "no", *d))
    assert "357 municipalities" in r.stdout

    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        to_csv(
            [
                ["code", "name", "email"],
                ["0301", "A Person", "a@example.invalid"],
                ["9999", "Nobody", "bad"],
            ]
        ),
        encoding="utf-8",
    )
    r = tillit("survey", "import-contacts", "study", "exec", str(contacts), *d)
    assert r.returncode == 1
    assert "row 3, municipality code" in r.stderr and "row 3, e-mail" in r.stderr
    r = tillit("survey", "import-contacts", "study", "exec", str(contacts), "--json", *d)
    assert r.returncode == 1
    err = json.loads(r.stdout)
    assert err["ok"] is False and {e["row"] for e in err["errors"]} == {3}
    r = _ok(
        tillit(
            "survey",
            "import-contacts",
            "study",
            "exec",
            str(contacts),
            "--skip-bad-rows",
            "--json",
            *d,
        )
    )
    assert json.loads(r.stdout)["created"] == 1

    _ok(tillit("survey", "open", "study", "exec", *d))
    r = _ok(tillit("survey", "status", "study", "exec", "--json", *d))
    status = json.loads(r.stdout)
    assert status["cases"] == 357 and status["contacts"] == 1 and status["status"] == "open"
    assert status["by_disposition"]["3.10"]["n"] == 357
    r = _ok(tillit("survey", "list", "study", "--json", *d))
    assert [s["slug"] for s in json.loads(r.stdout)] == ["exec"]
    _ok(tillit("survey", "close", "study", "exec", *d))
    r = tillit("survey", "close", "study", "exec", *d)
    assert r.returncode == 1 and "closed already" in r.stderr


def test_builtin_instrument_and_exports(tillit, tmp_path):
    d = ("--dir", tillit.dir)
    _ok(
        tillit(
            "survey",
            "create",
            "study",
            "ce",
            "--instrument",
            "builtin:chief_executive_2026",
            "--title",
            "Chief executives 2026",
            *d,
        )
    )
    _ok(tillit("survey", "frame", "study", "ce", *d))
    for fmt in ("csv", "sav", "dta", "ddi", "xlsform"):
        out = tmp_path / f"out.{fmt}"
        _ok(tillit("survey", "export", "study", "ce", "--format", fmt, "--output", str(out), *d))
        assert out.stat().st_size > 0
    import pyreadstat

    df, _ = pyreadstat.read_sav(str(tmp_path / "out.sav"))
    assert len(df) == 455 and "case_id" in df.columns and "disposition" in df.columns
    r = tillit(
        "survey",
        "export",
        "study",
        "ce",
        "--format",
        "csv",
        "--output",
        str(tmp_path / "x.csv"),
        "--include-identity",
        "--user",
        "nobody",
        *d,
    )
    assert r.returncode == 1


def test_usage_errors_exit_2(tillit, tmp_path):
    d = ("--dir", tillit.dir)
    r = tillit("survey", "frame", "study", "x", "--country", "se", *d)
    assert r.returncode == 2
    r = tillit(
        "survey",
        "create",
        "study",
        "x",
        "--instrument",
        str(tmp_path / "missing.xlsx"),
        "--title",
        "X",
        *d,
    )
    assert r.returncode == 2
    r = tillit("survey", "invite", "study", "x", "--base-url", "https://x.example.org", *d)
    assert r.returncode == 1 and "no survey 'x'" in r.stderr
    r = tillit("survey", "frame", "study", "x", "--seed", "3", *d)
    assert r.returncode == 2


def test_invite_and_remind_through_a_local_smtp_server(tillit, tmp_path):
    from aiosmtpd.controller import Controller

    from tests.surveys.conftest import _Collector, _free_port

    form = tmp_path / "form.md"
    form.write_text(TEST_FORM, encoding="utf-8")
    d = ("--dir", tillit.dir)
    _ok(tillit("survey", "create", "study", "exec", "--instrument", str(form), "--title", "E", *d))
    _ok(tillit("survey", "frame", "study", "exec", "--country", "no", "--county", "03", *d))
    contacts = tmp_path / "c.csv"
    contacts.write_text("kommunenummer;navn;e-post;språk\n0301;Oslo Sjef;o@example.invalid;nn\n")
    _ok(tillit("survey", "import-contacts", "study", "exec", str(contacts), *d))
    _ok(tillit("survey", "open", "study", "exec", *d))
    handler, port = _Collector(), _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        env = {
            "TILLIT_SMTP_HOST": "127.0.0.1",
            "TILLIT_SMTP_PORT": str(port),
            "TILLIT_SMTP_TLS": "0",
            "TILLIT_MAIL_FROM": "survey@example.invalid",
        }
        r = _ok(
            tillit(
                "survey",
                "invite",
                "study",
                "exec",
                "--base-url",
                "https://t.example.org",
                "--json",
                *d,
                env=env,
            )
        )
        assert json.loads(r.stdout)["sent"] == 1
        r = _ok(
            tillit(
                "survey",
                "remind",
                "study",
                "exec",
                "--base-url",
                "https://t.example.org",
                *d,
                env=env,
            )
        )
        assert "Sent 1 reminder" in r.stdout
        r = _ok(
            tillit(
                "survey", "send-due", "--base-url", "https://t.example.org", "--json", *d, env=env
            )
        )
        assert json.loads(r.stdout)["rounds"] == []
    finally:
        controller.stop()
    assert len(handler.messages) == 2
    first, second = (m.get_body(("plain",)).get_content() for m in handler.messages)
    assert "Den personlege lenkja di" in first
    link = next(w for w in first.split() if "/s/" in w)
    assert link in second and link.startswith("https://t.example.org/s/")
