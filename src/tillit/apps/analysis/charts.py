"""Vega-Lite specifications of the analysis pages (rendered to SVG by :mod:`tillit.charts`)."""

from __future__ import annotations

from typing import Any

import pandas as pd

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"


def dispositions_spec(table: pd.DataFrame, title: str, cases: str) -> dict[str, Any]:
    """Grouped bars: cases per final disposition, one panel per country."""
    ordered = table.sort_values("disposition")
    values = [{"group": r.country, "status": r.label, "n": int(r.n)} for r in ordered.itertuples()]
    order = list(dict.fromkeys(ordered["label"]))
    return {
        "$schema": SCHEMA,
        "description": title,
        "data": {"values": values},
        "width": 160,
        "height": 180,
        "mark": {"type": "bar"},
        "encoding": {
            "column": {"field": "group", "type": "nominal", "title": None},
            "x": {
                "field": "status",
                "type": "nominal",
                "title": None,
                "sort": order,
                "axis": {"labelAngle": -40, "labelLimit": 140},
            },
            "y": {"field": "n", "type": "quantitative", "title": cases},
            "color": {"field": "status", "type": "nominal", "legend": None, "sort": order},
        },
    }


def comparison_spec(rows: list[dict[str, Any]], title: str, estimate: str) -> dict[str, Any]:
    """Dot-and-whisker: the NO and DK means with their confidence intervals, per item."""
    values = [
        {
            "item": r["variable"],
            "country": c,
            "mean": r[f"mean_{c.lower()}"],
            "low": r[f"ci_low_{c.lower()}"],
            "high": r[f"ci_high_{c.lower()}"],
        }
        for r in rows
        for c in ("NO", "DK")
        if r.get(f"mean_{c.lower()}") is not None
    ]
    y = {"field": "item", "type": "nominal", "title": None, "sort": None}
    y_offset = {"field": "country", "type": "nominal"}
    color = {
        "field": "country",
        "type": "nominal",
        "title": None,
        "scale": {"domain": ["NO", "DK"], "range": ["#1f77b4", "#d62728"]},
    }
    return {
        "$schema": SCHEMA,
        "description": title,
        "data": {"values": values},
        "width": 360,
        "height": {"step": 22},
        "layer": [
            {
                "mark": {"type": "rule"},
                "encoding": {
                    "y": y,
                    "yOffset": y_offset,
                    "x": {
                        "field": "low",
                        "type": "quantitative",
                        "title": estimate,
                        "scale": {"zero": False},
                    },
                    "x2": {"field": "high"},
                    "color": color,
                },
            },
            {
                "mark": {"type": "point", "filled": True},
                "encoding": {
                    "y": y,
                    "yOffset": y_offset,
                    "x": {"field": "mean", "type": "quantitative"},
                    "color": color,
                },
            },
        ],
    }
