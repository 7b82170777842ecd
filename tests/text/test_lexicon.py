"""The bundled screening lexicon and its strict validation."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from tillit.errors import NotFoundError, TillitError
from tillit.taxonomy import load_taxonomy
from tillit.text.lexicon import (
    LANGUAGES,
    Term,
    available_versions,
    expand_pattern,
    inflect,
    load_lexicon,
    parse_lexicon,
)

CORE = "measure.trust_reform"
IDS = {"measure.trust_reform", "motive.reporting_burden"}


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


def test_bundled_lexicon_loads_and_is_the_newest_version(lexicon):
    assert available_versions()[-1] == lexicon.version == "1"
    assert load_lexicon("1") is lexicon
    assert lexicon.taxonomy_version == load_taxonomy().version
    assert len(lexicon.terms) > 1000
    assert lexicon.negatives


def test_every_lexicon_concept_exists_in_the_taxonomy(lexicon):
    taxonomy = load_taxonomy()
    for concept in lexicon.concepts():
        assert concept in taxonomy, concept
    for negative in lexicon.negatives:
        assert negative.concept == "*" or negative.concept in taxonomy


def test_every_concept_has_terms_in_nb_nn_and_da(lexicon):
    for concept in lexicon.concepts():
        langs = {t.lang for t in lexicon.terms_for(concept)}
        assert {"nb", "nn", "da"} <= langs, concept


def test_core_concept_covers_the_reform_vocabulary(lexicon):
    texts = {(t.lang, t.text) for t in lexicon.terms_for(CORE)}
    for pair in [
        ("nb", "tillitsreform"),
        ("nn", "tillitsreform"),
        ("da", "tillidsreform"),
        ("sv", "tillitsreform"),
        ("nb", "tillitsbasert styring og ledelse"),
        ("nn", "tillitsbasert leiing"),
        ("da", "tillidsbaseret ledelse"),
        ("sv", "tillitsbaserad styrning"),
    ]:
        assert pair in texts, pair


def test_negatives_include_union_representatives_and_police(lexicon):
    texts = {t.text for t in lexicon.negatives}
    for word in [
        "tillitsvalgt",
        "tillidsrepræsentant",
        "tillit til politiet",
        "tillid til politiet",
        "mistillitsforslag",
    ]:
        assert word in texts, word


def test_inflect_generates_definite_and_plural_forms():
    assert set(inflect("tillitsreform", "nb")) >= {"tillitsreformen", "tillitsreforma"}
    assert set(inflect("tillitsreform", "nn")) >= {"tillitsreforma", "tillitsreformar"}
    assert set(inflect("styring", "da")) >= {"styringen", "styringer", "styringerne"}
    assert set(inflect("ledelse", "da")) >= {"ledelsen", "ledelser"}
    assert "ledelseen" not in inflect("ledelse", "da")
    assert inflect("styrning", "sv")[:3] == ("styrning", "styrningen", "styrninget")


def test_term_forms_inflect_only_the_last_word():
    term = Term("x", "nb", "tillitsbasert styring", "term", inflect=True)
    assert "tillitsbasert styringen" in term.forms()
    assert all(f.startswith("tillitsbasert ") for f in term.forms())
    assert Term("x", "nb", "tillitsreform", "prefix").forms() == ("tillitsreform",)


def test_expand_pattern_alternatives_and_optional_groups():
    assert expand_pattern("(færre|mindre) rapportering") == [
        "færre rapportering",
        "mindre rapportering",
    ]
    assert expand_pattern("vedtatt (en |)reform") == ["vedtatt en reform", "vedtatt reform"]


def _data(**concept_fields) -> dict:
    table = {"id": CORE, "nb": ["tillitsreform*"], **concept_fields}
    return {"version": "1", "taxonomy": "x", "concept": [table]}


def test_parse_reads_kinds_weights_and_flags():
    data = _data(nb=["tillitsreform*", "*dokumentasjonskrav", "*tillitsvalgt*", "styring~@0.5"])
    terms = {t.pattern: t for t in parse_lexicon(data, concept_ids=IDS).terms}
    assert terms["tillitsreform*"].kind == "prefix"
    assert terms["*dokumentasjonskrav"].kind == "suffix"
    assert terms["*tillitsvalgt*"].kind == "infix"
    weak = terms["styring~@0.5"]
    assert (weak.kind, weak.weight, weak.inflect, weak.text) == ("term", 0.5, True, "styring")


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("nb", ["Tillitsreform"], "lower case"),
        ("nb", ["tillits*reform"], "malformed pattern"),
        ("nb", ["styring~*"], "either '~'"),
        ("nb", ["(a|b"], "unbalanced"),
        ("nb", ["reform@9"], "weight must be"),
        ("nb", ["tillit  reform"], "double spaces"),
        ("nb", ["reform", "reform"], "duplicate term"),
        ("nb", ["ab*"], "too short"),
        ("nb", ["tillit#reform"], "unexpected characters"),
        ("nb", "tillitsreform", "must be a list"),
        ("xx", ["a"], "unknown key"),
    ],
)
def test_parse_rejects_bad_terms_with_located_errors(field, value, expected):
    with pytest.raises(TillitError) as info:
        parse_lexicon(_data(**{field: value}), source="bad.toml", concept_ids=IDS)
    error = info.value
    assert expected in str(error)
    assert "bad.toml" in str(error)
    assert f"id {CORE!r}" in str(error)
    assert error.errors and {"where", "field", "term", "message"} <= set(error.errors[0])


def test_parse_rejects_unknown_concepts_and_reports_every_problem():
    data = {
        "version": "one",
        "concept": [
            {"id": "measure.no_such_thing", "nb": ["x"]},
            {"id": CORE, "nb": ["Ok"]},
        ],
        "negative": [{"concepts": ["nope"], "nb": ["tillitsvalgt@0.5"]}],
        "surprise": 1,
    }
    with pytest.raises(TillitError) as info:
        parse_lexicon(data, source="bad.toml", concept_ids=IDS)
    messages = [e["message"] for e in info.value.errors]
    joined = " ".join(messages)
    assert "not a concept of the taxonomy" in joined
    assert "version must be" in joined
    assert "unknown key" in joined
    assert "negative terms take neither" in joined
    assert len(messages) >= 5


def test_a_term_cannot_be_positive_and_negative():
    data = _data(nb=["tillitsvalgt"])
    data["negative"] = [{"nb": ["tillitsvalgt"]}]
    with pytest.raises(TillitError, match=r"also a term of measure\.trust_reform"):
        parse_lexicon(data, concept_ids=IDS)


def test_parse_checks_against_the_bundled_taxonomy_by_default():
    with pytest.raises(TillitError, match="not a concept of the taxonomy"):
        parse_lexicon({"version": "1", "concept": [{"id": "measure.nope", "nb": ["x"]}]})


def test_unknown_version_is_not_found():
    with pytest.raises(NotFoundError, match="No bundled lexicon version '99'"):
        load_lexicon("99")


def test_bundled_file_only_uses_known_languages():
    text = resources.files("tillit").joinpath("data/lexicon/lexicon-1.toml").read_text("utf-8")
    data = tomllib.loads(text)
    assert tuple(data["languages"]) == LANGUAGES
