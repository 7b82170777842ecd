"""Re-run the R scripts (when Rscript and the packages are installed) and compare with the record.

The golden tests always read the recorded JSON; this test checks that the record is what R
computes today, so that a recorded number cannot drift from its script. It also re-exports the
data and checks the CSVs are unchanged. Skipped, not failed, without R.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from .conftest import REFERENCE, r_available

SCRIPTS = {
    "survey_estimates": ("survey",),
    "survey_weights": ("survey",),
    "survey_models": ("survey",),
    "scales": ("psych", "psychTools", "lavaan", "GPArotation"),
    "demo_survey": ("survey", "psych"),
}

pytestmark = pytest.mark.slow


def _compare(fresh, recorded, path: str, rtol: float) -> None:
    if isinstance(recorded, dict):
        assert isinstance(fresh, dict) and set(fresh) == set(recorded), path
        for key in recorded:
            _compare(fresh[key], recorded[key], f"{path}.{key}", rtol)
    elif isinstance(recorded, list) and recorded and isinstance(recorded[0], (int, float)):
        np.testing.assert_allclose(
            np.asarray(fresh, float),
            np.asarray(recorded, float),
            rtol=rtol,
            atol=1e-300,
            err_msg=path,
        )
    elif isinstance(recorded, (int, float)) and not isinstance(recorded, bool):
        np.testing.assert_allclose(float(fresh), float(recorded), rtol=rtol, err_msg=path)
    else:
        assert fresh == recorded, path


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_recorded_r_output_is_reproducible(tmp_path: Path, name: str) -> None:
    if not r_available(*SCRIPTS[name]):
        pytest.skip(f"Rscript with {', '.join(SCRIPTS[name])} is not installed")
    shutil.copy(REFERENCE / "_golden.R", tmp_path)
    shutil.copy(REFERENCE / f"{name}.R", tmp_path)
    shutil.copytree(REFERENCE / "demo", tmp_path / "demo")  # tillit's own demo data
    done = subprocess.run(
        ["Rscript", f"{name}.R"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    fresh = json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8"))
    recorded = json.loads((REFERENCE / f"{name}.json").read_text(encoding="utf-8"))
    # Same machine, same packages: identical. Another R or BLAS may differ in the last digits.
    _compare(fresh["cases"], recorded["cases"], name, rtol=1e-10)


def test_exported_data_is_reproducible(tmp_path: Path) -> None:
    if not r_available("survey", "psychTools"):
        pytest.skip("Rscript with survey and psychTools is not installed")
    shutil.copy(REFERENCE / "export_data.R", tmp_path)
    (tmp_path / "data").mkdir()
    done = subprocess.run(
        ["Rscript", "export_data.R"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for csv in sorted((REFERENCE / "data").glob("*.csv")):
        assert (tmp_path / "data" / csv.name).read_bytes() == csv.read_bytes(), csv.name
