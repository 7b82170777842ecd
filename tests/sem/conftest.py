"""Shared fixtures for the tillit.sem tests: lavaan's golden values and the bundled data."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tillit.sem import datasets

REFERENCE = Path(__file__).resolve().parent / "reference"


@functools.cache
def golden(name: str = "sem_golden") -> dict[str, Any]:
    """The recorded R outputs of ``reference/<name>.R`` (its ``cases``)."""
    return json.loads((REFERENCE / f"{name}.json").read_text(encoding="utf-8"))["cases"]


def data_for(case: str) -> pd.DataFrame:
    """The data set a golden case was fitted to."""
    if case.startswith("hs_"):
        return datasets.load("HolzingerSwineford1939")
    if case.startswith("political"):
        return datasets.load("PoliticalDemocracy")
    return datasets.load("trust_synthetic")


@pytest.fixture(scope="session")
def hs() -> pd.DataFrame:
    return datasets.load("HolzingerSwineford1939")


@pytest.fixture(scope="session")
def trust() -> pd.DataFrame:
    return datasets.load("trust_synthetic")


def r_available(*packages: str) -> bool:
    """Whether Rscript runs and has the packages."""
    if shutil.which("Rscript") is None:
        return False
    libs = "; ".join(f"library({p})" for p in packages) or "invisible(NULL)"
    try:
        done = subprocess.run(
            ["Rscript", "-e", libs], capture_output=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0
