"""The sem package: no Django, doctests pass, modules stay small, public names documented."""

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

import tillit.sem

MODULES = sorted(f"tillit.sem.{m.name}" for m in pkgutil.iter_modules(tillit.sem.__path__))


@pytest.mark.parametrize("module", ["tillit.sem", *MODULES])
def test_doctests(module: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


@pytest.mark.slow
def test_imports_and_fits_without_django() -> None:
    code = (
        "import sys\n"
        "sys.modules['django'] = None\n"
        "from tillit.sem import cfa, datasets\n"
        "from tillit.sem.trustmap import trust_map, to_svg\n"
        "fit = cfa('f =~ x1 + x2 + x3', datasets.load('HolzingerSwineford1939'))\n"
        "assert fit.fit.df == 0\n"
        "assert not any(m.startswith('django') for m in sys.modules if sys.modules[m])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_no_django_import_in_the_source() -> None:
    root = Path(tillit.sem.__file__).parent
    pattern = re.compile(r"^\s*(import|from)\s+django", re.MULTILINE)
    for path in root.glob("*.py"):
        assert not pattern.search(path.read_text(encoding="utf-8")), path.name


def test_modules_stay_small() -> None:
    root = Path(tillit.sem.__file__).parent
    for path in root.glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) < 800, path.name


def test_every_public_name_is_documented() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "models.md").read_text(encoding="utf-8")
    names = [*tillit.sem.__all__, "trust_map", "to_svg", "to_html_table", "weights_matrix"]
    missing = [name for name in names if f"`{name}" not in docs]
    assert missing == []
