"""extract(): PDF, DOCX, ODT, HTML, TXT, and every bad input with its reason."""

from __future__ import annotations

import io
import shutil
import struct
import unicodedata
import zipfile
from pathlib import Path

import pytest

from tests.text.pdfs import make_pdf, scanned_pdf
from tillit.errors import ErrorCode, TillitError
from tillit.text.archive import iter_zip, safe_member_name
from tillit.text.extract import (
    DOCX,
    ODT,
    ExtractionError,
    Limits,
    extract,
    extract_path,
    sniff_media_type,
)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def reason_of(data: bytes, filename: str, **kwargs) -> ExtractionError:
    with pytest.raises(ExtractionError) as info:
        extract(data, filename, **kwargs)
    error = info.value
    assert isinstance(error, TillitError)
    assert filename in error.message and error.hint
    assert error.errors == [{"reason": error.reason, "file": filename}]
    return error


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx(body_xml: str, *, title: str | None = None, prolog: str = "") -> bytes:
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f'<w:document xmlns:w="{W}"><w:body>{body_xml}</w:body></w:document>'
    )
    members = {"[Content_Types].xml": b"<Types/>", "word/document.xml": document.encode()}
    if title is not None:
        members["docProps/core.xml"] = (
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:title>{title}</dc:title></cp:coreProperties>"
        ).encode()
    return zip_bytes(members)


def para(*runs: str) -> str:
    return (
        "<w:p>"
        + "".join(f"<w:r><w:t xml:space='preserve'>{r}</w:t></w:r>" for r in runs)
        + "</w:p>"
    )


def odt(content_body: str, *, title: str | None = None) -> bytes:
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}><office:body>'
        f"<office:text>{content_body}</office:text></office:body></office:document-content>"
    )
    members = {"mimetype": ODT.encode(), "content.xml": content.encode()}
    if title is not None:
        members["meta.xml"] = (
            '<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
            ' xmlns:dc="http://purl.org/dc/elements/1.1/"><office:meta>'
            f"<dc:title>{title}</dc:title></office:meta></office:document-meta>"
        ).encode()
    return zip_bytes(members, zipfile.ZIP_STORED)


# -- PDF --------------------------------------------------------------------------------------


def test_pdf_text_pages_and_title():
    data = make_pdf(
        [
            "Tillitsreformen i kommunen\nFærre rapporteringskrav (økt tillit)",
            "Side to: gjev måltal",
        ],
        title="Møtebok",
    )
    result = extract(data, "møtebok.pdf")
    assert result.media_type == "application/pdf"
    assert result.pages == 2 and result.title == "Møtebok"
    assert result.text == (
        "Tillitsreformen i kommunen\nFærre rapporteringskrav (økt tillit)\n\nSide to: gjev måltal"
    )
    assert "\r" not in result.text and result.warnings == []


def test_pdf_line_end_hyphens():
    data = make_pdf(
        [
            "Kommunen vil redusere rapporterings\xad\nkravene og dokumentasjons-\nkrav, samt "
            "rapporterings-\nog dokumentasjonskrav og tillits-\neller tilsynsreformer."
        ]
    )
    assert extract(data, "orddeling.pdf").text == (
        "Kommunen vil redusere rapporteringskravene og dokumentasjonskrav, samt "
        "rapporterings- og dokumentasjonskrav og tillits- eller tilsynsreformer."
    )


def test_pdf_prose_gets_paragraph_breaks():
    page = "\n".join(
        [
            "Tillitsreform i helse og omsorg",
            "Kommunestyret vedtok i 2019 å starte arbeidet med en tillitsreform i helse-",
            "og omsorgstjenestene. Målet er færre rapporteringskrav og mer tid til",
            "brukerne i hverdagen.",
            "Evalueringen viser at de ansatte opplever større handlingsrom, men at",
            "dokumentasjonskravene fra staten fortsatt tar mye tid for lederne i alle",
            "enhetene som deltok i forsøket.",
        ]
    )
    text = extract(make_pdf([page]), "prosa.pdf").text
    paragraphs = text.split("\n\n")
    assert paragraphs[0] == "Tillitsreform i helse og omsorg"
    assert paragraphs[1].startswith("Kommunestyret") and paragraphs[1].endswith("hverdagen.")
    assert paragraphs[2].startswith("Evalueringen") and len(paragraphs) == 3
    # A table-like page of short lines is left alone.
    table = "\n".join(f"Enhet {i}: {i * 3} tiltak." for i in range(8))
    assert "\n\n" not in extract(make_pdf([table]), "tabell.pdf").text


def test_pdf_pages_without_text_layer_are_reported():
    data = make_pdf(["Første side om tillit.", "", "Tredje side."], blank=(1,))
    result = extract(data, "delvis.pdf")
    assert result.pages == 3
    assert "1 of 3 pages have no text layer (page 2)" in result.warnings[0]


def test_pypdf_fallback_when_pdfium_fails():
    # A trailer without /Root: PDFium gives up, pypdf finds the catalogue by searching.
    broken = make_pdf(["Tillit mellom politikere og administrasjon."]).replace(b"/Root 1 0 R", b"")
    result = extract(broken, "reparert.pdf")
    assert "Tillit mellom politikere og administrasjon." in result.text
    assert any("text extracted with pypdf" in w for w in result.warnings)
    assert any("/Root" in w for w in result.warnings)  # pypdf's own complaints, kept


def test_encrypted_pdf():
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["Hemmelig notat."]))))
    writer.encrypt("hemmelig")
    buffer = io.BytesIO()
    writer.write(buffer)
    error = reason_of(buffer.getvalue(), "låst.pdf")
    assert error.reason == "encrypted" and error.code == ErrorCode.CORRUPT_FILE


def test_pdf_with_owner_password_only_is_read():
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["Åpent notat om tillit."]))))
    writer.encrypt(user_password="", owner_password="eier")  # restrictions, no password to open
    buffer = io.BytesIO()
    writer.write(buffer)
    assert extract(buffer.getvalue(), "begrenset.pdf").text == "Åpent notat om tillit."


@pytest.mark.parametrize(
    "data",
    [
        make_pdf(["Et dokument som blir avkuttet midt i."])[:180],
        b"%PDF-1.7\n" + b"\x13\x37" * 300,
    ],
    ids=["truncated", "garbage"],
)
def test_corrupt_pdf(data):
    assert reason_of(data, "ødelagt.pdf").reason == "corrupt"


def test_pdf_without_text_layer_is_empty_with_ocr_hint():
    error = reason_of(make_pdf(["", ""], blank=(0, 1)), "skannet.pdf")
    assert error.reason == "empty" and "OCR" in error.hint


def test_too_many_pages():
    error = reason_of(make_pdf(["a", "b", "c"]), "lang.pdf", limits=Limits(max_pages=2))
    assert error.reason == "too_large" and "3 pages" in error.message


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_ocr_reads_a_scanned_page():
    data = scanned_pdf("Tillitsreformen i kommunen\nFærre rapporteringskrav og mer tid")
    assert reason_of(data, "skannet.pdf").reason == "empty"
    result = extract(data, "skannet.pdf", ocr=True)
    assert "Tillitsreformen i kommunen" in result.text
    assert "rapporteringskrav" in result.text
    assert any("OCR" in w for w in result.warnings)


def test_ocr_unavailable(monkeypatch):
    # The one place we fake the environment: a machine without tesseract on PATH.
    monkeypatch.setenv("PATH", "/nonexistent")
    error = reason_of(make_pdf([""], blank=(0,)), "skannet.pdf", ocr=True)
    assert error.reason == "ocr_unavailable" and "tesseract" in error.hint
    assert error.code == ErrorCode.EXTERNAL_TOOL


# -- size -------------------------------------------------------------------------------------


def test_500_mb_file_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "stor.pdf"
    with big.open("wb") as handle:
        handle.truncate(500 * 2**20)  # sparse: no 500 MB on disk or in memory
    with pytest.raises(ExtractionError) as info:
        extract_path(big)
    assert info.value.reason == "too_large"
    assert "524,288,000 bytes" in info.value.message
    with pytest.raises(ExtractionError, match="over the limit"):
        list(iter_zip(big, limits=Limits()))


def test_too_large_in_memory():
    error = reason_of(b"x" * 2000, "notat.txt", limits=Limits(max_bytes=1000))
    assert error.reason == "too_large"


def test_empty_file(tmp_path):
    assert reason_of(b"", "tom.pdf").reason == "empty"
    assert reason_of(b"  \n\r\n ", "tom.txt").reason == "empty"
    (tmp_path / "tom.docx").write_bytes(b"")
    with pytest.raises(ExtractionError, match="empty"):
        extract_path(tmp_path / "tom.docx")


# -- DOCX, ODT, zip ---------------------------------------------------------------------------


def test_docx_paragraphs_tabs_breaks_and_title():
    lines = "<w:t>Linje 1</w:t><w:br/><w:t>Linje 2</w:t><w:tab/><w:t>etter tab</w:t>"
    cells = f"<w:tc>{para('Celle A')}</w:tc><w:tc>{para('Celle B')}</w:tc>"
    body = (
        para("Tillitsreform i ", "Bergen")
        + f"<w:p><w:r>{lines}</w:r></w:p>"
        + f"<w:tbl><w:tr>{cells}</w:tr></w:tbl>"
        + "<w:p><w:r><w:delText>slettet</w:delText><w:t>beholdt</w:t></w:r></w:p>"
        + "<w:p/>"
    )
    result = extract(docx(body, title="Vedtak"), "vedtak.docx")
    assert result.media_type == DOCX and result.title == "Vedtak"
    assert result.text == (
        "Tillitsreform i Bergen\n\nLinje 1\nLinje 2\tetter tab\n\nCelle A\n\nCelle B\n\nbeholdt"
    )


def test_docx_nfd_text_is_normalised():
    nfd = unicodedata.normalize("NFD", "Tillitsreform på Røros")
    assert extract(docx(para(nfd)), "nfd.docx").text == "Tillitsreform på Røros"


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE w:document [<!ENTITY lol "lol">]>',
        '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE w:document SYSTEM "http://example.invalid/x.dtd">',
    ],
    ids=["entity", "external-entity", "dtd"],
)
def test_docx_with_dtd_or_entities_is_refused(prolog):
    error = reason_of(docx(para("&lol;"), prolog=prolog), "angrep.docx")
    assert error.reason == "corrupt"
    assert "XML entity attack" in error.message


def test_docx_bomb_by_ratio():
    zeros = b"<w:p/>" * (5 * 2**20 // 6)
    data = zip_bytes({"word/document.xml": zeros})
    assert len(data) < 100_000
    error = reason_of(data, "bombe.docx")
    assert error.reason == "bomb" and "ratio" in error.message


def test_zip_bomb_by_declared_total_and_member_count():
    data = zip_bytes({f"f{i}.txt": b"tillit " * 1000 for i in range(20)})
    with pytest.raises(ExtractionError, match="in total") as info:
        list(iter_zip(data, limits=Limits(max_uncompressed=100_000)))
    assert info.value.reason == "bomb"
    with pytest.raises(ExtractionError, match="members") as info:
        list(iter_zip(data, limits=Limits(max_members=10)))
    assert info.value.reason == "bomb"


def _patch_sizes(data: bytes, name: bytes, file_size: int) -> bytes:
    """Make the central directory and local header of ``name`` lie about its size."""
    out = bytearray(data)
    central = out.index(
        b"PK\x01\x02" + out[out.index(b"PK\x01\x02") + 4 : out.index(b"PK\x01\x02") + 4]
    )
    while central != -1:
        name_length = struct.unpack_from("<H", out, central + 28)[0]
        if bytes(out[central + 46 : central + 46 + name_length]) == name:
            struct.pack_into("<I", out, central + 24, file_size)
            local = struct.unpack_from("<I", out, central + 42)[0]
            struct.pack_into("<I", out, local + 22, file_size)
        central = out.find(b"PK\x01\x02", central + 4)
    return bytes(out)


def test_member_that_lies_about_its_size_is_never_inflated_past_it():
    data = _patch_sizes(zip_bytes({"a.txt": b"tillit " * 200_000}), b"a.txt", 1000)
    with pytest.raises(ExtractionError) as info:
        list(iter_zip(data, limits=Limits()))
    assert info.value.reason in {"bomb", "corrupt"}


def test_encrypted_zip_member():
    data = bytearray(zip_bytes({"hemmelig.txt": b"tillit"}))
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 0x1
    with pytest.raises(ExtractionError, match="encrypted") as info:
        list(iter_zip(bytes(data), limits=Limits()))
    assert info.value.reason == "encrypted"


def test_encrypted_office_document():
    ole = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + "EncryptedPackage".encode("utf-16-le")
    )
    assert reason_of(ole, "låst.docx").reason == "encrypted"


@pytest.mark.parametrize(
    "data",
    [b"PK\x03\x04" + b"\x00" * 100, zip_bytes({"word/document.xml": b"<w:document>"})[:-30]],
    ids=["header-only", "truncated"],
)
def test_corrupt_docx(data):
    assert reason_of(data, "ødelagt.docx").reason == "corrupt"


def test_iter_zip_names_are_made_safe():
    data = zip_bytes({"../../etc/passwd": b"x", "mappe/": b"", "/abs/møte.pdf": b"y"})
    assert list(iter_zip(data, limits=Limits())) == [("etc/passwd", b"x"), ("abs/møte.pdf", b"y")]
    assert safe_member_name("..\\..\\a\\b.txt") == "a/b.txt"


def test_odt_paragraphs_headings_spaces_and_title():
    body = (
        "<text:h>Tillitsreform</text:h>"
        "<text:p>Færre<text:s text:c='3'/>skjemaer<text:tab/>og <text:span>mer tid</text:span>"
        "<text:line-break/>til brukerne.</text:p>"
        "<text:list><text:list-item><text:p>Punkt en</text:p></text:list-item></text:list>"
    )
    result = extract(odt(body, title="Plan"), "plan.odt")
    assert result.media_type == ODT and result.title == "Plan"
    assert result.text == "Tillitsreform\n\nFærre   skjemaer\tog mer tid\ntil brukerne.\n\nPunkt en"


def test_zip_and_doc_are_unsupported():
    assert reason_of(zip_bytes({"a.txt": b"x"}), "arkiv.zip").reason == "unsupported"
    doc = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
    error = reason_of(doc, "gammel.doc")
    assert error.reason == "unsupported" and "libreoffice" in error.hint
    assert reason_of(b"\x00\x01\x02binary", "data.bin").reason == "unsupported"


# -- HTML and text ----------------------------------------------------------------------------


def test_html_scripts_removed_blocks_become_paragraphs():
    html = """<!DOCTYPE html><html><head><title> Tillit i
      Oslo </title><style>p { color: red }</style>
      <script>document.write("ikke tekst")</script></head>
      <body><nav>Meny</nav><h1>Tillitsreformen</h1>
      <p>Kommunen har <b>færre</b>
         rapporteringskrav.<br>Ny linje.</p><!-- kommentar -->
      <noscript>Slå på JavaScript</noscript><template><p>mal</p></template>
      <ul><li>Punkt 1</li><li>Punkt 2</li></ul>
      <table><tr><td>A</td><td>B</td></tr></table>
      <script>var x = "</p>ikke dette heller";</script><pre>  kode
  linje</pre></body></html>"""
    result = extract(html.encode(), "side.html")
    assert result.media_type == "text/html" and result.title == "Tillit i Oslo"
    assert result.text == (
        "Meny\n\nTillitsreformen\n\nKommunen har færre rapporteringskrav.\nNy linje."
        "\n\nPunkt 1\n\nPunkt 2\n\nA\tB\n\nkode\nlinje"
    )
    assert "ikke" not in result.text and "color" not in result.text
    assert any("script" in w for w in result.warnings)


def test_html_with_only_scripts_is_empty():
    html = b"<html><head><script>alert('tillit')</script></head><body><script>x()</script></body>"
    assert reason_of(html, "tom.html").reason == "empty"


def test_html_declared_charset():
    html = (
        '<html><head><meta charset="windows-1252"><title>Møte</title></head>'
        "<body><p>Økt tillit på Røros</p></body></html>"
    )
    result = extract(html.encode("cp1252"), "side.htm")
    assert result.text == "Økt tillit på Røros" and result.encoding == "windows-1252"


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        ("Tillitsreform på Røros\r\nFærre skjema".encode(), "utf-8"),
        ("\ufeffTillitsreform på Røros\r\nFærre skjema".encode(), "utf-8"),
        ("Tillitsreform på Røros\r\nFærre skjema".encode("utf-16"), "utf-16-le"),
        ("Tillitsreform på Røros\r\nFærre skjema og økt tillit i år".encode("cp1252"), None),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16", "cp1252"],
)
def test_text_encodings(encoded, encoding):
    result = extract(encoded, "notat.txt")
    assert result.text.startswith("Tillitsreform på Røros\nFærre skjema")
    if encoding:
        assert result.encoding == encoding
    else:
        assert result.encoding not in (None, "utf-8")


def test_unknown_encoding():
    data = bytes(0x80 + i % 20 for i in range(3000))
    error = reason_of(data, "rot.txt")
    assert error.reason == "unknown_encoding" and "UTF-8" in error.hint


def test_sniffing():
    assert sniff_media_type(make_pdf(["x"]), "noe.bin") == "application/pdf"
    assert sniff_media_type(docx(para("x")), "noe") == DOCX
    assert sniff_media_type(odt("<text:p>x</text:p>"), "noe") == ODT
    assert sniff_media_type(b"<p>a</p><div>b</div>", "noe") == "text/html"
    assert sniff_media_type(b"plain <b>once</b>", "noe") == "text/plain"
    assert sniff_media_type(b"hei", "side.html") == "text/html"
    assert sniff_media_type(b"PK\x03\x04broken", "x.docx") == DOCX
    assert sniff_media_type(b"PK\x03\x04broken", "x.zip") == "application/zip"


def test_extract_path_reads_by_name(tmp_path: Path):
    path = tmp_path / "møte.html"
    path.write_text("<p>Tillit</p>", encoding="utf-8")
    assert extract_path(path).text == "Tillit"
