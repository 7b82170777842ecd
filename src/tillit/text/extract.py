"""Text extraction from PDF, DOCX, ODT, HTML and plain text, with clear refusals.

:func:`extract` turns the bytes of one document into normalised text
(:func:`tillit.text.normalize.normalize`) and a little metadata. Every failure a user can meet
is an :class:`ExtractionError` with a stable ``reason`` (see :data:`REASONS`), a message naming
the file, and a hint, so an import batch can flag the document and go on.

Formats
-------
PDF
    pypdfium2 (PDFium); when PDFium cannot open a file that is not encrypted, pypdf gets a go
    and a warning says so. Pages are separated by a blank line; on pages of prose, blank lines
    also mark the paragraph ends that PDF text does not have (short line after a sentence end,
    headings); line-end hyphenation is undone ("dokumentasjons-|krav" becomes one word,
    "rapporterings-|og" keeps its hyphen). With ``ocr=True`` and
    ``tesseract`` on ``PATH``, pages without a text layer are rendered at 300 dpi and read by
    tesseract (languages ``nor+dan+eng`` as far as installed).
DOCX, ODT
    The XML parts are read through :func:`tillit.text.archive.iter_zip` (size, ratio and
    member limits) and parsed with defusedxml with DTDs forbidden, so XML entity tricks are
    refused. Each paragraph (and table cell) becomes a paragraph of the text.
HTML
    lxml.html, with ``script``, ``style``, ``noscript``, ``template`` and the like removed;
    block elements give paragraph breaks; the title comes from ``<title>``.
TXT
    Encoding from a byte-order mark, else strict UTF-8, else charset-normalizer; nothing
    plausible gives ``unknown_encoding``.

Refusals (``ExtractionError.reason``): ``encrypted``, ``corrupt``, ``empty`` (no text at all,
or a PDF without a text layer: use OCR), ``too_large`` (checked before parsing),
``bomb``, ``unknown_encoding``, ``unsupported``, ``ocr_unavailable``.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import shutil
import subprocess
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tillit.text.archive import REASONS, ExtractionError, Limits, iter_zip
from tillit.text.normalize import normalize

__all__ = [
    "MEDIA_TYPES",
    "REASONS",
    "Extracted",
    "ExtractionError",
    "Limits",
    "extract",
    "extract_path",
    "ocr_languages",
    "sniff_media_type",
]

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
HTML = "text/html"
TXT = "text/plain"
ZIP = "application/zip"
DOC = "application/msword"
OCTET = "application/octet-stream"
#: The media types :func:`extract` reads.
MEDIA_TYPES = (PDF, DOCX, ODT, HTML, TXT)

_EXTENSIONS = {
    ".pdf": PDF,
    ".docx": DOCX,
    ".odt": ODT,
    ".html": HTML,
    ".htm": HTML,
    ".xhtml": HTML,
    ".txt": TXT,
    ".text": TXT,
    ".md": TXT,
    ".csv": TXT,
    ".zip": ZIP,
    ".doc": DOC,
}
_HTML_START = re.compile(
    rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title)\b", re.I | re.S
)
_HTML_ANYWHERE = re.compile(rb"<(html|body|p|div|h[1-6]|table)\b[^>]*>", re.I)
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_OCR_HINT = "Install tesseract (apt install tesseract-ocr tesseract-ocr-nor tesseract-ocr-dan)."
_pdfium_lock = threading.Lock()  # PDFium is not thread-safe


@dataclass(frozen=True)
class Extracted:
    """The text of one document (already normalised) and what was learnt on the way."""

    text: str
    media_type: str
    pages: int | None = None
    title: str | None = None
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)


def sniff_media_type(data: bytes, filename: str) -> str:
    """The media type of a document, from its first bytes, then its file name.

    Parameters
    ----------
    data : bytes
        The file's content (only the start is looked at, and a zip's central directory).
    filename : str
        The name, for the extension.

    Returns
    -------
    str
        One of :data:`MEDIA_TYPES`, or ``application/zip``, ``application/msword``,
        ``application/octet-stream`` for what :func:`extract` does not read.

    Examples
    --------
    >>> sniff_media_type(b"%PDF-1.7 ...", "x.bin")
    'application/pdf'
    >>> sniff_media_type(b"<!DOCTYPE html><title>x</title>", "page")
    'text/html'
    >>> sniff_media_type("Møte i kommunestyret".encode(), "notat.txt")
    'text/plain'
    """
    head = data[:2048]
    if b"%PDF-" in head[:1024]:
        return PDF
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _sniff_zip(data, _EXTENSIONS.get(Path(filename).suffix.lower()))
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return DOC
    by_name = _EXTENSIONS.get(Path(filename).suffix.lower())
    for bom, _encoding in _BOMS:
        if head.startswith(bom):
            return HTML if by_name == HTML else TXT
    if b"\x00" in data[:8192]:
        return OCTET
    if (
        by_name == HTML
        or _HTML_START.match(head)
        or (by_name is None and len(_HTML_ANYWHERE.findall(head)) >= 2)
    ):
        return HTML
    if by_name in (PDF, DOCX, ODT, ZIP, DOC):
        return by_name  # the name says so; extraction will report the damage
    return TXT


def _sniff_zip(data: bytes, by_name: str | None) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return DOCX
            if "mimetype" in names and "content.xml" in names:
                info = archive.getinfo("mimetype")
                if info.file_size < 200 and archive.read(info).strip() == ODT.encode():
                    return ODT
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        # A damaged archive: trust the name, so that a broken DOCX is reported as corrupt.
        return by_name if by_name in (DOCX, ODT) else ZIP
    return ZIP


def extract_path(path: Path, *, ocr: bool = False, limits: Limits = Limits()) -> Extracted:  # noqa: B008
    """Extract the text of a file on disk; its size is checked before it is read.

    See :func:`extract` for parameters, result and errors.
    """
    path = Path(path)
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise _too_large(path.name, size, limits)
    return extract(path.read_bytes(), path.name, ocr=ocr, limits=limits)


def extract(
    data: bytes,
    filename: str,
    *,
    media_type: str | None = None,
    ocr: bool = False,
    limits: Limits = Limits(),  # noqa: B008 (frozen dataclass, immutable default)
) -> Extracted:
    """Extract normalised text from one document.

    Parameters
    ----------
    data : bytes
        The document.
    filename : str
        Its name (for the extension and for messages).
    media_type : str, optional
        Skip sniffing (:func:`sniff_media_type`) and read the data as this type.
    ocr : bool, default False
        Run tesseract on PDF pages without a text layer.
    limits : Limits
        Size, page and archive limits.

    Returns
    -------
    Extracted

    Raises
    ------
    ExtractionError
        With ``reason`` one of :data:`REASONS`.
    """
    if len(data) > limits.max_bytes:
        raise _too_large(filename, len(data), limits)
    if not data.strip():
        raise ExtractionError(
            f"{filename}: the file is empty",
            "empty",
            "Check that the right file was given.",
            filename,
        )
    kind = media_type.split(";")[0].strip().lower() if media_type else ""
    kind = kind or sniff_media_type(data, filename)
    readers: dict[str, Callable[[], Extracted]] = {
        PDF: lambda: _extract_pdf(data, filename, ocr, limits),
        DOCX: lambda: _extract_docx(data, filename, limits),
        ODT: lambda: _extract_odt(data, filename, limits),
        HTML: lambda: _extract_html(data, filename),
        TXT: lambda: _extract_txt(data, filename),
    }
    reader = readers.get(kind)
    if kind == DOC and "EncryptedPackage".encode("utf-16-le") in data:
        raise ExtractionError(
            f"{filename}: the Office document is encrypted with a password",
            "encrypted",
            "Save an unprotected copy (remove the password in the word processor) and import it.",
            filename,
        )
    if reader is None:
        hint = {
            DOC: "Convert it to DOCX or PDF first, e.g. libreoffice --headless --convert-to docx.",
            ZIP: "Import the zip archive as a batch; each file in it becomes a document.",
        }.get(kind, "Supported are PDF, DOCX, ODT, HTML and plain text.")
        raise ExtractionError(
            f"{filename}: cannot extract text from {kind}", "unsupported", hint, filename
        )
    result = reader()
    if not result.text.strip():
        raise ExtractionError(
            f"{filename}: no text found in the document", "empty", "Check the file.", filename
        )
    return result


def _too_large(filename: str, size: int, limits: Limits) -> ExtractionError:
    return ExtractionError(
        f"{filename}: {size:,} bytes is over the limit of {limits.max_bytes:,} bytes",
        "too_large",
        "Split the document, or raise the size limit if the file is genuine.",
        filename,
    )


def _corrupt(filename: str, what: str, exc: BaseException | None = None) -> ExtractionError:
    detail = f" ({exc})" if exc is not None else ""
    return ExtractionError(
        f"{filename}: {what}{detail}",
        "corrupt",
        "The file is damaged or truncated; download or export it again.",
        filename,
    )


# -- PDF ---------------------------------------------------------------------------------------


def _extract_pdf(data: bytes, filename: str, ocr: bool, limits: Limits) -> Extracted:
    import pypdfium2 as pdfium

    warnings: list[str] = []
    try:
        with _pdfium_lock:
            pages, title, blank = _pdfium_text(data, filename, limits)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise _encrypted(filename) from exc
        warnings.append(f"PDFium could not read the file ({exc}); text extracted with pypdf")
        pages, title = _pypdf_text(data, filename, limits, exc, warnings)
        blank = [i for i, text in enumerate(pages) if not text.strip()]
    if blank and ocr:
        pages = _ocr_pages(data, filename, pages, blank)
        warnings.append(f"{len(blank)} of {len(pages)} pages read with OCR (tesseract)")
    elif blank and len(blank) < len(pages):
        numbers = ", ".join(str(i + 1) for i in blank[:10]) + (" ..." if len(blank) > 10 else "")
        warnings.append(
            f"{len(blank)} of {len(pages)} pages have no text layer (page {numbers}); "
            "extract with OCR to read them"
        )
    text = normalize("\n\n".join(_paragraphs(_dehyphenate(p)).strip() for p in pages))
    if not text.strip():
        raise ExtractionError(
            f"{filename}: the PDF has no text layer ({len(pages)} pages, probably scanned)",
            "empty",
            "Extract it with OCR (--ocr; needs tesseract).",
            filename,
        )
    return Extracted(text, PDF, len(pages), title, None, warnings)


# PDFium marks a hyphen at the end of a line with U+FFFE and joins the lines. Before "og",
# "eller" ... the hyphen belongs to a list such as "rapporterings- og dokumentasjonskrav" and is
# kept with a space; elsewhere it splits one word ("dokumentasjons-|krav") and is dropped.
_LINE_HYPHEN_BEFORE_CONJUNCTION = re.compile(
    "\ufffe(?=(?:og|och|eller|samt|and|or|el)\\b)", re.IGNORECASE
)
_SOFT_HYPHEN_AT_LINE_END = re.compile("\u00ad[ \t]*\r?\n")


def _dehyphenate(text: str) -> str:
    """Undo line-end hyphenation in PDF text (PDFium's U+FFFE marks, soft hyphens)."""
    if "\ufffe" in text:
        text = _LINE_HYPHEN_BEFORE_CONJUNCTION.sub("- ", text).replace("\ufffe", "")
    if "\u00ad" in text:
        text = _SOFT_HYPHEN_AT_LINE_END.sub("", text)
    return text


_SENTENCE_FINAL = (".", "!", "?", ":", "…", '."', ".»", ".)")


def _paragraphs(page: str) -> str:
    """Blank lines between the paragraphs of a PDF page of prose.

    PDF text has a line break after every printed line and nothing between paragraphs. On a
    page of prose (at least 5 lines, typical line at least 40 characters), a line that ends a
    sentence and stops well short of the typical width ends its paragraph, as does a short
    line without final punctuation followed by a capital (a heading). Other pages (tables,
    lists, slides) are left alone.
    """
    lines = page.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lengths = sorted(len(line.strip()) for line in lines if line.strip())
    if len(lengths) < 5:
        return page
    typical = lengths[int(0.8 * (len(lengths) - 1))]
    if typical < 40:
        return page
    out: list[str] = []
    for line, following in zip(lines, [*lines[1:], ""], strict=True):
        out.append(line)
        stripped, after = line.strip(), following.lstrip()
        if not stripped or not after:
            continue
        ends_paragraph = len(stripped) < 0.75 * typical and stripped.endswith(_SENTENCE_FINAL)
        heading = len(stripped) < 0.5 * typical and after[:1].isupper() and stripped[-1:].isalnum()
        if ends_paragraph or heading:
            out.append("")
    return "\n".join(out)


def _encrypted(filename: str) -> ExtractionError:
    return ExtractionError(
        f"{filename}: the PDF is encrypted with a password",
        "encrypted",
        "Save an unprotected copy (print to PDF, or ask the publisher) and import that.",
        filename,
    )


def _pdfium_text(
    data: bytes, filename: str, limits: Limits
) -> tuple[list[str], str | None, list[int]]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        n_pages = len(document)
        _check_pages(filename, n_pages, limits)
        title = None
        try:
            title = (document.get_metadata_dict().get("Title") or "").strip() or None
        except (pdfium.PdfiumError, KeyError, ValueError):
            title = None
        pages: list[str] = []
        blank: list[int] = []
        for index in range(n_pages):
            page = document[index]
            try:
                textpage = page.get_textpage()
                try:
                    text = textpage.get_text_range()
                finally:
                    textpage.close()
            finally:
                page.close()
            pages.append(text)
            if not text.strip():
                blank.append(index)
        return pages, title, blank
    finally:
        document.close()


def _check_pages(filename: str, n_pages: int, limits: Limits) -> None:
    if n_pages > limits.max_pages:
        raise ExtractionError(
            f"{filename}: {n_pages:,} pages is over the limit of {limits.max_pages:,}",
            "too_large",
            "Split the PDF, or raise the page limit.",
            filename,
        )


def _pypdf_text(
    data: bytes, filename: str, limits: Limits, first: BaseException, warnings: list[str]
) -> tuple[list[str], str | None]:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError, PdfStreamError

    try:
        with _captured_log("pypdf") as messages:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise _encrypted(filename)
            _check_pages(filename, len(reader.pages), limits)
            title = None
            if reader.metadata is not None and reader.metadata.title:
                title = str(reader.metadata.title).strip() or None
            pages = [page.extract_text() or "" for page in reader.pages]
        warnings.extend(f"pypdf: {m}" for m in dict.fromkeys(messages[:5]))
        return pages, title
    except ExtractionError:
        raise
    except FileNotDecryptedError as exc:
        raise _encrypted(filename) from exc
    except (PdfReadError, PdfStreamError, ValueError, KeyError, TypeError, IndexError,
            AttributeError, OSError, RecursionError, NotImplementedError) as exc:  # fmt: skip
        raise _corrupt(filename, f"not a readable PDF: {first}; pypdf: {exc}") from exc


@contextlib.contextmanager
def _captured_log(name: str) -> Iterator[list[str]]:
    """Collect a library's log messages (pypdf logs repairs) instead of printing them."""
    messages: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    logger = logging.getLogger(name)
    handler = _Collect(logging.WARNING)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def ocr_languages() -> list[str]:
    """The tesseract languages to use (of nor, dan, swe, eng), or [] without tesseract."""
    binary = shutil.which("tesseract")
    if binary is None:
        return []
    try:
        listing = subprocess.run(
            [binary, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    installed = set(listing.split())
    return [lang for lang in ("nor", "dan", "swe", "eng") if lang in installed]


def _ocr_pages(data: bytes, filename: str, pages: list[str], blank: list[int]) -> list[str]:
    import pypdfium2 as pdfium

    binary = shutil.which("tesseract")
    if binary is None:
        raise ExtractionError(
            f"{filename}: OCR was asked for, but tesseract is not installed",
            "ocr_unavailable",
            _OCR_HINT,
            filename,
        )
    languages = "+".join(ocr_languages()) or "eng"
    pages = list(pages)
    with tempfile.TemporaryDirectory(prefix="tillit-ocr-") as tmp:
        for index in blank:
            with _pdfium_lock:
                document = pdfium.PdfDocument(data)
                try:
                    page = document[index]
                    bitmap = page.render(scale=300 / 72, grayscale=True)
                    image = Path(tmp) / f"page-{index}.pgm"
                    image.write_bytes(_pgm(bitmap))
                    page.close()
                finally:
                    document.close()
            try:
                result = subprocess.run(
                    [binary, str(image), "stdout", "-l", languages, "--psm", "3"],
                    capture_output=True,
                    timeout=300,
                    check=False,
                )
            except (OSError, subprocess.SubprocessError) as exc:
                raise ExtractionError(
                    f"{filename}: tesseract failed on page {index + 1} ({exc})",
                    "ocr_unavailable",
                    _OCR_HINT,
                    filename,
                ) from exc
            if result.returncode != 0:
                raise ExtractionError(
                    f"{filename}: tesseract failed on page {index + 1}: "
                    f"{result.stderr.decode(errors='replace').strip()[:300]}",
                    "ocr_unavailable",
                    _OCR_HINT,
                    filename,
                )
            pages[index] = result.stdout.decode("utf-8", errors="replace")
    return pages


def _pgm(bitmap: Any) -> bytes:
    """A grayscale PDFium bitmap as a binary PGM image (tesseract reads PNM)."""
    width, height, stride = int(bitmap.width), int(bitmap.height), int(bitmap.stride)
    buffer = bytes(bitmap.buffer)
    n_channels = stride // width if width else 1
    rows = []
    for y in range(height):
        row = buffer[y * stride : y * stride + width * n_channels]
        rows.append(row if n_channels == 1 else row[::n_channels])
    return b"P5\n%d %d\n255\n" % (width, height) + b"".join(rows)


# -- DOCX and ODT ------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def _parse_xml(content: bytes, filename: str, part: str) -> Any:
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ExtractionError(
            f"{filename}: {part} contains an XML document type declaration or entities "
            f"({type(exc).__name__}), which tillit refuses as a possible XML entity attack",
            "corrupt",
            "Open the document in a word processor and save it again.",
            filename,
        ) from exc
    except ParseError as exc:
        raise _corrupt(filename, f"{part} is not well-formed XML", exc) from exc


def _zip_parts(data: bytes, filename: str, limits: Limits, names: set[str]) -> dict[str, bytes]:
    return dict(iter_zip(data, limits=limits, members=names, label=filename))


def _extract_docx(data: bytes, filename: str, limits: Limits) -> Extracted:
    body, footnotes, endnotes, core = (
        "word/document.xml", "word/footnotes.xml", "word/endnotes.xml", "docProps/core.xml"
    )  # fmt: skip
    parts = _zip_parts(data, filename, limits, {body, footnotes, endnotes, core})
    if body not in parts:
        raise _corrupt(filename, "no word/document.xml in the DOCX archive")
    paragraphs: list[str] = []
    for name in (body, footnotes, endnotes):
        if name in parts:
            paragraphs.extend(_docx_paragraphs(_parse_xml(parts[name], filename, name)))
    title = _core_title(parts, core, filename)
    text = normalize("\n\n".join(p for p in paragraphs if p.strip()))
    return Extracted(text, DOCX, None, title, None, [])


def _docx_paragraphs(root: Any) -> list[str]:
    paragraphs: list[str] = []
    for paragraph in root.iter(f"{_W}p"):
        pieces: list[str] = []
        for node in paragraph.iter():
            tag = node.tag
            if tag == f"{_W}t" and node.text:
                pieces.append(node.text)
            elif tag == f"{_W}tab":
                pieces.append("\t")
            elif tag in (f"{_W}br", f"{_W}cr"):
                pieces.append("\n")
            elif tag in (f"{_W}noBreakHyphen", f"{_W}softHyphen"):
                pieces.append("-" if tag.endswith("noBreakHyphen") else "")
        paragraphs.append("".join(pieces).strip())
    return paragraphs


def _core_title(parts: dict[str, bytes], name: str, filename: str) -> str | None:
    if name not in parts:
        return None
    element = _parse_xml(parts[name], filename, name).find(f".//{_DC_TITLE}")
    if element is None or not (element.text or "").strip():
        return None
    return normalize(element.text.strip())


def _extract_odt(data: bytes, filename: str, limits: Limits) -> Extracted:
    content, meta = "content.xml", "meta.xml"
    parts = _zip_parts(data, filename, limits, {content, meta})
    if content not in parts:
        raise _corrupt(filename, "no content.xml in the ODT archive")
    root = _parse_xml(parts[content], filename, content)
    body = root.find(f"{_OFFICE}body")
    paragraphs = _odt_paragraphs(body if body is not None else root)
    title = _core_title(parts, meta, filename)
    text = normalize("\n\n".join(p for p in paragraphs if p.strip()))
    return Extracted(text, ODT, None, title, None, [])


def _odt_paragraphs(root: Any) -> list[str]:
    """Text of every ``text:p`` and ``text:h`` (outermost only; notes become their own)."""
    paragraphs: list[str] = []
    blocks = (f"{_TEXT}p", f"{_TEXT}h")
    for block in (node for node in root.iter() if node.tag in blocks):
        pieces: list[str] = []
        _odt_inline(block, pieces, blocks)
        paragraphs.append("".join(pieces).strip())
    return paragraphs


def _odt_inline(element: Any, pieces: list[str], blocks: tuple[str, ...]) -> None:
    """Append the inline text of ``element`` (iteratively; nested blocks are skipped)."""
    stack: list[tuple[Any, bool]] = [(element, False)]
    while stack:
        node, done = stack.pop()
        if done:
            if node is not element and node.tail:
                pieces.append(node.tail)
            continue
        tag = node.tag
        if node is not element and tag in blocks:
            if node.tail:
                pieces.append(node.tail)
            continue  # a paragraph inside a note or frame: iter() yields it on its own
        if tag == f"{_TEXT}s":
            pieces.append(" " * int(node.get(f"{_TEXT}c", "1") or 1))
        elif tag == f"{_TEXT}tab":
            pieces.append("\t")
        elif tag == f"{_TEXT}line-break":
            pieces.append("\n")
        elif tag in (f"{_TEXT}note-citation",):
            pass
        elif node.text:
            pieces.append(node.text)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(list(node)))


# -- HTML and plain text -----------------------------------------------------------------------

_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg",
              "canvas", "head")  # fmt: skip
_BLOCK_TAGS = frozenset(
    "p div section article header footer nav aside main h1 h2 h3 h4 h5 h6 ul ol li dl dt dd "  # noqa: SIM905
    "table thead tbody tfoot tr caption blockquote pre hr figure figcaption form fieldset "
    "address details summary body html center title option".split()
)
_CELL_TAGS = frozenset({"td", "th"})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_BLOCK = "\x02"  # placeholders while walking the tree: a paragraph break,
_CELL = "\x01"  # a table-cell separator (a tab), a line break
_BREAK = "\x03"


def _extract_html(data: bytes, filename: str) -> Extracted:
    from lxml import etree

    declared = _META_CHARSET.search(data[:4096])
    text, encoding = _decode(
        data, filename, declared.group(1).decode("ascii") if declared else None
    )
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
    try:
        root = etree.fromstring(text.replace("\x00", ""), parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise _corrupt(filename, "not readable HTML", exc) from exc
    if root is None:
        return Extracted("", HTML, None, None, encoding, [])
    title_element = root.find(".//title")
    title = None
    if title_element is not None:
        title = normalize(" ".join("".join(title_element.itertext()).split())) or None
    warnings: list[str] = []
    n_active = sum(1 for _ in root.iter("script", "iframe", "object", "embed"))
    etree.strip_elements(root, *_DROP_TAGS, with_tail=False)
    if n_active:
        warnings.append(f"removed {n_active} script or embedded-object elements from the HTML")
    return Extracted(_html_text(root), HTML, None, title, encoding, warnings)


def _html_text(root: Any) -> str:
    """Visible text: blocks become paragraphs, ``br`` a line break, cells tab-separated."""
    from lxml import etree

    pieces: list[str] = []
    append = pieces.append
    in_pre = 0  # inside <pre>, line breaks are kept
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag
        if event == "start":
            if tag in _BLOCK_TAGS:
                append(_BLOCK)
            elif tag == "br":
                append(_BREAK)
            elif tag in _CELL_TAGS:
                append(_CELL)
            if tag == "pre":
                in_pre += 1
            if element.text:
                append(element.text.replace("\n", _BREAK) if in_pre else element.text)
        else:
            if tag == "pre":
                in_pre -= 1
            if tag in _BLOCK_TAGS:
                append(_BLOCK)
            if element.tail:
                append(element.tail.replace("\n", _BREAK) if in_pre else element.tail)
    paragraphs = []
    for block in "".join(pieces).split(_BLOCK):
        lines = []
        for line in block.split(_BREAK):
            words = " ".join(line.split())  # collapses spaces, tabs, newlines, NBSP
            words = words.replace(" " + _CELL, _CELL).replace(_CELL + " ", _CELL).strip(_CELL)
            if words:
                lines.append(words.replace(_CELL, "\t"))
        if lines:
            paragraphs.append("\n".join(lines))
    return normalize("\n\n".join(paragraphs))


def _extract_txt(data: bytes, filename: str) -> Extracted:
    text, encoding = _decode(data, filename, None)
    return Extracted(normalize(text), TXT, None, None, encoding, [])


def _decode(data: bytes, filename: str, declared: str | None) -> tuple[str, str]:
    """Decode text: BOM, then the declared charset, strict UTF-8, then charset-normalizer."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding.removesuffix("-sig")
            except UnicodeDecodeError:
                break
    candidates = [declared] if declared else []
    candidates.append("utf-8")
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding.lower()
        except (UnicodeDecodeError, LookupError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and _plausible(str(best)):
        return str(best), best.encoding
    raise ExtractionError(
        f"{filename}: the text is in an unknown encoding (not UTF-8, and no other encoding "
        "gives plausible text)",
        "unknown_encoding",
        "Save the file as UTF-8 and import it again.",
        filename,
    )


def _plausible(text: str) -> bool:
    """Mostly letters, digits, punctuation and spaces; few control or replacement characters."""
    if not text:
        return False
    sample = text[:100_000]
    bad = sum(1 for c in sample if c == "\ufffd" or (ord(c) < 32 and c not in "\n\r\t\f"))
    if len(sample) > 200 and not any(c.isspace() for c in sample):
        return False  # a page of text without a single space or line break is not text
    return bad / len(sample) < 0.01
