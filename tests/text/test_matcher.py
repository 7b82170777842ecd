"""Aho-Corasick lexicon matching: boundaries, compounds, inflections, hyphenated lists and
negative context terms, on our own nb, nn and da sentences."""

from __future__ import annotations

import pytest

from tillit.text.lexicon import load_lexicon, parse_lexicon
from tillit.text.matcher import Matcher, search_text

CORE = "measure.trust_reform"


@pytest.fixture(scope="module")
def matcher():
    return Matcher(load_lexicon())


def found(matcher, text, concept=None):
    """(concept, term, matched text) for every match, checking the offsets on the way."""
    out = []
    for m in matcher.find(text):
        assert 0 <= m.start < m.end <= len(text)
        if concept is None or m.concept == concept:
            out.append((m.concept, m.term, text[m.start : m.end]))
    return out


def core_spans(matcher, text):
    return [span for _, _, span in found(matcher, text, CORE)]


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("Bystyret vedtok tillitsreformen i 2017.", ["tillitsreformen"]),
        ("Kommunestyret slutta seg til tillitsreforma.", ["tillitsreforma"]),
        ("Byrådet har vedtaget tillidsreformen.", ["tillidsreformen"]),
        ("TILLITSREFORM i Hele Kommunen", ["TILLITSREFORM"]),
        ("Tillitsreformarbeidet starter i januar.", ["Tillitsreformarbeidet"]),
        ("Vi innfører tillitsbasert styring og ledelse.", ["tillitsbasert styring og ledelse"]),
        ("Me innfører tillitsbasert styring og leiing.", ["tillitsbasert styring og leiing"]),
        ("Tillidsbaseret ledelse er et princip for os.", ["Tillidsbaseret ledelse"]),
        ("Kommunen ska arbeta med tillitsbaserad styrning.", ["tillitsbaserad styrning"]),
    ],
)
def test_core_concept_in_all_languages(matcher, text, spans):
    assert core_spans(matcher, text) == spans


def test_whole_words_only_unless_open_to_compounds(matcher):
    # "rapporteringskrav~" is a whole-word term: it must not match inside another word
    assert not found(
        matcher, "Xrapporteringskrav og rapporteringskravsamling.", "motive.reporting_burden"
    )
    assert found(matcher, "Rapporteringskravene er for mange.", "motive.reporting_burden") == [
        ("motive.reporting_burden", "rapporteringskrav", "Rapporteringskravene")
    ]
    # "*tillitsvalgt*" is open on both sides (hovedtillitsvalgt): tested with negatives below


def test_phrase_across_a_line_break_and_inflected_last_word(matcher):
    text = "Vi vil ha tillitsbasert\nstyringen på plass."
    assert core_spans(matcher, text) == ["tillitsbasert\nstyringen"]


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        (
            "Kommunen skal redusere unødvendige rapporterings- og dokumentasjonskrav.",
            ["rapporteringskrav", "dokumentasjonskrav"],
        ),
        (
            "Vi må se på rapporterings-, dokumentasjons- og kontrollkrav.",
            ["rapporteringskrav", "dokumentasjonskrav"],
        ),
        (
            "Målet er færre rapporterings- eller dokumentasjonskrav frå staten.",
            ["rapporteringskrav", "dokumentasjonskrav"],
        ),
    ],
)
def test_hyphenated_lists_count_every_member(matcher, text, terms):
    got = found(matcher, text, "motive.reporting_burden")
    assert [term for _, term, _ in got] == terms
    assert got[0][2].endswith("-")  # the fragment, up to its hyphen, is the evidence


def test_hyphenated_list_completes_phrases_too(matcher):
    text = "Kommunen skal redusere unødvendige rapporterings- og dokumentasjonskrav."
    got = found(matcher, text, "measure.reporting_reduction")
    assert got == [
        (
            "measure.reporting_reduction",
            "redusere unødvendige rapporteringskrav",
            "redusere unødvendige rapporterings-",
        )
    ]


def test_danish_hyphenated_adjective(matcher):
    text = "Ledelsen skal være tillids- og samarbejdsbaseret."
    assert found(matcher, text, CORE) == [(CORE, "tillidsbaser", "tillids-")]


def test_hyphenated_list_of_other_words_matches_nothing(matcher):
    assert matcher.find("Teknik- og miljøudvalget og plan- og bygningsutvalget møttes.") == []


@pytest.mark.parametrize(
    "text",
    [
        "Valg av tillitsvalgte for 2025–2027.",
        "Hovedtillitsvalgt orienterte om lønnsoppgjøret.",
        "Dei tillitsvalde og hovudtillitsvald møtte.",
        "Tillidsrepræsentanten og fællestillidsrepræsentanten deltog.",
        "Innbyggernes tillit til politiet er høy.",
        "Borgernes tillid til politiet er høj.",
        "Formannskapet behandlet et mistillitsforslag mot ordføreren.",
        "Et mistillidsvotum blev stemt ned.",
        "Flertallet udtalte mistillid til borgmesteren.",
        "Vi har tillit til at arbeidet blir ferdig.",
    ],
)
def test_negative_contexts_do_not_count(matcher, text):
    assert matcher.find(text) == []


def test_negatives_only_block_what_they_overlap(matcher):
    text = "Tillitsvalgte deltok i arbeidet med tillitsreformen."
    assert core_spans(matcher, text) == ["tillitsreformen"]
    # mistillit (a motive) counts, mistillitsforslag (a vote) does not
    text = "Mistillitsforslaget falt. Reformen skal motvirke mistillit."
    assert found(matcher, text, "motive.excessive_control") == [
        ("motive.excessive_control", "mistillit", "mistillit")
    ]
    # innbyggernes tillit (citizen trust) is blocked only when it is trust in the police
    assert found(matcher, "Innbyggernes tillit til kommunen er høy.", "motive.citizen_trust")


def test_a_positive_that_names_the_negative_on_purpose_is_kept(matcher):
    got = found(
        matcher,
        "Vi vil ha tett samarbeid med tillitsvalgte.",
        "relation.horizontal.social_partners",
    )
    assert [span for _, _, span in got] == ["samarbeid med tillitsvalgte"]


def test_same_concept_overlaps_keep_the_longest_other_concepts_overlap(matcher):
    text = "Bystyret vedtok en tillitsreform."
    got = found(matcher, text)
    assert (CORE, "tillitsreform", "tillitsreform") in got
    assert ("measure.reform_decision", "vedtok en tillitsreform", "vedtok en tillitsreform") in got
    assert len([g for g in got if g[0] == CORE]) == 1


def test_language_preference_for_shared_terms(matcher):
    text = "Tillitsreformen gjelder alle."
    assert {m.lang for m in matcher.find(text)} == {"nb"}
    assert {m.lang for m in matcher.find(text, lang="nn")} == {"nn"}


def test_offsets_survive_characters_whose_lower_case_is_longer(matcher):
    text = "İİİ tillitsreformen"
    assert len(search_text(text)) == len(text)
    assert core_spans(matcher, text) == ["tillitsreformen"]


def test_search_text_maps_whitespace_and_keeps_length():
    text = "A\tB\nC\u00a0D"
    assert search_text(text) == "a b c d"


def test_weights_come_from_the_lexicon():
    data = {
        "version": "1",
        "concept": [{"id": CORE, "nb": ["tillitsmodell*@0.5", "tillitsreform"]}],
    }
    matcher = Matcher(parse_lexicon(data, concept_ids={CORE}))
    weights = {m.term: m.weight for m in matcher.find("Tillitsmodellen og tillitsreform")}
    assert weights == {"tillitsmodell": 0.5, "tillitsreform": 1.0}


def test_suffix_terms_match_at_the_end_of_compounds():
    data = {"version": "1", "concept": [{"id": CORE, "nb": ["*dokumentasjonskrav"]}]}
    matcher = Matcher(parse_lexicon(data, concept_ids={CORE}))
    got = [(m.start, m.end) for m in matcher.find("Tilsynsdokumentasjonskrav er tunge.")]
    assert got == [(0, 25)]
    assert matcher.find("dokumentasjonskravene") == []
