"""Validation: every problem at once, each located by sheet, row and column."""

import pytest

from tillit.instruments import (
    Group,
    Instrument,
    InstrumentError,
    Question,
    check_instrument,
    read_xlsform,
    validate_instrument,
)

from .forms import every_feature, md


def problems(text, **kw):
    with pytest.raises(InstrumentError) as info:
        read_xlsform(md(text), filename="survey.md", **kw)
    return [(p.sheet, p.row, p.column, p.message) for p in info.value.problems]


def one(text):
    (problem,) = problems(text)
    return problem


def test_all_problems_at_once_with_a_summary():
    with pytest.raises(InstrumentError) as info:
        read_xlsform(
            md(
                """
                | survey |
                | | type | name | label |
                | | text | a | A |
                | | text | a | A again |
                | | integr | b | B |
                | | select_one nolist | c | C |
                """
            ),
            filename="survey.md",
        )
    error = info.value
    assert error.message.startswith("3 problems in survey.md:\n  - survey row 4, column 'name'")
    assert error.code == "invalid_input"
    assert [e["row"] for e in error.errors] == [4, 5, 6]
    assert set(error.errors[0]) == {"sheet", "row", "column", "message", "hint", "position"}
    assert error.as_json()["ok"] is False


class TestNames:
    def test_duplicate_names_across_questions_and_groups(self):
        assert one(
            """
            | survey |
            | | type | name | label |
            | | begin group | p1 | P |
            | | text | p1 | A |
            | | end group | | |
            """
        ) == ("survey", 4, "name", "the name 'p1' is already used in row 3")

    def test_missing_and_invalid_names(self):
        found = problems(
            """
            | survey |
            | | type | name | label |
            | | text | | A |
            | | text | my name | B |
            | | text | 1st | C |
            """
        )
        assert found[0] == ("survey", 3, "name", "the row has no name")
        assert found[1][1:] == (4, "name", "'my name' is not a valid name")
        assert found[2][1:] == (5, "name", "'1st' is not a valid name")

    def test_names_differing_only_in_case_warn(self):
        warnings = []
        read_xlsform(
            md("| survey |\n| | type | name | label |\n| | text | Age | A |\n| | text | age | B |"),
            filename="f.md",
            warnings=warnings,
        )
        assert any("only in upper/lower case" in w.message and w.row == 4 for w in warnings)

    def test_or_other_name_clash(self):
        found = problems(
            """
            | survey |
            | | type | name | label |
            | | select_one c or_other | q | Q |
            | | text | q_other | Q2 |
            | choices |
            | | list_name | name | label |
            | | c | a | A |
            """
        )
        assert found == [("survey", 3, "type", found[0][3])]
        assert "q_other" in found[0][3]


class TestReferences:
    def test_undefined_with_suggestion(self):
        assert one(
            """
            | survey |
            | | type | name | label | relevant |
            | | integer | age | Age | |
            | | text | job | Job | ${agee} > 18 |
            """
        ) == (
            "survey",
            4,
            "relevant",
            "relevant refers to ${agee}, which is not a question in this form; did you mean "
            "${age}?",
        )

    def test_later_question(self):
        _, row, column, message = one(
            """
            | survey |
            | | type | name | label | calculation |
            | | calculate | total | | ${b} + 1 |
            | | integer | b | B | |
            """
        )
        assert (row, column) == (3, "calculation")
        assert message == "calculation refers to ${b}, which comes later (row 4)"

    def test_self_reference(self):
        assert (
            one(
                """
            | survey |
            | | type | name | label | relevant |
            | | text | a | A | ${a} != '' |
            """
            )[3]
            == "relevant refers to ${a}, the row itself"
        )

    def test_constraint_may_name_its_own_question(self):
        form = read_xlsform(
            md(
                "| survey |\n| | type | name | label | constraint |\n"
                "| | integer | a | A | ${a} > 1 |"
            ),
            filename="f.md",
        )
        assert form.question("a").constraint == "${a} > 1"

    def test_group_condition_on_its_own_content(self):
        found = problems(
            """
            | survey |
            | | type | name | label | relevant |
            | | begin group | g | G | ${inner} = 'x' |
            | | text | inner | I | |
            | | end group | | | |
            | | text | after | A | ${g} = 'x' |
            """
        )
        assert found[0][1:3] == (3, "relevant") and "inside the group" in found[0][3]
        assert found[1][1:3] == (6, "relevant") and "is a group, not a question" in found[1][3]

    def test_reference_to_a_skipped_type_is_a_warning(self):
        warnings = []
        read_xlsform(
            md(
                """
                | survey |
                | | type | name | label | relevant |
                | | geopoint | gps | Where | |
                | | text | a | A | ${gps} != '' |
                """
            ),
            filename="f.md",
            warnings=warnings,
        )
        assert any("${gps} (type geopoint)" in w.message and w.row == 4 for w in warnings)

    def test_every_expression_column_is_checked(self):
        found = problems(
            """
            | survey |
            | | type | name | label | required | constraint | choice_filter | default | relevant |
            | | integer | a | A | ${x} > 1 | . >> 2 | | if(${y}, 1, 2) | |
            | | select_one c | b | B | | | zone = ${nope} | | not( |
            | choices |
            | | list_name | name | label |
            | | c | k | K |
            """
        )
        located = [(row, column, message) for _, row, column, message in found]

        def has(row, column, words):
            return any(r == row and c == column and words in m for r, c, m in located)

        assert has(3, "required", "required refers to ${x}")
        assert has(3, "constraint", "constraint is not a valid expression")
        assert has(3, "constraint", "(at column 4 of '. >> 2')")
        assert has(3, "default", "default refers to ${y}")
        assert has(4, "choice_filter", "choice_filter refers to ${nope}")
        assert has(4, "choice_filter", "choice_filter uses 'zone'")
        assert has(4, "relevant", "relevant is not a valid expression")

    def test_choice_filter_columns_must_exist(self):
        _, row, column, message = one(
            """
            | survey |
            | | type | name | label | choice_filter |
            | | select_one c | a | A | |
            | | select_one c | b | B | zone = ${a} |
            | choices |
            | | list_name | name | label | region |
            | | c | k | K | north |
            """
        )
        assert (row, column) == (4, "choice_filter")
        assert message == "choice_filter uses 'zone', which is not a column of choice list 'c'"

    def test_expression_position_is_reported(self):
        with pytest.raises(InstrumentError) as info:
            read_xlsform(
                md(
                    "| survey |\n| | type | name | label | relevant |\n| | text | a | A | 1 = = 2 |"
                ),
                filename="f.md",
            )
        assert info.value.problems[0].position == 5


class TestStructure:
    def test_unclosed_group(self):
        assert one(
            """
            | survey |
            | | type | name | label |
            | | begin group | g | G |
            | | text | a | A |
            """
        ) == ("survey", 3, "type", "begin group 'g' is never closed")

    def test_unmatched_end_group(self):
        assert one(
            """
            | survey |
            | | type | name | label |
            | | text | a | A |
            | | end group | | |
            """
        )[1:] == (4, "type", "end group without a matching begin group")

    def test_end_group_closing_a_repeat(self):
        assert (
            "end group closes begin repeat 'r'"
            in one(
                """
            | survey |
            | | type | name | label |
            | | begin repeat | r | R |
            | | text | a | A |
            | | end group | | |
            """
            )[3]
        )

    def test_unknown_type_with_suggestion(self):
        assert one(
            """
            | survey |
            | | type | name | label |
            | | integr | a | A |
            """
        ) == ("survey", 3, "type", "unknown question type 'integr'; did you mean 'integer'?")

    def test_row_without_type(self):
        assert one("| survey |\n| | type | name | label |\n| | | a | A |")[1:] == (
            3,
            "type",
            "the row 'a' has no type",
        )

    def test_missing_columns(self):
        assert one("| survey |\n| | name | label |\n| | a | A |") == (
            "survey",
            2,
            "",
            "the survey sheet has no 'type' column",
        )

    def test_calculate_without_calculation(self):
        assert one("| survey |\n| | type | name |\n| | calculate | c |")[1:] == (
            3,
            "calculation",
            "a calculate row needs a calculation",
        )

    def test_duplicate_sheets(self):
        text = "| survey |\n| | type | name | label |\n| | text | a | A |\n"
        assert one(text + text.replace("survey", "Survey"))[3] == (
            "there are two sheets named 'Survey'"
        )


class TestChoices:
    def test_missing_list_and_list_name(self):
        found = problems(
            """
            | survey |
            | | type | name | label |
            | | select_one yess_no | a | A |
            | | select_one | b | B |
            | choices |
            | | list_name | name | label |
            | | yes_no | yes | Yes |
            """
        )
        assert found[0][1:] == (
            3,
            "type",
            "choice list 'yess_no' is not on the choices sheet; did you mean 'yes_no'?",
        )
        assert found[1][1:] == (4, "type", "select_one needs a choice list name")

    def test_list_without_choices(self):
        assert problems(
            """
            | survey |
            | | type | name | label |
            | | select_one empty | a | A |
            | choices |
            | | list_name | name | label |
            | | empty | | Lonely label |
            """
        ) == [
            ("survey", 3, "type", "choice list 'empty' has no choices"),
            ("choices", 6, "name", "a choice in list 'empty' has no name"),
        ]

    def test_duplicate_choice_names(self):
        text = """
            | survey |
            | | type | name | label |
            | | select_multiple c | a | A |
            | choices |
            | | list_name | name | label |
            | | c | x | X |
            | | c | x | X again |
            | | c | y z | Y |
            """
        found = problems(text)
        assert found[0] == (
            "choices",
            7,
            "name",
            "choice 'x' appears twice in list 'c' (first in row 6)",
        )
        assert found[1][1] == 8 and "contains a space" in found[1][3]

    def test_choice_without_list_name(self):
        assert one(
            """
            | survey |
            | | type | name | label |
            | | text | a | A |
            | choices |
            | | list_name | name | label |
            | | | x | X |
            """
        ) == ("choices", 6, "list_name", "choice 'x' has no list_name")

    def test_default_must_fit(self):
        found = problems(
            """
            | survey |
            | | type | name | label | default |
            | | integer | a | A | many |
            | | date | b | B | 31.02.2024 |
            | | select_one c | d | D | z |
            | choices |
            | | list_name | name | label |
            | | c | x | X |
            """
        )
        assert [f[3] for f in found] == [
            "the default 'many' is not a whole number",
            "the default '31.02.2024' is not a date written YYYY-MM-DD",
            "the default 'z' names 'z', not in list 'c'",
        ]


class TestLanguages:
    def test_missing_translation_is_one_problem_per_row(self):
        found = problems(
            """
            | survey |
            | | type | name | label::Norsk bokmål (nb) | label::Dansk (da) |
            | | text | a | A | A |
            | | text | b | B | |
            | | text | c | C | C |
            | | text | d | D | |
            """
        )
        assert found == [
            ("survey", 4, "label::Dansk (da)", "the label in 'label::Dansk (da)' is missing"),
            ("survey", 6, "label::Dansk (da)", "the label in 'label::Dansk (da)' is missing"),
        ]

    def test_sparse_translation_is_a_warning(self):
        warnings = []
        read_xlsform(
            md(
                """
                | survey |
                | | type | name | label::English (en) | label::Dansk (da) |
                | | text | a | A | A |
                | | text | b | B | |
                | | text | c | C | |
                """
            ),
            filename="f.md",
            warnings=warnings,
        )
        assert [w.message for w in warnings] == [
            "'label::Dansk (da)' is filled in on only 1 of 3 labelled rows; the others fall "
            "back to another language"
        ]


class TestBuiltInstruments:
    def test_every_feature_is_valid(self):
        assert validate_instrument(every_feature()) is not None

    def test_problems_of_a_built_instrument_use_written_column_names(self):
        form = Instrument(
            "f",
            "F",
            "1",
            "nb",
            ("nb", "da"),
            (
                Group(
                    "g",
                    {"nb": "G", "da": "G"},
                    children=(
                        Question("a", "text", {"nb": "A"}),
                        Question("b", "text", {"nb": "B", "da": "B"}),
                        Question("c", "text", {"nb": "C", "da": "C"}, relevant="${zz}"),
                    ),
                ),
            ),
            language_names={"da": "Dansk (da)"},
        )
        found = [(p.column, p.message) for p in check_instrument(form)]
        assert ("relevant", "relevant refers to ${zz}, which is not a question in this form") in (
            found
        )
        assert ("label::Dansk (da)", "the label in 'label::Dansk (da)' is missing") in found


def test_an_unclosed_group_keeps_its_questions():
    with pytest.raises(InstrumentError) as info:
        read_xlsform(
            md(
                "| survey |\n| | type | name | label |\n"
                "| | begin group | g | G |\n| | text | a | A |"
            ),
            filename="f.md",
        )
    assert [p.message for p in info.value.problems] == ["begin group 'g' is never closed"]


def test_a_form_without_questions():
    assert one(
        "| survey |\n| | type | name | label |\n| | begin group | g | G |\n| | end group |"
    ) == (
        "survey",
        None,
        "",
        "the form has no questions",
    )
    empty = Instrument("f", "F", "1", "en", (), ())
    assert [p.message for p in check_instrument(empty)] == ["the form has no questions"]
