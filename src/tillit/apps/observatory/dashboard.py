"""The dashboard's filters and figure blocks, shared by the members' dashboard and the public
site: each block is a figure rendered once per (project, data version, language, filters) and
kept in the figure cache (:mod:`tillit.apps.observatory.cache`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django import forms
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from tillit.apps.observatory import figures
from tillit.apps.observatory.cache import get_or_build
from tillit.apps.observatory.figures import Figure
from tillit.apps.observatory.inputs import Inputs

YEARS = (1990, 2040)


class FilterForm(forms.Form):
    """The dashboard's filters (a GET form: works without JavaScript)."""

    country = forms.ChoiceField(
        label=gettext_lazy("Country"),
        required=False,
        choices=[
            ("", gettext_lazy("Both countries")),
            ("NO", gettext_lazy("Norway")),
            ("DK", gettext_lazy("Denmark")),
        ],
    )
    size_class = forms.ChoiceField(
        label=gettext_lazy("Size class"),
        required=False,
        choices=[
            ("", gettext_lazy("All sizes")),
            ("small", gettext_lazy("small (< 5,000)")),
            ("medium", gettext_lazy("medium (5,000–19,999)")),
            ("large", gettext_lazy("large (20,000–99,999)")),
            ("city", gettext_lazy("city (≥ 100,000)")),
        ],
    )
    year_from = forms.IntegerField(
        label=gettext_lazy("From year"), required=False, min_value=YEARS[0], max_value=YEARS[1]
    )
    year_to = forms.IntegerField(
        label=gettext_lazy("To year"), required=False, min_value=YEARS[0], max_value=YEARS[1]
    )
    measure = forms.ChoiceField(label=gettext_lazy("Measure"), required=False)
    indicator = forms.ChoiceField(label=gettext_lazy("Survey indicator"), required=False)
    grouping = forms.ChoiceField(
        label=gettext_lazy("Survey indicator by"),
        required=False,
        choices=[
            ("county", gettext_lazy("county or region")),
            ("size_class", gettext_lazy("size class")),
        ],
    )

    def __init__(self, data: Any, inputs: Inputs) -> None:
        super().__init__(data)
        self.fields["measure"].choices = [("", _("Reform status"))] + [
            (m, figures.concept_label(m)) for m in figures.measures(inputs)
        ]
        key = f"obs:choices:{inputs.project_slug}:{inputs.data_version}:{get_language()}"
        self.fields["indicator"].choices = get_or_build(
            key, lambda: figures.indicator_choices(inputs)
        )

    def filters(self) -> dict[str, Any]:
        """The valid filters (invalid or missing ones fall back to their defaults)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        indicator = data.get("indicator") or ""
        choices = [c for _group, items in self.fields["indicator"].choices for c, _label in items]
        if not indicator and choices:
            indicator = choices[0]
        y0, y1 = data.get("year_from"), data.get("year_to")
        if y0 is not None and y1 is not None and y0 > y1:
            y0, y1 = y1, y0
        return {
            "country": data.get("country") or "",
            "size_class": data.get("size_class") or "",
            "year_from": y0,
            "year_to": y1,
            "measure": data.get("measure") or "",
            "indicator": indicator,
            "grouping": data.get("grouping") or "county",
        }


#: Column headings of the data tables (translated when shown).
HEADINGS: dict[str, Any] = {
    "country": gettext_lazy("Country"),
    "code": gettext_lazy("Code"),
    "municipality": gettext_lazy("Municipality"),
    "county": gettext_lazy("County or region"),
    "size_class": gettext_lazy("Size class"),
    "status": gettext_lazy("Reform status"),
    "measure": gettext_lazy("Measure"),
    "year": gettext_lazy("Year"),
    "new": gettext_lazy("New adoptions"),
    "cumulative": gettext_lazy("Cumulative"),
    "municipalities": gettext_lazy("Municipalities"),
    "with_documents": gettext_lazy("With documents"),
    "screened": gettext_lazy("Screened"),
    "documents": gettext_lazy("Documents"),
    "documents_screened": gettext_lazy("Documents screened"),
    "group": gettext_lazy("Group"),
    "variable": gettext_lazy("Variable"),
    "question": gettext_lazy("Question"),
    "label": gettext_lazy("Item"),
    "n": gettext_lazy("Respondents"),
    "mean": gettext_lazy("Mean"),
    "ci_low": gettext_lazy("95% CI, low"),
    "ci_high": gettext_lazy("95% CI, high"),
    "suppressed": gettext_lazy("Hidden"),
}


@dataclass
class Block:
    """One figure, rendered: what a template needs and what the downloads need."""

    name: str
    part: int
    title: str
    caption: str
    stamp: str
    svg: str
    data: pd.DataFrame
    notes: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        return [str(HEADINGS.get(c, c)) for c in self.data.columns if c != "suppressed"]

    @property
    def rows(self) -> list[dict[str, Any]]:
        hidden = self.data.get("suppressed")
        out = []
        for i, row in enumerate(self.data.itertuples(index=False)):
            cells = []
            for col, v in zip(self.data.columns, row, strict=True):
                if col == "suppressed":
                    continue
                cells.append(_cell(v))
            out.append(
                {"cells": cells, "hidden": bool(hidden.iloc[i]) if hidden is not None else False}
            )
        return out


def _cell(v: Any) -> dict[str, Any]:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return {"text": "", "num": True, "missing": True}
    if isinstance(v, bool):
        return {"text": _("yes") if v else _("no"), "num": False, "missing": False}
    if isinstance(v, float):
        text = f"{v:.0f}" if v.is_integer() and abs(v) >= 1 else f"{v:.2f}"
        return {"text": text, "num": True, "missing": False}
    if isinstance(v, int):
        return {"text": str(v), "num": True, "missing": False}
    return {"text": str(v), "num": False, "missing": False}


def _block(fig: Figure, part: int = 1) -> Block:
    return Block(
        fig.name,
        part,
        fig.title,
        fig.caption,
        fig.stamp,
        fig.svg(),
        fig.data,
        fig.notes,
        fig.extra,
    )


def builders(inputs: Inputs, f: dict[str, Any], k: int) -> dict[str, Callable[[], list[Figure]]]:
    """The figure builders of the dashboard for filters ``f`` (each returns a list)."""
    country = f["country"] or None
    size = f["size_class"] or None
    out: dict[str, Callable[[], list[Figure]]] = {}
    if f["measure"]:
        out["measure-map"] = lambda: [
            figures.measure_map(inputs, f["measure"], country=country, size_class=size)
        ]
    else:
        out["status-map"] = lambda: [figures.status_map(inputs, country=country, size_class=size)]
    out["timeline"] = lambda: [
        figures.timeline(
            inputs,
            country=country,
            size_class=size,
            year_from=f["year_from"],
            year_to=f["year_to"],
        )
    ]
    if inputs.has_survey and f["indicator"]:
        out["indicator-map"] = lambda: [
            figures.indicator_map(
                inputs, f["indicator"], k, grouping=f["grouping"], country=country
            )
        ]
        out["comparison"] = lambda: figures.comparison(inputs, k, size_class=size)
    out["coverage"] = lambda: [figures.coverage(inputs, country=country)]
    return out


def cache_key(inputs: Inputs, name: str, f: dict[str, Any], k: int, scope: str) -> str:
    parts = [
        "obs",
        scope,
        inputs.project_slug,
        inputs.data_version,
        get_language() or "en",
        name,
        str(k),
    ]
    parts += [f"{key}={f[key]}" for key in sorted(f)]
    return ":".join(str(p) for p in parts).replace(" ", "_")


def blocks(
    inputs: Inputs, f: dict[str, Any], k: int, *, scope: str, sections: set[str] | None = None
) -> dict[str, list[Block]]:
    """The rendered blocks of every figure for filters ``f`` (cached)."""
    wanted = builders(inputs, f, k)
    if sections is not None:
        section_of = {
            "status-map": "register",
            "measure-map": "register",
            "timeline": "timeline",
            "indicator-map": "survey",
            "comparison": "survey",
            "coverage": "coverage",
        }
        wanted = {n: b for n, b in wanted.items() if section_of[n] in sections}
    out: dict[str, list[Block]] = {}
    for name, build in wanted.items():
        key = cache_key(inputs, name, _relevant(name, f), k, scope)
        out[name] = get_or_build(
            key, lambda build=build: [_block(fig, i) for i, fig in enumerate(build(), start=1)]
        )
    return out


def _relevant(name: str, f: dict[str, Any]) -> dict[str, Any]:
    """Only the filters a figure depends on (so others do not multiply the cache entries)."""
    use = {
        "status-map": ("country", "size_class"),
        "measure-map": ("country", "size_class", "measure"),
        "timeline": ("country", "size_class", "year_from", "year_to"),
        "indicator-map": ("country", "indicator", "grouping"),
        "comparison": ("size_class",),
        "coverage": ("country",),
    }[name]
    return {k: f[k] for k in use}


def figure(
    inputs: Inputs, name: str, f: dict[str, Any], k: int, *, scope: str, part: int = 1
) -> Block | None:
    """One block by name and part (None when the figure does not exist for these filters)."""
    wanted = builders(inputs, f, k)
    if name not in wanted:
        return None
    key = cache_key(inputs, name, _relevant(name, f), k, scope)
    got = get_or_build(
        key, lambda: [_block(fig, i) for i, fig in enumerate(wanted[name](), start=1)]
    )
    return got[part - 1] if 1 <= part <= len(got) else None


def png(
    inputs: Inputs, name: str, f: dict[str, Any], k: int, *, scope: str, part: int = 1
) -> bytes | None:
    """The figure as PNG (vl-convert), cached like the SVG."""
    wanted = builders(inputs, f, k)
    if name not in wanted:
        return None
    key = cache_key(inputs, name, _relevant(name, f), k, scope) + f":png:{part}"

    def build() -> bytes:
        figs = wanted[name]()
        return figs[part - 1].png() if 1 <= part <= len(figs) else b""

    data: bytes = get_or_build(key, build)
    return data or None
