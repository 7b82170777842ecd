"""The registry: list, filter and look up municipalities by code or name.

:class:`Registry` holds the municipalities and code tables and answers every question;
the module-level functions (:func:`get`, :func:`find`, :func:`search`, :func:`municipalities`,
:func:`crosswalk`, :func:`history`) ask the registry built from the bundled files.

Codes
    NO 4-digit kommunenummer (``"0301"``); DK 3-digit kommunekode (``"101"``) or its 4-digit
    form (``"0101"``). Integers and codes without their leading zero are accepted (``301`` is
    Oslo). When a code matches in both countries, pass ``country=``.

Names
    Compared by :func:`tillit.registry.normalise.name_key` (no case, accents or punctuation),
    over every official name including Sami and Kven parallel names.
"""

from __future__ import annotations

import bisect
import functools
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from tillit.errors import ErrorCode, NotFoundError, TillitError
from tillit.registry import load
from tillit.registry.crosswalk import Crosswalker, CrosswalkResult
from tillit.registry.fuzzy import CloseMatcher
from tillit.registry.model import (
    COUNTRIES,
    CodeChange,
    Country,
    CrosswalkRow,
    Municipality,
)
from tillit.registry.normalise import (
    clean_code,
    code_forms,
    name_key,
    normalise_name,
    parse_country,
)
from tillit.registry.sizeclass import SizeClass, parse_size_class

MatchKind = Literal["exact", "prefix", "word", "substring", "former", "fuzzy"]

#: Score of each kind of match (higher is better); fuzzy matches score 0.6 × similarity.
MATCH_SCORES: dict[str, float] = {
    "exact": 1.0,
    "prefix": 0.9,
    "word": 0.85,
    "former": 0.8,
    "substring": 0.7,
}

#: Smallest :class:`difflib.SequenceMatcher` ratio for a fuzzy (typo) match.
FUZZY_CUTOFF = 0.7

_FIND_HINT = "Search by name with `tillit registry find NAME`."


@dataclass(frozen=True, slots=True)
class Match:
    """One search hit.

    Attributes
    ----------
    municipality : Municipality
    score : float
        1.0 for an exact name; lower for prefix, word, former-name, substring and fuzzy hits.
    matched_name : str
        The name that matched (may be a parallel or former name).
    kind : {"exact", "prefix", "word", "substring", "former", "fuzzy"}
    """

    municipality: Municipality
    score: float
    matched_name: str
    kind: MatchKind


@dataclass(frozen=True, slots=True)
class _NameEntry:
    key: str
    words: tuple[str, ...]
    name: str
    municipality: Municipality
    former: bool


class Registry:
    """Municipalities of Norway and Denmark with their code history.

    Parameters
    ----------
    municipalities : iterable of Municipality
        Current municipalities (codes unique within a country).
    changes_no, changes_dk : iterable of CodeChange
        Code-change tables.
    crosswalk_no : iterable of CrosswalkRow
        The Norwegian crosswalk to 2024.

    Examples
    --------
    >>> reg = Registry.bundled()
    >>> reg.get("0301").name
    'Oslo'
    >>> [m.code for m in reg.find("aarhus")]
    ['751']
    """

    def __init__(
        self,
        municipalities: Iterable[Municipality],
        changes_no: Iterable[CodeChange] = (),
        changes_dk: Iterable[CodeChange] = (),
        crosswalk_no: Iterable[CrosswalkRow] = (),
    ):
        self._all: tuple[Municipality, ...] = tuple(municipalities)
        self._by_code: dict[str, dict[str, Municipality]] = {c: {} for c in COUNTRIES}
        for m in self._all:
            if m.code in self._by_code[m.country]:
                raise TillitError(f"duplicate code {m.country} {m.code}", ErrorCode.CORRUPT_FILE)
            self._by_code[m.country][m.code] = m
        self.changes: dict[str, tuple[CodeChange, ...]] = {
            "NO": tuple(changes_no),
            "DK": tuple(changes_dk),
        }
        self._crosswalk_rows = tuple(crosswalk_no)
        self._names: tuple[_NameEntry, ...] = self._index_names()
        self._by_key: dict[str, list[_NameEntry]] = defaultdict(list)
        for entry in self._names:
            self._by_key[entry.key].append(entry)
        self._matcher = CloseMatcher(self._by_key)
        # All keys in one string, so that finding the names containing a query is one C-level
        # scan (str.find) instead of a Python loop over every name.
        self._joined = "\n".join(e.key for e in self._names)
        self._starts = list(itertools.accumulate((len(e.key) + 1 for e in self._names), initial=0))

    @classmethod
    def bundled(cls) -> Registry:
        """The registry of the bundled files (built once per process)."""
        return default_registry()

    # -- listing ------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._all)

    def __iter__(self) -> Iterator[Municipality]:
        return iter(self._all)

    def municipalities(
        self,
        country: str | None = None,
        county: str | None = None,
        size_class: str | SizeClass | None = None,
    ) -> tuple[Municipality, ...]:
        """List municipalities, NO then DK, each by code, optionally filtered.

        Parameters
        ----------
        country : {"no", "dk"} or None
            Case-insensitive.
        county : str or None
            NO county code (``"55"``, ``"3"`` is read as ``"03"``) or DK region code
            (``"1084"``).
        size_class : {"small", "medium", "large", "city"} or None

        Raises
        ------
        TillitError
            For an unknown country, county/region or size class.
        """
        wanted = parse_country(country)
        size = parse_size_class(size_class) if size_class else None
        out: Iterable[Municipality] = self._all
        if wanted:
            out = (m for m in out if m.country == wanted)
        if county:
            codes = self._county_codes(str(county), wanted)
            out = (m for m in out if (m.country, m.county_code) in codes)
        if size is not None:
            out = (m for m in out if m.size_class is size)
        return tuple(out)

    def counties(self, country: str | None = None) -> tuple[tuple[str, str, str], ...]:
        """``(country, code, name)`` of every NO county and DK region, by country then code."""
        wanted = parse_country(country)
        seen = {
            (m.country, m.county_code, m.county_name)
            for m in self._all
            if wanted is None or m.country == wanted
        }
        order = {c: i for i, c in enumerate(COUNTRIES)}
        return tuple(sorted(seen, key=lambda t: (order[t[0]], t[1])))

    def _county_codes(self, county: str, country: Country | None) -> set[tuple[str, str]]:
        text = county.strip()
        known = {(c, code) for c, code, _ in self.counties(country)}
        candidates = {(c, code) for c, code in known if code in (text, text.zfill(2))}
        if not candidates:
            listing = ", ".join(f"{code} {name}" for _, code, name in self.counties(country))
            raise TillitError(
                f"unknown county or region code {county!r}",
                ErrorCode.INVALID_INPUT,
                hint=f"Known codes: {listing}.",
            )
        return candidates

    # -- by code ------------------------------------------------------------------------------

    def get(self, code: str | int, country: str | None = None) -> Municipality:
        """Look a municipality up by its current code.

        Parameters
        ----------
        code : str or int
            ``"0301"``, ``301``, ``"101"``, ``"0101"`` …
        country : {"no", "dk"} or None
            Needed only when the code exists in both countries.

        Raises
        ------
        NotFoundError
            When no current municipality has the code; the hint says what the code was if it
            is an old code, and how to crosswalk it.
        TillitError
            With code ``ambiguous`` when the code matches in both countries.
        """
        text = clean_code(code)
        wanted = parse_country(country)
        hits = [
            m
            for c in COUNTRIES
            if wanted in (None, c)
            and (m := self._by_code[c].get(code_forms(text, 4 if c == "NO" else 3))) is not None
        ]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            listing = " and ".join(f"{m.country} {m.code} {m.name}" for m in hits)
            raise TillitError(
                f"code {text} matches {listing}",
                ErrorCode.AMBIGUOUS,
                hint="Say which country: country='NO' or 'DK' (CLI: --country no|dk).",
                errors=[{"field": "code", "value": text}],
            )
        raise self._code_not_found(text, wanted)

    def _code_not_found(self, text: str, country: Country | None) -> NotFoundError:
        where = f"{country} " if country else ""
        hints = [
            h
            for c in COUNTRIES
            if country in (None, c) and (h := self.crosswalker.old_code_hint(text, c)) is not None
        ]
        hint = (
            " ".join(hints)
            if hints
            else f"{_FIND_HINT} For an old code use "
            + ("`tillit registry crosswalk CODE --year YEAR`.")
        )
        if hints:
            hint += f" {_FIND_HINT}"
        return NotFoundError(
            f"no current {where}municipality has code {text}",
            hint=hint,
            errors=[{"field": "code", "value": text}],
        )

    def has_code(self, country: str, code: str) -> bool:
        """True when ``code`` is a current code of ``country`` (exact string)."""
        return code in self._by_code.get(country.upper(), {})

    # -- by name ------------------------------------------------------------------------------

    def _index_names(self) -> tuple[_NameEntry, ...]:
        entries: list[_NameEntry] = []
        for m in self._all:
            for name in m.all_names:
                entries.append(_entry(name, m, former=False))
        current_keys = {e.key for e in entries}
        for country, changes in self.changes.items():
            for ch in changes:
                target = self._by_code[country].get(ch.new_code)
                if target is None:
                    continue
                for former in (ch.new_name, ch.old_name if ch.old_code == ch.new_code else ""):
                    if former and name_key(former) not in current_keys:
                        entries.append(_entry(former, target, former=True))
        unique = {(e.key, e.municipality.country, e.municipality.code): e for e in entries}
        return tuple(unique.values())

    def find(self, name: str, country: str | None = None) -> tuple[Municipality, ...]:
        """Municipalities whose name (any official or parallel name) equals ``name``.

        Case, accents and punctuation are ignored (``"tromso"`` finds Tromsø,
        ``"Guovdageaidnu"`` Kautokeino, ``"Århus"`` Aarhus). Namesakes are all returned
        (``"Herøy"`` gives two). When no current name matches, former names are tried
        (``"Frederiksværk-Hundested"`` gives Halsnæs).

        Returns
        -------
        tuple of Municipality
            Sorted NO before DK, then by code; empty when nothing matches.
        """
        wanted = parse_country(country)
        entries = [
            e
            for e in self._by_key.get(name_key(name), [])
            if wanted in (None, e.municipality.country)
        ]
        current = [e for e in entries if not e.former]
        chosen = current or entries
        return _sorted_unique(e.municipality for e in chosen)

    def search(self, query: str, limit: int = 10, country: str | None = None) -> tuple[Match, ...]:
        """Rank municipalities by how well a name matches ``query``.

        Exact names first, then names starting with the query, names with a word starting with
        it, former names, names containing it, and finally :mod:`difflib` close matches for
        typos (see :mod:`tillit.registry.fuzzy`). Each municipality appears once, with its best
        match.

        Parameters
        ----------
        query : str
            Part of a name.
        limit : int
            Most matches to return (1 or more).
        country : {"no", "dk"} or None

        Returns
        -------
        tuple of Match
            Best first; ties by name.
        """
        if limit < 1:
            raise TillitError(f"limit must be 1 or more, got {limit}", ErrorCode.INVALID_INPUT)
        wanted = parse_country(country)
        qkey = name_key(query)
        if not qkey:
            return ()
        qnorm = normalise_name(query)
        best: dict[tuple[str, str], Match] = {}

        def offer(entry: _NameEntry, kind: MatchKind, score: float) -> None:
            m = entry.municipality
            if wanted not in (None, m.country):
                return
            key = (m.country, m.code)
            old = best.get(key)
            if old is None or score > old.score:
                best[key] = Match(m, score, entry.name, kind)

        for entry in self._containing(qkey):
            if entry.key == qkey:
                kind: MatchKind = "former" if entry.former else "exact"
            elif entry.key.startswith(qkey):
                kind = "prefix"
            elif any(w.startswith(qnorm) for w in entry.words):
                kind = "word"
            else:
                kind = "substring"
            score = MATCH_SCORES[kind]
            if entry.former and kind != "former":
                score -= 0.2
            offer(entry, kind, score)
        if len(best) < limit:
            for ratio, key in self._matcher.close_matches(qkey, n=limit, cutoff=FUZZY_CUTOFF):
                for entry in self._by_key[key]:
                    offer(entry, "fuzzy", round(0.6 * ratio, 4))
        ranked = sorted(
            best.values(),
            key=lambda h: (-h.score, name_key(h.municipality.name), h.municipality.country),
        )
        return tuple(ranked[:limit])

    def _containing(self, qkey: str) -> list[_NameEntry]:
        """Name entries whose key contains ``qkey`` (in index order)."""
        found: list[_NameEntry] = []
        last = -1
        position = self._joined.find(qkey)
        while position != -1:
            index = bisect.bisect_right(self._starts, position) - 1
            if index != last:
                found.append(self._names[index])
                last = index
            position = self._joined.find(qkey, position + 1)
        return found

    # -- history and crosswalk ----------------------------------------------------------------

    @functools.cached_property
    def crosswalker(self) -> Crosswalker:
        """The crosswalk engine (built on first use)."""
        return Crosswalker(
            self._by_code, self.changes["NO"], self.changes["DK"], self._crosswalk_rows
        )

    def crosswalk(self, code: str | int, year: int, country: str | None = None) -> CrosswalkResult:
        """Map ``code`` as used in ``year`` to the current municipality or municipalities.

        See :mod:`tillit.registry.crosswalk` for the rules. Without ``country`` the code is
        tried in both countries; if it was valid in both that year, an ambiguity error asks
        for ``country``.

        Raises
        ------
        NotFoundError
            When the code was not in use that year; the hint names the years it was.
        TillitError
            ``ambiguous`` when both countries used the code; ``invalid_input`` for a year
            before the bundled tables.
        """
        wanted = parse_country(country)
        text = clean_code(code)
        if wanted is not None:
            return self.crosswalker.crosswalk(text, year, wanted)
        results: list[CrosswalkResult] = []
        errors: list[TillitError] = []
        for c in COUNTRIES:
            try:
                results.append(self.crosswalker.crosswalk(text, year, c))
            except TillitError as exc:
                errors.append(exc)
        if len(results) == 1:
            return results[0]
        if len(results) > 1:
            listing = " and ".join(f"{r.country} {r.code} {r.name}" for r in results)
            raise TillitError(
                f"code {text} in {year} matches {listing}",
                ErrorCode.AMBIGUOUS,
                hint="Say which country with --country no|dk (country= in Python).",
                errors=[{"field": "code", "value": text, "year": year}],
            )
        not_found = [e for e in errors if isinstance(e, NotFoundError)]
        if len(not_found) == len(errors):
            useful = [e.hint for e in not_found if "until" in e.hint or "current code" in e.hint]
            raise NotFoundError(
                f"code {text} was not a municipality code in {year} (Norway or Denmark)",
                hint=" ".join(useful) or f"Check the code and year. {_FIND_HINT}",
                errors=[{"field": "code", "value": text, "year": year}],
            )
        raise errors[0]

    def history(self, municipality: Municipality) -> tuple[CodeChange, ...]:
        """Every code-change row that leads to this municipality's code, oldest first."""
        return self.crosswalker.logs[municipality.country].history(municipality.code)

    def check_crosswalk_consistency(self) -> list[str]:
        """Disagreements between the NO crosswalk and the chained change table (see
        :meth:`tillit.registry.crosswalk.Crosswalker.check_consistency`)."""
        return self.crosswalker.check_consistency()


def _entry(name: str, m: Municipality, former: bool) -> _NameEntry:
    norm = normalise_name(name)
    return _NameEntry(norm.replace(" ", ""), tuple(norm.split()), name, m, former)


def _sorted_unique(ms: Iterable[Municipality]) -> tuple[Municipality, ...]:
    order = {c: i for i, c in enumerate(COUNTRIES)}
    unique = {(m.country, m.code): m for m in ms}
    return tuple(sorted(unique.values(), key=lambda m: (order[m.country], m.code4)))


# -- the bundled registry and module-level shortcuts ------------------------------------------


@functools.cache
def default_registry() -> Registry:
    """The registry built from the bundled files (once per process)."""
    return Registry(
        load.municipalities_no() + load.municipalities_dk(),
        load.code_changes_no(),
        load.code_changes_dk(),
        load.crosswalk_no(),
    )


def municipalities(
    country: str | None = None,
    county: str | None = None,
    size_class: str | SizeClass | None = None,
) -> tuple[Municipality, ...]:
    """List bundled municipalities (see :meth:`Registry.municipalities`).

    Examples
    --------
    >>> len(municipalities("no")), len(municipalities("dk"))
    (357, 98)
    """
    return default_registry().municipalities(country, county, size_class)


def get(code: str | int, country: str | None = None) -> Municipality:
    """Look up a current municipality by code (see :meth:`Registry.get`).

    Examples
    --------
    >>> get(301).name, get("0101").name
    ('Oslo', 'København')
    """
    return default_registry().get(code, country)


def find(name: str, country: str | None = None) -> tuple[Municipality, ...]:
    """Municipalities with exactly this name, ignoring case and accents (see
    :meth:`Registry.find`).

    Examples
    --------
    >>> [m.code for m in find("Herøy")]
    ['1515', '1818']
    """
    return default_registry().find(name, country)


def search(query: str, limit: int = 10, country: str | None = None) -> tuple[Match, ...]:
    """Ranked fuzzy name search (see :meth:`Registry.search`).

    Examples
    --------
    >>> search("trondhjem", limit=1)[0].municipality.code
    '5001'
    """
    return default_registry().search(query, limit, country)


def crosswalk(code: str | int, year: int, country: str | None = None) -> CrosswalkResult:
    """Map an old code of ``year`` to current municipalities (see :meth:`Registry.crosswalk`).

    Examples
    --------
    >>> crosswalk("1201", 2019).successor_codes
    ('4601',)
    """
    return default_registry().crosswalk(code, year, country)


def history(municipality: Municipality) -> tuple[CodeChange, ...]:
    """Code-change rows leading to a municipality's code (see :meth:`Registry.history`)."""
    return default_registry().history(municipality)


def counties(country: str | None = None) -> tuple[tuple[str, str, str], ...]:
    """``(country, code, name)`` of NO counties and DK regions."""
    return default_registry().counties(country)


def check_crosswalk_consistency() -> list[str]:
    """Disagreements between the bundled NO crosswalk and change table (empty if none)."""
    return default_registry().check_crosswalk_consistency()


__all__ = [
    "Match",
    "Registry",
    "check_crosswalk_consistency",
    "counties",
    "crosswalk",
    "default_registry",
    "find",
    "get",
    "history",
    "municipalities",
    "search",
]
