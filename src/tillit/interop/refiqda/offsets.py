"""Selection offsets of imported sources: normalise the text, move the offsets with it.

REFI-QDA 1.5 §10.2 counts selections in Unicode code points of the stored plain text, first
code point 0; tillit reads ``endPosition`` as exclusive (as QualCoder writes and reads it).
Exporters differ in practice (``../shared/brief/qda.md`` §4.3):

* ATLAS.ti counts a Windows line end ``\\r\\n`` as one character although the ``.txt`` stores
  two, and NVivo needs a similar adjustment;
* .NET-based exporters may count UTF-16 code units, so characters beyond the BMP (emoji) count
  twice.

:func:`resolve_offsets` therefore tries the readings that differ for the given text (code
points or UTF-16 units, ``\\r\\n`` as stored or as one) and keeps the one under which most
selections' names (tools write the start of the selected text there) match the text, the spec's
reading when nothing tells them apart (the ``\\r\\n``-as-one reading first for ATLAS.ti files).
The text is then normalised (:func:`tillit.text.normalize.normalize`: ``\\n`` line ends, NFC,
no BOM or control characters) and every offset is moved with it; a boundary that falls inside a
changed character sequence widens the selection to the whole sequence.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from tillit.errors import TillitError
from tillit.text.normalize import normalize

__all__ = [
    "OffsetMap",
    "Reading",
    "Resolved",
    "is_normalised",
    "normalize_with_map",
    "resolve_offsets",
]

_STEP1 = re.compile("\r\n|[\r\u0085\u2028\u2029\f\v]|[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufeff]")
_NON_ASCII = re.compile("[\x00-\x7f]?[^\x00-\x7f]+")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_SPACE = re.compile(r"\s+")
# Starters that still compose with what precedes them (Hangul vowels and trailing consonants).
_COMPOSING_STARTERS = re.compile("[\u1161-\u1175\u11a8-\u11c2]")


class OffsetMap:
    """Maps positions of one text onto positions of a transformed text.

    Built from edits ``(start, end, new_length)``: ``src[start:end]`` became ``new_length``
    characters; everything between edits is copied. A boundary inside an edit maps to the edit's
    start (:meth:`start`) or end (:meth:`end`), so a selection never shrinks.
    """

    def __init__(self, edits: Sequence[tuple[int, int, int]]) -> None:
        self._starts = [e[0] for e in edits]
        self._ends = [e[1] for e in edits]
        self._new = [e[2] for e in edits]
        self._before: list[int] = []  # shift of positions before edit k
        shift = 0
        for start, end, new in edits:
            self._before.append(shift)
            shift += new - (end - start)
        self._total = shift

    def __bool__(self) -> bool:
        return bool(self._starts)

    def _map(self, p: int, *, at_end: bool) -> int:
        k = bisect.bisect_right(self._starts, p) - 1
        if k < 0:
            return p
        start, end = self._starts[k], self._ends[k]
        after = self._before[k] + self._new[k] - (end - start)
        if p >= end:
            return p + after
        dst = start + self._before[k]
        if p == start:
            return dst
        return dst + self._new[k] if at_end else dst

    def start(self, p: int) -> int:
        """Where a selection starting at ``p`` starts in the new text."""
        return self._map(p, at_end=False)

    def end(self, p: int) -> int:
        """Where a selection ending at ``p`` ends in the new text."""
        return self._map(p, at_end=True)


def _nfc_edits(text: str) -> tuple[str, list[tuple[int, int, int]]]:
    if unicodedata.is_normalized("NFC", text):
        return text, []
    parts: list[str] = []
    edits: list[tuple[int, int, int]] = []
    last = 0
    for match in _NON_ASCII.finditer(text):
        segment = match.group()
        nfc = unicodedata.normalize("NFC", segment)
        if nfc == segment:
            continue
        parts.append(text[last : match.start()])
        last = match.end()
        cuts = [
            i
            for i, ch in enumerate(segment)
            if i == 0 or (unicodedata.combining(ch) == 0 and not _COMPOSING_STARTERS.match(ch))
        ]
        cuts.append(len(segment))
        pieces = [segment[a:b] for a, b in itertools.pairwise(cuts)]
        normalised = [unicodedata.normalize("NFC", p) for p in pieces]
        if "".join(normalised) != nfc:  # composition across clusters: treat the run as one
            cuts, normalised = [0, len(segment)], [nfc]
        for a, b, new in zip(cuts, cuts[1:], normalised, strict=False):
            if len(new) != b - a:
                edits.append((match.start() + a, match.start() + b, len(new)))
        parts.append("".join(normalised))
    parts.append(text[last:])
    return "".join(parts), edits


def is_normalised(text: str) -> bool:
    """Whether ``normalize(text) == text``, checked without building a copy."""
    return _STEP1.search(text) is None and unicodedata.is_normalized("NFC", text)


def normalize_with_map(raw: str) -> tuple[str, list[OffsetMap]]:
    """:func:`~tillit.text.normalize.normalize` ``raw`` and return the maps of its steps.

    Returns
    -------
    text : str
        Equal to ``normalize(raw)``.
    maps : list of OffsetMap
        Apply in order to move a position of ``raw`` into ``text``.

    Raises
    ------
    TillitError
        In the (theoretical) case that the step-wise normalisation differs from
        :func:`normalize`, so offsets could not be kept.
    """
    if is_normalised(raw):
        return raw, []
    edits: list[tuple[int, int, int]] = []

    def replace(match: re.Match[str]) -> str:
        found = match.group()
        if found == "\r\n":
            edits.append((match.start(), match.end(), 1))
            return "\n"
        if found in "\r\u0085\u2028\u2029\f\v":
            return "\n"
        edits.append((match.start(), match.end(), 0))
        return ""

    step1 = _STEP1.sub(replace, raw)
    text, nfc = _nfc_edits(step1)
    if text != normalize(raw):
        raise TillitError(
            "A source text could not be normalised with its selection offsets kept.",
            hint="Save the text in Unicode NFC with \\n line ends in the QDA program and "
            "export again.",
        )
    return text, [OffsetMap(edits), OffsetMap(nfc)]


@dataclass(frozen=True)
class Reading:
    """How a file counts offsets: code points or UTF-16 units, ``\\r\\n`` as stored or as one."""

    utf16: bool = False
    crlf_as_one: bool = False

    def describe(self) -> str:
        unit = "UTF-16 code units" if self.utf16 else "code points"
        crlf = " with \\r\\n counted as one character" if self.crlf_as_one else ""
        return unit + crlf


@dataclass(frozen=True)
class Resolved:
    """A normalised source text and its selections' offsets in it."""

    text: str
    spans: list[tuple[int, int]]
    reading: Reading
    changed: bool  # the normalised text differs from the stored one
    #: GUIDs of named selections whose name does not start their text (shifted offsets?)
    mismatched: tuple[str, ...] = ()
    #: how many selections have a name that does start their text
    matched: int = 0


def _units_map(base: str) -> OffsetMap:
    edits = []
    for extra, match in enumerate(_ASTRAL.finditer(base)):
        unit = match.start() + extra
        edits.append((unit, unit + 2, 1))
    return OffsetMap(edits)


def _clean(text: str) -> str:
    text = _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()
    return text.removesuffix("...").removesuffix("…").strip()


def resolve_offsets(
    raw: str,
    selections: Sequence[tuple[int, int, str, str]],
    *,
    source: str,
    prefer_crlf_as_one: bool = False,
    readings: Sequence[Reading] | None = None,
) -> Resolved:
    """Normalise a source's text and move its selections' offsets into it.

    Parameters
    ----------
    raw : str
        The stored plain text (decoded, BOM removed).
    selections : sequence of (start, end, name, guid)
        Offsets as written in the file, the selection's name ("" when absent) and GUID.
    source : str
        Names the source in error messages.
    prefer_crlf_as_one : bool
        Try the ``\\r\\n``-as-one reading first (ATLAS.ti files).
    readings : sequence of Reading, optional
        Only these readings (default: every reading that makes a difference for ``raw``).

    Raises
    ------
    TillitError
        When a selection has ``start > end``, a negative start, or an end beyond the text under
        every reading; ``errors`` lists the offending selections.
    """
    has_crlf = "\r\n" in raw
    has_astral = _ASTRAL.search(raw) is not None
    if readings is None:
        crlf_options = [prefer_crlf_as_one, not prefer_crlf_as_one] if has_crlf else [False]
        readings = [
            Reading(utf16, crlf)
            for utf16 in ([False, True] if has_astral else [False])
            for crlf in crlf_options
        ]
    n_named = sum(1 for s in selections if s[2])
    best: tuple[int, Resolved] | None = None
    first_errors: list[dict[str, object]] | None = None
    for reading in readings:
        base = raw.replace("\r\n", "\n") if reading.crlf_as_one else raw
        units = _units_map(base) if reading.utf16 else OffsetMap([])
        n_units = len(base) + (sum(1 for _ in _ASTRAL.finditer(base)) if reading.utf16 else 0)
        errors = _check(selections, n_units, source, reading)
        if errors:
            first_errors = first_errors if first_errors is not None else errors
            continue
        text, maps = normalize_with_map(base)
        spans = []
        for start, end, _name, _guid in selections:
            a, b = units.start(start), units.end(end)
            for m in maps:
                a, b = m.start(a), m.end(b)
            spans.append((a, max(a, b)))
        mismatched = tuple(
            sel_guid
            for (a, b), (_s, _e, name, sel_guid) in zip(spans, selections, strict=True)
            if name and not _matches(name, text, a, b)
        )
        score = n_named - len(mismatched)
        resolved = Resolved(text, spans, reading, text != raw, mismatched, score)
        if best is None or score > best[0]:
            best = (score, resolved)
        if not mismatched:
            break  # every named selection matches: no other reading can do better
    if best is None:
        errors = first_errors or []
        error = TillitError(
            f"Source {source}: {len(errors)} selection(s) have invalid offsets, e.g. "
            f"{errors[0]['what']}.",
            hint="Offsets are code points, 0-based, end-exclusive, within the source's plain "
            "text. Check the project in the program that exported it.",
        )
        error.errors = errors
        raise error
    return best[1]


def _matches(name: str, text: str, start: int, end: int) -> bool:
    # Tools write the selected text, often cut short, as the name: the text starts with it.
    if end > start and text.startswith(name, start, end):
        return True
    cleaned, span = _clean(name), _clean(text[start : min(end, start + 4 * len(name) + 40)])
    return bool(cleaned) and bool(span) and span.startswith(cleaned)


def _check(
    selections: Sequence[tuple[int, int, str, str]], n_units: int, source: str, reading: Reading
) -> list[dict[str, object]]:
    errors: list[dict[str, object]] = []
    for start, end, _name, guid in selections:
        what = ""
        if start < 0:
            what = f"startPosition {start} is negative"
        elif start > end:
            what = f"startPosition {start} is after endPosition {end}"
        elif end > n_units:
            what = (
                f"endPosition {end} is beyond the end of the text ({n_units} {reading.describe()})"
            )
        if what:
            errors.append(
                {"source": source, "selection": guid, "what": f"selection {guid}: {what}"}
            )
    return errors
