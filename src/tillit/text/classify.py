"""A supervised concept classifier for passages, with active learning and explanations.

:class:`ConceptClassifier` learns, from passages that people have labelled with taxonomy
concepts, one binary scikit-learn model per concept:

* features: TF-IDF of words and word pairs, TF-IDF of character 3-5-grams inside word
  boundaries (robust to compounds and inflection in nb, nn and da), and, unless
  ``use_lexicon=False``, one feature per lexicon concept holding the passage's lexicon score
  (:func:`tillit.text.screen.score`), so the classifier starts from what the lexicon knows and
  learns what it misses;
* model: :class:`~sklearn.linear_model.LogisticRegression` with ``class_weight="balanced"``
  (positives are rare) and a fixed ``random_state``.

:meth:`~ConceptClassifier.most_informative` picks the passages to label next (uncertainty
sampling: the probability closest to 0.5 over all concepts, ties broken by position), and
:meth:`~ConceptClassifier.explain` lists the lexicon terms found and the features that pushed
the probability up most. :func:`cross_validate` reports precision, recall and F1 per concept
from stratified folds with a fixed seed (grouped, when ``groups`` is given, so that
translations or near-duplicates of one passage never sit on both sides of a split).

Examples
--------
>>> texts = ["Kommunen innfører tillitsreform.", "Budsjettet ble vedtatt."] * 4
>>> labels = [{"measure.trust_reform"}, set()] * 4
>>> model = ConceptClassifier(min_positives=2).fit(texts, labels)
>>> float(model.predict_proba(["Tillitsreformen gjelder alle."]).iloc[0, 0]) > 0.5
True
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

from tillit.errors import ErrorCode, TillitError
from tillit.text.matcher import Match, Matcher
from tillit.text.screen import default_matcher, score

__all__ = [
    "ConceptClassifier",
    "Explanation",
    "ScreeningWarning",
    "cross_validate",
    "evaluate_lexicon",
    "lexicon_predictions",
]


#: The lexicon-score features are multiplied by this, so that a lexicon hit costs the
#: regularised model little to use (TF-IDF rows have unit length).
LEXICON_SCALE = 10.0


class ScreeningWarning(UserWarning):
    """A concept was skipped (too few labelled positives or negatives)."""


@dataclass(frozen=True)
class Explanation:
    """Why a passage got its probability for a concept.

    ``matches`` are the lexicon matches in the text (offsets into it); ``features`` the
    strongest positive contributions (feature name, tf-idf value x coefficient), largest first.
    Feature names are ``word:…``, ``char:…`` or ``lexicon:<concept>``.
    """

    concept: str
    probability: float
    matches: tuple[Match, ...]
    features: tuple[tuple[str, float], ...]

    def terms(self) -> list[str]:
        """The distinct lexicon terms matched for this concept."""
        return list(dict.fromkeys(m.term for m in self.matches if m.concept == self.concept))


class _Features:
    """Word and character TF-IDF plus lexicon scores, fitted on training texts."""

    def __init__(self, matcher: Matcher | None, lexicon_concepts: list[str]) -> None:
        self.matcher = matcher
        self.lexicon_concepts = lexicon_concepts
        self.words = TfidfVectorizer(
            analyzer="word", ngram_range=(1, 2), sublinear_tf=True, min_df=1, lowercase=True
        )
        self.chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=1, lowercase=True
        )

    def _lexicon(self, texts: Sequence[str]) -> sp.csr_matrix:
        if self.matcher is None:
            return sp.csr_matrix((len(texts), 0))
        column = {c: i for i, c in enumerate(self.lexicon_concepts)}
        rows, cols, values = [], [], []
        for row, text in enumerate(texts):
            weights: dict[str, list[float]] = {}
            for m in self.matcher.find(text):
                weights.setdefault(m.concept, []).append(m.weight)
            for concept, ws in weights.items():
                if concept in column:
                    rows.append(row)
                    cols.append(column[concept])
                    values.append(LEXICON_SCALE * score(ws))
        shape = (len(texts), len(self.lexicon_concepts))
        return sp.csr_matrix((values, (rows, cols)), shape=shape)

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return sp.hstack(
            [
                self.words.fit_transform(texts),
                self.chars.fit_transform(texts),
                self._lexicon(texts),
            ],
            format="csr",
        )

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return sp.hstack(
            [self.words.transform(texts), self.chars.transform(texts), self._lexicon(texts)],
            format="csr",
        )

    def names(self) -> list[str]:
        return [
            *(f"word:{n}" for n in self.words.get_feature_names_out()),
            *(f"char:{n}" for n in self.chars.get_feature_names_out()),
            *(f"lexicon:{c}" for c in (self.lexicon_concepts if self.matcher else [])),
        ]


def _check_inputs(texts: Sequence[str], labels: Sequence[set[str]]) -> None:
    if len(texts) != len(labels):
        raise TillitError(
            f"{len(texts)} texts but {len(labels)} label sets.",
            ErrorCode.INVALID_INPUT,
            hint="Give one set of concept ids per text (an empty set for none).",
        )
    if not texts:
        raise TillitError(
            "No labelled texts to learn from.",
            ErrorCode.INVALID_INPUT,
            hint="Label some passages first.",
        )


class ConceptClassifier:
    """One logistic regression per concept over word, character and lexicon features.

    Parameters
    ----------
    concepts : list of str, optional
        Concepts to learn. By default every concept that occurs in the labels; those with
        fewer than ``min_positives`` positives (or no negatives) are then skipped with a
        :class:`ScreeningWarning`. Concepts given explicitly must all be learnable, otherwise
        a :class:`~tillit.errors.TillitError` says which are not.
    matcher : Matcher, optional
        Lexicon matcher for the lexicon features and explanations (default: the bundled one).
    use_lexicon : bool
        Add the lexicon-score features (default True).
    min_positives : int
        Fewest positive examples a concept needs (default 4).
    C : float
        Inverse regularisation strength of the logistic regressions.
    seed : int
        ``random_state`` of the models.
    """

    def __init__(
        self,
        concepts: Sequence[str] | None = None,
        *,
        matcher: Matcher | None = None,
        use_lexicon: bool = True,
        min_positives: int = 4,
        C: float = 1.0,  # noqa: N803 - scikit-learn's name for it
        seed: int = 0,
    ) -> None:
        self.concepts = list(concepts) if concepts is not None else None
        self.matcher = matcher
        self.use_lexicon = use_lexicon
        self.min_positives = min_positives
        self.C = C
        self.seed = seed
        self.concepts_: list[str] = []
        self.skipped_: dict[str, str] = {}
        self._models: dict[str, LogisticRegression] = {}
        self._features: _Features | None = None

    def _matcher(self) -> Matcher:
        return self.matcher or default_matcher()

    def fit(self, texts: Sequence[str], labels: Sequence[set[str]]) -> ConceptClassifier:
        """Learn one model per concept from labelled texts (``labels[i]`` = concept ids)."""
        _check_inputs(texts, labels)
        wanted = self.concepts or sorted({c for ls in labels for c in ls})
        n_texts = len(texts)
        learnable, skipped = [], {}
        for concept in wanted:
            n_pos = sum(1 for ls in labels if concept in ls)
            if n_pos < self.min_positives:
                skipped[concept] = f"{n_pos} positive(s), at least {self.min_positives} needed"
            elif n_pos == n_texts:
                skipped[concept] = "every text is positive; no negatives to learn from"
            else:
                learnable.append(concept)
        if skipped and self.concepts is not None:
            listed = "; ".join(f"{c}: {why}" for c, why in skipped.items())
            raise TillitError(
                f"Cannot learn {len(skipped)} concept(s): {listed}.",
                ErrorCode.INVALID_INPUT,
                hint="Label more passages for these concepts or leave them out.",
                errors=[{"concept": c, "message": why} for c, why in skipped.items()],
            )
        for concept, why in skipped.items():
            warnings.warn(f"Skipping {concept}: {why}.", ScreeningWarning, stacklevel=2)
        if not learnable:
            raise TillitError(
                "No concept has enough labelled positives to learn from.",
                ErrorCode.INVALID_INPUT,
                hint=f"Each concept needs at least {self.min_positives} positive passages.",
            )
        matcher = self._matcher() if self.use_lexicon else None
        lexicon_concepts = matcher.lexicon.concepts() if matcher else []
        self._features = _Features(matcher, lexicon_concepts)
        matrix = self._features.fit_transform(list(texts))
        self._models = {}
        for concept in learnable:
            y = np.fromiter((concept in ls for ls in labels), dtype=int, count=n_texts)
            model = LogisticRegression(
                C=self.C,
                class_weight="balanced",
                solver="liblinear",
                dual=True,  # many more features than texts: the dual is ~10x faster
                max_iter=5000,
                random_state=self.seed,
            )
            model.fit(matrix, y)
            self._models[concept] = model
        self.concepts_ = learnable
        self.skipped_ = skipped
        return self

    def _require_fitted(self) -> _Features:
        if self._features is None:
            raise TillitError(
                "The classifier has not been trained.",
                ErrorCode.USAGE,
                hint="Call fit(texts, labels) first.",
            )
        return self._features

    def predict_proba(self, texts: Sequence[str]) -> pd.DataFrame:
        """Probability per text (rows, in order) and learned concept (columns)."""
        features = self._require_fitted()
        matrix = features.transform(list(texts))
        data = {c: self._models[c].predict_proba(matrix)[:, 1] for c in self.concepts_}
        return pd.DataFrame(data, index=pd.RangeIndex(len(texts)), columns=self.concepts_)

    def predict(self, texts: Sequence[str], threshold: float = 0.5) -> list[set[str]]:
        """The concepts whose probability reaches ``threshold``, per text."""
        proba = self.predict_proba(texts)
        return [set(proba.columns[row >= threshold]) for row in proba.to_numpy()]

    def most_informative(self, texts: Sequence[str], n: int = 10) -> list[int]:
        """Indices of the ``n`` texts to label next (uncertainty sampling).

        A text's uncertainty is how close its most uncertain concept probability is to 0.5;
        the closest come first, ties broken by index, so the order is deterministic.
        """
        if n <= 0 or not texts:
            return []
        proba = self.predict_proba(texts).to_numpy()
        distance = np.abs(proba - 0.5).min(axis=1)
        order = np.lexsort((np.arange(len(texts)), distance))
        return [int(i) for i in order[:n]]

    def explain(self, text: str, concept: str, k: int = 8) -> Explanation:
        """Matched lexicon terms and the ``k`` strongest positive features for one concept."""
        features = self._require_fitted()
        if concept not in self._models:
            raise TillitError(
                f"The classifier has no model for {concept!r}.",
                ErrorCode.NOT_FOUND,
                hint=f"Learned concepts: {', '.join(self.concepts_)}.",
            )
        model = self._models[concept]
        row = features.transform([text])
        probability = float(model.predict_proba(row)[0, 1])
        coef = model.coef_[0]
        names = features.names()
        contributions = [
            (names[j], float(value * coef[j]))
            for j, value in zip(row.indices, row.data, strict=True)
            if value * coef[j] > 0
        ]
        contributions.sort(key=lambda item: (-item[1], item[0]))
        matches = tuple(self._matcher().find(text))
        return Explanation(concept, probability, matches, tuple(contributions[:k]))


def lexicon_predictions(
    texts: Sequence[str], *, matcher: Matcher | None = None, threshold: float = 0.5
) -> list[set[str]]:
    """Concepts whose lexicon score reaches ``threshold`` in each text (the lexicon-only run)."""
    matcher = matcher or default_matcher()
    found = []
    for text in texts:
        weights: dict[str, list[float]] = {}
        for m in matcher.find(text):
            weights.setdefault(m.concept, []).append(m.weight)
        found.append({c for c, ws in weights.items() if score(ws) >= threshold})
    return found


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    if tp == 0:
        f1 = 0.0 if (tp + fp) and (tp + fn) else float("nan")
    else:
        f1 = 2 * precision * recall / (precision + recall)
    return precision, recall, f1


def cross_validate(
    texts: Sequence[str],
    labels: Sequence[set[str]],
    *,
    folds: int = 5,
    seed: int = 0,
    concepts: Sequence[str] | None = None,
    groups: Sequence[str] | None = None,
    use_lexicon: bool = True,
    combine: str = "model",
    threshold: float = 0.5,
    matcher: Matcher | None = None,
) -> pd.DataFrame:
    """Cross-validated precision, recall and F1 per concept.

    For each concept, the texts are split into ``folds`` stratified folds (shuffled with
    ``seed``; :class:`~sklearn.model_selection.StratifiedGroupKFold` when ``groups`` is given),
    a binary model is trained on the other folds (features fitted on them only) and every text
    is predicted once, out of fold, at ``threshold``. A concept with fewer positive texts (or
    groups) than ``folds`` is skipped with a :class:`ScreeningWarning`.

    Returns
    -------
    pandas.DataFrame
        Index ``concept``; columns ``precision``, ``recall``, ``f1``, ``support`` (positives),
        ``tp``, ``fp``, ``fn``.
    """
    _check_inputs(texts, labels)
    if combine not in ("model", "union"):
        raise ValueError(f"combine must be 'model' or 'union', not {combine!r}")
    texts = list(texts)
    wanted = list(concepts) if concepts is not None else sorted({c for ls in labels for c in ls})
    lexicon = (
        lexicon_predictions(texts, matcher=matcher, threshold=threshold)
        if combine == "union"
        else None
    )
    rows = []
    for concept in wanted:
        y = np.fromiter((concept in ls for ls in labels), dtype=int, count=len(texts))
        n_pos = int(y.sum())
        units = len({groups[int(i)] for i in np.flatnonzero(y)}) if groups is not None else n_pos
        if units < folds or n_pos == len(texts):
            warnings.warn(
                f"Skipping {concept} in cross-validation: {units} positive "
                f"{'group' if groups is not None else 'text'}(s) for {folds} folds.",
                ScreeningWarning,
                stacklevel=2,
            )
            continue
        if groups is not None:
            splitter: StratifiedKFold | StratifiedGroupKFold = StratifiedGroupKFold(
                n_splits=folds, shuffle=True, random_state=seed
            )
            splits = splitter.split(texts, y, groups=list(groups))
        else:
            splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
            splits = splitter.split(texts, y)
        predicted = np.zeros(len(texts), dtype=int)
        for train, test in splits:
            model = ConceptClassifier(
                [concept],
                matcher=matcher,
                use_lexicon=use_lexicon,
                min_positives=1,
                seed=seed,
            )
            model.fit([texts[i] for i in train], [{concept} if y[i] else set() for i in train])
            proba = model.predict_proba([texts[i] for i in test])[concept].to_numpy()
            predicted[test] = proba >= threshold
        if lexicon is not None:
            predicted |= np.fromiter((concept in found for found in lexicon), dtype=int)
        tp = int(((predicted == 1) & (y == 1)).sum())
        fp = int(((predicted == 1) & (y == 0)).sum())
        fn = int(((predicted == 0) & (y == 1)).sum())
        precision, recall, f1 = _prf(tp, fp, fn)
        rows.append(
            {
                "concept": concept,
                "precision": precision,
                "recall": recall,
                "f1": f1,
                "support": n_pos,
                "tp": tp,
                "fp": fp,
                "fn": fn,
            }
        )
    columns = ["concept", "precision", "recall", "f1", "support", "tp", "fp", "fn"]
    return pd.DataFrame(rows, columns=columns).set_index("concept")


def evaluate_lexicon(
    texts: Sequence[str],
    labels: Sequence[set[str]],
    *,
    concepts: Sequence[str] | None = None,
    matcher: Matcher | None = None,
    threshold: float = 0.5,
) -> pd.DataFrame:
    """Precision, recall and F1 per concept of the lexicon alone (same columns as
    :func:`cross_validate`)."""
    _check_inputs(texts, labels)
    predicted = lexicon_predictions(texts, matcher=matcher, threshold=threshold)
    wanted = list(concepts) if concepts is not None else sorted({c for ls in labels for c in ls})
    rows = []
    for concept in wanted:
        tp = sum(1 for g, p in zip(labels, predicted, strict=True) if concept in g and concept in p)
        fp = sum(
            1 for g, p in zip(labels, predicted, strict=True) if concept not in g and concept in p
        )
        fn = sum(
            1 for g, p in zip(labels, predicted, strict=True) if concept in g and concept not in p
        )
        precision, recall, f1 = _prf(tp, fp, fn)
        rows.append(
            {
                "concept": concept,
                "precision": precision,
                "recall": recall,
                "f1": f1,
                "support": tp + fn,
                "tp": tp,
                "fp": fp,
                "fn": fn,
            }
        )
    columns = ["concept", "precision", "recall", "f1", "support", "tp", "fp", "fn"]
    return pd.DataFrame(rows, columns=columns).set_index("concept")
