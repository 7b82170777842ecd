"""WebVTT, SRT and turn transcripts: text, speaker segments, media times, located errors."""

from __future__ import annotations

import pytest

from tillit.qda import TranscriptError, parse_transcript

VTT = """WEBVTT

NOTE synthetic interview, not a real person

1
00:00:01.000 --> 00:00:04.500
<v Intervjuer>Hva betyr tillitsreformen for dere?</v>

2
00:00:05.000 --> 00:00:09.250 align:start
<v Kari>Vi har fått mer ansvar &amp; færre skjemaer.

3
00:00:09.500 --> 00:00:12.000
<v Kari>Men <i>rapporteringen</i> er der fortsatt.

00:01:02.000 --> 00:01:03.000
Ola: Enig.
"""

SRT = """1
00:00:01,000 --> 00:00:03,000
Intervjuer: Hvordan er samarbeidet?

2
00:00:03,500 --> 00:00:07,000
Kari: Godt, stort sett.
"""


def test_vtt_voices_merge_and_times() -> None:
    t = parse_transcript(VTT)
    assert t.format == "vtt"
    assert t.text.split("\n") == [
        "Intervjuer: Hva betyr tillitsreformen for dere?",
        "Kari: Vi har fått mer ansvar & færre skjemaer. Men rapporteringen er der fortsatt.",
        "Ola: Enig.",
    ]
    first, kari, ola = t.segments
    assert (kari.speaker, kari.media_start, kari.media_end) == ("Kari", 5.0, 12.0)
    assert t.text[kari.start : kari.end].startswith("Kari: Vi har")
    assert t.text[kari.text_start : kari.end].startswith("Vi har")
    assert (ola.media_start, ola.media_end) == (62.0, 63.0)
    assert first.media_end == 4.5
    assert t.speakers() == ["Intervjuer", "Kari", "Ola"]
    unmerged = parse_transcript(VTT, merge_turns=False)
    assert len(unmerged.segments) == 4
    assert list(t.to_frame().columns)[:3] == ["speaker", "start", "end"]


def test_srt_and_mixed_line_endings_give_the_same_result() -> None:
    clean = parse_transcript(SRT)
    lines = SRT.split("\n")
    mixed = "".join(line + ("\r\n" if i % 2 else "\r") for i, line in enumerate(lines))
    messy = parse_transcript("\ufeff" + mixed)
    assert clean.format == messy.format == "srt"
    assert (
        messy.text == clean.text == "Intervjuer: Hvordan er samarbeidet?\nKari: Godt, stort sett."
    )
    assert messy.segments == clean.segments
    assert clean.segments[1].media_start == 3.5


def test_turns_with_time_stamps_and_continuations() -> None:
    text = "[00:01:05] Intervjuer: Fortell.\r\nKari: Først dette.\nOg så dette.\n\n(02:10) Ola: Ja."
    t = parse_transcript(text)
    assert t.format == "turns"
    assert t.text == "Intervjuer: Fortell.\nKari: Først dette. Og så dette.\nOla: Ja."
    assert [s.speaker for s in t.segments] == ["Intervjuer", "Kari", "Ola"]
    assert t.segments[0].media_start == 65.0
    assert t.segments[2].media_start == 130.0
    for seg in t.segments:
        assert t.text[seg.start : seg.end] == t.text.split("\n")[t.segments.index(seg)]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("WEBVTT\n\n1\n00:00:01.000 -> 00:00:02.000\nhei\n", 4, "a cue needs a timing line"),
        ("WEBVTT\n\n00:00:01.000 --> 00:0x:02.000\nhei\n", 3, "malformed cue timing"),
        ("WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nhei\n", 3, "ends"),
        (
            "1\n00:00:01,000 --> 00:00:02,000\nhei\n\n2\n00:00:03,000 --> 00:61:04,000\nja\n",
            6,
            "malformed",
        ),
        ("1\n00:00:01,000 --> 00:00:02,000\nhei\n\n2\nja\n", 6, "an SRT cue"),
    ],
)
def test_malformed_timings_are_located(text: str, line: int, message: str) -> None:
    with pytest.raises(TranscriptError, match=message) as info:
        parse_transcript(text)
    assert info.value.line == line
    assert str(info.value).startswith(f"line {line}:")


def test_forced_formats() -> None:
    with pytest.raises(TranscriptError, match="WEBVTT"):
        parse_transcript("Kari: hei", "vtt")
    assert parse_transcript("Kari: hei", "turns").segments[0].speaker == "Kari"
    with pytest.raises(TranscriptError, match="format"):
        parse_transcript("x", "docx")  # type: ignore[arg-type]


def test_several_voices_in_one_cue() -> None:
    text = "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Anna>Ja?</v> <v Ola>Nei.</v>\n"
    t = parse_transcript(text)
    assert t.text == "Anna: Ja?\nOla: Nei."
    assert [(s.speaker, s.media_start) for s in t.segments] == [("Anna", 1.0), ("Ola", 1.0)]
