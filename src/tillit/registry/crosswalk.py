"""Crosswalk: which current municipality (or municipalities) an old code of a given year became.

Rules
-----
A year means the code list in force during that year; changes take effect on 1 January, so
in 2020 Bergen already had its new code 4601 and in 2019 it still had 1201.

Norway (current structure: 2024, 357 municipalities)

* 2024 and later: current codes map to themselves.
* 2002–2023: the SSB Klass version in force that year, through ``crosswalk_no_to_2024.csv``
  (which resolves the 2024 Ålesund/Haram split by 2019 borders for codes of versions before
  2020; those rows carry a note).
* 1971–2001: the code is chained through ``code_changes_no.csv`` to the 2002 version, then
  crosswalked as above.

Denmark (current structure: 2007, 98 municipalities)

* 2007 and later: current codes map to themselves.
* Before 2007: the 271 old codes through ``code_changes_dk.csv``; the five Bornholm
  municipalities 401–409 merged into 400 in 2003 and are valid only up to 2002.

When an old unit was divided between several new ones (``is_split``), every successor is
returned, with a warning naming them: no population weights exist to divide its figures. For
Denmark the successor holding most of it is ``primary_target``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tillit.errors import ErrorCode, NotFoundError, TillitError
from tillit.registry.model import CodeChange, Country, CrosswalkRow, Municipality
from tillit.registry.normalise import code_forms

#: First year each country's tables can answer for.
FIRST_YEAR: dict[str, int] = {"NO": 1971, "DK": 1970}
#: First year of each country's current structure.
CURRENT_FROM: dict[str, int] = {"NO": 2024, "DK": 2007}
#: First year of the NO versions held in crosswalk_no_to_2024.csv.
NO_CROSSWALK_FROM = 2002

# SSB's change table lists only units whose code or name changed, so a unit that absorbed part
# of another and kept its code looks "new" in that year's rows. These are the known cases before
# 2002 (after 2002 the crosswalk versions prove the table complete: see
# check_crosswalk_consistency). 0128 Rakkestad received part of 0114 Varteig in 1992.
_KEPT_CODE_ABSORBERS: dict[str, frozenset[tuple[str, int]]] = {
    "NO": frozenset({("0128", 1992)}),
    "DK": frozenset(),
}


@dataclass(frozen=True, slots=True)
class CrosswalkResult:
    """Where one old code of one year ended up.

    Attributes
    ----------
    country : {"NO", "DK"}
    code : str
        The queried code, normalised (NO 4 digits, DK 3 digits).
    year : int
        The queried year.
    name : str
        The code's name in that year.
    successors : tuple of Municipality
        Current municipalities the unit became part of, by code.
    is_split : bool
        The old unit was divided between several successors.
    primary_target : Municipality or None
        DK splits: the successor that holds most of the old unit. None otherwise.
    warnings : tuple of str
        What a user must know (splits, corrections).
    via : str
        How the answer was found (table and chain of changes), for people.
    path : tuple of CodeChange
        The change-table rows applied, oldest first.
    """

    country: Country
    code: str
    year: int
    name: str
    successors: tuple[Municipality, ...]
    is_split: bool
    primary_target: Municipality | None
    warnings: tuple[str, ...]
    via: str
    path: tuple[CodeChange, ...] = ()

    @property
    def is_identity(self) -> bool:
        """True when the code is a current code and maps to itself."""
        return len(self.successors) == 1 and self.successors[0].code == self.code and not self.path

    @property
    def successor_codes(self) -> tuple[str, ...]:
        """Codes of the successors."""
        return tuple(m.code for m in self.successors)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "country": self.country,
            "code": self.code,
            "year": self.year,
            "name": self.name,
            "successors": [
                {"code": m.code, "name": m.name, "county_name": m.county_name}
                for m in self.successors
            ],
            "is_split": self.is_split,
            "primary_target": self.primary_target.code if self.primary_target else None,
            "warnings": list(self.warnings),
            "via": self.via,
            "path": [c.as_dict() for c in self.path],
        }


class ChangeLog:
    """One country's code-change table, indexed for chaining codes forward and backward.

    Parameters
    ----------
    country : {"NO", "DK"}
    changes : iterable of CodeChange
        The change rows (any order).
    current_codes : iterable of str
        The codes of the current structure (the state after the last change).
    """

    def __init__(
        self, country: Country, changes: Iterable[CodeChange], current_codes: Iterable[str]
    ):
        self.country: Country = country
        by_date: dict[dt.date, list[CodeChange]] = defaultdict(list)
        for change in changes:
            by_date[change.change_date].append(change)
        self.dates: tuple[dt.date, ...] = tuple(sorted(by_date))
        self.rows: dict[dt.date, tuple[CodeChange, ...]] = {
            d: tuple(by_date[d]) for d in self.dates
        }
        self.by_old: dict[dt.date, dict[str, tuple[CodeChange, ...]]] = {}
        for d, rows in self.rows.items():
            index: dict[str, list[CodeChange]] = defaultdict(list)
            for row in rows:
                index[row.old_code].append(row)
            self.by_old[d] = {code: tuple(rs) for code, rs in index.items()}
        self.current_codes = frozenset(current_codes)

    def dates_after(self, year: int, until: int | None = None) -> list[dt.date]:
        """Change dates that fall after the code list of ``year`` (up to year ``until``)."""
        return [d for d in self.dates if d.year > year and (until is None or d.year <= until)]

    def chain(
        self, code: str, year: int, until: int | None = None
    ) -> tuple[tuple[str, ...], tuple[CodeChange, ...]]:
        """Follow ``code`` of ``year`` through every later change (up to year ``until``).

        Returns
        -------
        codes : tuple of str
            The codes the unit ended up in, in first-seen order.
        path : tuple of CodeChange
            The rows applied, oldest first.
        """
        codes: list[str] = [code]
        path: list[CodeChange] = []
        for d in self.dates_after(year, until):
            index = self.by_old[d]
            if not any(c in index for c in codes):
                continue
            nxt: list[str] = []
            for c in codes:
                rows = index.get(c)
                if rows is None:
                    nxt.append(c)
                    continue
                path.extend(rows)
                nxt.extend(r.new_code for r in rows)
            codes = list(dict.fromkeys(nxt))
        return tuple(codes), tuple(path)

    @functools.cached_property
    def _states(self) -> dict[int, frozenset[str]]:
        """Code sets in force after each change date, rebuilt backward from the current codes."""
        states: dict[int, frozenset[str]] = {}
        state = set(self.current_codes)
        absorbers = _KEPT_CODE_ABSORBERS[self.country]
        for d in reversed(self.dates):
            states[d.year] = frozenset(state)
            rows = self.rows[d]
            olds = {r.old_code for r in rows}
            created = {r.new_code for r in rows} - olds - {c for c, y in absorbers if y == d.year}
            state = (state - created) | olds
        states[self.dates[0].year - 1] = frozenset(state)
        return states

    def codes_in(self, year: int) -> frozenset[str]:
        """The set of codes in force during ``year`` (derived from the change table)."""
        known = [y for y in self._states if y <= year]
        if not known:
            return self._states[min(self._states)]
        return self._states[max(known)]

    def name_in(self, code: str, year: int) -> str:
        """The name ``code`` had in ``year``: from the first later row that mentions it."""
        for d in self.dates_after(year):
            rows = self.by_old[d].get(code)
            if rows:
                return rows[0].old_name
        return ""

    def last_use(self, code: str) -> tuple[str, int] | None:
        """``(name, last year)`` of a code that is no longer in use, or None if unknown."""
        for d in reversed(self.dates):
            rows = self.by_old[d].get(code)
            if rows and all(r.new_code != code for r in rows):
                return rows[0].old_name, d.year - 1
        return None

    def history(self, code: str) -> tuple[CodeChange, ...]:
        """Every change row that leads (directly or through earlier rows) to current ``code``."""
        wanted = {code}
        found: list[CodeChange] = []
        for d in reversed(self.dates):
            rows = [r for r in self.rows[d] if r.new_code in wanted]
            if not rows:
                continue
            found.extend(rows)
            olds = {r.old_code for r in self.rows[d]}
            created = {r.new_code for r in rows} - olds
            wanted = (wanted - created) | {r.old_code for r in rows}
        found.sort(key=lambda r: (r.change_date, r.new_code, r.old_code))
        return tuple(found)


def _names(ms: Sequence[Municipality]) -> str:
    return ", ".join(f"{m.code} {m.name}" for m in ms)


def _split_warning(code: str, name: str, year: int, successors: Sequence[Municipality]) -> str:
    return (
        f"{code} {name} ({year}) was divided between {len(successors)} municipalities: "
        f"{_names(successors)}. There are no population weights to divide its figures; "
        "decide how to allocate them yourself."
    )


def _describe(path: Sequence[CodeChange]) -> str:
    steps = [
        f"{c.year}: {c.old_code} {c.old_name} → {c.new_code} {c.new_name} ({c.change_type})"
        for c in path
        if not (c.old_code == c.new_code and c.old_name == c.new_name)
    ]
    return "; ".join(steps)


class Crosswalker:
    """Maps old codes of any supported year to current municipalities.

    Parameters
    ----------
    current : mapping of country to mapping of code to Municipality
        The current municipalities of each country, by code.
    changes_no, changes_dk : sequence of CodeChange
        The two change tables.
    crosswalk_no : sequence of CrosswalkRow
        ``crosswalk_no_to_2024.csv``.
    """

    def __init__(
        self,
        current: Mapping[str, Mapping[str, Municipality]],
        changes_no: Sequence[CodeChange],
        changes_dk: Sequence[CodeChange],
        crosswalk_no: Sequence[CrosswalkRow],
    ):
        self.current = current
        self.logs: dict[str, ChangeLog] = {
            "NO": ChangeLog("NO", changes_no, current.get("NO", {}).keys()),
            "DK": ChangeLog("DK", changes_dk, current.get("DK", {}).keys()),
        }
        versions: dict[tuple[dt.date, dt.date], dict[str, list[CrosswalkRow]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for row in crosswalk_no:
            versions[(row.version_valid_from, row.version_valid_to)][row.old_code].append(row)
        self.versions: dict[tuple[dt.date, dt.date], dict[str, tuple[CrosswalkRow, ...]]] = {
            key: {code: tuple(rows) for code, rows in by_code.items()}
            for key, by_code in versions.items()
        }
        self.version_of_year: dict[int, tuple[dt.date, dt.date]] = {}
        for start, end in self.versions:
            for year in range(start.year, end.year):
                self.version_of_year[year] = (start, end)

    # -- public -------------------------------------------------------------------------------

    def crosswalk(self, code: str | int, year: int, country: Country) -> CrosswalkResult:
        """Map ``code`` as it was in ``year`` to current municipalities (see module docstring)."""
        year = _check_year(year, country)
        if country == "NO":
            return self._crosswalk_no(code_forms(code, 4), year)
        return self._crosswalk_dk(code_forms(code, 3), year)

    def old_code_hint(self, code: str | int, country: Country) -> str | None:
        """A hint for a code no longer in use: its name, last year and the command to run."""
        norm = code_forms(code, 4 if country == "NO" else 3)
        last = self.logs[country].last_use(norm)
        if last is None:
            return None
        name, year = last
        return (
            f"{norm} was {name} ({country}) until {year}: run "
            f"`tillit registry crosswalk {norm} --year {year} --country {country.lower()}`."
        )

    def valid_codes(self, year: int, country: Country) -> frozenset[str]:
        """The codes in force in ``year`` (NO 2002–2023 from the crosswalk versions)."""
        year = _check_year(year, country)
        if country == "NO" and NO_CROSSWALK_FROM <= year < CURRENT_FROM["NO"]:
            return frozenset(self.versions[self.version_of_year[year]])
        return self.logs[country].codes_in(year)

    # -- internals ----------------------------------------------------------------------------

    def _municipality(self, country: str, code: str) -> Municipality:
        return self.current[country][code]

    def _not_found(self, code: str, year: int, country: Country) -> NotFoundError:
        log = self.logs[country]
        hint = f"No {country} municipality had code {code} in {year}."
        last = log.last_use(code)
        if code in self.current[country]:
            first = self._first_year(code, country)
            hint = (
                f"{code} is a current code (in use from {first}); crosswalk it from a year "
                f"when it was in use, or look it up: `tillit registry show {code}`."
            )
        elif last is not None:
            hint = (
                f"{code} was {last[0]} until {last[1]}: run "
                f"`tillit registry crosswalk {code} --year {last[1]} --country {country.lower()}`."
            )
        return NotFoundError(
            f"code {code} was not a {country} municipality code in {year}",
            hint=hint,
            errors=[{"field": "code", "value": code, "year": year, "country": country}],
        )

    def _first_year(self, code: str, country: Country) -> int:
        first = CURRENT_FROM[country]
        for y in range(CURRENT_FROM[country] - 1, FIRST_YEAR[country] - 1, -1):
            if code not in self.valid_codes(y, country):
                break
            first = y
        return first

    def _result(
        self,
        country: Country,
        code: str,
        year: int,
        name: str,
        targets: Sequence[str],
        path: Sequence[CodeChange],
        via: str,
        notes: Sequence[str] = (),
        split: bool = False,
        primary: str | None = None,
    ) -> CrosswalkResult:
        successors = tuple(self._municipality(country, t) for t in dict.fromkeys(targets))
        is_split = split or len(successors) > 1
        warnings = list(notes)
        if is_split:
            warnings.insert(0, _split_warning(code, name, year, successors))
        primary_m = self._municipality(country, primary) if primary and is_split else None
        if primary_m is not None:
            warnings.append(
                f"Most of {code} {name} went to {primary_m.code} {primary_m.name} "
                "(primary target, assessed from a map by the source)."
            )
        return CrosswalkResult(
            country=country,
            code=code,
            year=year,
            name=name,
            successors=successors,
            is_split=is_split,
            primary_target=primary_m,
            warnings=tuple(warnings),
            via=via,
            path=tuple(path),
        )

    def _identity(self, country: Country, code: str, year: int) -> CrosswalkResult:
        m = self._municipality(country, code)
        structure = "2024" if country == "NO" else "2007"
        return self._result(
            country, code, year, m.name, [code], (), f"current code ({structure} structure)"
        )

    def _crosswalk_no(self, code: str, year: int) -> CrosswalkResult:
        if year >= CURRENT_FROM["NO"]:
            if code in self.current["NO"]:
                return self._identity("NO", code, year)
            raise self._not_found(code, year, "NO")
        log = self.logs["NO"]
        if year >= NO_CROSSWALK_FROM:
            start_codes: tuple[str, ...] = (code,)
            pre_path: tuple[CodeChange, ...] = ()
            version = self.version_of_year[year]
            if code not in self.versions[version]:
                raise self._not_found(code, year, "NO")
        else:
            if code not in log.codes_in(year):
                raise self._not_found(code, year, "NO")
            start_codes, pre_path = log.chain(code, year, until=NO_CROSSWALK_FROM)
            version = self.version_of_year[NO_CROSSWALK_FROM]
        rows = [r for c in start_codes for r in self.versions[version][c]]
        name = log.name_in(code, year) or rows[0].old_name
        _, chain_path = log.chain(code, year)
        notes = tuple(dict.fromkeys(r.note for r in rows if r.note))
        desc = _describe(chain_path) or "no code changes"
        span = f"{version[0].year}"
        if version[1].year - 1 > version[0].year:
            span += f"–{version[1].year - 1}"
        via = f"SSB Klass version {span} to 2024 (crosswalk_no_to_2024.csv): {desc}"
        if pre_path:
            via = f"code_changes_no.csv to {NO_CROSSWALK_FROM}, then " + via
        if notes:
            via += f" [{'; '.join(notes)}]"
        split = any(r.old_unit_split for r in rows) or len(start_codes) > 1
        return self._result(
            "NO",
            code,
            year,
            name,
            [r.code_2024 for r in rows],
            chain_path,
            via,
            notes=[f"{code} {name}: {n}." for n in notes],
            split=split,
        )

    def _crosswalk_dk(self, code: str, year: int) -> CrosswalkResult:
        if year >= CURRENT_FROM["DK"]:
            if code in self.current["DK"]:
                return self._identity("DK", code, year)
            raise self._not_found(code, year, "DK")
        log = self.logs["DK"]
        if code not in log.codes_in(year):
            raise self._not_found(code, year, "DK")
        targets, path = log.chain(code, year)
        name = log.name_in(code, year)
        split = any(r.old_unit_split for r in path)
        primary = next(
            (
                r.new_code
                for r in path
                if r.old_unit_split and r.primary_target and r.old_code == code
            ),
            None,
        )
        via = "code_changes_dk.csv: " + (_describe(path) or "unchanged")
        return self._result(
            "DK", code, year, name, targets, path, via, split=split, primary=primary
        )

    # -- invariants ---------------------------------------------------------------------------

    def check_consistency(self) -> list[str]:
        """Compare ``crosswalk_no_to_2024.csv`` with chaining ``code_changes_no.csv``.

        For every Klass version 2002–2023: the version's code set must equal the set rebuilt
        backward from the 2024 codes, and every code chained forward must reach the same 2024
        codes as the crosswalk rows, except the rows with a note (the documented Ålesund/Haram
        correction). Also every DK old code must reach only current codes.

        Returns
        -------
        list of str
            One line per disagreement; empty when the tables agree.
        """
        problems: list[str] = []
        log = self.logs["NO"]
        for (start, _end), by_code in sorted(self.versions.items()):
            expected = log.codes_in(start.year)
            if set(by_code) != expected:
                extra = sorted(set(by_code) - expected)
                missing = sorted(expected - set(by_code))
                problems.append(
                    f"NO {start.year}: version codes differ from the change table "
                    f"(only in crosswalk: {extra}; only in changes: {missing})"
                )
            for code, rows in by_code.items():
                if any(r.note for r in rows):
                    continue
                chained, _ = log.chain(code, start.year)
                listed = tuple(dict.fromkeys(r.code_2024 for r in rows))
                if set(chained) != set(listed):
                    problems.append(
                        f"NO {start.year} {code}: crosswalk gives {listed}, chain gives {chained}"
                    )
                if (len(listed) > 1) != any(r.old_unit_split for r in rows):
                    problems.append(f"NO {start.year} {code}: split flag disagrees with targets")
        dk = self.logs["DK"]
        for year in (2002, 2006):
            for code in sorted(dk.codes_in(year)):
                chained, _ = dk.chain(code, year)
                if not set(chained) <= self.current["DK"].keys():
                    problems.append(f"DK {year} {code}: chain ends outside the 98 ({chained})")
        return problems


def _check_year(year: int, country: Country) -> int:
    if isinstance(year, bool) or not isinstance(year, int):
        raise TillitError(f"year must be a whole number, got {year!r}", ErrorCode.INVALID_INPUT)
    first = FIRST_YEAR[country]
    if year < first:
        raise TillitError(
            f"no {country} code lists before {first} are bundled (asked for {year})",
            ErrorCode.INVALID_INPUT,
            hint=f"Use a year from {first} on.",
        )
    return year
