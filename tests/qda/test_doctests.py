"""The examples in tillit.qda's docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "tillit.qda.alpha",
    "tillit.qda.codings",
    "tillit.qda.export",
    "tillit.qda.matrices",
    "tillit.qda.pseudonymise",
    "tillit.qda.queries",
    "tillit.qda.reliability",
    "tillit.qda.results",
    "tillit.qda.search",
    "tillit.qda.transcripts",
    "tillit.qda.words",
]


@pytest.mark.parametrize("module", MODULES)
def test_doctests(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0
