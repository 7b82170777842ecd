"""Vega-Lite specs of the register's map and diffusion timeline, rendered to SVG on the server
with :func:`tillit.charts.render_svg` (no JavaScript in the page)."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tillit.charts import map_features, render_svg

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"

#: Map colours per status (and for municipalities without an initiative).
STATUS_COLOURS = {
    "active": "#006d2c",
    "ended": "#74c476",
    "planned": "#3182bd",
    "abandoned": "#d94801",
    "suggested": "#fdae6b",
    "none": "#dddddd",
}
COUNTRY_COLOURS = {"NO": "#1f77b4", "DK": "#d62728"}

_PANELS: dict[str, dict[str, Any]] = {
    "NO": {"width": 400, "height": 520, "rotate": [-15, 0, 0]},
    "DK": {"width": 440, "height": 360, "rotate": [-10.5, 0, 0]},
}


@dataclass(frozen=True)
class StatusMapLabels:
    """The map's texts, already translated (hashable: part of the SVG cache key)."""

    title: str
    norway: str
    denmark: str
    legend: str
    statuses: tuple[tuple[str, str], ...]  # (status, label) in STATUS_ORDER, then ("none", ...)
    roledescription: str = "map"


def status_map_spec(
    status: dict[tuple[str, str], str], labels: StatusMapLabels, href: str
) -> dict[str, Any]:
    """Both countries side by side, each municipality coloured by its reform status.

    ``href`` is a link template with ``{country}`` (lower case) and ``{code}``.
    """
    names = dict(labels.statuses)
    domain = [names[s] for s, _ in labels.statuses]
    colours = [STATUS_COLOURS[s] for s, _ in labels.statuses]
    panels = []
    for country, title in (("NO", labels.norway), ("DK", labels.denmark)):
        values = {code: names[status.get((country, code), "none")] for code in _codes(country)}
        features = map_features(country, href=href, values=values)
        for feat in features:
            props = feat["properties"]
            props["description"] = f"{props['description']}: {props['value']}"
        size = _PANELS[country]
        panels.append(
            {
                "title": {"text": title, "anchor": "start", "fontSize": 15},
                "width": size["width"],
                "height": size["height"],
                "data": {"values": features},
                "projection": {"type": "transverseMercator", "rotate": size["rotate"]},
                "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.4},
                "encoding": {
                    "color": {
                        "field": "properties.value",
                        "type": "nominal",
                        "title": labels.legend,
                        "scale": {"domain": domain, "range": colours},
                        "legend": {"orient": "right", "symbolType": "square"},
                    },
                    "href": {"field": "properties.href", "type": "nominal"},
                    "description": {"field": "properties.description", "type": "nominal"},
                },
            }
        )
    return {
        "$schema": SCHEMA,
        "description": labels.title,
        "hconcat": panels,
        "spacing": 24,
        "resolve": {"scale": {"color": "shared"}},
        "config": {
            "view": {"stroke": None},
            "font": "sans-serif",
            "legend": {"labelFontSize": 12, "titleFontSize": 13, "labelLimit": 220},
        },
    }


@functools.cache
def _codes(country: str) -> tuple[str, ...]:
    from tillit.registry import boundaries

    return tuple(f["properties"]["code"] for f in boundaries(country)["features"])


def status_map_svg(
    status: dict[tuple[str, str], str], labels: StatusMapLabels, href: str, precision: int = 0
) -> str:
    """The status map as cleaned SVG, cached per status table, labels and link template."""
    key = json.dumps(sorted(f"{c}:{k}:{s}" for (c, k), s in status.items()))
    return _cached_map(key, labels, href, precision)


@functools.lru_cache(maxsize=32)
def _cached_map(key: str, labels: StatusMapLabels, href: str, precision: int) -> str:
    status = {}
    for item in json.loads(key):
        country, code, s = item.split(":")
        status[(country, code)] = s
    return render_svg(
        status_map_spec(status, labels, href),
        title=labels.title,
        role="graphics-document",
        roledescription=labels.roledescription,
        precision=precision,
    )


def timeline_spec(
    rows: Sequence[dict[str, Any]],
    events: Sequence[dict[str, Any]],
    *,
    title: str,
    year: str,
    municipalities: str,
    country: str,
    country_names: dict[str, str],
) -> dict[str, Any]:
    """Cumulative adoptions per year, one line per country, with the context events as
    numbered dashed rules (the numbers refer to the events table beside the chart)."""
    values = [
        {"year": r["year"], "country": country_names[r["country"]], "n": r["cumulative"]}
        for r in rows
    ]
    domain = [country_names[c] for c in ("NO", "DK")]
    colour = {
        "field": "country",
        "type": "nominal",
        "title": country,
        "scale": {"domain": domain, "range": [COUNTRY_COLOURS["NO"], COUNTRY_COLOURS["DK"]]},
    }
    x = {
        "field": "year",
        "type": "quantitative",
        "title": year,
        "axis": {"format": "d", "tickMinStep": 1},
        "scale": {"zero": False, "nice": False},
    }
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": values},
            "mark": {"type": "line", "point": True, "interpolate": "step-after"},
            "encoding": {
                "x": x,
                "y": {
                    "field": "n",
                    "type": "quantitative",
                    "title": municipalities,
                    "axis": {"tickMinStep": 1, "format": "d"},
                },
                "color": colour,
            },
        }
    ]
    if events:
        marks = [{"year": e["x"], "label": str(e["n"])} for e in events]
        labels = _cluster_labels(sorted(events, key=lambda e: e["x"]))
        layers += [
            {
                "data": {"values": marks},
                "mark": {"type": "rule", "strokeDash": [4, 3], "color": "#777777"},
                "encoding": {"x": {"field": "year", "type": "quantitative"}},
            },
            {
                "data": {"values": labels},
                "mark": {
                    "type": "text",
                    "dy": -6,
                    "fontSize": 11,
                    "color": "#444444",
                    "y": 0,
                    "baseline": "bottom",
                },
                "encoding": {
                    "x": {"field": "year", "type": "quantitative"},
                    "text": {"field": "label", "type": "nominal"},
                },
            },
        ]
    return {
        "$schema": SCHEMA,
        "description": title,
        "width": 640,
        "height": 320,
        "layer": layers,
        "config": {"font": "sans-serif", "view": {"stroke": None}},
    }


def _cluster_labels(events: Sequence[dict[str, Any]], gap: float = 0.35) -> list[dict[str, Any]]:
    """One label per group of events closer than ``gap`` years ("11, 12"), so numbers do not
    overprint each other; the label sits at the group's first event."""
    out: list[dict[str, Any]] = []
    for e in events:
        if out and e["x"] - out[-1]["last"] < gap:
            out[-1]["label"] += f", {e['n']}"
            out[-1]["last"] = e["x"]
        else:
            out.append({"year": e["x"], "last": e["x"], "label": str(e["n"])})
    return [{"year": o["year"], "label": o["label"]} for o in out]


def timeline_svg(spec: dict[str, Any], title: str) -> str:
    return render_svg(spec, title=title)
