"""Case-matrix exports: CSV, XLSX and Parquet.

Two forms:

* ``identified`` (every member): rows named by municipality code and name; survey columns are
  never included, whoever asks, because one municipality's answers identify its chief executive.
* ``pseudonymous`` (owners and researchers only, recorded in the audit trail): rows carry a
  stable pseudonym instead of code and name, in pseudonym order; the identifying registry
  columns (county, population) are dropped; survey columns are included. Pseudonymous data are
  still personal data under the GDPR (other columns may single a municipality out): keep them
  inside the project.
"""

from __future__ import annotations

import hashlib
import hmac
import io
from dataclasses import dataclass

import pandas as pd
from django.conf import settings

from tillit.apps.cases.matrix import Matrix
from tillit.errors import ErrorCode, TillitError

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}
FORMS = ("identified", "pseudonymous")
#: Registry columns that name the municipality: left out of pseudonymous exports.
IDENTIFYING = ("registry.county", "registry.population")


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    content: bytes


def pseudonym(project_id: int, key: str) -> str:
    """A stable pseudonym for a row of a project (HMAC-SHA256 with the secret key)."""
    mac = hmac.new(settings.SECRET_KEY.encode(), f"{project_id}:{key}".encode(), hashlib.sha256)
    return "R" + mac.hexdigest()[:10]


def export_frame(m: Matrix, form: str, project_id: int) -> pd.DataFrame:
    """The table an export writes (see the module docstring)."""
    if form not in FORMS:
        raise TillitError(
            f"Unknown export form {form!r}.",
            ErrorCode.USAGE,
            hint="Use identified or pseudonymous.",
        )
    if form == "identified":
        keep = [c.id for c in m.columns if not c.personal]
        out = m.labelled()[["key", "name", *keep]]
        return out
    keep = [c.id for c in m.columns if c.id not in IDENTIFYING]
    out = m.frame[keep].copy()
    out.insert(0, "pseudonym", [pseudonym(project_id, k) for k in m.frame.index])
    return out.sort_values("pseudonym").reset_index(drop=True)


def write(frame: pd.DataFrame, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise TillitError(
            f"Unknown export format {fmt!r}.", ErrorCode.USAGE, hint="Use csv, xlsx or parquet."
        )
    if fmt == "csv":
        return frame.to_csv(index=False).encode("utf-8")
    buf = io.BytesIO()
    if fmt == "xlsx":
        frame.to_excel(buf, index=False, sheet_name="case matrix", engine="openpyxl")
    else:
        clean = frame.copy()
        for col in clean.columns:
            if clean[col].dtype == object:
                clean[col] = clean[col].astype("string")
        clean.to_parquet(buf, index=False, engine="pyarrow")
    return buf.getvalue()


def export(
    m: Matrix, fmt: str, *, form: str, project: object, stem: str, synthetic: bool = False
) -> ExportFile:
    frame = export_frame(m, form, int(project.pk))  # type: ignore[attr-defined]
    name = ("SYNTHETIC_" if synthetic else "") + stem.replace("-", "_")
    if form == "pseudonymous":
        name += "_pseudonymous"
    return ExportFile(f"{name}.{fmt}", FORMATS[fmt], write(frame, fmt))
