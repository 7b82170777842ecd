"""The QCA package: no Django, doctests pass, small modules, documented public names."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import tillit.qca

MODULES = sorted(f"tillit.qca.{m.name}" for m in pkgutil.iter_modules(tillit.qca.__path__))
ROOT = Path(tillit.qca.__file__).parent


@pytest.mark.parametrize("module", ["tillit.qca", *MODULES])
def test_doctests(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


@pytest.mark.slow
def test_imports_without_django():
    code = (
        "import sys\n"
        "sys.modules['django'] = None\n"
        "import pandas as pd\n"
        "from tillit.qca import truth_table, minimize\n"
        "d = pd.DataFrame({'A': [0, 1, 1], 'B': [1, 1, 0], 'Y': [0, 1, 1]})\n"
        "assert minimize(truth_table(d, 'Y'), include='?').formulas == ['A']\n"
        "assert not any(m.startswith('django') for m in sys.modules if sys.modules[m])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_no_django_import_and_small_modules():
    pattern = re.compile(r"^\s*(import|from)\s+django", re.MULTILINE)
    for path in ROOT.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not pattern.search(text), path.name
        assert len(text.splitlines()) < 800, path.name


def test_every_public_name_is_documented():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "qca.md").read_text(encoding="utf-8")
    missing = [name for name in tillit.qca.__all__ if f"`{name}" not in docs]
    assert missing == []
