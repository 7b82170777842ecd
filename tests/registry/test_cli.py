"""`tillit registry ...` through the click runner: output, exit codes, messages, JSON."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tillit.cli.main import cli


@pytest.fixture
def run():
    runner = CliRunner()

    def _run(*args: str):
        return runner.invoke(cli, ["registry", *args], catch_exceptions=False)

    return _run


def test_list_table(run):
    result = run("list", "--country", "dk", "--size-class", "city")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["country", "code", "name"]
    assert any("København" in line and "632 340" in line for line in lines)
    assert len(lines) == 2 + 7


def test_list_json_parses_and_keeps_leading_zeros(run):
    result = run("list", "--country", "NO", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert len(data) == 357
    assert data[0]["code"] == "0301"


def test_list_county_filter(run):
    data = json.loads(run("list", "--county", "1084", "--json").stdout)
    assert len(data) == 29 and {d["country"] for d in data} == {"DK"}


def test_bad_country_is_a_usage_error(run):
    result = run("list", "--country", "se")
    assert result.exit_code == 2
    assert "--country" in result.stderr


def test_bad_county_and_code_are_usage_errors(run):
    assert run("list", "--county", "99").exit_code == 2
    result = run("show", "abc")
    assert result.exit_code == 2
    assert "not a municipality code" in result.stderr


def test_show(run):
    result = run("show", "0301")
    assert result.exit_code == 0
    assert "Oslo" in result.stdout and "717 710" in result.stdout
    bergen = run("show", "4601")
    assert "code history" in bergen.stdout and "1201" in bergen.stdout


def test_show_json(run):
    data = json.loads(run("show", "101", "--json").stdout)
    assert (data["code"], data["code4"], data["name"]) == ("101", "0101", "København")
    assert data["population_year"] == 2020


def test_show_unknown_code_exit_1_names_the_code(run):
    result = run("show", "9999")
    assert result.exit_code == 1
    assert "Error:" in result.stderr and "9999" in result.stderr
    assert "tillit registry find" in result.stderr


def test_show_old_code_suggests_crosswalk(run):
    result = run("show", "1201")
    assert result.exit_code == 1
    assert "1201 was Bergen" in result.stderr
    assert "tillit registry crosswalk 1201 --year 2019" in result.stderr


def test_show_unknown_code_json_error(run):
    result = run("show", "9999", "--json")
    assert result.exit_code == 1
    error = json.loads(result.stdout)
    assert error["ok"] is False and error["code"] == "not_found" and "9999" in error["error"]


def test_find_namesakes_show_county(run):
    result = run("find", "heroy")
    assert result.exit_code == 0
    exact = [line for line in result.stdout.splitlines() if " exact " in line]
    assert len(exact) == 2
    assert "Møre og Romsdal" in exact[0] and "Nordland" in exact[1]


def test_find_json_with_suggestions(run):
    data = json.loads(run("find", "trondhjem", "--json").stdout)
    assert data["matches"] == []
    assert data["suggestions"][0]["code"] == "5001"
    data = json.loads(run("find", "Guovdageaidnu", "--json").stdout)
    assert [m["name"] for m in data["matches"]] == ["Kautokeino"]


def test_find_nothing_exit_1(run):
    result = run("find", "zzqqxx")
    assert result.exit_code == 1
    assert "zzqqxx" in result.stderr


def test_crosswalk(run):
    result = run("crosswalk", "1201", "--year", "2019")
    assert result.exit_code == 0
    assert "4601" in result.stdout and "Bergen" in result.stdout
    assert "Warning" not in result.stderr


def test_crosswalk_split_warns_on_stderr_and_exits_0(run):
    result = run("crosswalk", "5012", "--year", "2019")
    assert result.exit_code == 0
    assert "Warning:" in result.stderr and "Warning" not in result.stdout
    for name in ("Heim", "Hitra", "Orkland"):
        assert name in result.stdout and name in result.stderr


def test_crosswalk_json(run):
    result = run("crosswalk", "233", "--year", "2005", "--country", "dk", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["is_split"] and data["primary_target"] == "250"
    assert {s["code"] for s in data["successors"]} == {"219", "250"}


def test_crosswalk_errors(run):
    result = run("crosswalk", "1201", "--year", "2021")
    assert result.exit_code == 1 and "--year 2019" in result.stderr
    ambiguous = run("crosswalk", "233", "--year", "2005")
    assert ambiguous.exit_code == 1 and "--country" in ambiguous.stderr
    assert run("crosswalk", "1201").exit_code == 2  # --year is required
    assert run("crosswalk", "1201", "--year", "soon").exit_code == 2


def test_sources(run):
    result = run("sources")
    assert result.exit_code == 0
    assert "Provenance of bundled reference data" in result.stdout
    assert "Kartverket" in result.stdout


def test_commands_do_not_need_django():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "sys.modules['django'] = None\n"
        "from click.testing import CliRunner\n"
        "from tillit.cli.registry import registry\n"
        "r = CliRunner().invoke(registry, ['show', '0301'])\n"
        "assert r.exit_code == 0 and 'Oslo' in r.output, r.output\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
