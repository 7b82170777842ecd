"""`tillit instrument validate|show|convert` through the CLI runner, with exit codes."""

import json

import click
import pytest
from click.testing import CliRunner

from tillit.cli.instrument import instrument
from tillit.cli.main import TillitGroup
from tillit.instruments import read_xlsform, write_xlsform

from .forms import EXAMPLES, every_feature


@click.group(cls=TillitGroup)
def cli() -> None:
    """A stand-in for the `tillit` group."""


cli.add_command(instrument)


def run(*args):
    return CliRunner().invoke(cli, ["instrument", *map(str, args)])


@pytest.fixture
def feature_file(tmp_path):
    path = tmp_path / "every.xlsx"
    write_xlsform(every_feature(), path)
    return path


class TestValidate:
    def test_valid(self, feature_file):
        result = run("validate", feature_file)
        assert result.exit_code == 0, result.output
        assert "OK: every.xlsx: 'Every feature' (every_feature, version 2024.1)" in result.output
        assert "languages nb, nn, da, en; 0 warnings" in result.output

    def test_valid_with_warnings(self):
        result = run("validate", EXAMPLES / "valid/tutorial.xls")
        assert result.exit_code == 0
        assert "Warning: survey row 2, column 'type': repeats are not supported" in result.output

    def test_invalid_lists_each_located_problem(self):
        result = run("validate", EXAMPLES / "invalid/unknown_question_type.xls")
        assert result.exit_code == 1
        lines = result.output.splitlines()
        assert lines[0].startswith("unknown_question_type.xls: 27 problems")
        assert (
            "  survey row 1, column 'relevance': columns 'bind:relevant' and 'relevance'"
            in (lines[1])
        )
        assert sum(line.startswith("  survey row") for line in lines) == 27

    def test_json(self, feature_file):
        ok = json.loads(run("validate", "--json", feature_file).output)
        assert ok["ok"] is True and ok["n_questions"] == 12 and ok["warnings"] == []
        result = run("validate", "--json", EXAMPLES / "invalid/bad_calc.xlsx")
        assert result.exit_code == 1
        bad = json.loads(result.output)
        assert bad["ok"] is False and bad["code"] == "invalid_input"
        assert bad["errors"][0]["row"] == 2 and bad["errors"][0]["column"] == "calculation"

    def test_refuse_repeats(self):
        result = run("validate", "--repeats", "error", EXAMPLES / "valid/tutorial.xls")
        assert result.exit_code == 1 and "repeats are not supported" in result.output

    def test_not_a_spreadsheet(self, tmp_path):
        junk = tmp_path / "junk.xlsx"
        junk.write_bytes(b"%PDF-1.4 nothing here")
        result = run("validate", junk)
        assert result.exit_code == 1
        assert "Error: junk.xlsx is not a spreadsheet: it is a PDF document." in result.output
        result = run("validate", "--json", junk)
        assert json.loads(result.output)["code"] == "corrupt_file"

    def test_missing_file_is_a_usage_error(self, tmp_path):
        assert run("validate", tmp_path / "nope.xlsx").exit_code == 2


class TestShow:
    def test_outline(self, feature_file):
        result = run("show", feature_file, "--lang", "en")
        assert result.exit_code == 0, result.output
        out = result.output
        assert "Every feature (every_feature, version 2024.1)" in out
        assert "Page 2: reform  \"Reform\"  [if ${has_reform} = 'yes']" in out
        assert 'since  (integer)  "Since which year?"  required' in out
        assert "[constraint: . >= 2000 and . <= 2030]" in out
        assert "grid  (matrix of trust)" in out
        assert "sectors  (select_multiple sectors or_other)" in out
        assert "  yes_no (2): yes, no" in out

    def test_json(self, feature_file):
        data = json.loads(run("show", feature_file, "--json", "--lang", "da").output)
        assert [p["name"] for p in data["pages"]] == ["_page1", "reform", "end"]
        assert data["choice_lists"]["yes_no"][1] == {"name": "no", "label": "Nej"}
        grid = data["pages"][1]["items"][6]
        assert grid["matrix"] == "trust" and len(grid["items"]) == 2

    def test_language_not_in_form(self, feature_file):
        result = run("show", feature_file, "--lang", "sv")
        assert result.exit_code == 0 and "has no 'sv' texts" in result.output


class TestConvert:
    @pytest.mark.parametrize(
        "name", ["valid/group.md", "valid/widgets.xls", "valid/choice_filter_test.xlsx"]
    )
    def test_any_input_to_xlsx(self, tmp_path, name):
        out = tmp_path / "out.xlsx"
        result = run("convert", EXAMPLES / name, out)
        assert result.exit_code == 0, result.output
        assert f"Wrote {out}" in result.output
        assert read_xlsform(out) == read_xlsform(EXAMPLES / name)

    def test_usage_errors(self, tmp_path, feature_file):
        result = run("convert", feature_file, tmp_path / "out.csv")
        assert result.exit_code == 2 and "must be an .xlsx file" in result.output
        result = run("convert", feature_file, feature_file)
        assert result.exit_code == 2 and "exists already" in result.output
        assert run("convert", "--force", feature_file, feature_file).exit_code == 0

    def test_invalid_input_writes_nothing(self, tmp_path):
        out = tmp_path / "out.xlsx"
        result = run("convert", EXAMPLES / "invalid/include.md", out)
        assert result.exit_code == 1 and not out.exists()
        assert "legacy include syntax" in result.output
