"""Plain data records of the registry: municipalities and code changes.

All records are frozen dataclasses holding plain Python values. Codes are always strings that
keep their leading zeros (``"0301"``, ``"0101"``); Danish ``code`` is the 3-digit kommunekode
(``"101"``) and ``code4`` its 4-digit DAGI form (``"0101"``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from tillit.registry.sizeclass import SizeClass, size_class_for

Country = Literal["NO", "DK"]

#: The countries in the registry, in display order.
COUNTRIES: tuple[Country, ...] = ("NO", "DK")

#: English country names (translate in the web layer).
COUNTRY_NAMES: dict[str, str] = {"NO": "Norway", "DK": "Denmark"}


@dataclass(frozen=True, slots=True)
class Municipality:
    """One current municipality of Norway (2024 structure) or Denmark (2007 structure).

    Attributes
    ----------
    country : {"NO", "DK"}
        Country code.
    code : str
        Official code: NO 4-digit kommunenummer (``"0301"``), DK 3-digit kommunekode (``"101"``).
    name : str
        Everyday (Norwegian or Danish) name, without disambiguator.
    name_official : str
        Full official form; for Norway the SSB Klass name with Sami/Kven parallel names joined by
        ``" - "`` and a county disambiguator where SSB has one, e.g. ``"Herøy (Nordland)"``.
    parallel_names : tuple of str
        Other official names (Sami, Kven); empty for Denmark and most of Norway.
    county_code, county_name : str
        NO county (fylke, e.g. ``"55"``, ``"Troms"``) or DK region (``"1084"``,
        ``"Region Hovedstaden"``).
    county_name_official : str
        NO county's full official name with parallel names; DK: the region name.
    population : int
        Inhabitants on ``population_date`` (NO 1 January 2024, DK 1 January 2020).
    population_year : int
        Reference year of ``population``.
    population_date : datetime.date
        Reference date of ``population``.
    code4 : str
        4-digit code (NO: same as ``code``; DK: zero-padded, ``"0101"``).
    iso_region : str
        ISO 3166-2 code of the county or region (``"NO-03"``, ``"DK-84"``).
    language_form : str or None
        NO målform (Bokmål, Nynorsk, Nøytral); None for Denmark. Unverified convenience field.
    area_km2 : float or None
        Area; NO only. Unverified convenience field.
    admin_centre : str or None
        Administrative centre; NO only. Unverified convenience field.
    valid_from : datetime.date or None
        NO: first day of the unbroken run of Klass versions using this code.
    valid_from_is_lower_bound : bool
        True when ``valid_from`` means "in use since at least then".
    """

    country: Country
    code: str
    name: str
    name_official: str
    parallel_names: tuple[str, ...]
    county_code: str
    county_name: str
    county_name_official: str
    population: int
    population_year: int
    population_date: dt.date
    code4: str
    iso_region: str
    language_form: str | None = None
    area_km2: float | None = None
    admin_centre: str | None = None
    valid_from: dt.date | None = None
    valid_from_is_lower_bound: bool = False

    @property
    def size_class(self) -> SizeClass:
        """The population size class (see :mod:`tillit.registry.sizeclass`)."""
        return size_class_for(self.population)

    @property
    def all_names(self) -> tuple[str, ...]:
        """Every name the municipality is known by: name, official form, parallel names."""
        names = [self.name, self.name_official, *self.parallel_names]
        return tuple(dict.fromkeys(names))

    @property
    def label(self) -> str:
        """Name with its county or region, enough to tell namesakes apart."""
        return f"{self.name} ({self.county_name})"

    @property
    def slug(self) -> tuple[str, str]:
        """``(country in lower case, code)``: the parts of the detail page address."""
        return self.country.lower(), self.code

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO strings, tuples as lists, with size class)."""
        return {
            "country": self.country,
            "code": self.code,
            "code4": self.code4,
            "name": self.name,
            "name_official": self.name_official,
            "parallel_names": list(self.parallel_names),
            "county_code": self.county_code,
            "county_name": self.county_name,
            "county_name_official": self.county_name_official,
            "iso_region": self.iso_region,
            "population": self.population,
            "population_year": self.population_year,
            "population_date": self.population_date.isoformat(),
            "size_class": str(self.size_class),
            "language_form": self.language_form,
            "area_km2": self.area_km2,
            "admin_centre": self.admin_centre,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_from_is_lower_bound": self.valid_from_is_lower_bound,
        }


@dataclass(frozen=True, slots=True)
class CodeChange:
    """One row of a code-change table: an old code (and name) leading to a new one.

    Attributes
    ----------
    country : {"NO", "DK"}
    old_code, old_name, new_code, new_name : str
        The unit before and after the change. DK ``new_name`` is the name at the change;
        ``new_name_current`` the name used today.
    year : int
        Year of the change (it takes effect on ``change_date``, always 1 January).
    change_date : datetime.date
    change_type : str
        ``merge``, ``split``, ``split+merge``, ``rename``, ``renumber``, ``renumber+rename``
        (NO) or ``merge``, ``split``, ``unchanged`` (DK).
    old_unit_split : bool
        The old unit was divided between several new units (no population weights exist).
    primary_target : bool
        DK: this row's new unit holds most of a divided old unit (one per old code). NO: True.
    new_name_current : str
        The new unit's name today (DK; NO: same as ``new_name``).
    old_county_code, old_county_name : str
        DK: the pre-2007 county (amt); empty for Norway.
    """

    country: Country
    old_code: str
    old_name: str
    new_code: str
    new_name: str
    year: int
    change_date: dt.date
    change_type: str
    old_unit_split: bool = False
    primary_target: bool = True
    new_name_current: str = ""
    old_county_code: str = ""
    old_county_name: str = ""

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "country": self.country,
            "old_code": self.old_code,
            "old_name": self.old_name,
            "new_code": self.new_code,
            "new_name": self.new_name,
            "year": self.year,
            "change_date": self.change_date.isoformat(),
            "change_type": self.change_type,
            "old_unit_split": self.old_unit_split,
            "primary_target": self.primary_target,
        }


@dataclass(frozen=True, slots=True)
class CrosswalkRow:
    """One row of ``crosswalk_no_to_2024.csv``: a code of one Klass version and a 2024 code."""

    version_valid_from: dt.date
    version_valid_to: dt.date
    old_code: str
    old_name: str
    code_2024: str
    name_2024: str
    old_unit_split: bool
    note: str = ""
