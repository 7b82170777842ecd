"""REFI-QDA .qdpx and .qdc: export validates, round trips are lossless and byte-identical."""

from __future__ import annotations

import dataclasses
import doctest
import importlib
import io
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from tillit.errors import TillitError
from tillit.interop.refiqda import (
    Code,
    Codebook,
    Coding,
    Note,
    NoteRef,
    QdaProject,
    Selection,
    Set,
    TextSource,
    read_qdc,
    read_qdpx,
    write_qdc,
    write_qdpx,
)
from tillit.interop.refiqda.model import join_description, split_description

from .refiqda_data import sample
from .refiqda_data.sample import EMOJI, EMOJI_TEXT, INTERVJU, TILLIT, g

SPECS = Path(__file__).resolve().parents[2].parent / "shared" / "specs" / "refi-qda"
SHIPPED = Path(__file__).resolve().parents[2] / "src" / "tillit" / "interop" / "refiqda" / "schemas"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def shared_schema():
    """The real schemas in ../shared/specs/refi-qda (not the package's copies)."""
    if not (SPECS / "Project.xsd").is_file():
        pytest.skip(f"the shared REFI-QDA schemas are not at {SPECS}")

    def load(name: str) -> etree.XMLSchema:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        return etree.XMLSchema(etree.parse(str(SPECS / name), parser))

    return {"project": load("Project.xsd"), "codebook": load("Codebook.xsd")}


@pytest.fixture(scope="module")
def project() -> QdaProject:
    return sample.project()


@pytest.fixture(scope="module")
def qdpx(project) -> bytes:
    buffer = io.BytesIO()
    write_qdpx(project, buffer)
    return buffer.getvalue()


def _qde(archive: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        return z.read("project.qde")


def test_export_validates_against_the_shared_schema(qdpx, shared_schema):
    document = etree.fromstring(_qde(qdpx))
    schema = shared_schema["project"]
    assert schema.validate(document), schema.error_log


def test_archive_layout(qdpx, project):
    with zipfile.ZipFile(io.BytesIO(qdpx)) as z:
        names = z.namelist()
        assert names[0] == "project.qde"
        assert sorted(names[1:]) == sorted(f"sources/{s.guid}.txt" for s in project.sources)
        assert z.read(f"sources/{EMOJI}.txt").decode("utf-8") == EMOJI_TEXT
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    root = etree.fromstring(_qde(qdpx))
    ns = {"q": "urn:QDA-XML:project:1.0"}
    source = root.find(f"q:Sources/q:TextSource[@guid='{EMOJI}']", ns)
    assert source.get("plainTextPath") == f"internal://{EMOJI}.txt"
    # Offsets are code points: the emoji before "tillit" counts once.
    selection = source.find("q:PlainTextSelection", ns)
    start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
    assert EMOJI_TEXT[start:end] == "tillit 𝔗𝔯𝔲𝔰𝔱"
    assert (start, end) == (13, 25)  # 11 + emoji + space; 7 + 5 astral letters
    whole = root.find(f"q:Sources/q:TextSource[@guid='{INTERVJU}']/q:Coding", ns)
    assert whole.find("q:CodeRef", ns).get("targetGUID") == TILLIT


def test_read_back_equals_the_input(qdpx, project):
    back = read_qdpx(qdpx)
    assert project == project.canonical()
    assert back == project
    assert back.not_represented == () and back.warnings == ()
    coding = next(c for c in back.codings if c.source == EMOJI and c.code == TILLIT)
    text = next(s.text for s in back.sources if s.guid == EMOJI)
    assert text[coding.start : coding.end] == "tillit 𝔗𝔯𝔲𝔰𝔱"


def test_export_import_export_is_byte_identical(qdpx, tmp_path):
    path = tmp_path / "p.qdpx"
    path.write_bytes(qdpx)
    again = io.BytesIO()
    write_qdpx(read_qdpx(path), again)
    assert again.getvalue() == qdpx
    assert _qde(again.getvalue()) == _qde(qdpx)
    write_qdpx(read_qdpx(io.BytesIO(qdpx)), tmp_path / "q.qdpx")
    assert (tmp_path / "q.qdpx").read_bytes() == qdpx


def test_codings_without_selection_objects_get_stable_selections(project):
    """The web app may hand over codings only: selections are made, deterministically."""
    lean = dataclasses.replace(
        project,
        selections=(),
        codings=tuple(dataclasses.replace(c, selection=None) for c in project.codings),
        notes=(),
        cases=(),
        sets=(),
    )
    first, second = io.BytesIO(), io.BytesIO()
    write_qdpx(lean, first)
    write_qdpx(lean, second)
    assert first.getvalue() == second.getvalue()
    back = read_qdpx(first.getvalue())
    assert len(back.selections) == len(project.codings) - 1  # one whole-source coding
    spans = {(c.guid, c.source, c.start, c.end, c.code) for c in back.codings}
    assert spans == {(c.guid, c.source, c.start, c.end, c.code) for c in project.codings}
    for sel in back.selections:
        text = next(s.text for s in back.sources if s.guid == sel.source)
        assert text[sel.start : sel.end].startswith(sel.name)
    again = io.BytesIO()
    write_qdpx(back, again)
    assert again.getvalue() == first.getvalue()


def test_order_of_input_codings_does_not_matter(project, qdpx):
    shuffled = dataclasses.replace(
        project, codings=project.codings[::-1], selections=project.selections[::-1]
    )
    buffer = io.BytesIO()
    write_qdpx(shuffled, buffer)
    assert buffer.getvalue() == qdpx


def _bad(project: QdaProject, **changes) -> QdaProject:
    return dataclasses.replace(project, **changes)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda p: _bad(p, codings=(*p.codings, Coding(g(99), INTERVJU, 0, 3, g(98)))),
            "unknown code",
        ),
        (
            lambda p: _bad(p, codings=(*p.codings, Coding(g(99), INTERVJU, 5, 10**6, TILLIT))),
            "outside the text",
        ),
        (lambda p: _bad(p, codings=(*p.codings, Coding("nope", g(77), 0, 1, TILLIT))), "source"),
        (
            lambda p: _bad(p, sources=(*p.sources, TextSource("not-a-guid", "x", "y"))),
            "not a GUID",
        ),
        (
            lambda p: _bad(p, sources=(*p.sources, TextSource(g(97), "crlf", "a\r\nb"))),
            "not normalised",
        ),
        (
            lambda p: _bad(p, codes=(*p.codes, Code(g(96), "Farge", color="blå"))),
            "colour",
        ),
        (lambda p: _bad(p, codes=(*p.codes, Code(TILLIT, "Igjen"))), "also used"),
        (
            lambda p: _bad(
                p, sources=(TextSource(g(89), "nan", "x", variables={g(22): float("nan")}),)
            ),
            "has the value nan",
        ),
        (
            lambda p: _bad(p, sources=(TextSource(g(89), "v", "x", variables={g(88): 1}),)),
            "unknown variable",
        ),
        (
            lambda p: _bad(p, notes=(Note(g(95), "n", "t", targets=(NoteRef("code", g(94)),)),)),
            "attached to unknown code",
        ),
        (
            lambda p: _bad(p, selections=(*p.selections, Selection(g(93), INTERVJU, 4, 2))),
            "outside the text",
        ),
        (
            lambda p: _bad(
                p, codings=(*p.codings, Coding(g(92), INTERVJU, 1, 3, TILLIT, selection=g(40)))
            ),
            "differs from its selection",
        ),
        (
            lambda p: _bad(p, sets=(Set(g(91), "s", codes=(g(90),)),)),
            "unknown code",
        ),
    ],
)
def test_invalid_projects_are_refused_and_nothing_is_written(project, tmp_path, change, message):
    path = tmp_path / "bad.qdpx"
    with pytest.raises(TillitError) as info:
        write_qdpx(change(project), path)
    assert message in info.value.message
    assert info.value.errors
    assert not path.exists()


def test_description_carries_tillit_fields():
    code = Code(g(1), "K", description="Fri tekst\n", concept="trust", inclusion="a\nb")
    text = join_description(code)
    assert text.endswith('tillit: {"concept": "trust", "inclusion": "a\\nb"}')
    assert split_description(text) == ("Fri tekst\n", {"concept": "trust", "inclusion": "a\nb"})
    assert split_description("Bare tekst\ntillit: ikke json") == (
        "Bare tekst\ntillit: ikke json",
        {},
    )
    assert split_description('tillit: {"colour": "x"}') == ('tillit: {"colour": "x"}', {})


def test_shipped_schemas_are_the_shared_ones():
    if not (SPECS / "Project.xsd").is_file():
        pytest.skip(f"the shared REFI-QDA schemas are not at {SPECS}")
    for name in ("Project.xsd", "Codebook.xsd", "LICENSE-MIT-REFI.txt"):
        assert (SHIPPED / name).read_bytes() == (SPECS / name).read_bytes(), name
    assert "sha256" in (SHIPPED / "README.md").read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------------ qdc


def test_qdc_round_trip_and_validation(project, shared_schema, tmp_path):
    book = Codebook(
        project.codes,
        (Set(g(80), "Tillitskoder", "Alle", codes=tuple(sorted((TILLIT, g(11), g(12))))),),
        origin="tillit 0.1.0",
    )
    path = tmp_path / "book.qdc"
    write_qdc(book, path)
    data = path.read_bytes()
    schema = shared_schema["codebook"]
    assert schema.validate(etree.fromstring(data)), schema.error_log
    assert b'<MemberCode guid="' in data
    back = read_qdc(path)
    assert back == book
    again = io.BytesIO()
    write_qdc(back, again)
    assert again.getvalue() == data
    assert project.codebook.codes == project.codes
    assert [s.name for s in project.codebook.sets] == ["Tillitskoder"]


def test_qdc_from_another_tool():
    """In the style of the spec's Annex A.1: braces, upper case GUIDs, #RGB colours."""
    data = (Path(__file__).parent / "refiqda_data" / "other_tool.qdc").read_bytes()
    book = read_qdc(data)
    assert book.origin == "ATLAS.ti 23.2"
    top = book.codes[0]
    assert top.guid == "d3a0f6b4-6a8d-4e7a-9d64-0c3c7e9a1b2f"
    assert top.color == "#ff0000"
    assert [c.name for c in top.children] == ["Vertikal", "Horisontal"]
    assert top.children[0].is_codable is False
    assert book.sets[0].codes == tuple(sorted(c.guid for c in top.children))
    assert top.description == "Beskrivelse med æøå"


def test_qdc_writer_refuses_bad_codebooks():
    with pytest.raises(TillitError, match="at least one code"):
        write_qdc(Codebook(), io.BytesIO())
    with pytest.raises(TillitError, match="unknown code"):
        write_qdc(Codebook((Code(g(1), "a"),), (Set(g(2), "s", codes=(g(3),)),)), io.BytesIO())
    with pytest.raises(TillitError, match="codes only"):
        write_qdc(Codebook((Code(g(1), "a"),), (Set(g(2), "s", sources=(g(1),)),)), io.BytesIO())


# ------------------------------------------------------------------------------------ package


@pytest.mark.parametrize(
    "module",
    ["tillit.interop.refiqda.writer", "tillit.interop.refiqda.qdc"],
)
def test_doctests(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


@pytest.mark.slow
def test_works_without_django():
    code = (
        "import sys, io\n"
        "sys.modules['django'] = None\n"
        "from tests.interop.refiqda_data import sample\n"
        "from tillit.interop.refiqda import read_qdpx, write_qdpx\n"
        "b = io.BytesIO(); write_qdpx(sample.project(), b)\n"
        "assert read_qdpx(b.getvalue()) == sample.project()\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_naive_times_are_written_as_utc():
    source = TextSource(g(1), "s", "tekst")
    naive = QdaProject("p", created=datetime(2026, 1, 2, 3, 4, 5), sources=(source,))
    buffer = io.BytesIO()
    write_qdpx(naive, buffer)
    assert b'creationDateTime="2026-01-02T03:04:05Z"' in _qde(buffer.getvalue())
    assert read_qdpx(buffer.getvalue()).created == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_edge_cases_empty_project_empty_text_and_control_characters():
    empty = QdaProject("tom")
    buffer = io.BytesIO()
    write_qdpx(empty, buffer)
    assert read_qdpx(buffer.getvalue()) == empty
    odd = QdaProject(
        "na\x01vn",
        sources=(TextSource(g(1), "kil\x07de", ""),),
        codes=(Code(g(2), "ko\x02de"),),
        codings=(Coding(g(3), g(1), 0, 0, g(2)),),
        notes=(Note(g(4), "m", "tekst\x0b", targets=(NoteRef("source", g(1)),)),),
    )
    buffer = io.BytesIO()
    write_qdpx(odd, buffer)
    back = read_qdpx(buffer.getvalue())
    assert (back.name, back.sources[0].name, back.codes[0].name) == ("navn", "kilde", "kode")
    assert back.codings[0].selection is None and back.notes[0].text == "tekst"
    book = io.BytesIO()
    write_qdc(Codebook((Code(g(2), "ko\x02de"),)), book)
    assert read_qdc(book.getvalue()).codes[0].name == "kode"
