"""Small source files made in the tests (no binary fixtures): DOCX, ODT, HTML, VTT, SRT, PDF."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def docx(paragraphs: list[str]) -> bytes:
    body = "".join(
        f"<w:p><w:r><w:t xml:space='preserve'>{escape(p)}</w:t></w:r></w:p>" for p in paragraphs
    )
    doc = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'
    )
    return _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": doc.encode()})


def odt(paragraphs: list[str]) -> bytes:
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    body = "".join(f"<text:p>{escape(p)}</text:p>" for p in paragraphs)
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}><office:body>'
        f"<office:text>{body}</office:text></office:body></office:document-content>"
    )
    return _zip(
        {
            "mimetype": b"application/vnd.oasis.opendocument.text",
            "content.xml": content.encode(),
        },
        zipfile.ZIP_STORED,
    )


def html(paragraphs: list[str], title: str = "") -> bytes:
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html><head><title>{escape(title)}</title>"
        f"<script>alert(1)</script></head><body>{body}</body></html>"
    ).encode()


VTT = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v Intervjuer>Hva betyr tillit for deg?

00:00:04.500 --> 00:00:09.000
<v Kari>At lederen stoler på at vi gjør jobben.
"""

SRT = """1
00:00:01,000 --> 00:00:03,000
Intervjuer: Hvordan er samarbeidet?

2
00:00:03,500 --> 00:00:07,250
Ola: Det er bedre enn før.
"""

TURNS = "Intervjuer: Hva har endret seg?\r\nKari: Færre skjemaer.\r\nIntervjuer: Og?\r\n"
