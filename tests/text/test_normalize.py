"""normalize(): BOM, line ends, NFC, control characters; offsets stay true after it."""

from __future__ import annotations

import unicodedata

import pytest

from tillit.text.normalize import normalize
from tillit.text.passages import split_passages


def test_bom_line_ends_and_controls():
    raw = "\ufeffSak 1\r\nTillit\rreform\x00\x07 og\tmer\x0cside 2\x1b\x7f\x85"
    assert normalize(raw) == "Sak 1\nTillit\nreform og\tmer\nside 2\n"


def test_soft_hyphens_and_noncharacters_are_dropped():
    assert normalize("tillits\u00adreform\ufffe og \uffffstyring") == "tillitsreform og styring"


def test_nfd_becomes_nfc():
    nfd = unicodedata.normalize("NFD", "Tillitsreform i Bærum og Ålesund, økt tillit")
    assert nfd != unicodedata.normalize("NFC", nfd)
    assert normalize(nfd) == "Tillitsreform i Bærum og Ålesund, økt tillit"


def test_idempotent():
    raw = "\ufeffa\r\n\r\nb\u0301\x00c\u2028d\ufeffe"
    once = normalize(raw)
    assert normalize(once) == once
    assert "\ufeff" not in once and "\r" not in once


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_offsets_after_crlf_and_nfd_point_at_the_right_text(newline):
    """Passages of CRLF + NFD input: slicing the normalised text at their offsets gives them."""
    paragraphs = [
        "Kommunestyret i Bø vedtok tillitsreformen i møtet 12. mars.",
        "Tillitsreform: færre rapporteringskrav for tjenestene på Røros.",
        "Rådmannen får fullmakt til å forenkle skjemaene i årene som kommer.",
    ]
    raw = "\ufeff" + (newline * 2).join(unicodedata.normalize("NFD", p) for p in paragraphs)
    text = normalize(raw)
    passages = split_passages(text, min_chars=10)
    assert [p.text for p in passages] == paragraphs
    for passage in passages:
        assert text[passage.start : passage.end] == passage.text
    # 'Tillitsreform' in the second paragraph: its offset is found in the NFC text and the
    # characters around it (ø, æ) are single code points, so offsets count as a reader does.
    start = text.index("Tillitsreform:")
    assert text[start : start + len("Tillitsreform")] == "Tillitsreform"
    assert passages[1].start == start
    assert len(text) == sum(map(len, paragraphs)) + 2 * (len(paragraphs) - 1)


MY_MODULES = [
    "tillit.text.normalize",
    "tillit.text.passages",
    "tillit.text.langid",
    "tillit.text.archive",
    "tillit.text.extract",
    "tillit.text.fetch",
    "tillit.text.corpus",
]


@pytest.mark.parametrize("module", MY_MODULES)
def test_doctests(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


@pytest.mark.slow
def test_text_modules_import_without_django():
    import subprocess
    import sys

    code = "import sys\nsys.modules['django'] = None\n" + "".join(
        f"import {m}\n" for m in MY_MODULES
    )
    code += "from tillit.text.extract import extract\n"
    code += "assert extract(b'<p>Hei</p>', 'a.html').text == 'Hei'\n"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
