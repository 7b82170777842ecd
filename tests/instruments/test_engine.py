"""The respondent-side engine: skip logic, calculations, choice filters, page checks, messages."""

import datetime as dt

import pytest

from tillit.errors import NotFoundError
from tillit.instruments import (
    check_page,
    clean_answers,
    compute_calculations,
    filtered_choices,
    is_relevant,
    progress,
    read_xlsform,
    text,
    visible_pages,
)
from tillit.instruments.engine import default_value, find_page, matrix_list, parse_date
from tillit.instruments.messages import MESSAGE_LANGUAGES, MESSAGES, message

from .forms import EXAMPLES, every_feature, example, md

TODAY = dt.date(2024, 6, 15)
REFORM = {"has_reform": "yes"}


@pytest.fixture(scope="module")
def form():
    return every_feature()


def nested_form():
    return read_xlsform(
        md(
            """
            | survey |
            | | type | name | label | relevant | calculation | required |
            | | integer | n | N | | | |
            | | begin group | outer | Outer | ${n} > 0 | | |
            | | begin group | inner | Inner | ${n} > 5 | | |
            | | text | deep | Deep | | | yes |
            | | calculate | double | | | ${n} * 2 | |
            | | end group | | | | | |
            | | text | shallow | Shallow | ${n} != 3 | | |
            | | end group | | | | | |
            | | calculate | ratio | | | 1 div ${missing_n} | |
            | | calculate | total | | | ${n} + coalesce(${double}, 0) | |
            | | note | bye | Bye | | | |
            """
        ).replace(b"${missing_n}", b"${n}"),
        filename="nested.md",
    )


class TestSkipLogic:
    def test_nested_groups(self):
        f = nested_form()
        assert is_relevant("deep", {"n": 7}, f)
        assert not is_relevant("deep", {"n": 3}, f)  # inner group is off
        assert not is_relevant(f.question("deep"), {}, f)  # outer group is off
        assert not is_relevant("shallow", {"n": 3}, f)
        assert is_relevant("shallow", {"n": 4}, f)
        assert not is_relevant("inner", {"n": 2}, f)
        with pytest.raises(NotFoundError):
            is_relevant("nope", {}, f)

    def test_an_inner_question_is_off_when_an_enclosing_group_is(self, form):
        assert not is_relevant("trust_pol", {"has_reform": "no"}, form)
        assert is_relevant("trust_pol", REFORM, form)

    def test_visible_pages(self, form):
        names = [p.name for p in visible_pages(form, {})]
        assert names == ["_page1", "end"]
        assert [p.name for p in visible_pages(form, REFORM)] == ["_page1", "reform", "end"]

    def test_pages_with_only_calculations_are_hidden(self):
        f = read_xlsform(
            md(
                """
                | survey |
                | | type | name | label | calculation |
                | | text | a | A | |
                | | begin group | calc | Calc | |
                | | calculate | c | | 1 + 1 |
                | | end group | | | |
                """
            ),
            filename="f.md",
        )
        assert [p.name for p in visible_pages(f, {})] == ["_page1"]

    def test_calculations(self):
        f = nested_form()
        assert compute_calculations(f, {"n": 7}) == {
            "double": 14,
            "ratio": 0.14285714285714285,
            "total": 21,
        }
        # double is inside an irrelevant group: it is not computed and counts as empty
        assert compute_calculations(f, {"n": 0}) == {"ratio": "", "total": 0}  # 1 div 0 -> ""

    def test_cascading_calculations(self):
        f = read_xlsform(EXAMPLES / "valid/cascading_select_test_equivalent.xls")
        answers = {
            "mylga_zone": "zone_2",
            "mylga_state_in_zone_2": "state_4",
            "mylga_lga_in_state_4": "lga_2",
        }
        assert compute_calculations(f, answers) == {"mylga_state": "state_4", "mylga": "lga_2"}
        assert is_relevant("mylga_lga_in_state_4", answers, f)
        assert not is_relevant("mylga_lga_in_state_1", answers, f)
        # an answer to a question that is no longer asked is dropped
        answers["mylga_state_in_zone_1"] = "state_1"
        assert "mylga_state_in_zone_1" not in clean_answers(f, answers)

    def test_clean_answers_drops_irrelevant_and_recomputes(self, form):
        answers = {"has_reform": "no", "since": 2019, "years": 99, "comment": "ok"}
        assert clean_answers(form, answers) == {"has_reform": "no", "comment": "ok"}

    def test_progress(self, form):
        assert progress(form, {}).n_relevant == 2  # has_reform, comment
        p = progress(form, {**REFORM, "since": 2019, "comment": ""})
        assert (p.n_answered, p.n_relevant, p.n_pages) == (2, 11, 3)
        assert p.share == pytest.approx(2 / 11)
        empty = read_xlsform(
            md("| survey |\n| | type | name | label |\n| | note | n | N |"), filename="f.md"
        )
        assert progress(empty, {}).share == 1.0


class TestChoices:
    def test_choice_filter_example(self):
        f = example("choice_filter_test.xlsx")
        names = lambda q, a: [c.name for c in filtered_choices(f.question(q), a, f)]  # noqa: E731
        assert names("state", {}) == ["texas", "washington"]
        assert names("county", {"state": "washington"}) == ["king", "pierce"]
        assert names("county", {"state": "texas"}) == ["king", "cameron"]
        assert names("city", {"county": "cameron"}) == ["brownsville", "harlingen"]
        assert names("city", {"county": "pierce"}) == ["tacoma", "puyallup"]
        assert names("county", {}) == []

    def test_filter_on_extra_columns_other_and_randomize(self, form):
        q = form.question("sectors")
        plain = [c.name for c in filtered_choices(q, {**REFORM, "area": "health"}, form)]
        assert plain == ["care", "health", "other"]
        other = filtered_choices(q, {**REFORM, "area": "health"}, form)[-1]
        assert text(other.labels, "nn") == "Anna" and text(other.labels, "da") == "Andet"
        shuffled = [
            [c.name for c in filtered_choices(q, {"area": "edu"}, form, seed=s)]
            for s in ("case-1", "case-1")
        ]
        assert shuffled[0] == shuffled[1]  # stable per respondent
        assert shuffled[0][-1] == "other"  # other stays last

    def test_check_page_uses_filtered_choices(self):
        f = example("choice_filter_test.xlsx")
        bad = check_page(f, "_page1", {"state": "texas", "county": "pierce"}, {}, "en")
        assert bad.errors == {"county": "Choose from the options shown."}
        good = check_page(
            f, "_page1", {"state": "texas", "county": "cameron", "city": "harlingen"}, {}, "en"
        )
        assert good.ok and good.values == {
            "state": "texas",
            "county": "cameron",
            "city": "harlingen",
        }


class TestCheckPage:
    def test_required_and_constraint_messages_from_the_form(self, form):
        r = check_page(form, "reform", {"since": ""}, REFORM, "da")
        assert r.errors == {"since": "Angiv år"}
        r = check_page(form, "reform", {"since": "1999", "why": "x"}, REFORM, "en")
        assert r.errors == {"since": "Between 2000 and 2030"}
        r = check_page(form, "reform", {"since": "1999", "why": "x"}, REFORM, "nn")
        assert r.errors == {"since": "Mellom 2000 og 2030"}
        assert r.values["since"] == 1999  # cleaned values are returned with the errors

    @pytest.mark.parametrize(
        ("language", "required", "integer"),
        [
            ("nb", "Dette spørsmålet må besvares.", "Skriv et helt tall, for eksempel 12."),
            ("nn", "Dette spørsmålet må svarast på.", "Skriv eit heilt tal, til dømes 12."),
            ("da", "Dette spørgsmål skal besvares.", "Skriv et helt tal, for eksempel 12."),
            ("en", "This question must be answered.", "Enter a whole number, for example 12."),
            ("sv", "Dette spørgsmål skal besvares.", "Skriv et helt tal, for eksempel 12."),
            ("de", "This question must be answered.", "Enter a whole number, for example 12."),
        ],
    )
    def test_default_messages_in_each_language(self, language, required, integer):
        f = read_xlsform(
            md(
                """
                | survey |
                | | type | name | label | required | constraint |
                | | text | a | A | yes | |
                | | integer | b | B | | . > 1 |
                | | decimal | c | C | | |
                | | date | d | D | | |
                """
            ),
            filename="f.md",
        )
        r = check_page(
            f, "_page1", {"a": " ", "b": "tolv", "c": "x", "d": "31.02.2024"}, {}, language
        )
        assert r.errors["a"] == required
        assert r.errors["b"] == integer
        assert r.errors["c"] == message("decimal", language)
        assert r.errors["d"] == message("date", language)
        r = check_page(f, "_page1", {"a": "x", "b": "0"}, {}, language)
        assert r.errors == {"b": message("constraint", language)}

    def test_every_message_is_written_in_every_language(self):
        for key, texts in MESSAGES.items():
            assert set(MESSAGE_LANGUAGES) <= set(texts), key
            assert len(set(texts.values())) >= 3, key  # really translated
        assert message("too_long", "nb", limit=5) == "Svaret er for langt (høyst 5 tegn)."

    def test_typed_values(self, form):
        r = check_page(
            form,
            "reform",
            {
                "since": "2 019",
                "area": "health",
                "sectors": ["care", "health"],
                "share": "0,25",
                "start": "01.03.2021",
                "trust_pol": "4",
                "trust_adm": "5",
                "priorities": ["no", "yes"],
                "why": "fordi",
            },
            REFORM,
            "nb",
            today=TODAY,
        )
        assert r.ok, r.errors
        assert r.values == {
            "since": 2019,
            "area": "health",
            "sectors": ["care", "health"],
            "share": 0.25,
            "start": dt.date(2021, 3, 1),
            "years": 5,
            "trust_pol": "4",
            "trust_adm": "5",
            "priorities": ["no", "yes"],
            "why": "fordi",
        }
        assert "sectors_other" in r.irrelevant  # other not chosen

    def test_required_expression_uses_calculations_on_the_page(self, form):
        r = check_page(form, "reform", {"since": "2020"}, REFORM, "en")
        assert "why" in r.errors  # years = 4 > 2 makes why required
        r = check_page(form, "reform", {"since": "2023"}, REFORM, "en")
        assert "why" not in r.errors

    def test_selects_are_checked(self, form):
        r = check_page(
            form,
            "reform",
            {
                "since": "2020",
                "why": "x",
                "area": "edu",
                "sectors": "care",
                "trust_pol": ["4", "5"],
                "priorities": ["yes"],
            },
            REFORM,
            "en",
        )
        assert r.errors == {
            "sectors": "Choose from the options shown.",  # filtered out by area = edu
            "trust_pol": "Choose from the options shown.",  # two values for select_one
            "priorities": "Rank all the options, each option once.",
        }

    def test_or_other(self, form):
        submitted = {"since": "2020", "why": "x", "area": "edu", "sectors": "school other"}
        r = check_page(form, "reform", submitted, REFORM, "nb")
        assert r.errors == {"sectors_other": "Skriv hva «Annet» gjelder."}
        r = check_page(form, "reform", {**submitted, "sectors_other": "Kultur"}, REFORM, "nb")
        assert r.ok and r.values["sectors"] == ["school", "other"]
        assert r.values["sectors_other"] == "Kultur"

    def test_irrelevant_values_are_dropped(self, form):
        earlier = {"has_reform": "yes", "since": 2019, "comment": "x"}
        r = check_page(form, "_page1", {"has_reform": "no"}, earlier, "en")
        assert r.values == {"has_reform": "no"}
        r2 = check_page(form, "reform", {"since": "2020"}, {"has_reform": "no"}, "en")
        assert r2.ok and r2.values == {} and "since" in r2.irrelevant
        stored = r2.apply({"has_reform": "no", "since": 2019, "comment": "x"})
        assert stored == {"has_reform": "no", "comment": "x"}

    def test_blank_answers_replace_earlier_ones(self, form):
        r = check_page(form, "end", {"comment": "  "}, {"comment": "old"}, "en")
        assert r.ok and r.blank == ("comment",)
        assert r.apply({"comment": "old"}) == {}

    def test_unknown_keys_are_ignored(self, form):
        r = check_page(form, "end", {"comment": "x", "has_reform": "hacked", "z": "1"}, {}, "en")
        assert r.values == {"comment": "x"}

    def test_unknown_page(self, form):
        with pytest.raises(NotFoundError):
            check_page(form, "nope", {}, {}, "en")
        assert find_page(form, form.pages()[1]).name == "reform"

    def test_constraint_messages_interpolate_answers(self):
        f = example("xlsform_spec_test.xlsx")
        r = check_page(
            f,
            "everything",
            {
                "my_name": "Kari",
                "select_multiple_test": "yes no",
                "required_text": "x",
                "list-nolabel-test": "yes",
            },
            {"skip_to_end": "no"},
            "en",
        )
        assert r.errors == {"select_multiple_test": "Sorry Kari, you can't select yes and no."}

    def test_whole_pages_skipped(self):
        f = example("xlsform_spec_test.xlsx")
        r = check_page(f, "everything", {"my_name": "Kari"}, {"skip_to_end": "yes"}, "en")
        assert r.ok and r.values == {} and "my_name" in r.irrelevant

    def test_text_limits(self):
        f = read_xlsform(
            md("| survey |\n| | type | name | label |\n| | text | t | T |"), filename="f.md"
        )
        r = check_page(f, "_page1", {"t": "x" * 10_001}, {}, "nn")
        assert r.errors == {"t": "Svaret er for langt (høgst 10000 teikn)."}
        assert check_page(f, "_page1", {"t": "linje 1\r\nlinje 2"}, {}, "nn").values == {
            "t": "linje 1\nlinje 2"
        }


class TestHelpers:
    def test_parse_date(self):
        assert parse_date("2024-02-29") == dt.date(2024, 2, 29)
        assert parse_date("1.3.2024") == dt.date(2024, 3, 1)
        assert parse_date("01/03/2024") == dt.date(2024, 3, 1)
        assert parse_date("30.02.2024") is None
        assert parse_date("2024") is None

    def test_default_value(self, form):
        assert default_value(form.question("start"), {}) == dt.date(2020, 1, 1)
        assert default_value(form.question("comment"), {}) is None
        w = read_xlsform(EXAMPLES / "valid/widgets.xls")
        assert default_value(w.question("my_select"), {}) == ["a", "c"]
        assert default_value(w.question("my_decimal"), {}) == 18.31

    def test_text_fallbacks(self):
        labels = {"nb": "Kommune", "en": "Municipality"}
        assert text(labels, "nn") == "Kommune"
        assert text(labels, "da") == "Kommune"
        assert text(labels, "en") == "Municipality"
        assert text({"default": "X"}, "nb") == "X"
        assert text({"fr": "Commune"}, "nb", "en") == "Commune"
        assert text({}, "nb") == ""

    def test_matrix(self, form):
        reform = find_page(form, "reform")
        grid = next(i for i in reform.children if i.name == "grid")
        assert matrix_list(grid) == "trust"
        assert matrix_list(reform) is None
