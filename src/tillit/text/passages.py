"""Passages: the units that are screened, labelled and cited as evidence.

A passage is a span of the *normalised* document text (see :mod:`tillit.text.normalize`) with
code-point offsets, end-exclusive, so ``passage.text == text[passage.start:passage.end]`` always
holds and an evidence link ``?start=&end=`` points at the same characters for ever.

How :func:`split_passages` cuts:

1. paragraphs are separated by blank lines (a line holding only spaces or tabs counts as blank);
   leading and trailing whitespace of a paragraph is not part of the passage;
2. a paragraph longer than ``max_chars`` is cut at the last sentence end that fits (``.``, ``!``,
   ``?``, ``…``, ``:`` or ``;`` followed by whitespace and an upper-case letter, digit, quote,
   bullet or dash, and not after a common nb/nn/da/sv abbreviation such as ``bl.a.``, ``f.eks.``,
   ``jf.``, ``kl.``, ``nr.``); failing that at the last line break, then the last space, and only
   as a last resort in the middle of a word;
3. a piece shorter than ``min_chars`` (a heading such as "Sak 12/24", a lone list item) is merged
   with the following piece, or else the preceding one, when the merged span stays within
   ``max_chars``; the merged passage then includes the blank line between them.

The result depends only on the text and the two limits, so the same text always gives the same
passages (indices and offsets).

Examples
--------
>>> text = "Sak 12/24\\n\\nKommunestyret vedtar tillitsreformen. Den gjelder alle sektorer."
>>> [(p.index, p.start, p.end) for p in split_passages(text)]
[(0, 0, 75)]
>>> ps = split_passages(text, max_chars=50, min_chars=5)
>>> [p.text for p in ps]
['Sak 12/24', 'Kommunestyret vedtar tillitsreformen.', 'Den gjelder alle sektorer.']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Passage", "split_passages"]

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
# A sentence end: terminal punctuation, optional closing quotes/brackets, whitespace, and the
# start of the next sentence. Group 1 ends where the first sentence ends.
_SENTENCE_END = re.compile(r"([.!?…:;][\"'»”’)\]]*)\s+(?=\S)")
_SENTENCE_STARTERS = frozenset("\"'«“([•-–—*")
_WORD_BEFORE = re.compile(r"(\S+)$")
# Abbreviations that end with a full stop but do not end a sentence (lower-cased, with the
# final stop). Common in Norwegian, Danish and Swedish council documents.
_ABBREVIATIONS = frozenset(
    {
        "bl.a.", "f.eks.", "feks.", "jf.", "jfr.", "kl.", "nr.", "mv.", "m.v.", "m.fl.", "mfl.",
        "dvs.", "d.v.s.", "osv.", "o.l.", "ol.", "ca.", "pkt.", "ref.", "evt.", "ev.", "iht.",
        "i.h.t.", "vedr.", "ang.", "adm.", "avd.", "tlf.", "st.", "sk.", "s.", "t.d.", "td.",
        "m.a.", "mao.", "m.a.o.", "pga.", "p.g.a.", "ift.", "i.f.t.", "forts.", "innst.", "prop.",
        "f.o.m.", "t.o.m.", "fom.", "tom.", "el.", "eks.", "etc.", "mht.", "m.h.t.", "bl.", "div.",
        "dr.", "prof.", "hr.", "fr.", "nb.", "obs.", "red.", "resp.", "jan.", "feb.", "mar.",
        "apr.", "jun.", "jul.", "aug.", "sep.", "sept.", "okt.", "nov.", "des.", "dec.", "kap.",
        "art.", "stk.", "lov.", "e.", "f.", "pr.", "vs.", "bla.", "dsb.", "o.a.", "u.a.", "sst.",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Passage:
    """A span of the normalised text: ``text == document_text[start:end]``."""

    index: int
    start: int
    end: int
    text: str


def split_passages(text: str, *, max_chars: int = 1200, min_chars: int = 40) -> list[Passage]:
    """Split normalised ``text`` into passages with stable code-point offsets.

    Parameters
    ----------
    text : str
        Normalised text (:func:`tillit.text.normalize.normalize`); offsets point into it.
    max_chars : int, default 1200
        No passage is longer than this (a merged span of small pieces included).
    min_chars : int, default 40
        Pieces shorter than this are merged with a neighbour when the result fits.

    Returns
    -------
    list of Passage
        In document order, indexed from 0; empty when ``text`` holds only whitespace.

    Raises
    ------
    ValueError
        If ``max_chars`` is below 1 or ``min_chars`` is negative.
    """
    if max_chars < 1:
        raise ValueError(f"max_chars={max_chars!r} is not allowed; use a positive integer")
    if min_chars < 0:
        raise ValueError(f"min_chars={min_chars!r} is not allowed; use 0 or more")
    pieces: list[tuple[int, int]] = []
    for start, end in _paragraphs(text):
        if end - start <= max_chars:
            pieces.append((start, end))
        else:
            pieces.extend(_split_long(text, start, end, max_chars))
    spans = _merge_small(pieces, min_chars, max_chars)
    return [Passage(i, s, e, text[s:e]) for i, (s, e) in enumerate(spans)]


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans of the paragraphs, whitespace trimmed, empty ones dropped."""
    spans: list[tuple[int, int]] = []
    position = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        spans.append(_trim(text, position, match.start()))
        position = match.end()
    spans.append(_trim(text, position, len(text)))
    return [(s, e) for s, e in spans if e > s]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _sentence_ends(text: str, start: int, end: int) -> list[int]:
    """Positions (exclusive ends) of sentences inside ``text[start:end]``."""
    ends: list[int] = []
    for match in _SENTENCE_END.finditer(text, start, end):
        stop = match.end(1)
        following = text[match.end()] if match.end() < len(text) else ""
        if not (following.isupper() or following.isdigit() or following in _SENTENCE_STARTERS):
            continue
        word = _WORD_BEFORE.search(text, max(start, stop - 40), stop)
        if word and text[stop - 1] == "." and word.group(1).lower() in _ABBREVIATIONS:
            continue
        if word and text[stop - 1] == "." and _is_initial_or_number(word.group(1)):
            continue
        ends.append(stop)
    return ends


def _is_initial_or_number(word: str) -> bool:
    """``A.`` (an initial) or ``12.`` (an ordinal, as in "12. mars") do not end a sentence."""
    body = word.rstrip(".").lstrip("(\"'«“")
    return (len(body) == 1 and body.isalpha() and body.isupper()) or body.isdigit()


def _split_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut one long paragraph into pieces of at most ``max_chars``."""
    sentence_ends = _sentence_ends(text, start, end)
    pieces: list[tuple[int, int]] = []
    position = start
    while end - position > max_chars:
        limit = position + max_chars
        cut = max((p for p in sentence_ends if position < p <= limit), default=None)
        if cut is None:
            newline = text.rfind("\n", position + 1, limit + 1)
            cut = newline if newline > position else None
        if cut is None:
            space = max(
                text.rfind(" ", position + 1, limit + 1), text.rfind("\t", position + 1, limit + 1)
            )
            cut = space if space > position else None
        if cut is None:
            cut = limit
        piece = _trim(text, position, cut)
        if piece[1] > piece[0]:
            pieces.append(piece)
        position = _trim(text, cut, end)[0]
    if end > position:
        pieces.append((position, end))
    return pieces


def _merge_small(
    pieces: list[tuple[int, int]], min_chars: int, max_chars: int
) -> list[tuple[int, int]]:
    """Merge pieces under ``min_chars`` into the next piece, else the previous one."""
    merged: list[tuple[int, int]] = []
    i = 0
    while i < len(pieces):
        start, end = pieces[i]
        while (
            end - start < min_chars
            and i + 1 < len(pieces)
            and pieces[i + 1][1] - start <= max_chars
        ):
            i += 1
            end = pieces[i][1]
        if end - start < min_chars and merged and end - merged[-1][0] <= max_chars:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
        i += 1
    return merged
