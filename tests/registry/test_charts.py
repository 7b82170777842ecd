"""The municipality map: spec, rendering, links, no inline styles, accessibility, cache."""

from __future__ import annotations

import re
import time

import pytest

from tillit.charts import (
    MapLabels,
    clean_svg,
    external_urls,
    municipality_map_spec,
    municipality_map_svg,
)
from tillit.charts.maps import rewind_for_d3


@pytest.fixture(scope="module")
def county_svg() -> str:
    return municipality_map_svg()  # rendered once per process, then cached


def test_spec_has_two_panels_with_links_and_labels():
    spec = municipality_map_spec()
    no, dk = spec["hconcat"]
    assert len(no["data"]["values"]) == 357 and len(dk["data"]["values"]) == 98
    assert no["encoding"]["href"]["field"] == "properties.href"
    assert "description" in no["encoding"]
    oslo = no["data"]["values"][0]["properties"]
    assert oslo["href"] == "/registry/no/0301/"
    assert oslo["description"] == "Oslo (0301), Oslo"
    assert dk["data"]["values"][0]["properties"]["href"] == "/registry/dk/101/"
    assert spec["resolve"]["scale"]["color"] == "independent"


def test_size_class_spec_shares_one_scale():
    labels = MapLabels()
    spec = municipality_map_spec("size_class", labels)
    assert spec["resolve"]["scale"]["color"] == "shared"
    assert spec["hconcat"][0]["encoding"]["color"]["scale"]["domain"] == list(labels.size_names)
    with pytest.raises(ValueError, match="colour"):
        municipality_map_spec("rainbow")  # type: ignore[arg-type]


def test_rewind_makes_exterior_rings_clockwise():
    ccw = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
    fixed = rewind_for_d3({"type": "Polygon", "coordinates": [ccw]})
    assert fixed["coordinates"][0] == ccw[::-1]
    again = rewind_for_d3(fixed)
    assert again["coordinates"][0] == ccw[::-1]


def test_svg_links_are_local(county_svg):
    links = re.findall(r'href="([^"]*)"', county_svg)
    assert len(links) == 357 + 98
    assert all(re.fullmatch(r"/registry/(no/\d{4}|dk/\d{3})/", link) for link in links)
    assert "/registry/no/0301/" in links and "/registry/dk/101/" in links


def test_no_external_url_except_namespaces(county_svg):
    assert external_urls(county_svg) == []
    others = set(re.findall(r"https?://[^\s\"'<>]+", county_svg))
    assert others <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def test_no_inline_style(county_svg):
    assert "style=" not in county_svg
    assert "<style" not in county_svg


def test_accessible_names(county_svg):
    root = re.search(r"<svg\b[^>]*>", county_svg).group(0)
    assert 'role="graphics-document"' in root
    assert 'aria-label="Map of the municipalities of Norway' in root
    assert "<title>Map of the municipalities of Norway" in county_svg
    assert 'aria-label="Oslo (0301), Oslo"' in county_svg
    assert 'aria-label="København (101), Region Hovedstaden"' in county_svg


def test_legend_names_counties_and_regions(county_svg):
    for text in ("County", "Region", "Troms", "Region Hovedstaden", "Norway", "Denmark"):
        assert f">{text}<" in county_svg


def test_svg_is_cached(county_svg):
    start = time.perf_counter()
    again = municipality_map_svg()
    assert again is county_svg
    assert time.perf_counter() - start < 0.01


def test_clean_svg_strips_styles_and_foreign_links():
    raw = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        "<style>path{fill:red}</style>"
        '<a xlink:href="https://vega.github.io/vega-datasets//registry/no/0301/">'
        '<path style="fill: #123456; cursor: pointer; white-space: pre" d="M1.26,2L3,4Z"/></a>'
        '<a xlink:href="https://evil.example/x"><path d="M0,0L1,1Z"/></a>'
        '<a href="javascript:alert(1)"><text>x</text></a></svg>'
    )
    svg = clean_svg(raw, title="T", precision=0)
    assert "<style" not in svg and "style=" not in svg
    assert 'fill="#123456"' in svg and 'cursor="pointer"' in svg and "white-space" not in svg
    assert 'xlink:href="/registry/no/0301/"' in svg
    assert "evil" not in svg and "javascript" not in svg
    assert external_urls(svg) == []
    assert 'd="M1,2L3,4Z"' in svg
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert 'role="img" aria-label="T"><title>T</title>' in svg
