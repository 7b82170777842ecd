"""`tillit taxonomy ...` through click's runner: output, JSON and exit codes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.taxonomy.tomlfiles import concept, write
from tillit.cli.main import cli
from tillit.taxonomy import load_taxonomy


@pytest.fixture
def run():
    runner = CliRunner()

    def _run(*args: str):
        return runner.invoke(cli, ["taxonomy", *args], catch_exceptions=False)

    return _run


def test_list_prints_an_indented_tree(run):
    result = run("list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == len(load_taxonomy())
    assert lines[0] == "measure  Measures"
    assert "  measure.reporting_reduction  Fewer reporting and documentation requirements" in lines
    assert "    relation.vertical.leaders_employees  Leaders and employees" in lines


def test_list_branch_and_language(run):
    result = run("list", "--branch", "relation.form", "--lang", "nn")
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "relation.form  Tillitsform",
        "  relation.form.institutional  Systemtillit (institusjonell tillit)",
        "  relation.form.interpersonal  Persontillit (mellommenneskeleg tillit)",
    ]


def test_list_json_parses(run):
    result = run("list", "--branch", "dilemma", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data[0]["id"] == "dilemma"
    assert {"labels", "definitions", "parent"} <= set(data[0])
    assert all(d["branch"] == "dilemma" for d in data)


def test_list_unknown_branch_exits_1(run):
    result = run("list", "--branch", "dilema")
    assert result.exit_code == 1
    assert "No concept with id 'dilema'" in result.output
    assert "Did you mean 'dilemma'" in result.output


def test_bad_language_is_a_usage_error(run):
    result = run("list", "--lang", "fi")
    assert result.exit_code == 2
    assert "Invalid value for '--lang'" in result.output


def test_show_prints_labels_definitions_parent_children(run):
    result = run("show", "relation.vertical")
    assert result.exit_code == 0
    out = result.output
    assert out.splitlines()[0] == "relation.vertical"
    assert "parent:   relation" in out
    for line in ("  nb  Vertikal tillit", "  da  Vertikal tillid", "  en  Vertical trust"):
        assert line in out
    assert "definitions:" in out and "Trust along the line of authority" in out
    assert "relation.vertical.state_municipality  State and municipality" in out


def test_show_json(run):
    result = run("show", "measure.delegation", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["id"] == "measure.delegation"
    assert data["labels"]["nn"] == "Delegering av myndigheit"
    assert data["ancestors"] == ["measure"]
    assert data["children"] == []
    assert data["version"] == load_taxonomy().version


def test_show_unknown_id_exits_1_with_suggestion(run):
    result = run("show", "measure.reportng_reduction")
    assert result.exit_code == 1
    assert "Error: No concept with id 'measure.reportng_reduction'" in result.output
    assert "Did you mean 'measure.reporting_reduction'" in result.output


def test_show_unknown_id_json_error(run):
    result = run("show", "nope", "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["ok"] is False
    assert data["code"] == "not_found"


def test_search(run):
    result = run("search", "FÆRRE", "--lang", "nb")
    assert result.exit_code == 0
    assert "measure.reporting_reduction  Færre rapporterings- og dokumentasjonskrav" in (
        result.output
    )


def test_search_json_and_no_hits(run):
    data = json.loads(run("search", "nulfejl", "--json").output)
    assert [d["id"] for d in data] == ["dilemma.zero_error_culture"]
    result = run("search", "xyzzy")
    assert result.exit_code == 0
    assert "No concept matches 'xyzzy'" in result.output


def test_validate_bundled(run):
    result = run("validate")
    assert result.exit_code == 0
    tax = load_taxonomy()
    assert f"OK: {len(tax)} concepts, version {tax.version}" in result.output


def test_validate_good_file(run, tmp_path):
    result = run("validate", str(write(tmp_path, "")), "--json")
    assert result.exit_code == 0
    assert json.loads(result.output) == {
        "ok": True,
        "concepts": 6,
        "version": "2026.11.0",
        "file": str(tmp_path / "taxonomy.toml"),
    }


def test_validate_bad_file_exits_1_with_located_error(run, tmp_path):
    path = write(tmp_path, concept("measure.x", "mesure"))
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert "Error: Invalid taxonomy" in result.output
    assert "(id 'measure.x'), field 'parent'" in result.output
    assert "Did you mean 'measure'?" in result.output


def test_validate_malformed_toml(run, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("version = \n", encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert "bad.toml is not valid TOML" in result.output
    assert "line 1" in result.output


def test_validate_missing_file_exits_1(run, tmp_path):
    result = run("validate", str(tmp_path / "missing.toml"))
    assert result.exit_code == 1
    assert "does not exist" in result.output
