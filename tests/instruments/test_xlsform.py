"""Reading and writing XLSForm: the pyxform examples, round trips, columns and languages."""

import io

import openpyxl
import pytest

from tillit.instruments import InstrumentError, read_xlsform, write_xlsform
from tillit.instruments.columns import language_code, parse_type

from .forms import EXAMPLES, INVALID, VALID, every_feature, md


def read_md(text, **kw):
    return read_xlsform(md(text), filename="form.md", **kw)


def problems_of(source, **kw):
    with pytest.raises(InstrumentError) as info:
        read_xlsform(source, **kw)
    return info.value.problems


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_every_valid_example_imports_and_round_trips(path, tmp_path):
    warnings = []
    form = read_xlsform(path, warnings=warnings)
    assert list(form.questions())
    out = tmp_path / "out.xlsx"
    write_xlsform(form, out)
    again = read_xlsform(out)
    assert again == form
    assert [q.row for q in again.questions()]  # rows are kept, but not compared


def test_round_trip_of_an_instrument_with_every_feature():
    form = every_feature()
    buffer = io.BytesIO()
    write_xlsform(form, buffer)
    again = read_xlsform(buffer.getvalue(), filename="every.xlsx")
    assert again == form
    assert again.question("since").constraint_messages["en"] == "Between 2000 and 2030"
    assert again.choice_lists["sectors"].choices[0].extra == {"area": "edu"}


def test_written_workbook_has_three_sheets_and_text_cells(tmp_path):
    out = tmp_path / "f.xlsx"
    write_xlsform(every_feature(), out)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["survey", "choices", "settings"]
    survey = book["survey"]
    headers = [c.value for c in survey[1]]
    assert headers[:6] == [
        "type",
        "name",
        "label::Norsk bokmål (nb)",
        "label::Norsk nynorsk (nn)",
        "label::Dansk (da)",
        "label::English (en)",
    ]
    intro = survey[2][2]
    assert intro.value.startswith("=Velkommen") and intro.data_type == "s"  # never a formula
    settings = {c.value: v.value for c, v in zip(*book["settings"].iter_rows(), strict=True)}
    assert settings["form_id"] == "every_feature" and settings["default_language"] == (
        "Norsk bokmål (nb)"
    )


class TestExamples:
    def test_markdown_group_and_single_colon_language(self):
        form = read_xlsform(EXAMPLES / "valid/group.md")
        assert [p.name for p in form.pages()] == ["_page1", "father"]
        assert form.languages == ("en",) and form.language_names == {"en": "English (en)"}
        assert form.question("phone_number").type == "text"
        assert form.question("age").row == 6  # markdown rows are line numbers

    def test_group_xlsx_matches_group_md(self):
        assert read_xlsform(EXAMPLES / "valid/group.xlsx") == read_xlsform(
            EXAMPLES / "valid/group.md", filename="group.xlsx"
        )

    def test_english_without_code_maps_to_en(self):
        form = read_xlsform(EXAMPLES / "valid/text_and_integer.md")
        assert form.languages == ("en",)
        assert form.question("your_age").labels == {"en": "How many years old are you?"}

    def test_specify_other(self):
        q = read_xlsform(EXAMPLES / "valid/specify_other.md").question("sex")
        assert (q.type, q.list_name, q.or_other) == ("select_one", "sexes", True)

    def test_case_insensitive_sheets_and_headers(self):
        warnings = []
        form = read_xlsform(EXAMPLES / "valid/case_insensitivity.md", warnings=warnings)
        assert (form.form_id, form.title, form.default_language) == ("YesNo", "Yes or no", "en")
        assert [q.name for q in form.questions()] == ["q1"]
        skipped = [w.message for w in warnings if "skipped" in w.message]
        assert len(skipped) == 2  # select_one_external and osm are not supported

    def test_choice_filter_example_allows_duplicates_by_setting(self):
        form = read_xlsform(EXAMPLES / "valid/choice_filter_test.xlsx")
        assert form.settings["allow_choice_duplicates"] == "yes"
        assert form.question("county").choice_filter == "${state}=cf"
        assert form.choice_lists["counties"].choices[0].extra == {"cf": "washington"}

    def test_xls_numbers_become_names_without_dot_zero(self):
        form = read_xlsform(EXAMPLES / "valid/widgets.xls")
        assert form.choice_lists["list2"].names()[:3] == ("1", "2", "3")
        assert form.question("my_select1").default == "8"
        assert form.question("my_int").constraint_messages == {
            "default": "number must be less than 10"
        }  # bind:jr:constraintMsg
        assert form.question("my_int").type == "integer"  # int
        assert form.question("my_string").type == "text"  # string

    def test_repeats_read_as_groups_with_a_warning(self):
        warnings = []
        form = read_xlsform(EXAMPLES / "valid/tutorial.xls", warnings=warnings)
        assert form.pages()[0].name == "member"
        assert any("repeat 'member'" in w.message and w.row == 2 for w in warnings)

    def test_repeats_refused_on_request(self):
        (problem,) = problems_of(EXAMPLES / "valid/tutorial.xls", repeats="error")
        assert (problem.sheet, problem.row, problem.column) == ("survey", 2, "type")
        assert "repeats are not supported" in problem.message

    def test_spec_test_languages_and_skipped_types(self):
        warnings = []
        form = read_xlsform(EXAMPLES / "valid/xlsform_spec_test.xlsx", warnings=warnings)
        assert form.languages == ("en", "default", "chinese")
        assert form.question("required_text").required_messages == {
            "default": "Custom required message."
        }
        assert form.question("list-nolabel-test").required == "yes"  # a TRUE cell
        assert "geopoint_test" not in [q.name for q in form.questions()]
        assert any(w.column == "label::chinese" and w.row is None for w in warnings)


class TestInvalidExamples:
    def test_every_invalid_example_is_refused(self):
        for path in INVALID:
            with pytest.raises(InstrumentError):
                read_xlsform(path)

    def test_duplicate_columns(self):
        problems = problems_of(EXAMPLES / "invalid/duplicate_columns.xlsx")
        first = problems[0]
        assert (first.sheet, first.row, first.column) == ("survey", 1, "label")
        assert first.message == "duplicate column header 'label'"

    def test_aliased_duplicate_columns(self):
        problems = problems_of(EXAMPLES / "invalid/unknown_question_type.xls")
        first = problems[0]
        assert (first.sheet, first.row, first.column) == ("survey", 1, "relevance")
        assert "'bind:relevant' and 'relevance' are two names for the same column" in first.message
        assert any("unknown question type 'unknown'" in p.message for p in problems)

    def test_include(self):
        (problem,) = problems_of(EXAMPLES / "invalid/include.md")
        assert (problem.sheet, problem.row, problem.column) == ("survey", 4, "type")
        assert "legacy include syntax" in problem.message
        assert "has not been included" in problem.message

    def test_bad_calc(self):
        with pytest.raises(InstrumentError) as info:
            read_xlsform(EXAMPLES / "invalid/bad_calc.xlsx")
        (problem,) = info.value.problems
        assert (problem.sheet, problem.row, problem.column) == ("survey", 2, "calculation")
        assert problem.position == 1
        assert "calculation is not a valid expression" in problem.message
        assert info.value.message.startswith("1 problem in bad_calc.xlsx: survey row 2")
        assert info.value.errors[0]["row"] == 2


class TestColumns:
    def test_language_codes(self):
        assert language_code("Norsk bokmål (nb)") == ("nb", True)
        assert language_code("Dansk (DA)") == ("da", True)
        assert language_code("English (en-GB)") == ("en-GB", True)
        assert language_code("Nynorsk") == ("nn", True)
        assert language_code("Danish") == ("da", True)
        assert language_code("klingon") == ("klingon", False)

    def test_language_columns_and_aliases(self):
        header = (
            "| | type | name | label::Norsk bokmål (nb) | label::Dansk (da) | hint::Dansk (da) "
            "| relevance | constraint message::Dansk (da) | jr:requiredMsg::Dansk (da) "
            "| required |"
        )
        form = read_md(
            f"""
            | survey |
            {header}
            | | integer | a | A | A-da | hjælp | | | | |
            | | integer | b | B | B-da | | ${{a}} > 1 | For lidt | Svar! | yes |
            | settings |
            | | form_title | form_id | version | default_language |
            | | Tittel | skjema | 3 | Dansk (da) |
            """
        )
        b = form.question("b")
        assert form.languages == ("nb", "da") and form.default_language == "da"
        assert (form.title, form.form_id, form.version) == ("Tittel", "skjema", "3")
        assert b.relevant == "${a} > 1"
        assert b.constraint_messages == {"da": "For lidt"}
        assert b.required_messages == {"da": "Svar!"}
        assert form.question("a").hints == {"da": "hjælp"}

    def test_language_without_code_is_kept_with_a_warning(self):
        warnings = []
        form = read_md(
            """
            | survey |
            | | type | name | label::Klingon |
            | | text | a | nuqneH |
            """,
            warnings=warnings,
        )
        assert form.languages == ("Klingon",)
        (warning,) = warnings
        assert (warning.row, warning.column) == (1 + 1, "label::Klingon")
        assert "has no code" in warning.message

    def test_plain_label_takes_the_default_language(self):
        form = read_md(
            """
            | survey |
            | | type | name | label |
            | | text | a | Navn |
            | settings |
            | | default_language |
            | | nb |
            """
        )
        assert form.question("a").labels == {"nb": "Navn"}

    def test_two_columns_for_one_language(self):
        problems = problems_of(
            md(
                """
                | survey |
                | | type | name | label::English | label::English (en) |
                | | text | a | A | A |
                """
            ),
            filename="f.md",
        )
        assert "both hold the label in language 'en'" in problems[0].message

    def test_types(self):
        assert parse_type("select_one yes_no or_other").or_other
        assert parse_type("select all that apply from x").kind == "select_multiple"
        assert parse_type("rank   prio").list_name == "prio"
        assert parse_type("begin_group").kind == "begin_group"
        assert parse_type("dateTime").kind == "dropped"
        assert parse_type("osm c1").kind == "dropped"
        assert parse_type("include other_form").list_name == "other_form"
        assert parse_type("selct_one x").kind == "unknown"

    def test_form_id_and_title_default_to_the_file_name(self):
        form = read_xlsform(
            md("| survey |\n| | type | name | label |\n| | text | a | A |"),
            filename="Min skjema 2.md",
        )
        assert (form.form_id, form.title) == ("Min_skjema_2", "Min_skjema_2")

    def test_concept_column_is_checked_against_the_taxonomy(self):
        form = read_md(
            """
            | survey |
            | | type | name | label | concept |
            | | text | a | A | measure.delegation relation.vertical |
            """
        )
        assert form.question("a").concepts == ("measure.delegation", "relation.vertical")
        problems = problems_of(
            md(
                """
                | survey |
                | | type | name | label | concept |
                | | text | a | A | measure.delegaton |
                """
            ),
            filename="f.md",
        )
        (problem,) = problems
        assert (problem.row, problem.column) == (3, "concept")
        assert "unknown concept 'measure.delegaton'; did you mean 'measure.delegation'?" in (
            problem.message
        )

    def test_smart_quotes_in_expressions(self):
        form = read_md(
            """
            | survey |
            | | type | name | label | relevant |
            | | text | a | A | |
            | | text | b | B | ${a} = ‘x’ |
            """
        )
        assert form.question("b").relevant == "${a} = 'x'"

    def test_unused_columns_and_sheets_are_warnings(self):
        warnings = []
        read_md(
            """
            | survey |
            | | type | name | label | media::image |
            | | text | a | A | a.png |
            | entities |
            | | dataset |
            | | e1 |
            """,
            warnings=warnings,
        )
        messages = [w.message for w in warnings]
        assert "column 'media::image' is not used by tillit and was ignored" in messages
        assert "sheet 'entities' is not used by tillit and was ignored" in messages


def test_control_characters_are_dropped_so_copies_read_the_same(tmp_path):
    form = read_xlsform(
        md("| survey |\n| | type | name | label |\n| | text | a | Bell\x07 and tab\x0b |"),
        filename="f.md",
    )
    assert form.question("a").labels == {"default": "Bell and tab"}
    write_xlsform(form, tmp_path / "f.xlsx")
    assert read_xlsform(tmp_path / "f.xlsx") == form


def test_the_library_imports_without_django():
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['django'] = None\n"
        "from tillit.instruments import read_xlsform, check_page\n"
        "import tillit.instruments.engine, tillit.instruments.sheets\n"
        f"form = read_xlsform({str(EXAMPLES / 'valid/group.md')!r})\n"
        "print(check_page(form, 'father', {'age': '70'}, {}, 'nb').ok)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
