"""Disclosure control for survey tables of groups within countries, as pandas frames.

A survey indicator is published per country and per group of one or more *groupings* (county
or region, size class). All of them count the same respondents, so they are protected as one
linked table: the total over countries, each country, each group of each grouping (the
margins), and the cross-classification of the groupings inside each country as structural
unknowns (never published). Primary suppression hides groups with ``0 < n < k``; secondary
suppression and the audit (:mod:`tillit.disclosure.suppress`) make sure that no hidden group
can be recovered from the country totals and the other grouping.

Examples
--------
>>> import pandas as pd
>>> resp = pd.DataFrame({"country": ["NO"] * 14 + ["DK"] * 9,
...                      "county": ["A"] * 2 + ["B"] * 12 + ["X"] * 9,
...                      "size_class": ["small"] * 10 + ["large"] * 4 + ["small"] * 9})
>>> p = protect_groups(resp, k=5, groupings=("county",))
>>> p.is_hidden("NO", "county", "A"), p.is_hidden("NO", "county", "B")
(True, True)
>>> p.audit.ok
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tillit.disclosure.audit import AuditResult
from tillit.disclosure.suppress import Protection, protect
from tillit.disclosure.tables import LinearTable, TableBuilder

__all__ = ["GroupProtection", "counts_table", "group_table", "protect_counts", "protect_groups"]

TOTAL = "total"


def _group_label(country: str, grouping: str, value: Any) -> str:
    return f"{country}/{grouping}={value}"


def group_table(
    respondents: pd.DataFrame,
    groupings: Sequence[str],
    *,
    country: str = "country",
) -> LinearTable:
    """The linked table of respondent counts (see the module docstring).

    ``respondents`` has one row per respondent with the ``country`` column and one column per
    grouping (rows with a missing value in any of them are left out). Cross-classes without
    respondents are treated as known zeros: the attacker is assumed to know more than the
    registry tells (which combinations exist), so the audit errs on the safe side.
    """
    cols = [country, *groupings]
    missing = [c for c in cols if c not in respondents.columns]
    if missing:
        raise ValueError(f"respondents: no column {missing[0]!r}")
    data = respondents[cols].dropna()
    b = TableBuilder()
    countries = sorted(str(c) for c in data[country].unique())
    b.cell(TOTAL, float(len(data)))
    for c in countries:
        b.cell(c, float((data[country].astype(str) == c).sum()))
    if countries:
        b.relation(TOTAL, countries)
    for c in countries:
        sub = data[data[country].astype(str) == c]
        for g in groupings:
            counts = sub.groupby(g).size()
            labels = []
            for value, n in counts.items():
                lbl = _group_label(c, g, value)
                b.cell(lbl, float(n))
                labels.append(lbl)
            b.relation(c, labels)
        if len(groupings) > 1:
            cross = sub.groupby(list(groupings)).size()
            members: dict[str, list[str]] = {}
            for key, n in cross.items():
                values = key if isinstance(key, tuple) else (key,)
                lbl = f"{c}/" + "&".join(f"{g}={v}" for g, v in zip(groupings, values, strict=True))
                b.cell(lbl, float(n), published=False)
                for g, v in zip(groupings, values, strict=True):
                    members.setdefault(_group_label(c, g, v), []).append(lbl)
            for total, parts in members.items():
                b.relation(total, parts)
    return b.build()


def counts_table(
    counts: Mapping[tuple[str, ...], int] | Iterable[tuple[tuple[str, ...], int]],
    groupings: Sequence[str],
) -> LinearTable:
    """:func:`group_table` from respondent counts instead of respondents: ``counts`` maps
    ``(country, value of each grouping...)`` (all text) to the number of respondents. The
    same table as :func:`group_table` of the respondents these counts describe, built without
    them (no pandas): the fast path for many tables of the same respondents' groups."""
    pairs = counts.items() if isinstance(counts, Mapping) else counts
    cross: dict[tuple[str, ...], int] = {}
    for key, n in pairs:
        if len(key) != len(groupings) + 1:
            raise ValueError(f"counts: {key!r} is not (country, {', '.join(groupings)})")
        if n < 0:
            raise ValueError(f"counts: {key!r} has a negative count")
        if n:
            k = tuple(str(v) for v in key)
            cross[k] = cross.get(k, 0) + int(n)
    b = TableBuilder()
    per_country: dict[str, int] = {}
    for key, n in cross.items():
        per_country[key[0]] = per_country.get(key[0], 0) + n
    countries = sorted(per_country)
    b.cell(TOTAL, float(sum(per_country.values())))
    for c in countries:
        b.cell(c, float(per_country[c]))
    if countries:
        b.relation(TOTAL, countries)
    by_country: dict[str, list[tuple[tuple[str, ...], int]]] = {c: [] for c in countries}
    for key, n in sorted(cross.items()):
        by_country[key[0]].append((key[1:], n))
    for c in countries:
        rows = by_country[c]
        for j, g in enumerate(groupings):
            margin: dict[str, int] = {}
            for values, n in rows:
                margin[values[j]] = margin.get(values[j], 0) + n
            labels = []
            for value in sorted(margin):
                lbl = _group_label(c, g, value)
                b.cell(lbl, float(margin[value]))
                labels.append(lbl)
            b.relation(c, labels)
        if len(groupings) > 1:
            members: dict[str, list[str]] = {}
            for values, n in rows:
                lbl = f"{c}/" + "&".join(f"{g}={v}" for g, v in zip(groupings, values, strict=True))
                b.cell(lbl, float(n), published=False)
                for g, v in zip(groupings, values, strict=True):
                    members.setdefault(_group_label(c, g, v), []).append(lbl)
            for total, parts in members.items():
                b.relation(total, parts)
    return b.build()


@dataclass(frozen=True)
class GroupProtection:
    """Which countries and groups a publication hides, with the audit of the linked table."""

    protection: Protection
    groupings: tuple[str, ...]

    @property
    def audit(self) -> AuditResult:
        return self.protection.audit

    @property
    def table(self) -> LinearTable:
        return self.protection.table

    def _hidden(self, label: str) -> bool:
        try:
            return bool(self.protection.hidden[self.table.index(label)])
        except KeyError:
            return True  # a group without respondents: nothing to show

    def is_hidden(self, country: str, grouping: str | None = None, value: Any = None) -> bool:
        """Whether the country (``grouping`` None) or the group is hidden."""
        if grouping is None:
            return self._hidden(str(country))
        return self._hidden(_group_label(str(country), grouping, value))

    def total_hidden(self) -> bool:
        return self._hidden(TOTAL)

    def apply(
        self,
        frame: pd.DataFrame,
        grouping: str | None,
        *,
        country: str = "country",
        group: str | None = None,
        keep: Sequence[str] = (),
    ) -> pd.DataFrame:
        """Blank every number (apart from ``keep``) of the rows of hidden groups (or hidden
        countries when ``grouping`` is None) and add a boolean ``suppressed`` column.

        ``group`` is the column holding the group value (default: ``grouping``).
        """
        out = frame.copy()
        col = group or grouping
        if grouping is None:
            hidden = np.array([self.is_hidden(c) for c in out[country]], dtype=bool)
        else:
            hidden = np.array(
                [
                    self.is_hidden(c, grouping, v)
                    for c, v in zip(out[country], out[col], strict=True)
                ],
                dtype=bool,
            )
        numeric = [
            c for c in out.columns if pd.api.types.is_numeric_dtype(out[c]) and c not in keep
        ]
        if len(out):
            out[numeric] = out[numeric].astype(float)
            out.loc[hidden, numeric] = np.nan
        out["suppressed"] = hidden
        return out


def protect_groups(
    respondents: pd.DataFrame,
    *,
    k: int,
    groupings: Sequence[str] = ("county", "size_class"),
    country: str = "country",
    protection: float | None = None,
) -> GroupProtection:
    """Protect the counts of ``respondents`` per country and per group of each grouping."""
    table = group_table(respondents, groupings, country=country)
    return GroupProtection(protect(table, k, protection=protection), tuple(groupings))


def protect_counts(
    counts: Mapping[tuple[str, ...], int] | Iterable[tuple[tuple[str, ...], int]],
    *,
    k: int,
    groupings: Sequence[str] = ("county", "size_class"),
    protection: float | None = None,
) -> GroupProtection:
    """:func:`protect_groups` from respondent counts (see :func:`counts_table`)."""
    table = counts_table(counts, groupings)
    return GroupProtection(protect(table, k, protection=protection), tuple(groupings))
