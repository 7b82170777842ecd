"""Survey indicators for the observatory, always under disclosure control.

An indicator is a rating item of the survey (an ordinal single-choice question whose codes are
scale values). It is published only as design-based means (with 95% confidence intervals) of
whole countries, of counties/regions and of size classes within a country; never of one
municipality. Every group is protected by :func:`tillit.disclosure.protect_groups`: counties
and size classes of the same respondents form one linked table, primary suppression hides
groups with fewer than ``k`` respondents, secondary suppression hides more so that no hidden
group can be recovered from the country totals or the other grouping, and the audit (linear
programming) proves it.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from typing import Any

import numpy as np
import pandas as pd

from tillit.analysis import Design, mean
from tillit.apps.analysis.data import Item, SurveyData
from tillit.disclosure import GroupProtection, protect_counts

GROUPINGS = ("county", "size_class")
COUNTRIES = ("NO", "DK")
SIZE_CLASSES = ("small", "medium", "large", "city")
COLUMNS = [
    "variable",
    "question",
    "label",
    "country",
    "level",
    "group",
    "n",
    "mean",
    "se",
    "ci_low",
    "ci_high",
    "scale_min",
    "scale_max",
    "suppressed",
]


def rating_items(sd: SurveyData) -> list[Item]:
    """Items that can be shown as a mean on a fixed scale (ordinal single-choice)."""
    return [i for i in sd.items if i.is_categorical and i.is_scored and i.categories]


def short_label(item: Item, limit: int = 60) -> str:
    """The item's own words: a matrix row's label without the shared question ("...?: row")."""
    text = item.label
    for sep in ("?: ", ": "):
        if sep in text:
            text = text.split(sep, 1)[1]
            break
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def stem(item: Item) -> str:
    """The shared question of a matrix row (the whole label otherwise)."""
    if "?: " in item.label:
        return item.label.split("?: ", 1)[0] + "?"
    return item.label.rsplit(": ", 1)[0]


def scale_range(item: Item) -> tuple[float, float]:
    codes = [c for c, _ in item.categories]
    return (min(codes), max(codes))


_LOCK = threading.Lock()
_DESIGNS: OrderedDict[int, tuple[SurveyData, Design | None]] = OrderedDict()


def design_for(sd: SurveyData) -> Design | None:
    """The survey's design with the domain columns ``country_county`` and ``country_size``
    (None when there are too few respondents to estimate anything)."""
    with _LOCK:
        if id(sd) in _DESIGNS:
            return _DESIGNS[id(sd)][1]
    data = sd.design_data()
    design: Design | None = None
    if len(data) >= 2:
        data = data.assign(
            country_county=data["country"] + "|" + data["county"].astype(str),
            country_size=data["country"] + "|" + data["size_class"].astype(str),
        )
        try:
            design = Design.from_frame(data, sd.population, strata=sd.strata)
        except Exception:
            design = None
    with _LOCK:
        _DESIGNS[id(sd)] = (sd, design)
        while len(_DESIGNS) > 8:
            _DESIGNS.popitem(last=False)
    return design


@functools.lru_cache(maxsize=512)
def _protection(counts: tuple[tuple[str, str, str, int], ...], k: int) -> GroupProtection:
    import hashlib

    from tillit.apps.observatory.cache import get_or_build

    def build() -> GroupProtection:
        return protect_counts(
            [((c, county, size), n) for c, county, size, n in counts], k=k, groupings=GROUPINGS
        )

    digest = hashlib.sha256(repr((counts, k)).encode()).hexdigest()[:24]
    result: GroupProtection = get_or_build(f"obs:protection:{digest}", build)
    return result


def protection(sd: SurveyData, variable: str, k: int) -> GroupProtection:
    """The suppression pattern of ``variable`` (respondents who answered it), cached by the
    pattern of counts, so items answered by the same respondents share one computation."""
    data = sd.design_data()
    answered = data[data[variable].notna()]
    counts = answered.groupby(["country", "county", "size_class"]).size()
    key = tuple((str(c), str(co), str(s), int(n)) for (c, co, s), n in counts.items())
    return _protection(key, int(k))


def _estimates(design: Design, variable: str, by: str) -> pd.DataFrame:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return mean(design, [variable], by=by, nan_policy="omit").to_frame()


_TABLES: OrderedDict[tuple[int, str, int], pd.DataFrame] = OrderedDict()


def indicator_table(sd: SurveyData, variable: str, k: int) -> pd.DataFrame:
    """Means of ``variable`` per country, per county/region and per size class within each
    country, with the disclosure pattern applied (hidden rows have no numbers). Kept in
    memory while ``sd`` is (see :func:`design_for`)."""
    design_for(sd)  # holds sd, so its id stays unique while the entry lives
    key = (id(sd), variable, int(k))
    with _LOCK:
        if key in _TABLES and id(sd) in _DESIGNS:
            return _TABLES[key].copy()
    table = _indicator_table(sd, variable, k)
    with _LOCK:
        _TABLES[key] = table
        while len(_TABLES) > 4000:
            _TABLES.popitem(last=False)
    return table.copy()


def _indicator_table(sd: SurveyData, variable: str, k: int) -> pd.DataFrame:
    item = sd.item(variable)
    design = design_for(sd)
    if design is None:
        return pd.DataFrame(columns=COLUMNS)
    prot = protection(sd, variable, k)
    lo, hi = scale_range(item)
    rows: list[dict[str, Any]] = []
    for level, by in (
        ("country", "country"),
        ("county", "country_county"),
        ("size_class", "country_size"),
    ):
        est = _estimates(design, variable, by)
        for r in est.itertuples(index=False):
            domain = str(getattr(r, by))
            country, _, group = domain.partition("|")
            if level == "country":
                group = ""
                hidden = prot.is_hidden(country)
            else:
                hidden = prot.is_hidden(country, level, group)
            rows.append(
                {
                    "variable": variable,
                    "question": item.label,
                    "label": short_label(item),
                    "country": country,
                    "level": level,
                    "group": group,
                    "n": float(r.n),
                    "mean": float(r.estimate),
                    "se": float(r.se),
                    "ci_low": float(r.ci_low),
                    "ci_high": float(r.ci_high),
                    "scale_min": lo,
                    "scale_max": hi,
                    "suppressed": bool(hidden),
                }
            )
    out = pd.DataFrame(rows, columns=COLUMNS)
    numbers = ["n", "mean", "se", "ci_low", "ci_high"]
    out.loc[out["suppressed"], numbers] = np.nan
    return out


def all_indicators(sd: SurveyData, k: int) -> pd.DataFrame:
    """:func:`indicator_table` of every rating item, stacked (the open data table)."""
    parts = [indicator_table(sd, i.name, k) for i in rating_items(sd)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)


def audits(sd: SurveyData, k: int) -> dict[str, Any]:
    """The audit of every published indicator's linked table, by variable."""
    return {i.name: protection(sd, i.name, k).audit for i in rating_items(sd)}
