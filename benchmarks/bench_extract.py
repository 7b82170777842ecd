"""Text extraction: PDF pages per second (issue 5, Figures).

A multi-page PDF is generated once per run (:func:`tests.text.pdfs.make_pdf`: A4 pages of 45
lines of nb/nn/da council text with æ, ø, å, Helvetica, WinAnsiEncoding).

* ``extract.pdf``: :func:`tillit.text.extract.extract` on the whole file (PDFium through
  pypdfium2, page by page, then normalisation), pages per second. Peer: pypdf's
  ``PdfReader(...).pages[i].extract_text()`` for every page of the same file, the pure-Python
  fallback tillit uses when PDFium fails. The ratio is how much faster the primary path is.
* ``extract.pdf_pdfium_raw``: pypdfium2 alone (``get_text_range`` per page, no normalisation),
  the ceiling of the primary path; peer again pypdf.
* ``extract.html``: :func:`extract` on a 16 KB council web page (navigation, scripts, a
  table), pages per second. Peer: ``lxml.html.fromstring(...).text_content()``, which keeps
  script text and loses paragraph breaks (the obvious one-liner).

* ``langid.identify``: :func:`tillit.text.langid.identify` on 1,000-character passages cut
  from the language-identification evaluation set (nb, nn, da, sv, en), passages per second.
  Peer: py3langid restricted to the same languages alone (no marker words), the part of
  ``identify`` that costs most; the ratio shows what the nb/nn/da discrimination costs.

Rates are the best of ``repeats`` runs.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

from tests.text.pdfs import make_pdf

from tillit.text.extract import extract

LINES = (
    "Kommunestyret vedtok tillitsreformen med {n} mot 12 stemmer i møtet.",
    "Føremålet er færre rapporteringskrav og meir tid til brukarane i heimetenesta.",
    "Medarbejderne får større handlerum, og dokumentationskravene bliver færre.",
    "Rådmannen legger fram en evaluering av delegeringen til enhetslederne i år {n}.",
    "Tiltaket gjeld òg skulane og barnehagane; måltala vert reduserte frå 40 til 12.",
)


def document(n_pages: int) -> bytes:
    pages = [
        "\n".join(LINES[(page + line) % len(LINES)].format(n=page + line) for line in range(45))
        for page in range(n_pages)
    ]
    return make_pdf(pages, title="Benchmark (SYNTHETIC)")


def html_page() -> bytes:
    nav = "".join(f"<li><a href='/s{i}'>Tjeneste {i}</a></li>" for i in range(40))
    paragraphs = "".join(
        f"<h2>Sak {i}/24</h2><p>{LINES[i % 5].format(n=i)} {LINES[(i + 1) % 5].format(n=i)}</p>"
        for i in range(60)
    )
    table = "".join(f"<tr><td>Enhet {i}</td><td>{i * 3}</td></tr>" for i in range(30))
    scripts = "<script>var tracking = {a: 1, b: [1,2,3]};</script>" * 5
    return (
        f"<!DOCTYPE html><html><head><title>Kommunen</title><style>p{{margin:0}}</style>{scripts}"
        f"</head><body><nav><ul>{nav}</ul></nav><main>{paragraphs}<table>{table}</table></main>"
        "<footer>Kontakt oss</footer></body></html>"
    ).encode()


def best_rate(fn: Callable[[], Any], n: int, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return n / best


def langid_passages(n: int) -> list[str]:
    """``n`` passages of 1,000 characters from the committed langid evaluation set."""
    import csv
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "tests" / "text" / "data" / "langid_eval.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["kind"] == "passage"]
    by_lang: dict[str, list[str]] = {}
    for row in rows:
        by_lang.setdefault(row["lang"], []).append(row["text"])
    streams = [" ".join(texts * 8) for texts in by_lang.values()]
    passages = []
    for i in range(n):
        stream = streams[i % len(streams)]
        start = (i * 997) % (len(stream) - 1000)
        passages.append(stream[start : start + 1000])
    return passages


def run(quick: bool) -> list[dict[str, Any]]:
    """PDF and HTML extraction rates (``quick``: 40 pages, one repeat)."""
    import lxml.html
    import pypdfium2 as pdfium
    from pypdf import PdfReader

    n_pages, repeats = (40, 1) if quick else (300, 3)
    data = document(n_pages)

    def ours() -> str:
        result = extract(data, "bench.pdf")
        assert result.pages == n_pages
        return result.text

    def pypdf_pages() -> str:
        reader = PdfReader(io.BytesIO(data))
        return "\n\n".join(page.extract_text() for page in reader.pages)

    def pdfium_raw() -> str:
        pdf = pdfium.PdfDocument(data)
        try:
            return "\n\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
        finally:
            pdf.close()

    # Both sides must read the same words before we compare their speed.
    assert ours().split()[:40] == pypdf_pages().split()[:40]
    peer_rate = best_rate(pypdf_pages, n_pages, repeats)
    html = html_page()
    n_html = 50 if quick else 500
    html_ours = best_rate(
        lambda: [extract(html, "side.html") for _ in range(n_html)], n_html, repeats
    )
    html_peer = best_rate(
        lambda: [lxml.html.fromstring(html).text_content() for _ in range(n_html)], n_html, repeats
    )
    from tillit.text.langid import _model, identify

    passages = langid_passages(200 if quick else 2000)
    identify(passages[0])  # load the model outside the timing
    model = _model()
    langid_ours = best_rate(lambda: [identify(p) for p in passages], len(passages), repeats)
    langid_peer = best_rate(lambda: [model.rank(p) for p in passages], len(passages), repeats)
    return [
        {
            "name": "extract.pdf",
            "unit": "pages/s",
            "value": best_rate(ours, n_pages, repeats),
            "peer": "pypdf extract_text",
            "peer_value": peer_rate,
            "n": n_pages,
        },
        {
            "name": "extract.pdf_pdfium_raw",
            "unit": "pages/s",
            "value": best_rate(pdfium_raw, n_pages, repeats),
            "peer": "pypdf extract_text",
            "peer_value": peer_rate,
            "n": n_pages,
        },
        {
            "name": "extract.html",
            "unit": "pages/s",
            "value": html_ours,
            "peer": "lxml text_content",
            "peer_value": html_peer,
            "n": n_html,
        },
        {
            "name": "langid.identify",
            "unit": "passages/s",
            "value": langid_ours,
            "peer": "py3langid alone (restricted)",
            "peer_value": langid_peer,
            "n": len(passages),
        },
    ]
