"""Fixtures for the QCA tests: the Lipset data and the recorded R QCA results."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

REFERENCE = Path(__file__).resolve().parent / "reference"

#: Agreement with R: the 15-digit values of lipset_expected.json, and values R printed to three
#: decimals (half a unit of the last printed digit).
TOL_FULL = 1e-9
TOL_PRINTED = 5e-4


@functools.cache
def _json(name: str) -> dict[str, Any]:
    return json.loads((REFERENCE / name).read_text(encoding="utf-8"))


def lipset(name: str) -> pd.DataFrame:
    """One of LR, LC, LM, LF as a frame indexed by case."""
    return pd.DataFrame(_json("lipset_data.json")[name]).set_index("case")


def expected(key: str) -> dict[str, Any]:
    """An entry of lipset_expected.json."""
    return _json("lipset_expected.json")[key]


def snapshot(key: str) -> dict[str, Any]:
    """An entry of r_qca_snapshots.json."""
    return _json("r_qca_snapshots.json")["cases"][key]


@pytest.fixture(scope="session")
def lc() -> pd.DataFrame:
    return lipset("LC")


@pytest.fixture(scope="session")
def lf() -> pd.DataFrame:
    return lipset("LF")


@pytest.fixture(scope="session")
def lm() -> pd.DataFrame:
    return lipset("LM")


@pytest.fixture(scope="session")
def lr() -> pd.DataFrame:
    return lipset("LR")
