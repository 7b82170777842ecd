"""Tiny PDF writer for the text tests and the extraction benchmark.

Writes valid PDF 1.4 files with a Helvetica text layer (WinAnsiEncoding, so æ, ø, å work), a
correct cross-reference table and an optional title; no library can write text into a PDF
here, and committed binary fixtures would hide what they contain.
"""

from __future__ import annotations


def _escape(line: str) -> bytes:
    raw = line.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def make_pdf(pages: list[str], *, title: str | None = None, blank: tuple[int, ...] = ()) -> bytes:
    """A PDF with one page per string (lines split at ``\\n``); pages in ``blank`` get no text."""
    objects: list[bytes] = []
    n_pages = len(pages)
    font_id = 3
    first_page = 4
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(n_pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    for i, text in enumerate(pages):
        content_id = first_page + 2 * i + 1
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources "
            f"<< /Font << /F1 {font_id} 0 R >> >> /Contents {content_id} 0 R >>".encode()
        )
        if i in blank:
            stream = b"0.9 g 50 50 100 100 re f"
        else:
            lines = b"".join(b"(" + _escape(line) + b") Tj T* " for line in text.split("\n"))
            stream = b"BT /F1 11 Tf 14 TL 50 800 Td " + lines + b"ET"
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    info_id = None
    if title is not None:
        objects.append(b"<< /Title (" + _escape(title) + b") >>")
        info_id = len(objects)
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = f"<< /Size {len(objects) + 1} /Root 1 0 R"
    if info_id is not None:
        trailer += f" /Info {info_id} 0 R"
    out += f"trailer\n{trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def make_image_pdf(gray: bytes, width: int, height: int) -> bytes:
    """A one-page PDF holding only an 8-bit grayscale image (a "scan": no text layer)."""
    import zlib

    image = zlib.compress(gray)
    page_w, page_h = width * 72 // 200, height * 72 // 200  # 200 dpi
    content = f"q {page_w} 0 0 {page_h} 0 0 cm /Im1 Do Q".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {page_w} {page_h}] /Resources "
        f"<< /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>".encode(),
        f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace "
        f"/DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length {len(image)} >>\n"
        f"stream\n".encode()
        + image
        + b"\nendstream",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def scanned_pdf(text: str) -> bytes:
    """Render a text PDF with PDFium and wrap the picture in a PDF without a text layer."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(make_pdf([text]))
    try:
        bitmap = document[0].render(scale=200 / 72, grayscale=True)
        width, height, stride = bitmap.width, bitmap.height, bitmap.stride
        buffer = bytes(bitmap.buffer)
    finally:
        document.close()
    rows = b"".join(buffer[y * stride : y * stride + width] for y in range(height))
    return make_image_pdf(rows, width, height)
