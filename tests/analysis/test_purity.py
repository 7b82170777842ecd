"""The analysis package: no Django, doctests pass, bundled data equals the R export, sizes."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import tillit.analysis

from .conftest import REFERENCE

MODULES = sorted(
    f"tillit.analysis.{m.name}" for m in pkgutil.iter_modules(tillit.analysis.__path__)
)


@pytest.mark.parametrize("module", ["tillit.analysis", *MODULES])
def test_doctests(module):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_imports_without_django():
    code = (
        "import sys\n"
        "sys.modules['django'] = None\n"
        "import tillit.analysis as a\n"
        "d = a.Design.from_data(a.datasets.load('apistrat'), strata='stype', fpc='fpc')\n"
        "assert abs(a.mean(d, 'api00').estimate[0] - 662.287) < 1e-3\n"
        "assert not any(m.startswith('django') for m in sys.modules if sys.modules[m])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_no_django_import_in_the_source():
    root = Path(tillit.analysis.__file__).parent
    pattern = re.compile(r"^\s*(import|from)\s+django", re.MULTILINE)
    for path in root.glob("*.py"):
        assert not pattern.search(path.read_text(encoding="utf-8")), path.name


def test_modules_stay_small():
    root = Path(tillit.analysis.__file__).parent
    for path in root.glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) < 800, path.name


def test_bundled_data_is_the_r_export():
    bundled = Path(tillit.analysis.__file__).parent / "data"
    for csv in sorted((REFERENCE / "data").glob("*.csv")):
        assert (bundled / csv.name).read_bytes() == csv.read_bytes(), csv.name


def test_every_public_name_is_documented():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "analysis.md").read_text(
        encoding="utf-8"
    )
    missing = [name for name in tillit.analysis.__all__ if f"`{name}" not in docs]
    assert missing == []
