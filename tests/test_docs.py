"""Docs can't rot: every CLI command and environment setting is documented."""

import re
from pathlib import Path

import click

from tillit.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
DOCS = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md"))


def _commands(group: click.Group, prefix: str = "tillit"):
    for name, cmd in group.commands.items():
        path = f"{prefix} {name}"
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, path)
        else:
            yield path


def test_every_cli_command_is_documented():
    missing = [c for c in _commands(cli) if c not in DOCS and not _in_group_list(c)]
    assert missing == [], f"undocumented commands: {missing}"


def _in_group_list(command: str) -> bool:
    """`tillit registry show` also counts when docs write it as `tillit registry show ...`."""
    return re.search(re.escape(command) + r"\b", DOCS) is not None


def test_every_environment_variable_is_documented():
    settings_src = (ROOT / "src/tillit/web/settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r'"(TILLIT_[A-Z_]+|DATABASE_URL)"', settings_src))
    names |= {"TILLIT_DIR"}
    names -= {"TILLIT_LOCALE_DIR"}  # a test knob
    for name in names - {"TILLIT_TEST_DB_NAME"}:  # a test-runner knob
        assert f"`{name}`" in DOCS, name


def test_readme_quick_start_has_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    lines = [ln for ln in block.strip().splitlines() if ln.strip()]
    assert [ln.split("#")[0].strip() for ln in lines] == [
        "bash scripts/demo.sh",
        "bash scripts/test.sh",
    ]
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    assert "bash scripts/test.sh" in ci
