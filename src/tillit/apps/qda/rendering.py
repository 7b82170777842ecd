"""Server-side rendering of a source's text with codings as highlighted spans.

The text is cut at every coding boundary into pieces; each piece carries its code-point offset
(``data-s``) so the page script can turn a mouse selection into code-point offsets, and the
codes covering it (``data-codes``). No inline style: colours come from ``codebook/colours.css``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Piece:
    start: int
    end: int
    text: str
    keys: tuple[int, ...]  # codes (or layer marks) covering the piece, sorted
    css: str = ""


def pieces(text: str, spans: Iterable[tuple[int, int, int]]) -> list[Piece]:
    """Cut ``text`` at the boundaries of ``spans`` = ``(start, end, key)``.

    Returns pieces covering the whole text, in order, each with the keys of the spans that
    cover it.
    """
    spans = [(s, e, k) for s, e, k in spans if 0 <= s < e <= len(text)]
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    opens: dict[int, list[int]] = {}
    closes: dict[int, list[int]] = {}
    for s, e, k in spans:
        opens.setdefault(s, []).append(k)
        closes.setdefault(e, []).append(k)
    active: dict[int, int] = {}
    out: list[Piece] = []
    for a, b in pairwise(cuts):
        for k in closes.get(a, ()):
            active[k] -= 1
            if not active[k]:
                del active[k]
        for k in opens.get(a, ()):
            active[k] = active.get(k, 0) + 1
        out.append(Piece(a, b, text[a:b], tuple(sorted(active))))
    return out


def coded_pieces(text: str, codings: Sequence[tuple[int, int, int]]) -> list[Piece]:
    """Pieces for one layer: ``css`` is ``code-<id>`` of the first code, plus ``multi``."""
    out = []
    for p in pieces(text, codings):
        css = ""
        if p.keys:
            css = f"coded code-{p.keys[0]}" + (" multi" if len(p.keys) > 1 else "")
        out.append(Piece(p.start, p.end, p.text, p.keys, css))
    return out


def compare_pieces(
    text: str,
    first: Sequence[tuple[int, int, int]],
    second: Sequence[tuple[int, int, int]],
) -> list[Piece]:
    """Pieces for comparing two coders: ``agree`` where both applied the same codes, ``diff``
    where both coded with different codes, ``only-a`` / ``only-b`` where one coder did."""
    shift = 1 << 40  # keys of the second coder are offset so the two layers stay apart
    spans = [*first, *((s, e, k + shift) for s, e, k in second)]
    out = []
    for p in pieces(text, spans):
        a = {k for k in p.keys if k < shift}
        b = {k - shift for k in p.keys if k >= shift}
        if a and b:
            css = "cmp agree" if a == b else "cmp diff"
        elif a:
            css = "cmp only-a"
        elif b:
            css = "cmp only-b"
        else:
            css = ""
        out.append(Piece(p.start, p.end, p.text, tuple(sorted(a | b)), css))
    return out


def to_html(items: Sequence[Piece]) -> SafeString:
    """The pieces as ``<span class="piece ..." data-s data-e data-codes>`` elements, text
    escaped; built here rather than in a template loop, which is slow for long sources."""
    out = []
    for p in items:
        codes = f' data-codes="{" ".join(map(str, p.keys))}"' if p.keys else ""
        out.append(
            f'<span class="piece {escape(p.css)}" data-s="{p.start}" data-e="{p.end}"{codes}>'
            f"{escape(p.text)}</span>"
        )
    return mark_safe("".join(out))  # noqa: S308 (every value above is escaped or a number)
