"""Transcripts: WebVTT, SRT and "Speaker: text" turns to normalised text plus speaker segments.

The result is the text tillit stores as the source (one turn per line, ``"Speaker: words"``) and
the speaker segments with code-point offsets into that text (the whole line, label included;
``text_start`` is where the words begin) and media times in seconds when the format has them.
Line endings are normalised first (CRLF and CR become LF), so a file with mixed line endings
gives the same result as a clean one. Malformed cue timings raise :class:`TranscriptError` with
the 1-based line number.

Examples
--------
>>> t = parse_transcript("Intervjuer: Hva betyr tillit?\\r\\nKari: At vi blir trodd.\\n")
>>> t.text
'Intervjuer: Hva betyr tillit?\\nKari: At vi blir trodd.'
>>> [(s.speaker, s.start, s.end, s.text_start) for s in t.segments]
[('Intervjuer', 0, 29, 12), ('Kari', 30, 53, 36)]
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from tillit.qda.errors import TranscriptError

__all__ = [
    "SpeakerSegment",
    "Transcript",
    "normalise_text",
    "parse_srt",
    "parse_transcript",
    "parse_turns",
    "parse_vtt",
]

Format = Literal["auto", "vtt", "srt", "turns"]

_TIME = r"(?:(\d{1,3}):)?([0-5]?\d):([0-5]\d)[.,](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s+.*)?$")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]+)>")
_TAG = re.compile(r"</?[^>]*>")
_LABEL = re.compile(r"^([^\W\d_][\w.'’ -]{0,40}?)\s*:\s+(\S.*)$")
_STAMP = re.compile(r"^\s*[\[(]((?:\d{1,3}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?)[\])]\s*")


def normalise_text(text: str) -> str:
    """Strip a BOM, make every line end ``\\n``, NFC, drop C0 controls except tab and newline."""
    try:
        from tillit.text.normalize import normalize  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        text = unicodedata.normalize("NFC", text)
        return "".join(ch for ch in text if ch in "\n\t" or not (ord(ch) < 32 or ord(ch) == 127))
    return str(normalize(text))


@dataclass(frozen=True)
class SpeakerSegment:
    """One turn: ``text[start:end]`` is the line (label included), words from ``text_start``."""

    speaker: str | None
    start: int
    end: int
    text_start: int
    media_start: float | None = None
    media_end: float | None = None


@dataclass(frozen=True)
class Transcript:
    """A parsed transcript: the normalised text and its speaker segments."""

    text: str
    segments: tuple[SpeakerSegment, ...]
    format: str

    def speakers(self) -> list[str]:
        """Speakers in order of first appearance."""
        return list(dict.fromkeys(s.speaker for s in self.segments if s.speaker is not None))

    def to_frame(self) -> pd.DataFrame:
        """One row per segment."""
        return pd.DataFrame(
            [vars(s) for s in self.segments],
            columns=["speaker", "start", "end", "text_start", "media_start", "media_end"],
        )


@dataclass
class _Turn:
    speaker: str | None
    words: str
    media_start: float | None
    media_end: float | None


def _seconds(groups: tuple[str | None, ...]) -> float:
    hours, minutes, seconds, fraction = groups
    frac = (fraction or "0").ljust(3, "0")
    return int(hours or 0) * 3600 + int(minutes or 0) * 60 + int(seconds or 0) + int(frac) / 1000


def _timing(line: str, number: int, decimal: str) -> tuple[float, float]:
    match = _TIMING.match(line)
    if match is None:
        raise TranscriptError(
            f"malformed cue timing {line.strip()!r}",
            number,
            f"Write it as 00:01:02{decimal}500 --> 00:01:05{decimal}000.",
        )
    begin, end = _seconds(match.groups()[:4]), _seconds(match.groups()[4:])
    if end < begin:
        raise TranscriptError(
            f"the cue ends ({end:.3f} s) before it begins ({begin:.3f} s)",
            number,
            "Check the order of the two times.",
        )
    return begin, end


def _payload(lines: list[str]) -> list[tuple[str | None, str]]:
    """(speaker, words) of a cue: one per voice tag ``<v Name>``, else one with a ``Name:``
    label's speaker (or none)."""
    joined = " ".join(line.strip() for line in lines if line.strip())
    starts = [m.start() for m in _VOICE.finditer(joined)]
    ends = [*starts[1:], len(joined)]
    pieces = [joined[a:b] for a, b in zip(starts, ends, strict=False)] if starts else [joined]
    if starts and starts[0] > 0 and _TAG.sub("", joined[: starts[0]]).strip():
        pieces.insert(0, joined[: starts[0]])
    out: list[tuple[str | None, str]] = []
    for piece in pieces:
        voice = _VOICE.match(piece)
        speaker = voice.group(1).strip() if voice else None
        words = re.sub(r"\s+", " ", html.unescape(_TAG.sub("", piece))).strip()
        if speaker is None:
            label = _LABEL.match(words)
            if label:
                speaker, words = label.group(1).strip(), label.group(2).strip()
        if words:
            out.append((speaker, words))
    return out


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks with the 1-based number of their first line."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    first = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                first = number
            current.append(line)
        elif current:
            blocks.append((first, current))
            current = []
    if current:
        blocks.append((first, current))
    return blocks


def parse_vtt(text: str, *, merge_turns: bool = True) -> Transcript:
    """Parse WebVTT (voice tags ``<v Name>`` or ``Name:`` labels give the speaker)."""
    clean = normalise_text(text)
    blocks = _blocks(clean)
    if not blocks or not blocks[0][1][0].startswith("WEBVTT"):
        raise TranscriptError(
            "a WebVTT file begins with the line WEBVTT",
            1,
            "Check that this is a .vtt file, or choose another format.",
        )
    turns = []
    for first, lines in blocks[1:]:
        head = lines[0].strip()
        if head.startswith(("NOTE", "STYLE", "REGION")):
            continue
        offset = 0
        if "-->" not in lines[0]:
            offset = 1  # a cue identifier
            if len(lines) < 2 or "-->" not in lines[1]:
                raise TranscriptError(
                    "a cue needs a timing line (start --> end)",
                    first + 1,
                    "Add the timing line under the cue identifier.",
                )
        begin, end = _timing(lines[offset], first + offset, ".")
        for speaker, words in _payload(lines[offset + 1 :]):
            turns.append(_Turn(speaker, words, begin, end))
    return _build(turns, "vtt", merge_turns)


def parse_srt(text: str, *, merge_turns: bool = True) -> Transcript:
    """Parse SubRip (``Name:`` labels or ``<v Name>`` give the speaker)."""
    clean = normalise_text(text)
    turns = []
    for first, lines in _blocks(clean):
        offset = 1 if lines[0].strip().isdigit() else 0
        if offset >= len(lines) or "-->" not in lines[offset]:
            raise TranscriptError(
                "an SRT cue is a number, a timing line (start --> end) and text",
                first + offset,
                "Check the blank lines between cues.",
            )
        begin, end = _timing(lines[offset], first + offset, ",")
        for speaker, words in _payload(lines[offset + 1 :]):
            turns.append(_Turn(speaker, words, begin, end))
    return _build(turns, "srt", merge_turns)


def parse_turns(text: str) -> Transcript:
    """Parse ``Speaker: text`` turns; lines without a label continue the previous turn.

    A turn may begin with a time stamp, ``[00:01:23]`` or ``(01:23)``, kept as ``media_start``.
    Blank lines are dropped.
    """
    clean = normalise_text(text)
    turns: list[_Turn] = []
    for line in clean.split("\n"):
        stripped = line.strip()
        if not stripped:
            continue
        media = None
        stamp = _STAMP.match(stripped)
        if stamp:
            parts = re.split(r"[:.,]", stamp.group(1))
            frac = parts.pop() if re.search(r"[.,]", stamp.group(1)) else "0"
            nums = [int(p) for p in parts]
            while len(nums) < 3:
                nums.insert(0, 0)
            media = nums[0] * 3600 + nums[1] * 60 + nums[2] + int(frac.ljust(3, "0")) / 1000
            stripped = stripped[stamp.end() :]
        label = _LABEL.match(stripped)
        if label:
            turns.append(_Turn(label.group(1).strip(), label.group(2).strip(), media, None))
        elif turns and media is None:
            turns[-1].words += " " + stripped
        else:
            turns.append(_Turn(None, stripped, media, None))
    return _build(turns, "turns", False)


def _build(turns: list[_Turn], fmt: str, merge: bool) -> Transcript:
    if merge:
        merged: list[_Turn] = []
        for turn in turns:
            if merged and turn.speaker is not None and merged[-1].speaker == turn.speaker:
                merged[-1].words += " " + turn.words
                merged[-1].media_end = turn.media_end
            else:
                merged.append(_Turn(turn.speaker, turn.words, turn.media_start, turn.media_end))
        turns = merged
    lines = []
    segments = []
    pos = 0
    for turn in turns:
        label = f"{turn.speaker}: " if turn.speaker else ""
        line = label + turn.words
        segments.append(
            SpeakerSegment(
                turn.speaker,
                pos,
                pos + len(line),
                pos + len(label),
                turn.media_start,
                turn.media_end,
            )
        )
        lines.append(line)
        pos += len(line) + 1
    return Transcript("\n".join(lines), tuple(segments), fmt)


def parse_transcript(text: str, format: Format = "auto", *, merge_turns: bool = True) -> Transcript:
    """Parse a transcript; ``format="auto"`` tells WebVTT, SRT and turns apart.

    Parameters
    ----------
    text : str
        The file's text (decoded; any line endings).
    format : {"auto", "vtt", "srt", "turns"}
    merge_turns : bool
        Join consecutive cues of the same speaker into one turn (VTT and SRT).
    """
    if format == "vtt":
        return parse_vtt(text, merge_turns=merge_turns)
    if format == "srt":
        return parse_srt(text, merge_turns=merge_turns)
    if format == "turns":
        return parse_turns(text)
    if format != "auto":
        raise TranscriptError(f"format={format!r} is not known; use auto, vtt, srt or turns", 1)
    head = text.lstrip("\ufeff").lstrip()
    if head.startswith("WEBVTT"):
        return parse_vtt(text, merge_turns=merge_turns)
    first_lines = normalise_text(head).split("\n")[:3]
    if any("-->" in line for line in first_lines):
        return parse_srt(text, merge_turns=merge_turns)
    return parse_turns(text)
