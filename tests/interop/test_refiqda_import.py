"""REFI-QDA import: other tools' files, offset conventions, and every kind of bad input."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from tillit.errors import TillitError
from tillit.interop.refiqda import Limits, Reading, read_qdc, read_qdpx, write_qdpx
from tillit.interop.refiqda.offsets import OffsetMap, normalize_with_map, resolve_offsets
from tillit.text.normalize import normalize

from .refiqda_data import sample

DATA = Path(__file__).parent / "refiqda_data"
T1_TEXT = "Linje én (SYNTETISK)\r\nTillit 🙂 er viktig for oss.\r\nSlutt på intervjuet.\r\n"
T2_TEXT = "Emoji 👍 først, så tillit og styring.\n"


def guid(prefix: str, n: int) -> str:
    return f"{prefix.lower()}0000-0000-4000-8000-{n:012d}"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buffer.getvalue()


def other_tool_members() -> dict[str, bytes]:
    t1 = "{7E1E0000-0000-4000-8000-000000000001}"
    return {
        "project.qde": (DATA / "other_tool.qde").read_bytes(),
        # Capital "Sources", a BOM and CRLF line ends, as Windows tools write them.
        f"Sources/{t1}.txt": b"\xef\xbb\xbf" + T1_TEXT.encode("utf-8"),
        f"Sources/{t1}.docx": b"PK not really a docx",
        "Sources/{7E1E0000-0000-4000-8000-000000000002}.txt": T2_TEXT.encode("utf-8"),
        "Sources/{7E1E0000-0000-4000-8000-000000000004}.pdf": b"%PDF-1.4 fake",
        "Sources/{7E1E0000-0000-4000-8000-000000000005}.txt": b"Rapporttekst",
        "Sources/{7E1E0000-0000-4000-8000-000000000006}.png": b"\x89PNG fake",
    }


@pytest.fixture(scope="module")
def imported():
    return read_qdpx(_zip(other_tool_members()))


def test_other_tool_imports_what_tillit_represents(imported):
    p = imported
    assert p.name == "Feltarbeid (SYNTETISK)" and p.origin == "ATLAS.ti 23.2.1"
    assert p.description == "Et prosjekt fra et annet program."
    assert p.creating_user == guid("05E4", 1)
    assert p.created is not None and p.created.isoformat() == "2024-05-01T10:00:00+00:00"
    assert [c.name for c in p.all_codes()] == ["Tillit", "Styring"]
    assert p.codes[0].color == "#00ff00"
    assert [s.name for s in p.sources] == ["Intervju.docx", "Dotnet.txt", "Inline", "Rapport.pdf"]
    t1, _t2, t3, pdf = p.sources
    assert pdf.guid == guid("7E1E", 4) and pdf.text == "Rapporttekst"
    assert t1.text == normalize(T1_TEXT) and "\r" not in t1.text
    assert t3.text == "Kort tekst uten fil." and t3.variables == {guid("7A40", 1): "0301"}
    spans = {
        c.guid: t.text[c.start : c.end] for c in p.codings for t in p.sources if t.guid == c.source
    }
    assert spans == {
        guid("C0D1", 1): "Tillit 🙂 er viktig",  # CRLF counted as one (ATLAS.ti)
        guid("C0D1", 2): "Slutt på",
        guid("C0D1", 3): "tillit og styring",  # UTF-16 code units
        guid("C0D1", 4): "Kort tekst uten fil.",  # whole-source coding
        guid("C0D1", 7): "tekst",  # in the PDF's text representation
    }
    whole = next(c for c in p.codings if c.guid == guid("C0D1", 4))
    assert whole.selection is None
    memo = p.notes[0]
    assert memo.text == "Et memo med æøå."
    assert {(r.kind, r.guid) for r in memo.targets} == {
        ("project", ""),
        ("code", guid("C0DE", 1)),
        ("selection", guid("5E1E", 1)),
        ("source", guid("7E1E", 4)),
    }
    case = p.cases[0]
    assert case.sources == (guid("7E1E", 1), guid("7E1E", 4))
    assert case.variables == {guid("7A40", 1): "0301"}
    assert case.selections == (guid("5E1E", 1),)
    assert p.sets[0].sources == (guid("7E1E", 1), guid("7E1E", 4))
    assert p.sets[0].codes == (guid("C0DE", 2),)


def test_other_tool_lists_what_it_could_not_keep(imported):
    lost = "\n".join(imported.not_represented)
    for expected in (
        "PDFSource 'Rapport.pdf' (7e1e0000-0000-4000-8000-000000000004, line 68): 1 "
        "PDFSelection(s) (areas on pages) with 1 Coding(s)",
        "(with it: 1 PictureSelection)",
        "PictureSource 'Tavle.png'",
        "AudioSource 'Opptak.mp3'",
        "rich-text rendition",
        "Note 'Memo'",
        "Links",
        "Graph 'Nettverk'",
        "Case 'Kommune A' (",
        "reference to 5e1e0000-0000-4000-8000-000000000004",
        "reference to 5e1e0000-0000-4000-8000-000000000007",
    ):
        assert expected in lost, expected
    said = "\n".join(imported.warnings)
    assert "\\r\\n counted as one character" in said
    assert "UTF-16 code units" in said
    assert "normalised" in said


def test_other_tool_project_exports_and_round_trips(imported):
    first = io.BytesIO()
    write_qdpx(imported, first)
    back = read_qdpx(first.getvalue())
    assert back.not_represented == () and back.warnings == ()
    from dataclasses import replace

    assert back == replace(imported, not_represented=(), warnings=())
    second = io.BytesIO()
    write_qdpx(back, second)
    assert second.getvalue() == first.getvalue()


# ----------------------------------------------------------------------------- offsets


def test_mixed_line_endings_are_normalised_and_offsets_moved():
    raw = "a\r\nb\rc\u2028d\x07e\ufeff\n🙂x"
    text, maps = normalize_with_map(raw)
    assert text == normalize(raw) == "a\nb\nc\nde\n🙂x"

    def move(p: int, end: bool = False) -> int:
        for m in maps:
            p = m.end(p) if end else m.start(p)
        return p

    for needle in ("b", "c", "d", "e", "🙂x", "a\r\nb"):
        start = raw.index(needle)
        a, b = move(start), move(start + len(needle), end=True)
        assert text[a:b] == normalize(needle), needle


def test_nfd_text_is_composed_and_offsets_follow():
    raw = "Tilla\u030aten og sa\u0308rlig"  # å and ä decomposed
    resolved = resolve_offsets(
        raw, [(13, 20, "", "x"), (0, 7, "", "y"), (4, 5, "", "z")], source="s"
    )
    assert resolved.text == "Tillåten og särlig"
    assert [resolved.text[a:b] for a, b in resolved.spans] == ["särlig", "Tillåt", "å"]


def test_offset_map_widens_boundaries_inside_an_edit():
    m = OffsetMap([(2, 4, 1)])  # src[2:4] became 1 character
    assert (m.start(1), m.start(2), m.start(3), m.end(3), m.start(4), m.start(9)) == (
        1,
        2,
        2,
        3,
        3,
        8,
    )


def test_crlf_reading_defaults_to_the_spec_without_names():
    raw = "ab\r\ncd"
    resolved = resolve_offsets(raw, [(4, 6, "", "x")], source="s")
    assert resolved.reading == Reading() and resolved.text[slice(*resolved.spans[0])] == "cd"
    forced = resolve_offsets(raw, [(3, 5, "", "x")], source="s", readings=[Reading(False, True)])
    assert forced.text[slice(*forced.spans[0])] == "cd"


def test_a_forced_reading_is_used():
    forced = read_qdpx(_zip(other_tool_members()), reading=Reading())
    text = forced.sources[0].text
    first = next(c for c in forced.codings if c.source == forced.sources[0].guid)
    assert text[first.start : first.end] == "\nTillit 🙂 er vikti"  # shifted by the CR


# ----------------------------------------------------------------------------- bad input


def _project_with(qde: str, texts: dict[str, bytes] | None = None) -> bytes:
    return _zip({"project.qde": qde.encode("utf-8"), **(texts or {})})


S = "00000000-0000-4000-8000-000000000001"
C = "00000000-0000-4000-8000-000000000002"


def _qde(selection: str = "", body: str = "", extra: str = "", codebook: bool = True) -> str:
    book = (
        f'<CodeBook><Codes><Code guid="{C}" name="k" isCodable="true"/></Codes></CodeBook>'
        if codebook
        else ""
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="p">\n'
        f"{book}<Sources>\n"
        f'<TextSource guid="{S}" name="s" plainTextPath="internal://{S}.txt">{selection}'
        f"</TextSource>{body}</Sources>{extra}</Project>"
    )


def _sel(start: int, end: int, code: str = C) -> str:
    return (
        f'<PlainTextSelection guid="00000000-0000-4000-8000-000000000003" '
        f'startPosition="{start}" endPosition="{end}"><Coding '
        f'guid="00000000-0000-4000-8000-000000000004"><CodeRef targetGUID="{code}"/>'
        "</Coding></PlainTextSelection>"
    )


TEXT = {f"sources/{S}.txt": "Hei på deg 🙂\n".encode()}


def test_minimal_valid_project_imports():
    p = read_qdpx(_project_with(_qde(_sel(4, 6)), TEXT))
    assert p.sources[0].text[p.codings[0].start : p.codings[0].end] == "på"


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
    '<Project xmlns="urn:QDA-XML:project:1.0" name="&lol2;"/>'
)
XXE = (
    '<?xml version="1.0"?>\n<!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    '<Project xmlns="urn:QDA-XML:project:1.0" name="&x;"/>'
)


def _bomb() -> bytes:
    return _zip({"project.qde": _qde().encode(), f"sources/{S}.txt": b" " * (3 * 2**20)})


def _unsafe(name: str) -> bytes:
    return _zip({"project.qde": _qde().encode(), name: b"x", **TEXT})


@pytest.mark.parametrize(
    ("data", "limits", "message"),
    [
        (b"not a zip at all", None, "not a ZIP"),
        (_zip({"readme.txt": b"x"}), None, "no project.qde"),
        (_project_with(BILLION_LAUGHS), None, "DOCTYPE"),
        (_project_with(XXE), None, "DOCTYPE"),
        (_project_with("<Project"), None, "not well-formed"),
        (
            _project_with(_qde().replace('name="k" ', "")),
            None,
            "line 3, <Code>: Element '{urn:QDA-XML:project:1.0}Code': The attribute 'name' is "
            "required",
        ),
        (_project_with(_qde(_sel(6, 4)), TEXT), None, "startPosition 6 is after endPosition 4"),
        (_project_with(_qde(_sel(-1, 4)), TEXT), None, "negative"),
        (_project_with(_qde(_sel(4, 99)), TEXT), None, "endPosition 99 is beyond the end"),
        (_project_with(_qde(_sel(0, 2))), None, "is missing from the archive"),
        (_project_with(_qde(), {f"sources/{S}.txt": b"\xff\xfe bad"}), None, "not UTF-8"),
        (
            _project_with(_qde(_sel(0, 2, code="00000000-0000-4000-8000-000000000009")), TEXT),
            None,
            "unknown code 00000000-0000-4000-8000-000000000009",
        ),
        (
            _project_with(
                _qde(
                    body=f'<TextSource guid="{S}" name="twin"><PlainTextContent>x'
                    "</PlainTextContent></TextSource>"
                ),
                TEXT,
            ),
            None,
            "used twice",
        ),
        (
            _project_with(_qde().replace(f"internal://{S}.txt", "relative://a.txt"), TEXT),
            None,
            "outside the archive",
        ),
        (
            _project_with(
                _qde(extra='<NoteRef targetGUID="00000000-0000-4000-8000-00000000000a"/>'), TEXT
            ),
            None,
            "unknown note",
        ),
        (_project_with(_qde(), TEXT), Limits(max_bytes=100), "more than the limit"),
        (_project_with(_qde(), TEXT), Limits(max_members=1), "members"),
        (_project_with(_qde(), TEXT), Limits(max_member=100), "zip bomb"),
        (_bomb(), None, "zip bomb"),
        (_unsafe("../../etc/evil.txt"), None, "unsafe name"),
        (_unsafe("/abs/evil.txt"), None, "unsafe name"),
        (_unsafe("C:\\evil.txt"), None, "unsafe name"),
        (_unsafe(f"Sources/{S}.txt"), None, "two members"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(data, limits, message):
    with pytest.raises(TillitError) as info:
        read_qdpx(data, limits=limits)
    text = str(info.value)
    assert message in text, text
    assert info.value.hint


def test_schema_errors_are_located():
    with pytest.raises(TillitError) as info:
        read_qdpx(_project_with(_qde().replace('isCodable="true"', 'isCodable="maybe"'), TEXT))
    error = info.value.errors[0]
    assert (error["line"], error["element"]) == (3, "Code")
    assert "isCodable" in error["what"]


def test_every_problem_is_listed_and_nothing_returned():
    qde = _qde(_sel(6, 4)).replace(
        "</Sources>",
        '<TextSource guid="00000000-0000-4000-8000-000000000005" name="b" '
        'plainTextPath="internal://missing.txt"/></Sources>',
    )
    with pytest.raises(TillitError) as info:
        read_qdpx(_project_with(qde, TEXT))
    whats = " | ".join(e["what"] for e in info.value.errors)
    assert "after endPosition" in whats and "missing" in whats
    assert "Nothing was imported" in info.value.hint


def test_qdc_bad_input():
    with pytest.raises(TillitError, match="DOCTYPE"):
        read_qdc(BILLION_LAUGHS.replace("Project", "CodeBook").encode())
    bad = (
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        f'<Code guid="{C}" name="a" isCodable="true"/></Codes><Sets>'
        f'<Set guid="{S}" name="s"><MemberCode guid="{S}"/></Set></Sets></CodeBook>'
    )
    with pytest.raises(TillitError, match="is not a code"):
        read_qdc(bad.encode())
    with pytest.raises(TillitError, match="line 1, <Code>"):
        read_qdc(bad.replace(' name="a"', "").encode())
    with pytest.raises(TillitError, match="limit"):
        read_qdc(bad.encode(), limits=Limits(max_bytes=10))


def test_sample_survives_crlf_text_written_by_another_tool():
    """Our own export with the text rewritten with CRLF (as a Windows tool would) imports."""
    project = sample.project()
    buffer = io.BytesIO()
    write_qdpx(project, buffer)
    members = {}
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as z:
        for name in z.namelist():
            members[name] = z.read(name)
    for name in members:
        if name.endswith(".txt"):
            members[name] = members[name].replace(b"\n", b"\r\n")
    back = read_qdpx(_zip(members))
    assert back.codings == project.codings
    assert back.sources == project.sources


def test_deeply_nested_codes_are_refused_cleanly():
    depth = 1500
    codes = (
        "".join(
            f'<Code guid="00000000-0000-4000-8000-{i:012d}" name="c" isCodable="true">'
            for i in range(depth)
        )
        + "</Code>" * depth
    )
    qde = (
        '<Project xmlns="urn:QDA-XML:project:1.0" name="p">'
        f"<CodeBook><Codes>{codes}</Codes></CodeBook></Project>"
    )
    with pytest.raises(TillitError, match="too deeply"):
        read_qdpx(_project_with(qde))
    qdc = f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>{codes}</Codes></CodeBook>'
    with pytest.raises(TillitError, match="too deeply"):
        read_qdc(qdc.encode())


def test_selections_whose_name_does_not_match_are_reported():
    sels = (
        '<PlainTextSelection guid="00000000-0000-4000-8000-000000000003" name="Hei" '
        'startPosition="0" endPosition="3"/>'
        '<PlainTextSelection guid="00000000-0000-4000-8000-000000000005" name="deg" '
        'startPosition="3" endPosition="6"/>'
    )
    p = read_qdpx(_project_with(_qde(sels), TEXT))
    assert len(p.selections) == 2
    said = " ".join(p.warnings)
    assert "1 selection(s) do not start with their name although 1 do" in said
    assert "00000000-0000-4000-8000-000000000005" in said
