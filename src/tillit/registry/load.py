"""Reading the bundled registry files (package data under ``tillit/data/registry``).

Every reader parses its file once per process (:func:`functools.cache`) and returns immutable
records, so repeated lookups cost nothing. Codes stay strings with their leading zeros.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
from collections.abc import Iterator
from importlib import resources
from typing import Any

from tillit.errors import CorruptFileError
from tillit.registry.model import CodeChange, CrosswalkRow, Municipality

DATA_PACKAGE = "tillit"
DATA_DIR = ("data", "registry")

#: Bundled file names (see PROVENANCE.md).
FILES = {
    "municipalities_no": "municipalities_no.csv",
    "municipalities_dk": "municipalities_dk.csv",
    "code_changes_no": "code_changes_no.csv",
    "code_changes_dk": "code_changes_dk.csv",
    "crosswalk_no": "crosswalk_no_to_2024.csv",
    "boundaries_no": "boundaries_no_2024.geojson",
    "boundaries_dk": "boundaries_dk.geojson",
    "provenance": "PROVENANCE.md",
}


def read_text(name: str) -> str:
    """Return the text of one bundled file by its file name."""
    return resources.files(DATA_PACKAGE).joinpath(*DATA_DIR, name).read_text(encoding="utf-8")


def _rows(name: str) -> Iterator[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(read_text(name)))
    for line_no, row in enumerate(reader, start=2):
        if None in row or any(v is None for v in row.values()):
            raise CorruptFileError(
                f"{name}, line {line_no}: wrong number of fields",
                hint="The bundled data is damaged; reinstall tillit.",
            )
        yield row


def _bool(text: str) -> bool:
    return text.strip().lower() == "true"


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _float(text: str) -> float | None:
    return float(text) if text.strip() else None


@functools.cache
def provenance() -> str:
    """The bundled PROVENANCE.md: sources, licences and caveats of every file."""
    return read_text(FILES["provenance"])


@functools.cache
def municipalities_no() -> tuple[Municipality, ...]:
    """The 357 Norwegian municipalities of 2024, sorted by code."""
    out = []
    for r in _rows(FILES["municipalities_no"]):
        parallel = tuple(p.strip() for p in r["name_parallel"].split(";") if p.strip())
        out.append(
            Municipality(
                country="NO",
                code=r["code"],
                name=r["name"],
                name_official=r["name_official"],
                parallel_names=parallel,
                county_code=r["county_code"],
                county_name=r["county_name"],
                county_name_official=r["county_name_official"],
                population=int(r["population"]),
                population_year=int(r["population_year"]),
                population_date=_date(r["population_date"]),
                code4=r["code"],
                iso_region=f"NO-{r['county_code']}",
                language_form=r["language_form"] or None,
                area_km2=_float(r["area_km2"]),
                admin_centre=r["admin_centre"] or None,
                valid_from=_date(r["valid_from"]) if r["valid_from"] else None,
                valid_from_is_lower_bound=_bool(r["valid_from_is_lower_bound"]),
            )
        )
    return tuple(sorted(out, key=lambda m: m.code))


@functools.cache
def municipalities_dk() -> tuple[Municipality, ...]:
    """The 98 Danish municipalities (structure since 2007), sorted by code."""
    out = []
    for r in _rows(FILES["municipalities_dk"]):
        out.append(
            Municipality(
                country="DK",
                code=r["code"],
                name=r["name"],
                name_official=r["name"],
                parallel_names=(),
                county_code=r["region_code"],
                county_name=r["region_name"],
                county_name_official=r["region_name"],
                population=int(r["population"]),
                population_year=int(r["population_year"]),
                population_date=_date(r["population_date"]),
                code4=r["code4"],
                iso_region=r["region_iso3166_2"],
            )
        )
    return tuple(sorted(out, key=lambda m: int(m.code)))


@functools.cache
def code_changes_no() -> tuple[CodeChange, ...]:
    """SSB Klass 131 code and name changes 1972–2024, in file order (by date)."""
    return tuple(
        CodeChange(
            country="NO",
            old_code=r["old_code"],
            old_name=r["old_name"],
            new_code=r["new_code"],
            new_name=r["new_name"],
            year=int(r["year"]),
            change_date=_date(r["change_date"]),
            change_type=r["change_type"],
            old_unit_split="split" in r["change_type"],
            primary_target=True,
            new_name_current=r["new_name"],
        )
        for r in _rows(FILES["code_changes_no"])
    )


@functools.cache
def code_changes_dk() -> tuple[CodeChange, ...]:
    """The 2007 reform (271 → 98) and the 2003 Bornholm merger, in file order."""
    return tuple(
        CodeChange(
            country="DK",
            old_code=r["old_code"],
            old_name=r["old_name"],
            new_code=r["new_code"],
            new_name=r["new_name"],
            year=int(r["year"]),
            change_date=_date(r["change_date"]),
            change_type=r["change_type"],
            old_unit_split=_bool(r["old_unit_split"]),
            primary_target=_bool(r["primary_target"]),
            new_name_current=r["new_name_current"],
            old_county_code=r["old_county_code"],
            old_county_name=r["old_county_name"],
        )
        for r in _rows(FILES["code_changes_dk"])
    )


@functools.cache
def crosswalk_no() -> tuple[CrosswalkRow, ...]:
    """Every code of every Klass version 2002–2023 with its 2024 code(s)."""
    return tuple(
        CrosswalkRow(
            version_valid_from=_date(r["version_valid_from"]),
            version_valid_to=_date(r["version_valid_to"]),
            old_code=r["old_code"],
            old_name=r["old_name"],
            code_2024=r["code_2024"],
            name_2024=r["name_2024"],
            old_unit_split=_bool(r["old_unit_split"]),
            note=r["note"],
        )
        for r in _rows(FILES["crosswalk_no"])
    )


@functools.cache
def _boundaries_text(country: str) -> str:
    return read_text(FILES["boundaries_no" if country == "NO" else "boundaries_dk"])


def boundaries(country: str) -> dict[str, Any]:
    """The GeoJSON FeatureCollection of one country's municipal boundaries (a fresh copy).

    Parameters
    ----------
    country : {"NO", "DK"}
    """
    data: dict[str, Any] = json.loads(_boundaries_text(country.upper()))
    return data
