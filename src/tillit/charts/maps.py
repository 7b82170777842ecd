"""Maps of Norwegian and Danish municipalities as Vega-Lite specs and cached SVG.

:func:`municipality_map_spec` builds the spec (reuse it for other figures: pass your own
``values`` to colour by anything); :func:`municipality_map_svg` renders it once per colouring
and set of labels and keeps the SVG in memory.

The map has two panels side by side: Norway (357 municipalities, 2024 boundaries, Kartverket)
and Denmark (98, DAGI 2014 boundaries). Each region is a link to ``/registry/<country>/<code>/``
and carries an accessible label with its name, code and county or region.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from tillit.charts.render import render_svg
from tillit.registry import SizeClass, boundaries, default_registry

Colouring = Literal["county", "size_class"]
COLOURINGS: tuple[Colouring, ...] = ("county", "size_class")

#: Where a region links to; ``{country}`` is ``no`` or ``dk``.
DEFAULT_HREF = "/registry/{country}/{code}/"

#: Sequential blues for the four size classes, light to dark.
SIZE_COLOURS: tuple[str, str, str, str] = ("#9ecae1", "#4a98c9", "#1c5fa3", "#08306b")

# Panel sizes in pixels. Norway is tall; Denmark (with Bornholm far east) is wide.
_PANELS: dict[str, dict[str, Any]] = {
    "NO": {"width": 400, "height": 520, "rotate": [-15, 0, 0]},
    "DK": {"width": 440, "height": 360, "rotate": [-10.5, 0, 0]},
}


@dataclass(frozen=True, slots=True)
class MapLabels:
    """Every text the map shows; pass translated strings (the web layer uses gettext).

    The dataclass is hashable, so it is part of the SVG cache key.
    """

    title_county: str = (
        "Map of the municipalities of Norway, coloured by county, and of Denmark, "
        "coloured by region"
    )
    title_size_class: str = (
        "Map of the municipalities of Norway and Denmark, coloured by population size class"
    )
    norway: str = "Norway"
    denmark: str = "Denmark"
    county: str = "County"
    region: str = "Region"
    size_class: str = "Size class"
    size_names: tuple[str, str, str, str] = (
        "small (< 5,000)",
        "medium (5,000–19,999)",
        "large (20,000–99,999)",
        "city (≥ 100,000)",
    )
    roledescription: str = "map"

    def title(self, colour: Colouring) -> str:
        """The accessible name of the map for a colouring."""
        return self.title_county if colour == "county" else self.title_size_class


def map_features(
    country: str,
    colour: Colouring = "county",
    labels: MapLabels = MapLabels(),
    href: str = DEFAULT_HREF,
    values: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """GeoJSON features of one country with the fields the map encodes.

    Each feature's ``properties`` gets ``code``, ``name``, ``county``, ``value`` (what the
    colour shows), ``href`` and ``description`` (the accessible label).

    Parameters
    ----------
    country : {"NO", "DK"}
    colour : {"county", "size_class"}
        What ``value`` holds; ignored when ``values`` is given.
    labels : MapLabels
    href : str
        Link template with ``{country}`` (lower case) and ``{code}``.
    values : mapping of code to value, optional
        Your own value per code (for other maps); codes missing from it get None.
    """
    registry = default_registry()
    size_names = dict(zip(SizeClass, labels.size_names, strict=True))
    features = []
    for feature in boundaries(country)["features"]:
        code = feature["properties"]["code"]
        m = registry.get(code, country)
        if values is not None:
            value: Any = values.get(code)
        elif colour == "size_class":
            value = size_names[m.size_class]
        else:
            value = m.county_name
        props = {
            "code": code,
            "name": m.name,
            "county": m.county_name,
            "value": value,
            "href": href.format(country=country.lower(), code=code),
            "description": f"{m.name} ({code}), {m.county_name}",
        }
        geometry = rewind_for_d3(feature["geometry"])
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    return features


def _signed_area(ring: Sequence[Sequence[float]]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0, *_), (x1, y1, *_) in itertools.pairwise(ring))


def _orient(ring: list[Any], clockwise: bool) -> list[Any]:
    return ring[::-1] if (_signed_area(ring) < 0) != clockwise else ring


def rewind_for_d3(geometry: dict[str, Any]) -> dict[str, Any]:
    """Return a (Multi)Polygon with the ring order Vega's d3-geo expects.

    d3-geo works on the sphere and wants exterior rings clockwise and holes anticlockwise,
    the opposite of RFC 7946 GeoJSON. The bundled Norwegian file follows RFC 7946 (and would
    otherwise be drawn as the whole globe minus the municipality); the Danish one follows d3.
    """
    kind = geometry["type"]
    if kind not in ("Polygon", "MultiPolygon"):
        return geometry
    polygons = geometry["coordinates"] if kind == "MultiPolygon" else [geometry["coordinates"]]
    fixed = [
        [_orient(ring, clockwise=(i == 0)) for i, ring in enumerate(polygon)]
        for polygon in polygons
    ]
    return {"type": kind, "coordinates": fixed if kind == "MultiPolygon" else fixed[0]}


def _panel(
    country: str,
    title: str,
    features: Sequence[dict[str, Any]],
    color: dict[str, Any],
) -> dict[str, Any]:
    size = _PANELS[country]
    return {
        "title": {"text": title, "anchor": "start", "fontSize": 15},
        "width": size["width"],
        "height": size["height"],
        "data": {"values": list(features)},
        "projection": {"type": "transverseMercator", "rotate": size["rotate"]},
        "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.4},
        "encoding": {
            "color": color,
            "href": {"field": "properties.href", "type": "nominal"},
            "description": {"field": "properties.description", "type": "nominal"},
        },
    }


def municipality_map_spec(
    colour: Colouring = "county",
    labels: MapLabels = MapLabels(),
    href: str = DEFAULT_HREF,
) -> dict[str, Any]:
    """Vega-Lite spec of both countries' municipalities, side by side.

    Parameters
    ----------
    colour : {"county", "size_class"}
        ``county``: NO counties and DK regions, each panel with its own legend.
        ``size_class``: the four population size classes, one shared legend.
    labels : MapLabels
        Texts (titles, legend titles, class names), already translated.
    href : str
        Link template for each region.

    Returns
    -------
    dict
        A Vega-Lite v5 spec with inline data (about 1.5 MB as JSON).
    """
    if colour not in COLOURINGS:
        raise ValueError(f"colour must be one of {COLOURINGS}, got {colour!r}")
    panels = []
    for country, title, legend in (
        ("NO", labels.norway, labels.county),
        ("DK", labels.denmark, labels.region),
    ):
        features = map_features(country, colour, labels, href)
        if colour == "size_class":
            color: dict[str, Any] = {
                "field": "properties.value",
                "type": "ordinal",
                "title": labels.size_class,
                "scale": {"domain": list(labels.size_names), "range": list(SIZE_COLOURS)},
                "legend": {"orient": "right", "symbolType": "square"},
            }
        else:
            color = {
                "field": "properties.value",
                "type": "nominal",
                "title": legend,
                "scale": {"scheme": "tableau20" if country == "NO" else "tableau10"},
                "legend": {"orient": "right", "columns": 1, "symbolType": "square"},
            }
        panels.append(_panel(country, title, features, color))
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": labels.title(colour),
        "hconcat": panels,
        "spacing": 24,
        "resolve": {"scale": {"color": "independent" if colour == "county" else "shared"}},
        "config": {
            "view": {"stroke": None},
            "font": "sans-serif",
            "legend": {"labelFontSize": 12, "titleFontSize": 13, "labelLimit": 220},
        },
    }


def municipality_map_svg(
    colour: Colouring = "county",
    labels: MapLabels = MapLabels(),
    href: str = DEFAULT_HREF,
    precision: int = 0,
) -> str:
    """The map rendered to cleaned SVG, cached in memory per argument set.

    The first call takes about a second; later calls with the same arguments are free.
    The root element has ``role="graphics-document"`` (the regions are links, so it is not a
    plain image), an ``aria-label`` and a ``<title>``.

    Parameters
    ----------
    colour, labels, href
        As for :func:`municipality_map_spec`.
    precision : int
        Decimals of path coordinates in pixels: 0 (about 0.4 MB, fine on screen, for pages)
        or 1 (about 0.85 MB, for a download people may zoom into).
    """
    return _cached_svg(colour, labels, href, precision)


@functools.lru_cache(maxsize=16)
def _cached_svg(colour: Colouring, labels: MapLabels, href: str, precision: int) -> str:
    spec = municipality_map_spec(colour, labels, href)
    return render_svg(
        spec,
        title=labels.title(colour),
        role="graphics-document",
        roledescription=labels.roledescription,
        precision=precision,
    )
