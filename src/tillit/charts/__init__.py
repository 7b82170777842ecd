"""Charts and maps: Vega-Lite specs rendered to SVG on the server (a pure library, no Django).

Specs are plain dicts, so a page, a report and a PDF show the same figure; rendering uses
vl-convert (no browser, no network), and the SVG is cleaned for inline use under a strict
Content-Security-Policy (:mod:`tillit.charts.render`).
"""

from tillit.charts.maps import (
    COLOURINGS,
    MapLabels,
    map_features,
    municipality_map_spec,
    municipality_map_svg,
)
from tillit.charts.render import clean_svg, external_urls, render_svg

__all__ = [
    "COLOURINGS",
    "MapLabels",
    "clean_svg",
    "external_urls",
    "map_features",
    "municipality_map_spec",
    "municipality_map_svg",
    "render_svg",
]
