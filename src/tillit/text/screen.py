"""Screening a document: passages, their language, lexicon matches and a score per concept.

:func:`screen_text` splits a normalised text into passages
(:func:`tillit.text.passages.split_passages`), identifies the language of each passage
(:func:`tillit.text.langid.identify`), finds the lexicon terms in it (:class:`Matcher`) and
scores every concept that matched.

Score
-----
For a passage and a concept with matches of weights :math:`w_1, \\dots, w_k` (1 for a term,
less for weak evidence such as "handlingsrom"), the score is

.. math:: s = 1 - e^{-\\sum_i w_i}

so one full-weight term gives 0.63, two give 0.86, three 0.95, and a single weak term (0.5)
gives 0.39. The score grows with evidence, never reaches 1 and is comparable across passages
of any length. :data:`CANDIDATE_SCORE` (0.5) is the default cut for "this passage is evidence
for the concept": one full term, or two weak ones.

Language identification is the costly step (about a millisecond per call), so by default only
passages with lexicon matches are identified one by one; the document language comes from one
call on a sample of the text, and passages without matches take it over (see ``passage_langs``).
A document that mixes languages can therefore get the language of whichever its sample holds
most of; ``passage_langs="all"`` gives the length-weighted majority of all passages instead.

Examples
--------
>>> doc = screen_text("Bystyret vedtok tillitsreformen i 2017.\\n\\nValg av tillitsvalgte.")
>>> doc.concept_counts()
{'measure.reform_decision': 1, 'measure.trust_reform': 1}
>>> round(doc.passages[0].scores["measure.trust_reform"], 3)
0.632
"""

from __future__ import annotations

import bisect
import math
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from tillit.text.langid import LanguageGuess, identify
from tillit.text.lexicon import load_lexicon
from tillit.text.matcher import Match, Matcher
from tillit.text.passages import split_passages

__all__ = [
    "CANDIDATE_SCORE",
    "SAMPLE_CHARS",
    "DocumentScreening",
    "PassageScreening",
    "default_matcher",
    "language_sample",
    "score",
    "screen_text",
]

#: The document language is identified on this many characters from its start, middle and end.
SAMPLE_CHARS = 900

#: Passages whose concept score reaches this are evidence candidates (one full-weight term).
CANDIDATE_SCORE = 0.5


def score(weights: list[float] | tuple[float, ...]) -> float:
    """``1 - exp(-sum(weights))``: the score of a concept in a passage (see module docs).

    >>> round(score([1.0, 1.0]), 3)
    0.865
    """
    return 1.0 - math.exp(-sum(weights))


@dataclass(frozen=True)
class PassageScreening:
    """One passage of a screened document: offsets into the document text, end-exclusive."""

    index: int
    start: int
    end: int
    lang: str
    lang_confidence: float
    scores: dict[str, float]
    matches: tuple[Match, ...]
    lang_source: str = "passage"

    def is_candidate(self, concept: str, threshold: float = CANDIDATE_SCORE) -> bool:
        """Whether this passage is evidence for ``concept`` (score at least ``threshold``)."""
        return self.scores.get(concept, 0.0) >= threshold


@dataclass(frozen=True)
class DocumentScreening:
    """A screened document: its language and every passage with scores and matches."""

    lang: str
    passages: tuple[PassageScreening, ...]
    lang_confidence: float = 0.0
    lexicon_version: str = ""
    n_chars: int = 0

    def concept_counts(self) -> dict[str, int]:
        """Number of matches per concept over the whole document (most frequent first)."""
        counts = Counter(m.concept for p in self.passages for m in p.matches)
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def scores(self) -> dict[str, float]:
        """The best passage score per concept (the document's score for that concept)."""
        best: dict[str, float] = {}
        for passage in self.passages:
            for concept, value in passage.scores.items():
                best[concept] = max(best.get(concept, 0.0), value)
        return dict(sorted(best.items()))

    def matches(self) -> Iterator[Match]:
        """Every match, in text order."""
        for passage in self.passages:
            yield from passage.matches

    def evidence(self, concept: str, threshold: float = CANDIDATE_SCORE) -> list[PassageScreening]:
        """Passages that are evidence for ``concept``, best score first, then text order."""
        found = [p for p in self.passages if p.is_candidate(concept, threshold)]
        return sorted(found, key=lambda p: (-p.scores[concept], p.index))


_default: Matcher | None = None
_lock = threading.Lock()


def default_matcher() -> Matcher:
    """A :class:`Matcher` over the newest bundled lexicon, built once per process."""
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                _default = Matcher(load_lexicon())
    return _default


def screen_text(
    text: str,
    matcher: Matcher | None = None,
    *,
    passage_langs: str = "matched",
    max_chars: int = 1200,
    min_chars: int = 40,
) -> DocumentScreening:
    """Screen a normalised text into scored passages.

    Parameters
    ----------
    text : str
        Normalised text (:func:`tillit.text.normalize.normalize`); offsets in the result point
        into it.
    matcher : Matcher, optional
        By default one over the newest bundled lexicon (:func:`default_matcher`).
    passage_langs : {"matched", "document", "all"}
        Which passages get their own language identification; the others take the document
        language and have ``lang_source == "document"``. ``"matched"`` (default): passages
        with a lexicon match, so every evidence passage carries its own language.
        ``"document"`` (fastest): none. ``"all"``: every passage, and the document language is
        then their length-weighted majority. Otherwise the document language is identified on
        a sample of the text (:func:`language_sample`, :data:`SAMPLE_CHARS` characters from
        the start, middle and end).
    max_chars, min_chars : int
        Passed to :func:`~tillit.text.passages.split_passages`.

    Returns
    -------
    DocumentScreening
        Passages in text order, each with its language, a score per matched concept (see the
        module docs) and its matches (offsets into ``text``).

    Raises
    ------
    ValueError
        ``passage_langs`` is not "matched", "document" or "all".
    """
    if passage_langs not in ("document", "matched", "all"):
        raise ValueError(
            f"passage_langs must be 'document', 'matched' or 'all', not {passage_langs!r}"
        )
    matcher = matcher or default_matcher()
    passages = split_passages(text, max_chars=max_chars, min_chars=min_chars)
    # One scan of the whole text (cheaper than one per passage); each match goes to the passage
    # that holds it. A match across a passage boundary cannot occur in practice (passages are
    # cut at blank lines and sentence ends) and is dropped if it does.
    per_passage: list[list[Match]] = [[] for _ in passages]
    starts = [p.start for p in passages]
    for m in matcher.find(text) if passages else ():
        i = bisect.bisect_right(starts, m.start) - 1
        if i >= 0 and m.end <= passages[i].end:
            per_passage[i].append(m)
    found = [tuple(ms) for ms in per_passage]
    if passage_langs == "all":
        chosen = set(range(len(passages)))
    elif passage_langs == "matched":
        chosen = {i for i, matches in enumerate(found) if matches}
    else:
        chosen = set()
    guesses = {i: identify(passages[i].text) for i in sorted(chosen)}
    if passage_langs == "all" and passages:
        lang, confidence = _majority(
            [(g, passages[i].end - passages[i].start) for i, g in guesses.items()]
        )
    else:
        document = identify(language_sample(text))
        lang, confidence = document.lang, document.confidence
    screened: list[PassageScreening] = []
    for i, passage in enumerate(passages):
        matches = found[i]
        if i in guesses:
            passage_lang, passage_confidence, source = (
                guesses[i].lang,
                guesses[i].confidence,
                "passage",
            )
        else:
            passage_lang, passage_confidence, source = lang, confidence, "document"
        if matches and passage_lang != "und":
            matches = tuple(_prefer_lang(m, passage_lang, matcher) for m in matches)
        weights: dict[str, list[float]] = {}
        for m in matches:
            weights.setdefault(m.concept, []).append(m.weight)
        screened.append(
            PassageScreening(
                index=passage.index,
                start=passage.start,
                end=passage.end,
                lang=passage_lang,
                lang_confidence=passage_confidence,
                scores={c: score(w) for c, w in sorted(weights.items())},
                matches=matches,
                lang_source=source,
            )
        )
    return DocumentScreening(
        lang=lang,
        passages=tuple(screened),
        lang_confidence=confidence,
        lexicon_version=matcher.lexicon.version,
        n_chars=len(text),
    )


def language_sample(text: str, size: int = SAMPLE_CHARS) -> str:
    """Up to ``size`` characters from the start, middle and end of ``text`` (cut at spaces).

    >>> language_sample("one two three four five six seven eight nine", size=24)
    'one two five nine'
    """
    if len(text) <= size:
        return text
    third = size // 3
    pieces = []
    for start in (0, (len(text) - third) // 2, len(text) - third):
        piece = text[start : start + third]
        if start > 0 and " " in piece:
            piece = piece[piece.index(" ") + 1 :]
        if start + third < len(text) and " " in piece:
            piece = piece[: piece.rindex(" ")]
        pieces.append(piece.strip())
    return " ".join(p for p in pieces if p)


def _majority(guesses: list[tuple[LanguageGuess, int]]) -> tuple[str, float]:
    """Length-weighted majority language (ignoring "und") and its mean confidence."""
    by_lang: dict[str, int] = {}
    confidence_sum: dict[str, float] = {}
    for guess, length in guesses:
        if guess.lang != "und":
            by_lang[guess.lang] = by_lang.get(guess.lang, 0) + length
            confidence_sum[guess.lang] = (
                confidence_sum.get(guess.lang, 0.0) + length * guess.confidence
            )
    if not by_lang:
        return "und", 0.0
    lang, length = max(by_lang.items(), key=lambda item: (item[1], item[0]))
    return lang, confidence_sum[lang] / length


def _prefer_lang(match: Match, lang: str, matcher: Matcher) -> Match:
    """The match reported in the passage's language when the lexicon has the term there too."""
    if match.lang == lang or not matcher.has_term(match.concept, match.term, lang):
        return match
    return Match(match.concept, match.term, lang, match.start, match.end, match.weight)
