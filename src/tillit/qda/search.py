"""Full-text search with Norwegian and Danish stemming, and autocoding candidates for review.

* :func:`search` - find words or phrases in sources; with a language, words match by Snowball
  stem (``reformen`` finds ``reformene``, ``reform``); ``tillit*`` matches every word that begins
  with ``tillit`` (``tillitsreformen``: Nordic compounds). Hits carry offsets into the original
  text.
* :func:`autocode` - candidate segments for a code, by word/phrase (same matching as
  :func:`search`), by regular expression (guarded, see :func:`check_regex`) or by a lexicon
  concept (``tillit.text.matcher.Matcher``); optionally widened to the sentence, line or
  paragraph. Nothing is saved: the app shows the candidates for review and stores the accepted
  ones as codings.

The regex guard: Python's ``re`` has no timeout, so a pattern that can backtrack exponentially
(``(a+)+b``) could hang a worker. :func:`check_regex` parses the pattern with the ``re`` parser
and refuses patterns longer than :data:`MAX_REGEX_LENGTH`, backreferences, and a repeat inside
a repeat or an alternation inside an unbounded repeat (the shapes behind catastrophic
backtracking); every source is also capped at :data:`MAX_TEXT_CHARS` characters per search and
:data:`MAX_HITS` hits per call.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from tillit.qda.errors import QdaError
from tillit.qda.words import _language, _stemmer, tokenize

__all__ = [
    "MAX_HITS",
    "MAX_REGEX_LENGTH",
    "MAX_TEXT_CHARS",
    "autocode",
    "check_regex",
    "extend_spans",
    "find_phrase",
    "search",
]

MAX_REGEX_LENGTH = 300
MAX_TEXT_CHARS = 20_000_000
MAX_HITS = 200_000

Extend = Literal["match", "sentence", "line", "paragraph"]
Mode = Literal["any", "all", "phrase"]
HIT_COLUMNS = ["source_id", "start", "end", "match", "left", "right", "term"]


def _query_terms(query: str) -> list[str]:
    terms = [t for t in re.split(r"\s+", query.strip()) if t]
    if not terms:
        raise QdaError("the search is empty", "Type one or more words.", argument="query")
    return terms


def _term_keys(terms: Sequence[str], language: str | None) -> list[tuple[str, bool]]:
    """(key, is_prefix) per query term: stem (or case-folded word), or prefix for ``word*``."""
    out = []
    for term in terms:
        prefix = term.endswith("*")
        words = tokenize(term.rstrip("*")).words
        if len(words) != 1:
            raise QdaError(
                f"{term!r} is not one word",
                "Search for words separated by spaces.",
                argument="query",
            )
        word = words[0]
        if not prefix and language is not None:
            word = str(_stemmer(language).stemWord(word))
        out.append((word, prefix))
    return out


def _token_keys(words: list[str], language: str | None) -> list[str]:
    if language is None:
        return words
    unique = list(dict.fromkeys(words))
    stems = dict(zip(unique, _stemmer(language).stemWords(unique), strict=True))
    return [stems[w] for w in words]


def _matches(words: list[str], keys: list[str], key: str, prefix: bool) -> np.ndarray:
    if prefix:
        return np.array([w.startswith(key) for w in words], dtype=bool)
    return np.array([k == key for k in keys], dtype=bool)


_WORD_START = r"(?<![^\W_])(?<![^\W_][-'’])"
_WORD_REST = r"[^\W_]*(?:[-'’][^\W_]+)*"


@functools.lru_cache(maxsize=256)
def _prefix_regex(key: str) -> re.Pattern[str]:
    """Whole tokens (as :func:`tokenize` cuts them) that begin with ``key``, any case."""
    return re.compile(_WORD_START + re.escape(key) + _WORD_REST, re.IGNORECASE)


def _term_spans(text: str, key: str, prefix: bool, language: str | None) -> list[tuple[int, int]]:
    """Spans of the tokens matching one query term.

    The Nordic Snowball stemmers only cut letters off the end of a word, so a word whose stem is
    ``key`` begins with ``key``: a C-level regex scan finds the candidates and only they are
    stemmed. English (``happy`` -> ``happi``) takes the full tokenisation.
    """
    if language == "english" and not prefix:
        tokens = tokenize(text)
        keys = _token_keys(tokens.words, language)
        return [
            (int(tokens.starts[i]), int(tokens.ends[i])) for i in range(len(keys)) if keys[i] == key
        ]
    candidates = list(_prefix_regex(key).finditer(text))
    if prefix:
        return [m.span() for m in candidates]
    words = [m.group().casefold() for m in candidates]
    keys = _token_keys(words, language)
    return [m.span() for m, k in zip(candidates, keys, strict=True) if k == key]


def find_phrase(text: str, phrase: str, *, language: str | None = None) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of a word or a phrase of consecutive words in ``text``.

    Examples
    --------
    >>> find_phrase("Tillitsreformen og tillit.", "tillit*")
    [(0, 15), (19, 25)]
    >>> find_phrase("Reformene ga tillit.", "reformen gi", language="nb")
    []
    """
    lang = _language(language)
    terms = _term_keys(_query_terms(phrase), lang)
    if len(terms) == 1:
        return _term_spans(text, terms[0][0], terms[0][1], lang)
    tokens = tokenize(text)
    if not tokens.words:
        return []
    keys = _token_keys(tokens.words, lang)
    n = len(tokens.words)
    ok = np.ones(n - len(terms) + 1, dtype=bool) if n >= len(terms) else np.zeros(0, bool)
    for offset, (key, prefix) in enumerate(terms):
        hit = _matches(tokens.words, keys, key, prefix)
        ok &= hit[offset : offset + ok.size]
    first = np.flatnonzero(ok)
    last = first + len(terms) - 1
    return [(int(tokens.starts[a]), int(tokens.ends[b])) for a, b in zip(first, last, strict=True)]


def _items(texts: Mapping[Hashable, str] | Sequence[str]) -> list[tuple[Hashable, str]]:
    items: list[tuple[Hashable, str]] = (
        list(texts.items()) if isinstance(texts, Mapping) else list(enumerate(texts))
    )
    for key, text in items:
        if len(text) > MAX_TEXT_CHARS:
            raise QdaError(
                f"source {key!r} has {len(text)} characters; the limit is {MAX_TEXT_CHARS}",
                "Split the source.",
                argument="texts",
            )
    return items


def search(
    texts: Mapping[Hashable, str] | Sequence[str],
    query: str,
    *,
    language: str | None = None,
    mode: Mode = "any",
    width: int = 40,
) -> pd.DataFrame:
    """Find words or a phrase in sources, matching by stem when a language is given.

    Parameters
    ----------
    texts : mapping source_id -> normalised text, or a sequence of texts
    query : str
        Words separated by spaces; ``word*`` matches words beginning with ``word``.
    language : str, optional
        ``"nb"``, ``"nn"``, ``"da"``, ``"sv"``, ``"en"``: match by Snowball stem; ``None``
        matches whole words case-insensitively.
    mode : {"any", "all", "phrase"}
        ``any``: every occurrence of any word; ``all``: the same, only in sources that contain
        every word; ``phrase``: the words in sequence.
    width : int
        Characters of context on each side (``left``, ``right``).

    Returns
    -------
    DataFrame
        ``source_id, start, end, match, left, right, term`` sorted by source and offset.

    Examples
    --------
    >>> hits = search({"a": "Reformen bygger tillit.", "b": "Reformene."}, "reform",
    ...               language="nb")
    >>> hits[["source_id", "start", "end", "match"]].values.tolist()
    [['a', 0, 8, 'Reformen'], ['b', 0, 9, 'Reformene']]
    """
    if mode not in ("any", "all", "phrase"):
        raise QdaError(f"mode={mode!r} is not allowed; use any, all or phrase", argument="mode")
    lang = _language(language)
    terms = _query_terms(query)
    term_keys = _term_keys(terms, lang)
    rows: list[dict[str, Any]] = []
    for source, text in _items(texts):
        if mode == "phrase":
            spans = [(s, e, query) for s, e in find_phrase(text, query, language=language)]
        else:
            spans = []
            found_all = True
            for term, (key, prefix) in zip(terms, term_keys, strict=True):
                found = _term_spans(text, key, prefix, lang)
                found_all &= bool(found)
                spans.extend((s, e, term) for s, e in found)
            if mode == "all" and not found_all:
                continue
        for start, end, term in sorted(spans):
            rows.append(
                {
                    "source_id": source,
                    "start": start,
                    "end": end,
                    "match": text[start:end],
                    "left": text[max(0, start - width) : start],
                    "right": text[end : end + width],
                    "term": term,
                }
            )
            if len(rows) > MAX_HITS:
                raise QdaError(f"more than {MAX_HITS} hits", "Narrow the search.", argument="query")
    return pd.DataFrame(rows, columns=HIT_COLUMNS)


# ---------------------------------------------------------------------------------------------
# Regex guard


def _walk(items: Any, depth_repeat: int, unbounded: bool, pattern: str) -> None:
    from re import _constants as const  # type: ignore[attr-defined]

    for op, arg in items:
        if op in (const.MAX_REPEAT, const.MIN_REPEAT, getattr(const, "POSSESSIVE_REPEAT", None)):
            _low, high, sub = arg
            repeats = high is const.MAXREPEAT or high > 1
            if repeats and depth_repeat > 0:
                raise QdaError(
                    f"the pattern {pattern!r} has a quantifier inside a quantifier",
                    "Nested quantifiers such as (a+)+ take exponential time; drop the outer one.",
                    argument="pattern",
                )
            _walk(
                sub,
                depth_repeat + (1 if repeats else 0),
                unbounded or high is const.MAXREPEAT,
                pattern,
            )
        elif op is const.BRANCH:
            if unbounded:
                raise QdaError(
                    f"the pattern {pattern!r} repeats an alternation without a bound",
                    "Patterns such as (a|ab)* can take exponential time; use a character "
                    "class or a bounded repeat {0,5}.",
                    argument="pattern",
                )
            for alternative in arg[1]:
                _walk(alternative, depth_repeat, unbounded, pattern)
        elif op is const.SUBPATTERN:
            _walk(arg[-1], depth_repeat, unbounded, pattern)
        elif op in (const.ASSERT, const.ASSERT_NOT):
            _walk(arg[1], depth_repeat, unbounded, pattern)
        elif op in (const.GROUPREF, const.GROUPREF_EXISTS):
            raise QdaError(
                f"the pattern {pattern!r} uses a backreference",
                "Backreferences are not allowed in autocoding patterns.",
                argument="pattern",
            )


def check_regex(pattern: str, *, ignore_case: bool = True) -> re.Pattern[str]:
    """Compile an autocoding pattern after refusing shapes that can backtrack exponentially.

    Raises
    ------
    QdaError
        Too long, invalid (with the position), a backreference, a quantifier inside a
        quantifier, an alternation inside an unbounded repeat, or a pattern matching "".

    Examples
    --------
    >>> check_regex(r"tillit\\w*").pattern
    'tillit\\\\w*'
    >>> check_regex(r"(a+)+b")
    Traceback (most recent call last):
    ...
    tillit.qda.errors.QdaError: the pattern '(a+)+b' has a quantifier inside a quantifier
    Nested quantifiers such as (a+)+ take exponential time; drop the outer one.
    """
    from re import _parser  # type: ignore[attr-defined]

    if len(pattern) > MAX_REGEX_LENGTH:
        raise QdaError(
            f"the pattern has {len(pattern)} characters; the limit is {MAX_REGEX_LENGTH}",
            "Shorten the pattern.",
            argument="pattern",
        )
    flags = re.IGNORECASE if ignore_case else 0
    try:
        parsed = _parser.parse(pattern, flags)
        compiled = re.compile(pattern, flags)
    except re.error as exc:
        where = f" at position {exc.pos}" if exc.pos is not None else ""
        raise QdaError(
            f"the pattern is not a valid regular expression{where}: {exc.msg}",
            "Check brackets and escapes.",
            argument="pattern",
            position=exc.pos,
        ) from None
    _walk(parsed, 0, False, pattern)
    if compiled.fullmatch("") is not None:
        raise QdaError(
            f"the pattern {pattern!r} matches empty text",
            "Use + instead of * so each match has at least one character.",
            argument="pattern",
        )
    return compiled


# ---------------------------------------------------------------------------------------------
# Autocoding


_SENTENCE_END = re.compile(r"[.!?…]+[\"'”»)]*\s+|\n")
_PARAGRAPH_END = re.compile(r"\n\s*\n")
CANDIDATE_COLUMNS = [
    "source_id",
    "start",
    "end",
    "text",
    "match_start",
    "match_end",
    "reason",
    "code_id",
]


def extend_spans(
    text: str, spans: Sequence[tuple[int, int]], unit: Extend
) -> list[tuple[int, int]]:
    """Widen spans to the enclosing sentence, line or paragraph (trailing white space trimmed).

    Examples
    --------
    >>> extend_spans("Ja. Vi har tillit her. Nei.", [(11, 17)], "sentence")
    [(4, 22)]
    """
    if unit == "match":
        return list(spans)
    if unit == "line":
        bounds = [m.end() for m in re.finditer(r"\n", text)]
    elif unit == "sentence":
        bounds = [m.end() for m in _SENTENCE_END.finditer(text)]
    elif unit == "paragraph":
        bounds = [m.end() for m in _PARAGRAPH_END.finditer(text)]
    else:
        raise QdaError(
            f"extend={unit!r} is not allowed; use match, sentence, line or paragraph",
            argument="extend",
        )
    starts = np.asarray([0, *bounds], dtype=np.int64)
    out = []
    for s, e in spans:
        k = int(np.searchsorted(starts, s, side="right")) - 1
        a = int(starts[k])
        stop = np.searchsorted(starts, e, side="left")
        b = int(starts[stop]) if stop < starts.size else len(text)
        b = max(b, e)
        while b > e and text[b - 1].isspace():
            b -= 1
        while a < s and text[a].isspace():
            a += 1
        out.append((a, b))
    return out


def autocode(
    texts: Mapping[Hashable, str] | Sequence[str],
    *,
    words: str | None = None,
    pattern: str | None = None,
    concept: str | Sequence[str] | None = None,
    language: str | None = None,
    extend: Extend = "match",
    code_id: Any = None,
    lexicon_version: str | None = None,
) -> pd.DataFrame:
    """Candidate segments for autocoding, for a person to review before anything is saved.

    Give exactly one of ``words`` (a word, ``word*`` prefix or phrase, matched as in
    :func:`search` with ``mode="phrase"``), ``pattern`` (a regular expression, case-insensitive,
    checked by :func:`check_regex`) or ``concept`` (one or more taxonomy concept ids, found with
    the screening lexicon's matcher).

    Parameters
    ----------
    texts : mapping source_id -> normalised text, or a sequence of texts
    language : str, optional
        For ``words``: match by stem in this language.
    extend : {"match", "sentence", "line", "paragraph"}
        Widen each hit; candidates that then overlap are merged into one.
    code_id : optional
        Copied to the ``code_id`` column, for the app's review page.
    lexicon_version : str, optional
        For ``concept``: the lexicon version (default the newest).

    Returns
    -------
    DataFrame
        ``source_id, start, end, text, match_start, match_end, reason, code_id`` - one row per
        candidate; ``match_*`` is the first hit inside it.

    Examples
    --------
    >>> c = autocode({"s": "Vi har tillit. Ikke her."}, words="tillit", extend="sentence")
    >>> c[["start", "end", "text", "reason"]].values.tolist()
    [[0, 14, 'Vi har tillit.', 'word: tillit']]
    """
    given = [x is not None for x in (words, pattern, concept)]
    if sum(given) != 1:
        raise QdaError(
            "give exactly one of words, pattern or concept",
            "Choose how to find the candidates.",
            argument="words",
        )
    items = _items(texts)
    rows: list[dict[str, Any]] = []
    if pattern is not None:
        compiled = check_regex(pattern)
        finder = _regex_finder(compiled)
        reason = f"regex: {pattern}"
    elif words is not None:
        finder = _word_finder(words, language)
        reason = f"word: {words}"
    else:
        concepts = [concept] if isinstance(concept, str) else list(concept or ())
        finder = _lexicon_finder(concepts, lexicon_version)
        reason = f"concept: {', '.join(concepts)}"
    total = 0
    for source, text in items:
        hits = finder(text)
        total += len(hits)
        if total > MAX_HITS:
            raise QdaError(
                f"more than {MAX_HITS} candidates", "Narrow the search.", argument="pattern"
            )
        if not hits:
            continue
        wide = extend_spans(text, [(s, e) for s, e, _ in hits], extend)
        merged: list[list[Any]] = []
        for (a, b), (s, e, why) in sorted(zip(wide, hits, strict=True)):
            if merged and a < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
                continue
            merged.append([a, b, s, e, why])
        for a, b, s, e, why in merged:
            rows.append(
                {
                    "source_id": source,
                    "start": a,
                    "end": b,
                    "text": text[a:b],
                    "match_start": s,
                    "match_end": e,
                    "reason": why or reason,
                    "code_id": code_id,
                }
            )
    return pd.DataFrame(rows, columns=CANDIDATE_COLUMNS)


def _regex_finder(compiled: re.Pattern[str]) -> Any:
    def find(text: str) -> list[tuple[int, int, str]]:
        return [(m.start(), m.end(), "") for m in compiled.finditer(text) if m.end() > m.start()]

    return find


def _word_finder(words: str, language: str | None) -> Any:
    def find(text: str) -> list[tuple[int, int, str]]:
        return [(s, e, "") for s, e in find_phrase(text, words, language=language)]

    return find


def _lexicon_finder(concepts: list[str], version: str | None) -> Any:
    try:
        from tillit.text.lexicon import load_lexicon  # type: ignore[import-not-found,unused-ignore]
        from tillit.text.matcher import Matcher  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise QdaError(
            "lexicon matching is not available in this installation",
            "Autocode by words or a pattern instead.",
            argument="concept",
        ) from None
    lexicon = load_lexicon(version)
    known = set(lexicon.concepts())
    unknown = [c for c in concepts if c not in known]
    if unknown:
        raise QdaError(
            f"concept {unknown[0]!r} is not in the lexicon {lexicon.version}",
            "Pick a concept id from the taxonomy.",
            argument="concept",
        )
    matcher = Matcher(lexicon)
    wanted = set(concepts)

    def find(text: str) -> list[tuple[int, int, str]]:
        return [
            (m.start, m.end, f"concept: {m.concept} ({m.term})")
            for m in matcher.find(text)
            if m.concept in wanted
        ]

    return find
