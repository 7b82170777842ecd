"""Trust maps: weights, reciprocity and asymmetry on a small example computed by hand, the SVG
figure and its table alternative."""

from __future__ import annotations

import math

import defusedxml.ElementTree as ElementTree
import numpy as np
import pandas as pd
import pytest

from tillit.sem import ModelDataError
from tillit.sem.trustmap import to_html_table, to_svg, trust_map, weights_matrix

SVG = "{http://www.w3.org/2000/svg}"

# Three chief executives in NO, two in DK, answering 1-5 items; one frontline employee
# answering about the chief executive (edge back) in NO.
DATA = pd.DataFrame(
    {
        "country": ["NO", "NO", "NO", "DK", "DK", "NO"],
        "ce_pol": [5, 3, 4, 2, np.nan, np.nan],  # chief_executive -> politicians
        "ce_front_a": [4, 4, 2, 5, 3, np.nan],  # chief_executive -> frontline (two items)
        "ce_front_b": [2, np.nan, 2, 5, 5, np.nan],
        "front_ce": [np.nan, np.nan, np.nan, np.nan, np.nan, 2],  # frontline -> chief_executive
    }
)
ITEMS = {
    "ce_pol": ("chief_executive", "politicians"),
    "ce_front_a": ("chief_executive", "frontline"),
    "ce_front_b": ("chief_executive", "frontline"),
    "front_ce": ("frontline", "chief_executive"),
}


@pytest.fixture(scope="module")
def tm():
    return trust_map(DATA, ITEMS, scale=(1, 5), by="country", min_n=1)


def edge(tm, group, source, target):
    e = tm.edges
    return e[(e.group == group) & (e.source == source) & (e.target == target)].iloc[0]


def test_weights_by_hand(tm) -> None:
    # NO, ce -> politicians: answers 5, 3, 4 -> (x - 1) / 4 = 1, .5, .75; mean .75
    row = edge(tm, "NO", "chief_executive", "politicians")
    assert row.n == 3 and row.weight == pytest.approx(0.75)
    assert row.sd == pytest.approx(0.25)
    t = 4.302652729911275  # qt(.975, 2)
    assert row.ci_low == pytest.approx(0.75 - t * 0.25 / math.sqrt(3))
    # NO, ce -> frontline: respondent means of (a, b): (4+2)/2=3 -> .5, 4 -> .75, 2 -> .25
    row = edge(tm, "NO", "chief_executive", "frontline")
    assert row.n == 3 and row.weight == pytest.approx(0.5)
    assert row["items"] == "ce_front_a, ce_front_b"
    # DK, ce -> frontline: 5 -> 1, (3+5)/2 = 4 -> .75; mean .875
    assert edge(tm, "DK", "chief_executive", "frontline").weight == pytest.approx(0.875)
    # NO, frontline -> ce: one answer 2 -> .25, no interval
    row = edge(tm, "NO", "frontline", "chief_executive")
    assert row.n == 1 and row.weight == pytest.approx(0.25) and math.isnan(row.ci_low)
    assert tm.groups == ("DK", "NO")


def test_reciprocity_and_asymmetry_by_hand(tm) -> None:
    pairs = tm.pairs.set_index(["group", "a", "b"])
    both = pairs.loc[("NO", "chief_executive", "frontline")]
    assert both.reciprocal
    assert both.weight_ab == pytest.approx(0.5) and both.weight_ba == pytest.approx(0.25)
    assert both.reciprocity_min == pytest.approx(0.25)
    assert both.reciprocity_mean == pytest.approx(0.375)
    assert both.asymmetry == pytest.approx(0.25)
    one_way = pairs.loc[("NO", "politicians", "chief_executive")]
    assert not one_way.reciprocal and math.isnan(one_way.asymmetry)
    # the pair is ordered as ACTOR_GROUPS (politicians before chief executive)
    assert one_way.weight_ba == pytest.approx(0.75) and math.isnan(one_way.weight_ab)
    assert not pairs.loc[("DK", "chief_executive", "frontline")].reciprocal


def test_small_cells_are_suppressed() -> None:
    tm = trust_map(DATA, ITEMS, scale=(1, 5), by="country", min_n=3)
    row = edge(tm, "DK", "chief_executive", "frontline")
    assert row.suppressed and math.isnan(row.weight) and row.n == 2
    assert not edge(tm, "NO", "chief_executive", "politicians").suppressed
    # a suppressed edge is no part of any pair
    assert not tm.pairs[tm.pairs.group == "NO"].reciprocal.any()


def test_svg_is_xml_with_one_edge_per_pair_and_accessible(tm) -> None:
    svg = to_svg(tm, "NO")
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Trust map: NO"
    assert "3 edges" in root.find(f"{SVG}desc").text
    edges = root.findall(f".//{SVG}g[@class='edge']")
    drawn = sorted((g.get("data-source"), g.get("data-target")) for g in edges)
    assert drawn == [
        ("chief_executive", "frontline"),
        ("chief_executive", "politicians"),
        ("frontline", "chief_executive"),
    ]
    assert all(g.find(f"{SVG}title") is not None for g in edges)
    widths = {
        (g.get("data-source"), g.get("data-target")): float(
            g.find(f"{SVG}path").get("stroke-width")
        )
        for g in edges
    }
    assert widths[("chief_executive", "politicians")] == pytest.approx(1 + 9 * 0.75)
    nodes = root.findall(f".//{SVG}g[@class='node']")
    assert [n.get("data-actor") for n in nodes] == ["politicians", "chief_executive", "frontline"]
    assert "style=" not in svg and "<script" not in svg


def test_svg_title_per_group_and_suppressed_note() -> None:
    tm = trust_map(DATA, ITEMS, scale=(1, 5), by="country", min_n=3)
    root = ElementTree.fromstring(to_svg(tm, "DK", title="Denmark"))
    assert root.find(f"{SVG}title").text == "Denmark"
    assert "not shown" in root.find(f"{SVG}desc").text
    assert root.findall(f".//{SVG}g[@class='edge']") == []


def test_table_alternative_and_matrix(tm) -> None:
    table = to_html_table(tm, "NO")
    root = ElementTree.fromstring(table)
    assert root.find("caption").text == "Trust map: NO"
    assert len(root.findall("./tbody/tr")) == 3
    m = weights_matrix(tm, "NO")
    assert m.loc["chief_executive", "politicians"] == pytest.approx(0.75)
    assert math.isnan(m.loc["politicians", "chief_executive"])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"items": {"nope": ("a", "b")}}, "'nope' not a column"),
        ({"items": {"ce_pol": ("a", "a")}}, "two different groups"),
        ({"items": {}}, "no items"),
        ({"scale": (5, 1)}, "not an interval"),
        ({"scale": (1, 4)}, "outside its scale"),
        ({"by": "region"}, "'region' not a column"),
        ({"min_n": 0}, "min_n=0"),
    ],
)
def test_bad_input(kwargs, match) -> None:
    args = {"items": ITEMS, "scale": (1, 5), **kwargs}
    with pytest.raises(ModelDataError, match=match):
        trust_map(DATA, args.pop("items"), **args)


def test_non_numeric_answers() -> None:
    data = DATA.assign(ce_pol=["high", 3, 4, 2, None, None])
    with pytest.raises(ModelDataError, match="not numeric"):
        trust_map(data, ITEMS, scale=(1, 5))


def test_group_must_be_named_when_several(tm) -> None:
    from tillit.sem import SEMError

    with pytest.raises(SEMError, match="name one"):
        to_svg(tm)
    with pytest.raises(SEMError, match="not a group"):
        to_svg(tm, "SE")


def test_two_maps_in_one_page_have_distinct_ids(tm) -> None:
    no, dk = to_svg(tm, "NO"), to_svg(tm, "DK")
    ids_no = {e.get("id") for e in ElementTree.fromstring(no).iter() if e.get("id")}
    ids_dk = {e.get("id") for e in ElementTree.fromstring(dk).iter() if e.get("id")}
    assert ids_no and not ids_no & ids_dk
    root = ElementTree.fromstring(no)
    assert root.get("aria-labelledby") == "trustmap-NO-title trustmap-NO-desc"
    path = root.find(f".//{SVG}g[@class='edge']/{SVG}path")
    assert path.get("marker-end").removeprefix("url(#").removesuffix(")") in ids_no
