"""One call for a whole survey export: codebook, data set, and the files in every format.

The CLI and the web page call :func:`export_survey`; the access rules (who may export, who may
add identifying columns, the audit entry) belong to the service layer that calls it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tillit.errors import ErrorCode, TillitError
from tillit.instruments.model import Instrument
from tillit.interop.codebook import DONT_KNOW_NAMES, FrameColumn, build_codebook
from tillit.interop.dataset import Relevance, build_frame
from tillit.interop.ddi import frame_stats, write_ddi
from tillit.interop.naming import to_ascii_name
from tillit.interop.stats import write_csv, write_dta, write_sav, write_xlsx

__all__ = ["FORMATS", "export_survey"]

#: Formats :func:`export_survey` writes, and their file suffixes.
FORMATS: Mapping[str, str] = {
    "csv": ".csv",
    "csv_labels": "_labels.csv",
    "sav": ".sav",
    "dta": ".dta",
    "xlsx": ".xlsx",
    "ddi": "_ddi.xml",
}


def export_survey(
    instrument: Instrument,
    responses: Iterable[Mapping[str, Any]],
    out_dir: str | Path,
    *,
    language: str | None = None,
    formats: Collection[str] = ("csv", "sav", "dta", "xlsx", "ddi"),
    stem: str | None = None,
    frame_columns: Sequence[FrameColumn] = (),
    include_municipality: bool = False,
    relevance: Relevance | None = None,
    study_title: str | None = None,
    excel: bool = False,
    dont_know: Collection[str] = DONT_KNOW_NAMES,
) -> dict[str, Path]:
    """Export a survey's responses in the given formats into ``out_dir``.

    Parameters
    ----------
    instrument : Instrument
    responses : iterable of mapping
        The cases (see :mod:`tillit.interop.dataset`); read once.
    out_dir : str or Path
        Created when missing.
    language : str, optional
        Language of the labels; default the instrument's default language.
    formats : collection of str
        Keys of :data:`FORMATS`.
    stem : str, optional
        File name stem; default ``<form_id>_<version>_<language>`` made safe.
    frame_columns : sequence of FrameColumn
        Sampling-frame columns (e.g. ``(COUNTRY, MUNICIPALITY_CODE)``).
    include_municipality : bool, default False
        Also export frame columns marked identifying. The caller must have checked that the
        user is the project's owner and must audit the export.
    relevance : callable, optional
        ``relevance(answers) -> relevant question names`` for cases without ``relevant``.
    study_title : str, optional
        DDI study title; default the instrument's title.
    excel : bool, default False
        CSV with a byte-order mark and formula-safe text (see :func:`write_csv`).
    dont_know : collection of str
        Choice names coded ``-8``.

    Returns
    -------
    dict of str to Path
        Format to file; ``csv`` and ``csv_labels`` add ``<format>_codebook``.

    Raises
    ------
    TillitError
        On an unknown format, or any error of the codebook, frame and writers.
    """
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise TillitError(
            f"formats={unknown!r} are not export formats.",
            code=ErrorCode.USAGE,
            hint=f"Choose from: {', '.join(FORMATS)}.",
        )
    cases = list(responses)
    codebook = build_codebook(
        instrument,
        cases,
        language=language,
        frame_columns=frame_columns,
        include_municipality=include_municipality,
        dont_know=dont_know,
    )
    frame = build_frame(instrument, cases, codebook, relevance=relevance)
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stem = stem or to_ascii_name(f"{codebook.form_id}_{codebook.version}_{codebook.language}")
    out: dict[str, Path] = {}
    for fmt in FORMATS:
        if fmt not in formats:
            continue
        path = folder / f"{stem}{FORMATS[fmt]}"
        if fmt in ("csv", "csv_labels"):
            data, book = write_csv(frame, codebook, path, labels=fmt == "csv_labels", excel=excel)
            out[fmt], out[f"{fmt}_codebook"] = data, book
        elif fmt == "sav":
            out[fmt] = write_sav(frame, codebook, path)
        elif fmt == "dta":
            out[fmt] = write_dta(frame, codebook, path)
        elif fmt == "xlsx":
            out[fmt] = write_xlsx(frame, codebook, path)
        else:
            write_ddi(
                codebook,
                path,
                study_title=study_title,
                frame_stats=frame_stats(frame, codebook),
                file_name=f"{stem}.sav",
            )
            out[fmt] = path
    return out
