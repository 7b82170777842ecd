"""Full-text search with Norwegian and Danish stemming, KWIC, word frequencies, autocoding."""

from __future__ import annotations

import importlib.util

import pytest

from tillit.qda import QdaError, autocode, check_regex, kwic, search, word_frequencies
from tillit.qda.search import extend_spans

NB = {
    "int1": "Tillitsreformen handler om tillit. Reformene ga lederne mer ansvar.\n\n"
    "Rapportering tar tid.",
    "int2": "Vi stoler på de ansatte. Tilliten til ledelsen er høy, sier rådmannen.",
}
DA = {"dk1": "Tillidsreformen giver medarbejderne tillid. Reformerne blev godt modtaget."}


def test_stemmed_search_norwegian() -> None:
    hits = search(NB, "reform", language="nb")
    assert hits["match"].tolist() == ["Reformene"]
    assert hits[["source_id", "start", "end"]].values.tolist() == [["int1", 35, 44]]
    assert NB["int1"][35:44] == "Reformene"
    tillit = search(NB, "tillit", language="nb")
    assert tillit["match"].tolist() == ["tillit", "Tilliten"]
    # without a language only the exact word matches
    assert search(NB, "tillit")["match"].tolist() == ["tillit"]


def test_prefix_search_finds_compounds() -> None:
    hits = search(NB, "tillit*")
    assert hits["match"].tolist() == ["Tillitsreformen", "tillit", "Tilliten"]


def test_danish_stemming() -> None:
    hits = search(DA, "reformen", language="da")
    assert hits["match"].tolist() == ["Reformerne"]
    assert search(DA, "tillid", language="da")["match"].tolist() == ["tillid"]


def test_modes_all_and_phrase() -> None:
    assert set(search(NB, "tillit ansatte", mode="any")["source_id"]) == {"int1", "int2"}
    assert set(search(NB, "tilliten ansatte", mode="all", language="nb")["source_id"]) == {"int2"}
    phrase = search(NB, "stoler på", mode="phrase")
    assert phrase[["start", "end", "match"]].values.tolist() == [[3, 12, "stoler på"]]
    with pytest.raises(QdaError, match="mode"):
        search(NB, "x", mode="near")  # type: ignore[arg-type]
    with pytest.raises(QdaError, match="empty"):
        search(NB, "  ")
    with pytest.raises(QdaError, match="language"):
        search(NB, "x", language="klingon")


def test_kwic_with_stemming_and_codings() -> None:
    lines = kwic(NB, "reformen", language="nb", width=10)
    assert lines[["source_id", "match"]].values.tolist() == [["int1", "Reformene"]]
    assert lines["left"].iloc[0] == "m tillit. "
    coded = kwic(NB, "tillit", codings=[("int2", 0, 30, "c", "a")])
    assert coded.empty
    coded = kwic(NB, "tilliten", codings=[("int2", 20, 40, "c", "a")])
    assert coded[["start", "end"]].values.tolist() == [[25, 33]]


def test_word_frequencies_stop_words_and_stems() -> None:
    freq = word_frequencies(NB, language="nb", stem=True)
    top = freq.set_index("word")
    assert "om" not in top.index and "de" not in top.index
    assert top.loc["tillit", "count"] == 2  # tillit, Tilliten
    assert top.loc["tillit", "n_sources"] == 2
    raw = word_frequencies(NB, remove_stop_words=False)
    assert raw.set_index("word").loc["om", "count"] == 1
    inside = word_frequencies(NB, codings=[("int2", 0, 23, "c", "a"), ("int2", 5, 10, "c", "b")])
    assert inside["word"].tolist() == ["ansatte", "stoler"]
    with pytest.raises(QdaError, match="needs a language"):
        word_frequencies(NB, stem=True)


def test_regex_guard() -> None:
    assert check_regex(r"tillit\w*").search("TILLITEN")
    assert check_regex(r"(?:stol|tro)r? på")
    for bad, message in [
        (r"(a+)+b", "quantifier inside a quantifier"),
        (r"(\w+\s?)*$", "quantifier inside a quantifier"),
        (r"(a|ab)*c", "alternation"),
        (r"(x)\1", "backreference"),
        (r"a*", "matches empty text"),
        (r"(unclosed", "not a valid regular expression at position 0"),
        ("a" * 301, "limit"),
    ]:
        with pytest.raises(QdaError, match=message):
            check_regex(bad)


def test_autocode_candidates() -> None:
    by_word = autocode(NB, words="tillit", language="nb", extend="sentence", code_id=7)
    assert by_word["text"].tolist() == [
        "Tillitsreformen handler om tillit.",
        "Tilliten til ledelsen er høy, sier rådmannen.",
    ]
    assert set(by_word["code_id"]) == {7}
    by_regex = autocode(NB, pattern=r"rapporter\w*", extend="paragraph")
    assert by_regex[["source_id", "start", "text"]].values.tolist() == [
        ["int1", NB["int1"].index("Rapp"), "Rapportering tar tid."]
    ]
    # two hits in one sentence merge into one candidate
    merged = autocode({"s": "Tillit og tillit. Nei."}, words="tillit", extend="sentence")
    assert merged[["start", "end"]].values.tolist() == [[0, 17]]
    with pytest.raises(QdaError, match="exactly one"):
        autocode(NB, words="a", pattern="b")


def test_extend_spans_line() -> None:
    text = "Anna: ja\nOla: nei takk\n"
    assert extend_spans(text, [(14, 17)], "line") == [(9, 22)]


@pytest.mark.skipif(
    importlib.util.find_spec("tillit.text.matcher") is None, reason="tillit.text.matcher not built"
)
def test_autocode_by_lexicon_concept() -> None:
    from tillit.text.lexicon import load_lexicon

    lexicon = load_lexicon()
    concept = lexicon.concepts()[0]
    term = next(t for t in lexicon.terms if t.concept == concept and t.kind == "term")
    text = f"Innledning. Her nevnes {term.text} tydelig. Slutt."
    out = autocode({"s": text}, concept=concept, extend="sentence")
    assert len(out) >= 1
    assert term.text.casefold() in out["text"].iloc[0].casefold()
    with pytest.raises(QdaError, match="not in the lexicon"):
        autocode({"s": text}, concept="no_such_concept")


@pytest.mark.parametrize("language", [None, "nb", "da", "en"])
def test_fast_term_scan_agrees_with_full_tokenisation(language: str | None) -> None:
    from tillit.qda.search import _term_keys, _term_spans, _token_keys
    from tillit.qda.words import _language, tokenize

    text = (
        "Tillit-reformen og tilliten; TILLIT, tillits-basert x-tillit tillit's "
        "reformene reformer--reform 1tillit happy happiness Happier"
    )
    lang = _language(language)
    tokens = tokenize(text)
    keys = _token_keys(tokens.words, lang)
    for word in ("tillit", "reform", "happy", "tillit*", "x-tillit"):
        ((key, prefix),) = _term_keys([word], lang)
        expected = [
            (int(tokens.starts[i]), int(tokens.ends[i]))
            for i, w in enumerate(tokens.words)
            if (w.startswith(key) if prefix else keys[i] == key)
        ]
        assert _term_spans(text, key, prefix, lang) == expected, word
