"""Shared fixtures for the analysis tests: the R golden values and the api designs."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tillit.analysis import Design, datasets

REFERENCE = Path(__file__).resolve().parent / "reference"

#: Agreement with R. "exact": R computes in closed form; "iterative": R stops an optimiser early
#: (psych's minres, lavaan's ML, raking with a loose epsilon).
RTOL_EXACT = 1e-8
RTOL_ITERATIVE = 1e-6


@functools.cache
def golden(name: str) -> dict[str, Any]:
    """The recorded R outputs of ``reference/<name>.R`` (its ``cases``)."""
    return json.loads((REFERENCE / f"{name}.json").read_text(encoding="utf-8"))["cases"]


def assert_close(
    actual: Any, expected: Any, rtol: float = RTOL_EXACT, atol: float = 0.0, what: str = ""
) -> None:
    """Relative (and absolute) agreement, element by element, with a useful message."""
    a = np.atleast_1d(np.asarray(actual, dtype=float))
    b = np.atleast_1d(np.asarray(expected, dtype=float))
    assert a.shape == b.shape, f"{what}: shape {a.shape} != R {b.shape}"
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=what)


def r_names(frame: pd.DataFrame, by: list[str], multi: bool) -> list[str]:
    """R's svyby/svymean coefficient names of our rows (e.g. ``E:api00``, ``sch.wideYes``)."""
    names = []
    for _, row in frame.iterrows():
        variable = row["variable"] + (str(row["category"]) if "category" in row else "")
        domain = ".".join(str(row[b]) for b in by)
        if not by:
            names.append(variable)
        elif multi or "category" in row:
            names.append(f"{domain}:{variable}")
        else:
            names.append(domain)
    return names


def in_r_order(frame: pd.DataFrame, names: list[str], by: list[str], multi: bool) -> pd.DataFrame:
    """Our rows reordered to R's order of ``names``."""
    keyed = frame.assign(_key=r_names(frame, by, multi)).set_index("_key")
    missing = [n for n in names if n not in keyed.index]
    assert not missing, f"rows {missing} not in {list(keyed.index)}"
    return keyed.loc[names]


@pytest.fixture(scope="session")
def api() -> dict[str, pd.DataFrame]:
    return {name: datasets.load(name) for name in ("apisrs", "apistrat", "apiclus1")}


@pytest.fixture(scope="session")
def designs(api: dict[str, pd.DataFrame]) -> dict[str, Design]:
    """The designs of the R scripts, under the same names."""
    srs, strat, clus = api["apisrs"], api["apistrat"], api["apiclus1"]
    return {
        "srs": Design.from_data(srs, fpc="fpc"),
        "srs_nofpc": Design.from_data(srs, weights="pw"),
        "strat": Design.from_data(strat, strata="stype", fpc="fpc"),
        "strat_nofpc": Design.from_data(strat, strata="stype", weights="pw"),
        "clus1": Design.from_data(clus, clusters="dnum", fpc="fpc"),
    }


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
