"""Fixtures for the export tests: the sample instrument, its codebook and frame, and every file
format written once per module."""

from __future__ import annotations

from pathlib import Path

import pytest

from tillit.interop.codebook import COUNTRY, MUNICIPALITY_CODE, build_codebook
from tillit.interop.dataset import build_frame
from tillit.interop.exports import export_survey

from . import sample

#: Shared specs (DDI schema) live beside the repository: /work/shared/specs.
SPECS = Path(__file__).resolve().parents[2].parent / "shared" / "specs"


@pytest.fixture(scope="session")
def specs_dir() -> Path:
    if not (SPECS / "ddi-codebook-2.5" / "codebook.xsd").is_file():
        pytest.skip(f"the shared DDI-Codebook 2.5 schema is not at {SPECS} (../shared/specs)")
    return SPECS


@pytest.fixture(scope="session")
def ddi_xsd(specs_dir) -> Path:
    return specs_dir / "ddi-codebook-2.5" / "codebook.xsd"


@pytest.fixture(scope="session")
def inst():
    return sample.instrument()


@pytest.fixture(scope="session")
def cases():
    return sample.responses()


@pytest.fixture(scope="session")
def codebook(inst, cases):
    return build_codebook(inst, cases, language="nb", frame_columns=(COUNTRY, MUNICIPALITY_CODE))


@pytest.fixture(scope="session")
def frame(inst, cases, codebook):
    return build_frame(inst, cases, codebook, language="nb")


@pytest.fixture(scope="session")
def files(tmp_path_factory, inst, cases) -> dict[str, Path]:
    """Every format written by export_survey, as the CLI and the web page do."""
    out = tmp_path_factory.mktemp("export")
    return export_survey(
        inst,
        cases,
        out,
        language="nb",
        formats=("csv", "csv_labels", "sav", "dta", "xlsx", "ddi"),
        stem="tbg",
        frame_columns=(COUNTRY, MUNICIPALITY_CODE),
    )
