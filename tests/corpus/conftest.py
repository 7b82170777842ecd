"""Fixtures for the corpus tests: documents of each format made here (no binary fixtures), a
project with one member per role, and a screened corpus."""

from __future__ import annotations

import io
import zipfile

import pytest

from tests.text.pdfs import make_pdf

NB_REFORM = (
    "Sak 14/23 Tillitsreform\n\n"
    "Kommunestyret vedtar å starte en tillitsreform med tillitsbasert styring og ledelse. "
    "Rapporterings- og dokumentasjonskrav skal reduseres, i trepartssamarbeid med de "
    "tillitsvalgte.\n\n"
    "Valg av ny tillitsvalgt til arbeidsmiljøutvalget ble utsatt."
)
NN_REFORM = (
    "Sak 31/22 Tillitsreform i heradet\n\n"
    "Kommunestyret vedtek å setje i gang ei tillitsreform. Kommunen skal arbeide for "
    "tillitsbasert styring og leiing, og dokumentasjonskrav som ikkje blir brukte, skal fjernast."
)
DA_REFORM = (
    "Punkt 8 Tillidsreform\n\n"
    "Byrådet beslutter at indføre en tillidsreform med tillidsbaseret styring og ledelse. "
    "Dokumentationskrav, der ikke giver værdi for borgerne, skal afskaffes."
)


def make_docx(paragraphs: list[str], title: str | None = None) -> bytes:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(f"<w:p><w:r><w:t>{_xml(p)}</w:t></w:r></w:p>" for p in paragraphs)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr(
            "word/document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{w}"><w:body>{body}'
            "</w:body></w:document>",
        )
        if title:
            z.writestr(
                "docProps/core.xml",
                '<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.'
                'openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.'
                f'org/dc/elements/1.1/"><dc:title>{_xml(title)}</dc:title></cp:coreProperties>',
            )
    return buf.getvalue()


def make_odt(paragraphs: list[str]) -> bytes:
    t = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    o = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    body = "".join(f"<text:p>{_xml(p)}</text:p>" for p in paragraphs)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text"
        )  # stored, first
        z.writestr(
            "content.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="{o}" '
            f'xmlns:text="{t}"><office:body><office:text>{body}</office:text></office:body>'
            "</office:document-content>",
        )
        z.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:'
            'names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/"'
            ' manifest:media-type="application/vnd.oasis.opendocument.text"/></manifest:manifest>',
        )
    return buf.getvalue()


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def make_html(paragraphs: list[str], title: str = "Nyhet") -> bytes:
    ps = "".join(f"<p>{_xml(p)}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="nb"><head><meta charset="utf-8"><title>{title}</title>'
        '<script>var secretTracker = "SCRIPT-TEXT";</script><style>p{color:red}</style></head>'
        f"<body>{ps}<script>alert('SCRIPT-TEXT-2')</script></body></html>"
    ).encode()


def make_zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def make_bomb() -> bytes:
    """A zip whose one member inflates 1000-fold (over the 100x ratio limit)."""
    return make_zip({"minutes.txt": b"\0" * (4 * 2**20)})


@pytest.fixture
def project(project_with_roles):
    return project_with_roles[0]


@pytest.fixture
def users(project_with_roles):
    return project_with_roles[1]


@pytest.fixture
def pdf_bytes():
    return make_pdf([NB_REFORM], title="Møteprotokoll")


@pytest.fixture
def imported(project, users):
    """Three reform documents (nb, nn, da) with municipalities, imported through the service."""
    from tillit.apps.corpus import services

    out = []
    for name, text, code in (
        ("lillehammer.txt", NB_REFORM, "3405"),
        ("voss.txt", NN_REFORM, "4621"),
        ("odense.txt", DA_REFORM, "461"),
    ):
        out.append(
            services.do_import_document(
                project,
                filename=name,
                data=text.encode(),
                actor=users["researcher"],
                meta=services.Metadata(municipality=code, date="2023-03-16"),
            )
        )
    return out


@pytest.fixture
def screened(project, users, imported):
    from tillit.apps.corpus import screening

    return screening.screen_project(project, actor=users["researcher"])


__all__ = ["make_bomb", "make_docx", "make_html", "make_odt", "make_pdf", "make_zip"]


@pytest.fixture
def demo_corpus(project, users):
    """The demo's synthetic documents, imported and screened (more passages to label)."""
    from tillit.apps.corpus import screening, services
    from tillit.apps.corpus.demo_documents import DOCUMENTS

    for d in DOCUMENTS:
        services.do_import_document(
            project,
            filename=d.filename,
            data=d.text.encode(),
            actor=users["owner"],
            meta=services.Metadata(municipality=d.code, date=d.date, doc_type=d.doc_type),
            synthetic=True,
        )
    return screening.screen_project(project, actor=users["owner"])
