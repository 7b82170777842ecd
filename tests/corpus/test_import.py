"""Import: each format, folders, zip files, manifests, deduplication, flagged bad input with the
batch going on, and resuming an interrupted batch."""

from __future__ import annotations

import pytest

from tests.corpus.conftest import (
    NB_REFORM,
    make_bomb,
    make_docx,
    make_html,
    make_odt,
    make_pdf,
    make_zip,
)
from tillit.apps.corpus import importing, services
from tillit.apps.corpus.models import Document, Original
from tillit.apps.corpus.services import Metadata
from tillit.errors import TillitError

pytestmark = pytest.mark.django_db


def _import(project, user, name, data, **meta):
    return services.do_import_document(
        project, filename=name, data=data, actor=user, meta=Metadata(**meta)
    )


@pytest.mark.parametrize(
    ("name", "make", "media"),
    [
        ("a.pdf", lambda: make_pdf([NB_REFORM]), "application/pdf"),
        ("a.docx", lambda: make_docx(NB_REFORM.split("\n\n")), "wordprocessingml"),
        ("a.odt", lambda: make_odt(NB_REFORM.split("\n\n")), "opendocument.text"),
        ("a.html", lambda: make_html(NB_REFORM.split("\n\n")), "text/html"),
        ("a.txt", lambda: NB_REFORM.encode("utf-8"), "text/plain"),
        ("crlf.txt", lambda: NB_REFORM.replace("\n", "\r\n").encode("utf-8"), "text/plain"),
    ],
)
def test_each_format_is_imported_with_text_language_and_bytes(project, users, name, make, media):
    data = make()
    out = _import(project, users["researcher"], name, data, municipality="Lillehammer")
    assert out.status == "imported", out
    doc = Document.objects.get(pk=out.document_id)
    assert media in doc.media_type
    assert "tillitsreform" in doc.text and "\r" not in doc.text
    assert doc.lang == "nb" and doc.lang_confidence > 0
    assert doc.municipality_code == "3405"
    assert doc.sha256 == services.sha256_of(data) and doc.size == len(data)
    assert bytes(Original.objects.get(document=doc).data) == data
    assert doc.imported_by == users["researcher"]


def test_html_scripts_and_styles_are_not_in_the_text(project, users):
    out = _import(project, users["owner"], "page.html", make_html(["Tillitsreform i kommunen."]))
    doc = Document.objects.get(pk=out.document_id)
    assert "Tillitsreform i kommunen." in doc.text
    assert "SCRIPT-TEXT" not in doc.text and "color:red" not in doc.text


def test_duplicate_content_is_reported_not_stored_twice(project, users):
    first = _import(project, users["owner"], "a.txt", NB_REFORM.encode())
    again = _import(project, users["owner"], "copy-with-other-name.txt", NB_REFORM.encode())
    assert again.status == "duplicate" and again.document_id == first.document_id
    assert Document.objects.filter(project=project).count() == 1


def test_the_same_content_in_another_project_is_its_own_document(project, users):
    from tillit.apps.core import services as core

    other = core.do_create_project(name="Other", owner=users["owner"])
    _import(project, users["owner"], "a.txt", NB_REFORM.encode())
    assert _import(other, users["owner"], "a.txt", NB_REFORM.encode()).status == "imported"


def _encrypted_pdf() -> bytes:
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf([NB_REFORM]))))
    writer.encrypt("hemmelig-passord")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


BAD = {
    "encrypted.pdf": (_encrypted_pdf, "encrypted"),
    "corrupt.pdf": (lambda: b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", "corrupt"),
    "empty.pdf": (lambda: make_pdf(["x"], blank=(0,)), "empty"),
    "nothing.txt": (lambda: b"   \n", "empty"),
    "latin.txt": (lambda: bytes(range(0x80, 0x100)) * 40, "unknown_encoding"),
    "old.doc": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "unsupported"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_is_flagged_with_its_reason(project, users, name):
    make, reason = BAD[name]
    out = _import(project, users["owner"], name, make())
    assert out.status == "flagged", out
    doc = Document.objects.get(pk=out.document_id)
    assert doc.status == "flagged" and doc.flag_reason == reason
    assert doc.flag_message and doc.text == ""
    assert Original.objects.filter(document=doc).exists()  # kept, so OCR or a fix can re-run


def test_a_batch_goes_on_after_bad_files_and_keeps_each_one(project, users, tmp_path):
    folder = tmp_path / "batch"
    (folder / "sub").mkdir(parents=True)
    (folder / "1-good.txt").write_text(NB_REFORM, encoding="utf-8")
    (folder / "2-encrypted.pdf").write_bytes(_encrypted_pdf())
    (folder / "3-bomb.zip").write_bytes(make_bomb())
    (folder / "sub" / "4-good.docx").write_bytes(make_docx(["Tillidsreform i kommunen."]))
    (folder / ".hidden.txt").write_text("skip me", encoding="utf-8")
    huge = folder / "5-huge.pdf"
    with huge.open("wb") as f:  # a sparse 500 MB file: nothing is read into memory
        f.truncate(500 * 2**20)
    (folder / "6-good.html").write_bytes(make_html(["Tillit og samskaping."]))

    importer = importing.Importer(project, users["owner"], Metadata(municipality="0301"))
    out = importer.run(importing.items_from_paths([folder]))
    by_name = {o.name.rsplit("/", 1)[-1]: o for o in out}
    assert ".hidden.txt" not in by_name
    assert [by_name[n].status for n in ("1-good.txt", "4-good.docx", "6-good.html")] == [
        "imported"
    ] * 3
    assert by_name["2-encrypted.pdf"].reason == "encrypted"
    assert by_name["3-bomb.zip"].reason == "bomb"
    assert by_name["5-huge.pdf"].reason == "too_large"
    huge_doc = Document.objects.get(pk=by_name["5-huge.pdf"].document_id)
    assert huge_doc.size == 500 * 2**20 and bytes(huge_doc.original.data) == b""
    assert Document.objects.filter(project=project).count() == 6
    assert set(Document.objects.values_list("municipality_code", flat=True)) == {"0301"}


def test_resume_after_a_crash_mid_batch_skips_what_is_there(project, users, tmp_path):
    for i in range(4):
        (tmp_path / f"{i}.txt").write_text(f"{NB_REFORM}\n\nDokument nummer {i}.", "utf-8")

    def crash_after_two(outcome):
        if len(importer.outcomes) == 2:
            raise KeyboardInterrupt

    importer = importing.Importer(project, None, Metadata(), on_item=crash_after_two)
    with pytest.raises(KeyboardInterrupt):
        importer.run(importing.items_from_paths([tmp_path]))
    assert Document.objects.count() == 2  # committed one by one: nothing done is lost

    again = importing.Importer(project, None, Metadata()).run(
        importing.items_from_paths([tmp_path])
    )
    assert [o.status for o in again] == ["duplicate", "duplicate", "imported", "imported"]
    assert Document.objects.count() == 4


def test_zip_members_become_documents_with_manifest_metadata(project, users):
    archive = make_zip(
        {
            "dk/odense.txt": "Byrådet beslutter at indføre en tillidsreform.".encode(),
            "no/voss.txt": "Kommunestyret vedtek å setje i gang ei tillitsreform.".encode(),
            "no/bad.pdf": b"%PDF-1.4 broken",
        }
    )
    manifest = importing.read_manifest(
        b"filename;municipality;date;doc_type;title\n"
        b"dk/odense.txt;Odense;2022-11-23;council_minutes;Byr\xc3\xa5d\n"
        b"voss.txt;4621;2022;plan;Plan\n"
    )
    importer = importing.Importer(
        project, users["owner"], Metadata(), manifest=importing.manifest_lookup(manifest)
    )
    out = importer.run([importing.Item("batch.zip", data=archive)])
    assert [o.status for o in out] == ["imported", "imported", "flagged"]
    odense = Document.objects.get(filename="batch.zip/dk/odense.txt")
    assert (odense.municipality_code, str(odense.date), odense.doc_type, odense.title) == (
        "461",
        "2022-11-23",
        "council_minutes",
        "Byråd",
    )
    assert odense.lang == "da"
    voss = Document.objects.get(filename="batch.zip/no/voss.txt")
    assert (voss.municipality_code, voss.date.year, voss.doc_type) == ("4621", 2022, "plan")


def test_bad_metadata_fails_that_item_and_the_batch_goes_on(project, users):
    items = [
        importing.Item(
            "a.txt", data=b"Tillitsreform i kommunen.", meta=Metadata(municipality="9999")
        ),
        importing.Item(
            "b.txt", data=b"Tillitsreform i kommunen, igjen.", meta=Metadata(date="soon")
        ),
        importing.Item("c.txt", data=b"Tillitsreform i kommunen, tredje gang."),
    ]
    out = importing.Importer(project, users["owner"], Metadata()).run(items)
    assert [o.status for o in out] == ["failed", "failed", "imported"]
    assert "9999" in out[0].message and "soon" in out[1].message


def test_manifest_without_a_filename_or_url_column_is_refused():
    with pytest.raises(TillitError, match="no 'filename' or 'url' column"):
        importing.read_manifest(b"name,municipality\nx,0301\n")


def test_metadata_checks():
    assert services.clean_municipality("Bergen") == "4601"
    assert services.clean_municipality("0101") == "101"
    assert services.clean_date("2024").isoformat() == "2024-01-01"
    assert services.clean_doc_type("Council minutes") == "council_minutes"
    with pytest.raises(TillitError, match="Document type"):
        services.clean_doc_type("memo")


@pytest.fixture
def web_server():
    """A real HTTP server on loopback serving a few pages (no network leaves the machine)."""
    import http.server
    import threading

    pages = {
        "/minutes.html": (200, "text/html; charset=utf-8", make_html([NB_REFORM])),
        "/plan.pdf": (200, "application/pdf", make_pdf(["Tillitsreform og rammestyring."])),
        "/moved": (302, "text/plain", b""),
    }

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            status, ctype, body = pages.get(self.path, (404, "text/plain", b"not here"))
            self.send_response(status)
            if status == 302:
                self.send_header("Location", "/minutes.html")
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_url_import_against_a_local_server(project, users, web_server):
    urls = [f"{web_server}/minutes.html", f"{web_server}/plan.pdf", f"{web_server}/missing"]
    items = [importing.Item(u, url=u) for u in urls]
    out = importing.Importer(project, users["owner"], Metadata(municipality="4601")).run(items)
    assert [o.status for o in out] == ["imported", "imported", "failed"]
    assert out[2].reason == "fetch" and "404" in out[2].message
    page = Document.objects.get(pk=out[0].document_id)
    assert page.source_url == urls[0] and page.doc_type == "web_page"
    assert "tillitsreform" in page.text and "SCRIPT-TEXT" not in page.text
    pdf = Document.objects.get(pk=out[1].document_id)
    assert pdf.media_type == "application/pdf" and "Tillitsreform" in pdf.text
    # a re-run skips the addresses already imported, without fetching them again
    again = importing.Importer(project, users["owner"], Metadata()).run(
        [importing.Item(u, url=u) for u in [*urls[:2], f"{web_server}/moved"]]
    )
    assert [o.status for o in again] == ["duplicate", "duplicate", "duplicate"]


def test_the_web_upload_refuses_addresses_on_the_servers_own_network(
    client, project, users, web_server
):
    from django.urls import reverse

    client.force_login(users["researcher"])
    r = client.post(
        reverse("corpus:upload", args=[project.slug]), {"urls": f"{web_server}/minutes.html"}
    )
    assert r.status_code == 200
    assert "outcome-failed" in r.content.decode()
    assert not Document.objects.exists()
