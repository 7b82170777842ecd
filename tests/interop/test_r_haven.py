"""The .sav and .dta files as R haven reads them (the golden check of issue 3, item 7).

``reference/read_back.R`` prints, as JSON, every variable's label, value labels, declared
missing values and values as haven sees them; ``reference/read_back.json`` is its recorded
output for the sample export. The recorded output is compared with what tillit means to write
on every run; when ``Rscript`` with haven is installed, R reads freshly written files as well.

Re-record after a deliberate change::

    .venv/bin/python -m tests.interop.test_r_haven
"""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tillit.interop.codebook import Codebook
from tillit.interop.stats import STATA_MISSING

REFERENCE = Path(__file__).resolve().parent / "reference"
SCRIPT = REFERENCE / "read_back.R"
RECORDED = REFERENCE / "read_back.json"


def _r_available() -> bool:
    if shutil.which("Rscript") is None:
        return False
    probe = subprocess.run(
        ["Rscript", "-e", "library(haven); library(jsonlite)"],
        capture_output=True,
        timeout=120,
        check=False,
    )
    return probe.returncode == 0


def run_r(sav: Path, dta: Path) -> dict[str, Any]:
    """``Rscript read_back.R sav dta``, parsed."""
    done = subprocess.run(
        ["Rscript", str(SCRIPT), str(sav), str(dta)],
        capture_output=True,
        timeout=300,
        check=True,
        text=True,
    )
    return json.loads(done.stdout)


def _value(v: Any, fmt: str, missing: dict[int, str]) -> Any:
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "to_pydatetime"):
        return None if str(v) == "NaT" else v.to_pydatetime().strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, str):
        return v or None
    number = float(v)
    if fmt == "dta" and int(number) in missing and number.is_integer():
        return f"NA({STATA_MISSING[int(number)]})"
    return int(number) if number.is_integer() else number


def expected(codebook: Codebook, frame, fmt: str) -> dict[str, Any]:
    """What R should see in the ``fmt`` ("sav" or "dta") file tillit wrote."""
    out: dict[str, Any] = {}
    for var in codebook.variables:
        missing = dict(var.missing)
        labels: dict[str, str] = {}
        if var.kind == "numeric":
            labels = {str(k): v for k, v in var.value_labels.items()}
            if fmt == "sav":
                labels.update({str(k): v for k, v in missing.items()})
            else:
                labels.update({f"NA({STATA_MISSING[k]})": v for k, v in missing.items()})
        entry: dict[str, Any] = {
            "label": var.label,
            "labels": labels,
            "values": [_value(v, fmt, missing) for v in frame[var.name].tolist()],
        }
        if fmt == "sav" and missing:
            entry["na_values"] = sorted(missing)
        out[var.name] = entry
    return out


def _normalise(seen: dict[str, Any]) -> dict[str, Any]:
    """jsonlite writes an empty label set as ``[]``; make it ``{}``."""
    return {name: {**entry, "labels": dict(entry["labels"] or {})} for name, entry in seen.items()}


def _compare(seen: dict[str, Any], codebook: Codebook, frame) -> None:
    for fmt in ("sav", "dta"):
        want = expected(codebook, frame, fmt)
        got = _normalise(seen[fmt])
        assert list(got) == list(want), fmt
        for name in want:
            assert got[name] == want[name], (fmt, name, got[name], want[name])


def test_recorded_r_output_matches_what_we_write(codebook, frame):
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    _compare(recorded, codebook, frame)


@pytest.mark.slow
def test_r_haven_reads_fresh_files(files, codebook, frame):
    if not _r_available():
        pytest.skip("Rscript with the haven and jsonlite packages is not installed")
    seen = run_r(files["sav"], files["dta"])
    _compare(seen, codebook, frame)
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    assert {k: v for k, v in seen.items() if k != "haven"} == {
        k: v for k, v in recorded.items() if k != "haven"
    }


def record() -> Path:
    """Write the sample export, read it with R, and store the output as read_back.json."""
    import tempfile

    from tillit.interop.codebook import COUNTRY, MUNICIPALITY_CODE
    from tillit.interop.exports import export_survey

    from . import sample

    with tempfile.TemporaryDirectory() as tmp:
        files = export_survey(
            sample.instrument(),
            sample.responses(),
            tmp,
            language="nb",
            formats=("sav", "dta"),
            stem="tbg",
            frame_columns=(COUNTRY, MUNICIPALITY_CODE),
        )
        seen = run_r(files["sav"], files["dta"])
    RECORDED.write_text(json.dumps(seen, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return RECORDED


if __name__ == "__main__":
    print(f"wrote {record()}", file=sys.stderr)
