"""Register summaries for the map and the diffusion timeline (plain Python, no writes).

* **Reform status of a municipality**: the most advanced status among its initiatives, in the
  order active > ended > planned > abandoned > suggested. Rejected suggestions do not count;
  a municipality with none of these has no status (grey on the map).
* **Adoption year**: the first ``start_year`` among a municipality's active or ended
  initiatives. The diffusion curve counts, per country and year, the municipalities that had
  adopted by the end of that year; adoptions without a known year are listed apart.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

#: Status order on the map, most advanced first.
STATUS_ORDER = ("active", "ended", "planned", "abandoned", "suggested")
ADOPTED = ("active", "ended")
COUNTRIES = ("NO", "DK")


def municipality_status(initiatives: Iterable[Any]) -> dict[tuple[str, str], str]:
    """``{(country, code): status}`` with the most advanced status of each municipality."""
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    best: dict[tuple[str, str], str] = {}
    for i in initiatives:
        if i.status not in rank:
            continue
        key = (i.country, i.municipality_code)
        if key not in best or rank[i.status] < rank[best[key]]:
            best[key] = i.status
    return best


def status_counts(status: dict[tuple[str, str], str]) -> dict[str, dict[str, int]]:
    """``{country: {status: n municipalities}}`` for every country and status (zeros kept)."""
    counts = Counter((c, s) for (c, _), s in status.items())
    return {c: {s: counts[(c, s)] for s in STATUS_ORDER} for c in COUNTRIES}


def adoption_years(initiatives: Iterable[Any]) -> dict[tuple[str, str], int | None]:
    """``{(country, code): first start year}`` of municipalities with an active or ended
    initiative (None when no such initiative has a year)."""
    years: dict[tuple[str, str], int | None] = {}
    for i in initiatives:
        if i.status not in ADOPTED:
            continue
        key = (i.country, i.municipality_code)
        old = years.get(key)
        if key not in years or (i.start_year is not None and (old is None or i.start_year < old)):
            years[key] = i.start_year
    return years


@dataclass(frozen=True)
class DiffusionRow:
    country: str
    year: int
    new: int
    cumulative: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "country": self.country,
            "year": self.year,
            "new": self.new,
            "cumulative": self.cumulative,
        }


def diffusion(
    adoptions: dict[tuple[str, str], int | None], first: int | None = None, last: int | None = None
) -> tuple[list[DiffusionRow], dict[str, int]]:
    """Cumulative adoptions per country and year, and the number without a year per country.

    The years run from the first to the last adoption year over both countries (or
    ``first``/``last``), so both curves share one axis.
    """
    per: dict[str, Counter[int]] = defaultdict(Counter)
    unknown = dict.fromkeys(COUNTRIES, 0)
    for (country, _), year in adoptions.items():
        if year is None:
            unknown[country] = unknown.get(country, 0) + 1
        else:
            per[country][year] += 1
    years = [y for c in per.values() for y in c]
    if not years:
        return [], unknown
    lo = min(years) if first is None else first
    hi = max(years) if last is None else last
    rows: list[DiffusionRow] = []
    for country in COUNTRIES:
        total = sum(n for y, n in per[country].items() if y < lo)
        for year in range(lo, hi + 1):
            total += per[country][year]
            rows.append(DiffusionRow(country, year, per[country][year], total))
    return rows, unknown
