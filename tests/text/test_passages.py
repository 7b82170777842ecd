"""split_passages(): paragraphs, long paragraphs cut at sentences, tiny ones merged, offsets."""

from __future__ import annotations

import itertools

import pytest

from tillit.text.passages import Passage, split_passages


def _check(text: str, passages: list[Passage], max_chars: int) -> None:
    for i, passage in enumerate(passages):
        assert passage.index == i
        assert passage.text == text[passage.start : passage.end]
        assert len(passage.text) <= max_chars
        assert passage.text == passage.text.strip()
    assert all(a.end <= b.start for a, b in itertools.pairwise(passages))


def test_blank_lines_split_paragraphs():
    text = (
        "Første avsnitt handler om tillit mellom politikere og administrasjon.\n \t\n"
        "Andre avsnitt handler om færre rapporteringskrav i hjemmetjenesten.\n\n\n"
        "Tredje avsnitt:\nen linje\nog en til, som hører til samme avsnitt."
    )
    passages = split_passages(text)
    _check(text, passages, 1200)
    assert [p.text.split()[0] for p in passages] == ["Første", "Andre", "Tredje"]
    assert "\n" in passages[2].text


def test_long_paragraph_cut_at_sentence_ends_not_abbreviations():
    sentences = [
        "Kommunestyret vedtok bl.a. å forenkle rapporteringen i helse- og omsorgstjenestene.",
        "Tiltaket gjelder f.eks. hjemmetjenesten, jf. sak 12/24 fra 3. mars.",
        "Rådmannen legger fram en evaluering i møtet kl. 10.00 neste år.",
        "Dette er den fjerde setningen, og den avslutter avsnittet om reformen.",
    ]
    text = " ".join(sentences)
    passages = split_passages(text, max_chars=160, min_chars=10)
    _check(text, passages, 160)
    joined = " ".join(p.text for p in passages)
    assert joined == text
    # Every cut is at the end of one of the sentences, never after bl.a., f.eks., jf., kl., 3.
    ends = {text.index(s) + len(s) for s in sentences}
    assert all(p.end in ends for p in passages)
    assert len(passages) >= 2


def test_paragraph_without_sentence_ends_is_cut_at_spaces():
    text = " ".join(["tillitsreform"] * 200)
    passages = split_passages(text, max_chars=100)
    _check(text, passages, 100)
    assert all(not p.text.startswith(" ") for p in passages)
    assert "".join(p.text + " " for p in passages).strip() == text


def test_one_huge_word_is_cut_hard():
    text = "x" * 250
    passages = split_passages(text, max_chars=100, min_chars=0)
    assert [len(p.text) for p in passages] == [100, 100, 50]
    _check(text, passages, 100)


def test_tiny_pieces_merge_with_the_next_paragraph():
    text = "Sak 12/24\n\nTillitsreform i hjemmetjenesten: vedtak om selvstyrte team.\n\nOK"
    passages = split_passages(text, min_chars=20)
    _check(text, passages, 1200)
    assert len(passages) == 1
    assert passages[0].start == 0 and passages[0].end == len(text)


def test_small_last_piece_merges_backwards_when_it_fits():
    text = "Et avsnitt som er langt nok til å stå alene i utvalget.\n\nSlutt."
    passages = split_passages(text, min_chars=20)
    assert len(passages) == 1 and passages[0].text.endswith("Slutt.")
    # ... but not when the merge would exceed max_chars
    passages = split_passages(text, max_chars=60, min_chars=20)
    assert [p.text for p in passages] == [text.split("\n\n")[0], "Slutt."]


def test_stable_and_empty():
    text = ("Avsnitt om tillit og styring i kommunen. " * 40 + "\n\n") * 5
    assert split_passages(text) == split_passages(text)
    assert split_passages("") == []
    assert split_passages(" \n\n \t ") == []


def test_unicode_offsets_are_code_points():
    text = "Økt tillit 🙂 i Tromsø.\n\nÆrlig talt: færre skjemaer på Værøy og i Måløy."
    passages = split_passages(text, min_chars=5)
    assert passages[1].start == text.index("Ærlig")
    assert passages[1].text == text[passages[1].start : passages[1].end]


@pytest.mark.parametrize(("max_chars", "min_chars"), [(0, 10), (100, -1)])
def test_bad_limits(max_chars, min_chars):
    with pytest.raises(ValueError, match="chars"):
        split_passages("tekst", max_chars=max_chars, min_chars=min_chars)
