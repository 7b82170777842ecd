"""docs/exports.md can't rot: its Python example runs, and it names every rule it promises."""

from __future__ import annotations

import re
from pathlib import Path

from tillit.interop.codebook import DEFAULT_DISPOSITIONS, disposition_code
from tillit.interop.naming import SPSS_RESERVED, STATA_RESERVED

DOC = Path(__file__).resolve().parents[2] / "docs" / "exports.md"


def test_python_example_runs(tmp_path):
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), {"out_dir": tmp_path})  # noqa: S102 - our own doc


def test_reserved_words_and_dispositions_are_documented():
    text = DOC.read_text(encoding="utf-8")
    for word in SPSS_RESERVED | STATA_RESERVED:
        assert word in text, word
    for code in DEFAULT_DISPOSITIONS:
        assert f"`{code} → {disposition_code(code)}`" in text, code
