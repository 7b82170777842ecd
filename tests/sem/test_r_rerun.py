"""Re-run the R scripts (when Rscript and lavaan/psych are installed) and compare with the record.

The golden tests always read the recorded JSON; this checks that the record is what R computes
today and that the exported CSVs (and the copies bundled in the package) are unchanged. Skipped,
not failed, without R.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from .conftest import REFERENCE, r_available

PACKAGE_DATA = Path(__file__).resolve().parents[2] / "src" / "tillit" / "sem" / "data"


def test_bundled_data_are_the_reference_data() -> None:
    for csv in sorted((REFERENCE / "data").glob("*.csv")):
        assert (PACKAGE_DATA / csv.name).read_bytes() == csv.read_bytes(), csv.name


def _compare(fresh, recorded, path: str) -> None:
    if isinstance(recorded, dict):
        assert isinstance(fresh, dict) and set(fresh) == set(recorded), path
        for key in recorded:
            _compare(fresh[key], recorded[key], f"{path}.{key}")
    elif isinstance(recorded, list) and recorded and isinstance(recorded[0], (int, float)):
        np.testing.assert_allclose(
            np.asarray(fresh, float), np.asarray(recorded, float), rtol=1e-10, err_msg=path
        )
    elif isinstance(recorded, float):
        np.testing.assert_allclose(float(fresh), recorded, rtol=1e-10, err_msg=path)
    else:
        assert fresh == recorded, path


@pytest.mark.slow
def test_recorded_r_output_is_reproducible(tmp_path: Path) -> None:
    if not r_available("lavaan", "psych"):
        pytest.skip("Rscript with lavaan and psych is not installed")
    shutil.copy(REFERENCE.parent.parent / "analysis" / "reference" / "_golden.R", tmp_path)
    for name in ("export_data.R", "sem_golden.R"):
        shutil.copy(REFERENCE / name, tmp_path)
    (tmp_path / "data").mkdir()
    for script in ("export_data.R", "sem_golden.R"):
        done = subprocess.run(
            ["Rscript", script],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    for csv in sorted((REFERENCE / "data").glob("*.csv")):
        assert (tmp_path / "data" / csv.name).read_bytes() == csv.read_bytes(), csv.name
    fresh = json.loads((tmp_path / "sem_golden.json").read_text(encoding="utf-8"))
    recorded = json.loads((REFERENCE / "sem_golden.json").read_text(encoding="utf-8"))
    _compare(fresh["cases"], recorded["cases"], "sem_golden")
