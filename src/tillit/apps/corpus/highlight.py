"""Server-side highlighting: a text and overlapping labelled spans to flat segments.

Each segment is a piece of the text with the set of spans covering it; the template renders a
segment with spans as ``<mark>`` (its concept labels in ``title`` and a class), and the
``target`` span (from ``?start=&end=``) with the ``id`` the URL's fragment scrolls to. Escaping is
left to the template, so no text is ever marked safe.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str = ""
    target: bool = False


@dataclass
class Segment:
    text: str
    start: int
    labels: list[str] = field(default_factory=list)
    target: bool = False
    anchor: str = ""

    @property
    def marked(self) -> bool:
        return bool(self.labels) or self.target


def segments(text: str, spans: list[Span], *, anchor: str = "span") -> list[Segment]:
    """Cut ``text`` at every span boundary; merge neighbours covered by the same spans.

    >>> spans = [Span(1, 3, "x"), Span(2, 5, "", True)]
    >>> [(s.text, s.labels, s.target) for s in segments("abcdef", spans)]
    [('a', [], False), ('b', ['x'], False), ('c', ['x'], True), ('de', [], True), ('f', [], False)]
    """
    n = len(text)
    clean = [
        Span(max(0, s.start), min(n, s.end), s.label, s.target)
        for s in spans
        if s.end > s.start and s.start < n
    ]
    cuts = sorted({0, n, *(s.start for s in clean), *(s.end for s in clean)})
    out: list[Segment] = []
    for a, b in itertools.pairwise(cuts):
        if a >= b:
            continue
        covering = [s for s in clean if s.start <= a and s.end >= b]
        labels = sorted({s.label for s in covering if s.label})
        target = any(s.target for s in covering)
        if out and out[-1].labels == labels and out[-1].target == target:
            out[-1].text += text[a:b]
            continue
        out.append(Segment(text[a:b], a, labels, target))
    for seg in out:
        if seg.target:
            seg.anchor = anchor
            break
    return out
