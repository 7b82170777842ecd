"""Lexicon matching: one Aho-Corasick scan, compound-aware, with negative context terms.

:class:`Matcher` compiles every surface form of a :class:`~tillit.text.lexicon.Lexicon` (terms
with their regular inflections) into one pyahocorasick automaton and scans a lower-cased copy of
the text that has exactly the text's length, so every offset is an offset into the text you
passed (code points, end-exclusive: ``text[m.start:m.end]`` is the matched span).

Rules, in order:

1. **Word boundaries.** A term matches where no letter or digit touches it, except on a side
   the term is open to compounds: ``tillitsreform*`` may begin a compound
   ("tillitsreformarbeidet"), ``*dokumentasjonskrav`` may end one. Hyphens, punctuation and
   spaces are boundaries. Line breaks, tabs and no-break spaces count as spaces, so a phrase
   broken over two lines still matches.
2. **Hyphenated lists.** In "rapporterings- og dokumentasjonskrav" or "tillids- og
   samarbejdsbaseret" the hyphenated fragment is completed with the tail of the last word that
   makes a lexicon term ("rapporteringskrav", "tillidsbaseret"); the match spans the fragment
   (up to and including its hyphen). Lists of several fragments ("rapporterings-,
   dokumentasjons- og kontrollkrav") and the joiners og, eller, samt, och, & are handled.
3. **One match per concept and span.** Overlapping matches of the same concept keep the longest
   (then the leftmost); matches of different concepts may overlap (a reform decision also names
   the reform).
4. **Negatives.** A negative context term (e.g. "tillitsvalgt", "tillit til politiet",
   "mistillitsforslag") removes every positive match it overlaps, unless the positive match is
   longer and contains the negative entirely (the lexicon named that context on purpose, as in
   "samarbeid med tillitsvalgte").

Examples
--------
>>> from tillit.text.lexicon import load_lexicon
>>> matcher = Matcher(load_lexicon())
>>> [(m.concept, m.term) for m in matcher.find("Tillitsreformen gjelder fra 2017.")]
[('measure.trust_reform', 'tillitsreform')]
>>> matcher.find("Valg av hovedtillitsvalgt og tillitsvalgte for 2025.")
[]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ahocorasick

from tillit.text.lexicon import LANGUAGES, Lexicon, Term

__all__ = ["Match", "Matcher", "search_text"]

# Characters mapped to a plain space before matching (same length, so offsets are kept).
_SPACES = "\n\t\r\f\v\u00a0\u2007\u202f"
# "- og ", "- eller ", ...: the joint of a hyphenated coordinated list.
_JOINT = re.compile(r"- (?:og/eller|eller/og|og|eller|samt|och|&) ")
_LIST_CONTEXT = 80
_LANG_ORDER = {lang: i for i, lang in enumerate(LANGUAGES)}


@dataclass(frozen=True)
class Match:
    """A lexicon term found in a text: offsets into that text (end-exclusive)."""

    concept: str
    term: str
    lang: str
    start: int
    end: int
    weight: float = 1.0


def search_text(text: str) -> str:
    """The text the automaton scans: lower case and plain spaces, same length as ``text``.

    ``str.lower`` keeps the length for every letter of the Nordic languages; where it would not
    (e.g. "İ"), that character is lowered on its own or kept as it is.

    >>> search_text("Tillits-\\nReform")
    'tillits- reform'
    """
    low = text.lower()
    if len(low) != len(text):
        low = "".join(lc if len(lc := c.lower()) == 1 else c for c in text)
    for space in _SPACES:  # str.replace is far faster than str.translate here
        if space in low:
            low = low.replace(space, " ")
    return low


@dataclass(frozen=True)
class _Entry:
    term: Term
    negative: bool


class Matcher:
    """Finds the terms of a lexicon in texts (thread-safe after construction).

    Parameters
    ----------
    lexicon : Lexicon
        Terms and negatives to look for (e.g. :func:`tillit.text.lexicon.load_lexicon`).
    """

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        grouped: dict[str, list[_Entry]] = {}
        for term in lexicon.terms:
            for form in term.forms():
                grouped.setdefault(form, []).append(_Entry(term, False))
        for term in lexicon.negatives:
            for form in term.forms():
                grouped.setdefault(form, []).append(_Entry(term, True))
        automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
        for form, entries in grouped.items():
            automaton.add_word(form, (len(form), tuple(entries)))
        automaton.make_automaton()
        self._automaton = automaton
        self.n_forms = len(grouped)
        self._keys = frozenset((t.concept, t.text, t.lang) for t in lexicon.terms)

    def __reduce__(self) -> tuple[type[Matcher], tuple[Lexicon]]:
        """Pickle as the lexicon (the automaton is rebuilt on loading, in about 50 ms)."""
        return (Matcher, (self.lexicon,))

    def has_term(self, concept: str, text: str, lang: str) -> bool:
        """Whether the lexicon has ``text`` as a term of ``concept`` in ``lang``."""
        return (concept, text, lang) in self._keys

    def forms(self) -> list[str]:
        """Every surface form in the automaton (for a peer regex, or inspection)."""
        return [str(key) for key in self._automaton]

    def find(self, text: str, *, lang: str | None = None) -> list[Match]:
        """Every concept match in ``text``, sorted by start, end and concept.

        Parameters
        ----------
        text : str
            Normalised text (see :func:`tillit.text.normalize.normalize`).
        lang : str, optional
            The language of the text, if known: when a form is a term in several languages
            (nb and nn share most), the match reports this language.
        """
        low = search_text(text)
        positives, negatives = self._scan(low, 0, len(low))
        if "- " in low:
            extra_pos, extra_neg = self._lists(low)
            positives.extend(extra_pos)
            negatives.extend(extra_neg)
        return _resolve(positives, negatives, lang)

    # -- internals ---------------------------------------------------------------------------

    def _scan(
        self, low: str, lo: int, hi: int, index: Sequence[int] | None = None
    ) -> tuple[list[tuple[int, int, Term]], list[tuple[int, int]]]:
        """Candidates in ``low[lo:hi]`` that pass the boundary rules."""
        positives: list[tuple[int, int, Term]] = []
        negatives: list[tuple[int, int]] = []
        n = len(low)
        for last, (length, entries) in self._automaton.iter(low, lo, hi):
            end = last + 1
            start = end - length
            left_word = start > 0 and low[start - 1].isalnum()
            right_word = end < n and low[end].isalnum()
            for entry in entries:
                term = entry.term
                if (left_word and not term.open_left) or (right_word and not term.open_right):
                    continue
                s, e = start, end
                # A compound match covers the whole word, so the evidence shows the word.
                if term.open_left:
                    while s > lo and low[s - 1].isalnum():
                        s -= 1
                if term.open_right:
                    while e < hi and low[e].isalnum():
                        e += 1
                if index is not None:
                    s, e = index[s], index[e - 1] + 1
                if entry.negative:
                    negatives.append((s, e))
                else:
                    positives.append((s, e, term))
        return positives, negatives

    def _lists(self, low: str) -> tuple[list[tuple[int, int, Term]], list[tuple[int, int]]]:
        """Matches that need a hyphenated fragment completed ("rapporterings- og ...krav")."""
        positives: list[tuple[int, int, Term]] = []
        negatives: list[tuple[int, int]] = []
        for fragments, last_start, last_end in _hyphen_lists(low):
            last = low[last_start:last_end]
            completed: list[tuple[int, int, str]] = []  # (fragment start, hyphen index, tail)
            for f_start, hyphen in fragments:
                tail = self._tail(low[f_start:hyphen], last)
                if tail:
                    completed.append((f_start, hyphen, tail))
            if not completed:
                continue
            # Rebuild a stretch of text with every fragment completed, keeping a map from each
            # character of the rebuilt text back to its offset in the original.
            region_start = max(0, completed[0][0] - _LIST_CONTEXT)
            if region_start > 0:
                space = low.find(" ", region_start, completed[0][0])
                region_start = space + 1 if space >= 0 else completed[0][0]
            region_end = min(len(low), last_end + _LIST_CONTEXT)
            chars: list[str] = []
            index: list[int] = []
            position = region_start
            for _start, hyphen, tail in completed:
                chars.append(low[position:hyphen])
                index.extend(range(position, hyphen))
                chars.append(tail)
                index.extend([hyphen] * len(tail))
                position = hyphen + 1
            chars.append(low[position:region_end])
            index.extend(range(position, region_end))
            index.append(region_end)
            rebuilt = "".join(chars)
            found_pos, found_neg = self._scan(rebuilt, 0, len(rebuilt), index)
            spans = [(f, h + 1) for f, h, _ in completed]
            positives.extend(p for p in found_pos if _touches(p[0], p[1], spans))
            negatives.extend(n for n in found_neg if _touches(n[0], n[1], spans))
        return positives, negatives

    def _tail(self, fragment: str, last: str) -> str:
        """The shortest tail of ``last`` that completes ``fragment`` into a lexicon term.

        Only fragments that begin a lexicon form are completed (a term open to compounds on
        its left, ``*word``, is not completed from a fragment that merely ends with its start).
        """
        if not self._automaton.match(fragment):
            return ""
        for k in range(len(last) - 2, 0, -1):
            word = fragment + last[k:]
            for end_index, (length, entries) in self._automaton.iter(word):
                end = end_index + 1
                start = end - length
                if end <= len(fragment) or start >= len(fragment):
                    continue
                for entry in entries:
                    term = entry.term
                    if (start == 0 or term.open_left) and (end == len(word) or term.open_right):
                        return last[k:]
        return ""


def _touches(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start < b and a < end for a, b in spans)


def _hyphen_lists(low: str) -> list[tuple[list[tuple[int, int]], int, int]]:
    """Hyphenated coordinated lists: ([(fragment start, hyphen index)...], last word span)."""
    found: list[tuple[list[tuple[int, int]], int, int]] = []
    for joint in _JOINT.finditer(low):
        position = joint.start()
        last_start = joint.end()
        last_end = last_start
        while last_end < len(low) and (low[last_end].isalnum() or low[last_end] == "-"):
            last_end += 1
        fragments = []
        hyphen = position
        while True:
            f_start = hyphen
            while f_start > 0 and low[f_start - 1].isalnum():
                f_start -= 1
            if f_start == hyphen or last_end == last_start:
                break
            fragments.append((f_start, hyphen))
            # An earlier fragment: "xxx-, " before this one.
            before = low[max(0, f_start - 3) : f_start]
            if before.endswith("-, "):
                hyphen = f_start - 3
            elif before.endswith("-,"):
                hyphen = f_start - 2
            else:
                break
        if fragments:
            found.append((fragments[::-1], last_start, last_end))
    return found


def _resolve(
    positives: list[tuple[int, int, Term]], negatives: list[tuple[int, int]], lang: str | None
) -> list[Match]:
    if negatives:
        kept = []
        for start, end, term in positives:
            blocked = False
            for n_start, n_end in negatives:
                if start < n_end and n_start < end:
                    contains = start <= n_start and n_end <= end and end - start > n_end - n_start
                    if not contains:
                        blocked = True
                        break
            if not blocked:
                kept.append((start, end, term))
        positives = kept
    # Group the terms found on the same span for the same concept; pick the reported language.
    spans: dict[tuple[str, int, int], list[Term]] = {}
    for start, end, term in positives:
        spans.setdefault((term.concept, start, end), []).append(term)
    candidates = []
    for (concept, start, end), terms in spans.items():
        best = min(
            terms,
            key=lambda t: (t.lang != lang, _LANG_ORDER.get(t.lang, 9), -t.weight, len(t.text)),
        )
        candidates.append(Match(concept, best.text, best.lang, start, end, best.weight))
    # Per concept: the longest of overlapping matches wins, then the leftmost.
    candidates.sort(key=lambda m: (m.concept, -(m.end - m.start), m.start))
    accepted: list[Match] = []
    taken: dict[str, list[tuple[int, int]]] = {}
    for match in candidates:
        used = taken.setdefault(match.concept, [])
        if any(match.start < b and a < match.end for a, b in used):
            continue
        used.append((match.start, match.end))
        accepted.append(match)
    accepted.sort(key=lambda m: (m.start, m.end, m.concept))
    return accepted
