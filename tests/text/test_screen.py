"""screen_text: passages, languages, scores and offsets into the normalised text."""

from __future__ import annotations

import math

import pytest

from tillit.text.normalize import normalize
from tillit.text.screen import CANDIDATE_SCORE, language_sample, score, screen_text

CORE = "measure.trust_reform"

NB = (
    "Bystyret vedtok i juni at kommunen skal innføre tillitsbasert styring og ledelse "
    "i alle tjenester."
)
NN = "Tillitsreforma skal gje dei tilsette meir tid til brukarane og mindre tid til rapportering."
DA = "Kommunalbestyrelsen har besluttet, at tillidsreformen skal gælde for hele forvaltningen."
PLAIN = "Planutvalget behandlet søknaden om dispensasjon fra reguleringsplanen for sentrum i dag."
UNION = "Valget av tillitsvalgte for perioden ble gjennomført i mars, og alle stemte elektronisk."


def test_score_formula():
    assert score([]) == 0.0
    assert score([1.0]) == pytest.approx(1 - math.exp(-1))
    assert score([0.5, 0.5]) == pytest.approx(score([1.0]))
    assert score([1.0, 1.0, 1.0]) > score([1.0, 1.0]) > CANDIDATE_SCORE > score([0.5])


def test_passages_languages_matches_and_scores():
    text = "\n\n".join([NB, NN, DA, PLAIN, UNION])
    doc = screen_text(text, passage_langs="all")
    assert [p.lang for p in doc.passages] == ["nb", "nn", "da", "nb", "nb"]
    assert all(p.lang_source == "passage" for p in doc.passages)
    default = screen_text(text)
    assert [p.lang for p in default.passages][:3] == ["nb", "nn", "da"]
    assert [p.lang_source for p in default.passages] == ["passage"] * 3 + ["document"] * 2
    for p in doc.passages:
        for m in p.matches:
            assert p.start <= m.start < m.end <= p.end
    nb, nn, da, plain, union = doc.passages
    assert nb.is_candidate(CORE) and nn.is_candidate(CORE) and da.is_candidate(CORE)
    assert {m.lang for m in nn.matches if m.concept == CORE} == {"nn"}
    assert {m.lang for m in da.matches} == {"da"}
    assert plain.scores == {} and plain.matches == ()
    assert union.scores == {}, "union representatives must not count"
    assert nb.scores[CORE] == pytest.approx(
        score([m.weight for m in nb.matches if m.concept == CORE])
    )
    assert doc.lexicon_version == "1"
    assert doc.n_chars == len(text)


def test_document_language_concept_counts_scores_and_evidence():
    text = "\n\n".join([NB, PLAIN, NB.replace("juni", "mai"), DA])
    doc = screen_text(text)
    assert doc.lang == "nb"
    counts = doc.concept_counts()
    assert counts[CORE] == 3
    assert list(counts) == sorted(counts, key=lambda c: (-counts[c], c))
    assert doc.scores()[CORE] == max(p.scores.get(CORE, 0) for p in doc.passages)
    evidence = doc.evidence(CORE)
    assert [p.index for p in evidence] == [0, 2, 3]
    assert len(list(doc.matches())) == sum(counts.values())


def test_offsets_point_at_the_right_text_after_crlf_and_nfc_normalisation():
    raw = (
        "Sak 12/24\r\n\r\nKommunestyret vedtok tillitsreforme\u0301n."
        "\r\nTillitsvalgte var til stede."
    )
    text = normalize(raw)
    doc = screen_text(text)
    spans = [text[m.start : m.end] for m in doc.matches() if m.concept == CORE]
    assert spans == ["tillitsreformén"]


def test_language_modes():
    bokmal = "Utvalget mener at saken ikke er godt nok utredet, og ber om en ny vurdering i sak"
    filler = [f"{bokmal} {i}." for i in range(20)]
    text = "\n\n".join([*filler[:3], NN, *filler[3:]])
    modes = {mode: screen_text(text, passage_langs=mode) for mode in ("matched", "document", "all")}
    scores = [p.scores for p in modes["all"].passages]
    assert all([p.scores for p in doc.passages] == scores for doc in modes.values())
    assert {doc.lang for doc in modes.values()} == {"nb"}
    matched = modes["matched"].passages
    assert matched[3].lang == "nn" and matched[3].lang_source == "passage"
    assert {m.lang for m in matched[3].matches} == {"nn"}
    others = [p for i, p in enumerate(matched) if i != 3]
    assert all(p.lang == "nb" and p.lang_source == "document" for p in others)
    assert {p.lang_source for p in modes["document"].passages} == {"document"}
    assert {p.lang_source for p in modes["all"].passages} == {"passage"}


def test_language_sample_takes_start_middle_and_end():
    text = " ".join(f"w{i}" for i in range(2000))
    sample = language_sample(text, size=300)
    assert len(sample) <= 300
    assert sample.startswith("w0 ") and sample.endswith("w1999")
    assert "w1090" in sample
    assert language_sample("kort tekst") == "kort tekst"


def test_empty_and_unknown_text():
    assert screen_text("").passages == ()
    assert screen_text("").lang == "und"
    with pytest.raises(ValueError, match="passage_langs"):
        screen_text("x", passage_langs="some")
