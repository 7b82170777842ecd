"""Re-run the oracles with R's QCA package when it is installed (not on Debian 12: skipped)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from .conftest import REFERENCE, expected


def _has_r_qca() -> bool:
    if not shutil.which("Rscript"):
        return False
    done = subprocess.run(
        ["Rscript", "-e", "library(QCA); library(jsonlite)"],
        capture_output=True,
        timeout=120,
        check=False,
    )
    return done.returncode == 0


@pytest.mark.slow
def test_r_qca_reproduces_the_recorded_oracles(tmp_path):
    if not _has_r_qca():
        pytest.skip("R's QCA package is not installed (Debian 12 has no r-cran-qca)")
    out = tmp_path / "rerun.json"
    subprocess.run(
        ["Rscript", str(REFERENCE / "lipset.R"), str(REFERENCE / "lipset_data.json"), str(out)],
        check=True,
        timeout=600,
    )
    rerun = json.loads(out.read_text(encoding="utf-8"))
    for key in (
        "LC_conservative",
        "LC_parsimonious",
        "LF_conservative",
        "LF_parsimonious",
        "LCneg_conservative",
        "LCneg_parsimonious",
        "LC_intermediate",
    ):
        assert rerun[key]["solution"] == expected(key)["solution"], key
    assert rerun["LF_intermediate"]["solution"] == "DEV*URB*LIT*STB + DEV*LIT*~IND*STB"
    assert rerun["LM_parsimonious"]["solution"] == "DEV[2] + DEV[1]*IND[0]"
