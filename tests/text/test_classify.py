"""The concept classifier, active learning, explanations, cross-validation, and the committed
evaluation set (lexicon only against lexicon + classifier)."""

from __future__ import annotations

import csv
import pickle
import warnings
from importlib import resources

import pytest

from tillit.errors import TillitError
from tillit.taxonomy import load_taxonomy
from tillit.text.classify import (
    ConceptClassifier,
    ScreeningWarning,
    cross_validate,
    evaluate_lexicon,
    lexicon_predictions,
)

CORE = "measure.trust_reform"
#: Lexicon-only precision on the core concept must stay at least this on the evaluation set.
CORE_PRECISION = 0.9


def _rows():
    path = resources.files("tillit").joinpath("data/evaluation/passages.csv")
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def evaluation():
    rows = _rows()
    texts = [r["text"] for r in rows]
    labels = [set(filter(None, r["labels"].split(";"))) for r in rows]
    return rows, texts, labels


TOY_TEXTS = [
    "Kommunen innfører tillitsreform i alle tjenester.",
    "Tillitsbasert ledelse skal prege hverdagen.",
    "Vi vil styre gjennom tillit og mindre kontroll.",
    "Lederne skal stole på de ansatte og gi dem handlingsrom.",
    "Budsjettet ble vedtatt uten endringer.",
    "Planutvalget behandlet en dispensasjonssøknad.",
    "Valg av tillitsvalgte ble gjennomført i mars.",
    "Innbyggernes tillit til politiet er høy.",
]
TOY_LABELS = [
    {CORE},
    {CORE},
    {CORE},
    {CORE, "relation.vertical.leaders_employees"},
    set(),
    set(),
    set(),
    set(),
]


@pytest.fixture(scope="module")
def toy():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScreeningWarning)
        return ConceptClassifier(min_positives=2).fit(TOY_TEXTS, TOY_LABELS)


def test_fit_and_predict_proba(toy):
    assert toy.concepts_ == [CORE]
    assert "relation.vertical.leaders_employees" in toy.skipped_
    proba = toy.predict_proba(["Tillitsreformen gjelder hele kommunen.", "Veien ble asfaltert."])
    assert list(proba.columns) == [CORE]
    assert proba.iloc[0, 0] > 0.5 > proba.iloc[1, 0]
    assert toy.predict(["Tillitsreformen gjelder hele kommunen."]) == [{CORE}]


def test_skipping_warns_and_explicit_concepts_must_be_learnable():
    with pytest.warns(ScreeningWarning, match="relation.vertical.leaders_employees"):
        ConceptClassifier(min_positives=2).fit(TOY_TEXTS, TOY_LABELS)
    with pytest.raises(TillitError, match="Cannot learn 1 concept"):
        ConceptClassifier([CORE, "relation.vertical.leaders_employees"], min_positives=2).fit(
            TOY_TEXTS, TOY_LABELS
        )
    with pytest.raises(TillitError, match="No concept has enough"), pytest.warns(ScreeningWarning):
        ConceptClassifier(min_positives=20).fit(TOY_TEXTS, TOY_LABELS)
    with pytest.raises(TillitError, match="8 texts but 1 label"):
        ConceptClassifier().fit(TOY_TEXTS, [set()])
    with pytest.raises(TillitError, match="not been trained"):
        ConceptClassifier().predict_proba(["x"])


def test_most_informative_is_uncertainty_sampling_and_deterministic(toy):
    pool = [
        "Tillitsreformen og tillitsbasert ledelse gjelder alle.",
        "Veien ble asfaltert i fjor.",
        "Kommunen vil stole mer på de ansatte.",
        "Veien ble asfaltert i fjor.",
    ]
    order = toy.most_informative(pool, n=4)
    proba = toy.predict_proba(pool)[CORE].to_numpy()
    distances = [abs(proba[i] - 0.5) for i in order]
    assert distances == sorted(distances)
    assert sorted(order) == [0, 1, 2, 3]
    assert order.index(1) < order.index(3), "ties are broken by position"
    assert toy.most_informative(pool, n=2) == order[:2]
    assert toy.most_informative(pool, n=0) == []


def test_explain_lists_matched_terms_and_positive_features(toy):
    text = "Tillitsreformen gjelder hele kommunen."
    explanation = toy.explain(text, CORE, k=5)
    assert explanation.concept == CORE
    assert explanation.terms() == ["tillitsreform"]
    assert text[explanation.matches[0].start : explanation.matches[0].end] == "Tillitsreformen"
    assert 0 < len(explanation.features) <= 5
    assert all(weight > 0 for _, weight in explanation.features)
    weights = [w for _, w in explanation.features]
    assert weights == sorted(weights, reverse=True)
    assert f"lexicon:{CORE}" in dict(explanation.features)
    with pytest.raises(TillitError, match="no model"):
        toy.explain(text, "motive.recruitment")


def test_a_trained_classifier_pickles(toy):
    clone = pickle.loads(pickle.dumps(toy))  # noqa: S301 - our own bytes, just made
    texts = ["Tillitsreformen gjelder hele kommunen.", "Veien ble asfaltert."]
    assert clone.predict_proba(texts).equals(toy.predict_proba(texts))


def test_without_lexicon_features():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScreeningWarning)
        model = ConceptClassifier(use_lexicon=False, min_positives=2).fit(TOY_TEXTS, TOY_LABELS)
    names = [n for n, _ in model.explain("Tillitsreformen gjelder.", CORE, k=50).features]
    assert names and not any(n.startswith("lexicon:") for n in names)


def test_cross_validate_shape_and_skips():
    texts = TOY_TEXTS * 3
    labels = TOY_LABELS * 3
    with pytest.warns(ScreeningWarning, match="Skipping relation.vertical.leaders_employees"):
        frame = cross_validate(texts, labels, folds=4, seed=1)
    assert list(frame.columns) == ["precision", "recall", "f1", "support", "tp", "fp", "fn"]
    assert list(frame.index) == [CORE]
    row = frame.loc[CORE]
    assert row.support == 12 and row.tp + row.fn == 12
    again = cross_validate(texts, labels, folds=4, seed=1, concepts=[CORE])
    assert again.equals(frame), "fixed seed, same folds"
    with pytest.raises(ValueError, match="combine"):
        cross_validate(texts, labels, combine="both")


def test_evaluation_set_is_well_formed(evaluation):
    rows, _, labels = evaluation
    taxonomy = load_taxonomy()
    assert len(rows) >= 150
    langs = [r["lang"] for r in rows]
    counts = {lang: langs.count(lang) for lang in ("nb", "nn", "da")}
    assert min(counts.values()) >= 60 and set(langs) == set(counts)
    assert len({r["id"] for r in rows}) == len(rows)
    for label_set in labels:
        assert all(concept in taxonomy for concept in label_set), label_set
    assert sum(1 for ls in labels if not ls) >= 30, "negatives, including hard ones"
    assert sum(1 for r in rows if r["note"].startswith("hard negative")) >= 15
    implicit = [r for r in rows if "without" in r["note"] and CORE in r["labels"]]
    assert len(implicit) >= 6, "core positives without the lexicon's words"


def test_lexicon_only_precision_and_hard_negatives(evaluation):
    rows, texts, labels = evaluation
    frame = evaluate_lexicon(texts, labels)
    assert frame.loc[CORE, "precision"] >= CORE_PRECISION
    assert frame.loc[CORE, "recall"] >= 0.45
    predicted = lexicon_predictions(texts)
    for row, found in zip(rows, predicted, strict=True):
        if row["note"].startswith("hard negative"):
            assert CORE not in found, row["id"]
            if "known lexicon miss" not in row["note"]:
                assert found == set(), (row["id"], found)


def test_lexicon_plus_classifier_cross_validated(evaluation):
    rows, texts, labels = evaluation
    groups = [r["group"] for r in rows]
    concepts = [CORE, "measure.delegation"]
    lexicon = evaluate_lexicon(texts, labels, concepts=concepts)
    combined = cross_validate(texts, labels, groups=groups, concepts=concepts, combine="union")
    model = cross_validate(texts, labels, groups=groups, concepts=[CORE])
    for concept in concepts:
        assert combined.loc[concept, "recall"] >= lexicon.loc[concept, "recall"]
    # the classifier finds core positives the lexicon misses, without losing precision
    assert combined.loc[CORE, "tp"] > lexicon.loc[CORE, "tp"]
    assert combined.loc[CORE, "precision"] >= CORE_PRECISION
    assert model.loc[CORE, "f1"] >= lexicon.loc[CORE, "f1"]
