"""The shipped chief-executive instrument: reads cleanly, is complete in four languages, is tagged
with taxonomy concepts, skips the reform block for non-reformers, and exports safely."""

from __future__ import annotations

import io
import re
from importlib import resources

import pytest

from tillit.instruments.expressions import is_true
from tillit.instruments.model import Group, Instrument, Question
from tillit.taxonomy import load_taxonomy

PATH = resources.files("tillit") / "data" / "instruments" / "chief_executive_2026.md"
LANGS = ("nb", "nn", "da", "en")
REFORM_PAGES = {"measures_pg", "motives_pg", "obstacles_pg", "effects_pg"}
ALWAYS_PAGES = {"intro", "adoption", "vtrust_pg", "htrust_pg", "trustform_pg", "background"}
NAME = re.compile(r"^[a-z][a-z0-9_]{0,23}$")
RESERVED = {
    "all",
    "and",
    "by",
    "eq",
    "ge",
    "gt",
    "le",
    "lt",
    "ne",
    "not",
    "or",
    "to",
    "with",
    "if",
    "in",
    "int",
    "byte",
    "long",
    "float",
    "double",
    "using",
    "strl",
}


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    from tillit.instruments.xlsform import read_xlsform

    return read_xlsform(str(PATH))


def _items(inst: Instrument):
    return [item for item, _ in inst.walk()]


def _questions(inst: Instrument) -> list[Question]:
    return [q for q in inst.questions() if q.type != "note"]


def _page(inst: Instrument, name: str) -> Group:
    return next(p for p in inst.pages() if p.name == name)


# ------------------------------------------------------------------ reading and settings


def test_reads_with_expected_settings(instrument):
    assert instrument.form_id == "chief_executive_2026"
    assert instrument.version == "2026.11.0"
    assert instrument.default_language == "nb"
    assert tuple(instrument.languages) == LANGS
    assert [p.name for p in instrument.pages()] == [
        "intro",
        "adoption",
        "measures_pg",
        "motives_pg",
        "obstacles_pg",
        "effects_pg",
        "vtrust_pg",
        "htrust_pg",
        "trustform_pg",
        "background",
    ]
    assert len(_questions(instrument)) == 66


def test_reads_without_warnings():
    """Nothing skipped, ignored or incomplete: the reader has nothing to say about the file."""
    from tillit.instruments.xlsform import read_xlsform

    warnings: list = []
    read_xlsform(str(PATH), warnings=warnings)
    assert warnings == []


def test_round_trips_through_xlsx(instrument):
    from tillit.instruments.xlsform import read_xlsform, write_xlsform

    buffer = io.BytesIO()
    write_xlsform(instrument, buffer)
    again = read_xlsform(buffer.getvalue(), filename="chief_executive_2026.xlsx")
    assert again == instrument


def test_matrices_share_one_list(instrument):
    grids = [
        i
        for i in _items(instrument)
        if isinstance(i, Group)
        and i.name in {"motives", "obstacles", "effects", "vtrust", "htrust", "trustform"}
    ]
    assert len(grids) == 6
    for grid in grids:
        assert grid.is_field_list
        lists = {q.list_name for q in grid.children}
        assert all(isinstance(q, Question) and q.type == "select_one" for q in grid.children)
        assert len(lists) == 1, (grid.name, lists)


def test_scales_have_consistent_codes(instrument):
    lists = instrument.choice_lists
    for name in ("importance", "agree", "effect"):
        assert lists[name].names() == ("1", "2", "3", "4", "5", "dk"), name
    assert lists["trust"].names() == (*[str(i) for i in range(11)], "dk")


# ------------------------------------------------------------------ languages


def _complete(texts, what):
    missing = [lang for lang in LANGS if not (texts or {}).get(lang, "").strip()]
    assert not missing, f"{what}: no text in {missing}"


def test_every_label_hint_and_message_in_four_languages(instrument):
    for item in _items(instrument):
        if isinstance(item, Group):
            _complete(item.labels, f"group {item.name}")
            continue
        _complete(item.labels, f"label of {item.name}")
        if item.hints:
            _complete(item.hints, f"hint of {item.name}")
        if item.required:
            _complete(item.required_messages, f"required message of {item.name}")
        if item.constraint:
            _complete(item.constraint_messages, f"constraint message of {item.name}")
    for clist in instrument.choice_lists.values():
        for choice in clist.choices:
            _complete(choice.labels, f"choice {clist.name}/{choice.name}")


def _texts(inst: Instrument, lang: str) -> str:
    parts = []
    for item in _items(inst):
        parts.append(item.labels.get(lang, ""))
        if isinstance(item, Question):
            parts += [
                item.hints.get(lang, ""),
                item.required_messages.get(lang, ""),
                item.constraint_messages.get(lang, ""),
            ]
    for clist in inst.choice_lists.values():
        parts += [c.labels.get(lang, "") for c in clist.choices]
    return "\n".join(parts).lower()


def test_written_standards_and_titles(instrument):
    nb, nn, da = (_texts(instrument, lang) for lang in ("nb", "nn", "da"))
    # the Norwegian chief executive is a kommunedirektør; a Norwegian kommunaldirektør is a
    # sector director (false friend), while the Danish chief executive is the kommunaldirektør
    assert "kommunedirektør" in nb and "kommunaldirektør" not in nb
    assert "kommunedirektør" in nn and "kommunaldirektør" not in nn
    assert "kommunaldirektør" in da and "kommunedirektør" not in da
    assert "kommunalbestyrelsen" in da and "kommunestyret" in nb and "kommunestyret" in nn
    for word in ("ikkje", "tilsette", "innbyggjar", "leiing", "tenest"):
        assert word in nn and word not in nb, word
    for word in (" ikke ", "ansatte", "innbyggere", "ledelse", "tjenest"):
        assert word not in nn, word
    for word in ("medarbejder", "borger", "ledelse"):
        assert word in da, word


# ------------------------------------------------------------------ concepts


def test_every_question_tagged_with_known_concepts(instrument):
    tax = load_taxonomy()
    untagged = [q.name for q in _questions(instrument) if not q.concepts]
    assert untagged == []
    used = [(i.name, c) for i in _items(instrument) for c in i.concepts]
    used += [
        (f"{cl.name}/{ch.name}", c)
        for cl in instrument.choice_lists.values()
        for ch in cl.choices
        for c in ch.concepts
    ]
    unknown = [(where, c) for where, c in used if c not in tax]
    assert unknown == []
    deprecated = [(where, c) for where, c in used if tax.get(c).deprecated]
    assert deprecated == []


@pytest.mark.parametrize(
    ("container", "branch"),
    [
        ("motives", "motive."),
        ("obstacles", "dilemma."),
        ("vtrust", "relation.vertical."),
        ("htrust", "relation.horizontal."),
        ("trustform", "relation.form."),
    ],
)
def test_matrix_items_carry_their_branch(instrument, container, branch):
    grid = next(i for i in _items(instrument) if isinstance(i, Group) and i.name == container)
    for q in grid.children:
        assert any(c.startswith(branch) for c in q.concepts), q.name


def test_measure_and_sector_choices_carry_their_concept(instrument):
    for clist, prefix, untagged in (("measure", "measure", {"none"}), ("sector", "sector", set())):
        for choice in instrument.choice_lists[clist].choices:
            if choice.name in untagged:
                continue
            assert any(c.startswith(prefix) for c in choice.concepts), (clist, choice.name)
    measures = {c for ch in instrument.choice_lists["measure"].choices for c in ch.concepts}
    assert len(measures - {"measure"}) >= 14  # one distinct concept per substantive measure


# ------------------------------------------------------------------ skip logic


@pytest.mark.parametrize("adopt", ["no", "dk"])
def test_reform_block_relevant_strings_skip_non_reformers(instrument, adopt):
    for name in REFORM_PAGES:
        page = _page(instrument, name)
        assert page.relevant, name
        assert not is_true(page.relevant, {"country": "NO", "adopt": adopt}), name
    for name in ALWAYS_PAGES:
        assert not _page(instrument, name).relevant, name


def test_reform_block_relevant_strings_for_reformers(instrument):
    for adopt in ("formal", "informal"):
        for name in REFORM_PAGES:
            assert is_true(_page(instrument, name).relevant, {"adopt": adopt}), (adopt, name)
    planned = {"adopt": "planned"}
    assert is_true(_page(instrument, "measures_pg").relevant, planned)
    assert not is_true(_page(instrument, "effects_pg").relevant, planned)  # nothing to report yet


def _visible(inst, answers):
    from tillit.instruments.engine import visible_pages

    return {getattr(p, "name", p) for p in visible_pages(inst, answers)}


@pytest.mark.parametrize("adopt", ["no", "dk"])
def test_engine_skips_reform_block(instrument, adopt):
    visible = _visible(instrument, {"country": "DK", "adopt": adopt})
    assert not visible & REFORM_PAGES
    assert visible >= ALWAYS_PAGES


def test_engine_shows_reform_block_after_a_decision(instrument):
    visible = _visible(instrument, {"country": "NO", "adopt": "formal", "adopt_year": 2019})
    assert visible >= REFORM_PAGES | ALWAYS_PAGES
    planned = _visible(instrument, {"country": "NO", "adopt": "planned"})
    assert "measures_pg" in planned and "effects_pg" not in planned


def test_question_level_skip_logic(instrument):
    q = instrument.question
    assert not is_true(q("decided_by").relevant, {"adopt": "informal"})
    assert is_true(q("decided_by").relevant, {"adopt": "formal"})
    assert not is_true(q("adopt_year").relevant, {"adopt": "planned"})
    assert not is_true(q("sectors").relevant, {"scope": "whole"})
    assert is_true(q("sectors").relevant, {"scope": "sectors"})
    assert is_true(q("measures_oth").relevant, {"measures": ["rules", "other"]})


def test_constraints(instrument):
    q = instrument.question
    year = q("adopt_year").constraint
    assert is_true(year, {}, current=1990) and is_true(year, {}, current=2026)
    assert not is_true(year, {}, current=1989) and not is_true(year, {}, current=2027)
    measures = q("measures").constraint
    assert is_true(measures, {}, current=["rules", "teams"])
    assert not is_true(measures, {}, current=["none", "rules"])
    assert not is_true(q("ce_years").constraint, {}, current=51)


@pytest.mark.parametrize(
    ("country", "shown", "hidden"),
    [
        ("NO", {"council_no", "cttee_no", "admin"}, {"council_dk", "cttee_dk"}),
        ("DK", {"council_dk", "cttee_dk", "admin"}, {"council_no", "cttee_no"}),
    ],
)
def test_decision_bodies_follow_country(instrument, country, shown, hidden):
    q = instrument.question("decided_by")
    names = {
        c.name
        for c in instrument.choice_lists[q.list_name].choices
        if is_true(q.choice_filter, {"country": country}, choice={"name": c.name, **c.extra})
    }
    assert shown <= names and not hidden & names


def test_required_only_where_meant(instrument):
    required = {q.name for q in _questions(instrument) if q.required}
    assert required == {"country", "adopt", "decided_by", "scope"}


# ------------------------------------------------------------------ export safety


def test_names_are_spss_and_stata_safe(instrument):
    names = [i.name for i in _items(instrument)]
    assert all(NAME.match(n) for n in names), [n for n in names if not NAME.match(n)]
    assert len({n.lower() for n in names}) == len(names)
    assert not {n.lower() for n in names} & RESERVED
    for q in _questions(instrument):
        if q.type == "select_multiple":
            for choice in instrument.choice_lists[q.list_name].choices:
                column = f"{q.name}_{choice.name}"
                assert len(column) <= 32 and re.match(r"^[a-z][a-z0-9_]*$", column), column


def test_export_codes_countries_and_dont_know_apart(instrument):
    """Denmark's code ``DK`` is a country, not the "don't know" code ``dk`` of the scales."""
    from tillit.interop.codebook import MISSING_DONT_KNOW, build_codebook

    codebook = build_codebook(instrument, [], language="en", include_paradata=False)
    country = next(v for v in codebook.variables if v.label.startswith("In which country"))
    assert country.codes["NO"] > 0 and country.codes["DK"] > 0
    assert country.codes["NO"] != country.codes["DK"]
    assert codebook.variable("mot_report").codes["dk"] == MISSING_DONT_KNOW


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("NO", {"council_no", "cttee_no", "admin", "sector", "other"}),
        ("DK", {"council_dk", "cttee_dk", "admin", "sector", "other"}),
    ],
)
def test_engine_filters_decision_bodies_by_country(instrument, country, expected):
    from tillit.instruments.engine import filtered_choices

    answers = {"country": country, "adopt": "formal"}
    choices = filtered_choices(instrument.question("decided_by"), answers, instrument)
    assert {c.name for c in choices} == expected


@pytest.mark.parametrize(
    ("language", "required", "year"),
    [
        ("nb", "Dette spørsmålet må besvares", "Skriv et årstall mellom 1990 og 2026."),
        ("nn", "Dette spørsmålet må du svare på", "Skriv eit årstal mellom 1990 og 2026."),
        ("da", "Dette spørgsmål skal besvares", "Skriv et årstal mellem 1990 og 2026."),
        ("en", "Please answer this question", "Enter a year between 1990 and 2026."),
    ],
)
def test_engine_checks_adoption_page_in_each_language(instrument, language, required, year):
    from tillit.instruments.engine import check_page

    answers = {"country": "NO"}
    missing = check_page(instrument, "adoption", {}, answers, language)
    assert missing.errors["adopt"].startswith(required)
    wrong = check_page(
        instrument,
        "adoption",
        {"adopt": "formal", "adopt_year": "1989", "decided_by": "council_no", "scope": "whole"},
        answers,
        language,
    )
    assert wrong.errors == {"adopt_year": year}
    submitted = {"adopt": "no", "adopt_year": "2019"}
    none = check_page(instrument, "adoption", submitted, answers, language)
    assert none.errors == {}
    assert "adopt_year" not in none.values
