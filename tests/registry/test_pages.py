"""Registry pages through the Django test client."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from tillit.charts import MapLabels, external_urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def list_page(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client.get("/registry/")
    assert response.status_code == 200
    return response.content.decode()


def test_english_map_labels_match_the_chart_defaults():
    """Same labels means the page reuses the SVG the chart tests rendered (one render)."""
    from tillit.apps.core.views_registry import map_labels

    with translation.override("en"):
        assert map_labels() == MapLabels()


def test_list_page_shows_counts_map_and_table(list_page):
    assert "357 municipalities in Norway, 98 in Denmark" in list_page
    assert '<figure class="figure"' in list_page and "<figcaption" in list_page
    assert 'href="#registry-table"' in list_page and 'id="registry-table"' in list_page
    assert 'role="graphics-document"' in list_page
    assert "<caption" in list_page and '<th scope="col">' in list_page
    assert '<a href="/registry/no/0301/">Oslo</a>' in list_page
    assert '<a href="/registry/dk/101/">København</a>' in list_page
    assert "455 municipalities match the filters" in list_page
    assert "Guovdageaidnu" in list_page  # parallel names in the table


def test_list_page_map_has_local_links_only(list_page):
    svg = re.search(r"<svg\b.*?</svg>", list_page, re.DOTALL).group(0)
    assert external_urls(svg) == []
    assert len(re.findall(r'xlink:href="/registry/(?:no|dk)/\d+/"', svg)) == 455


def test_list_page_has_no_inline_style_or_script(list_page):
    assert "style=" not in list_page and "<style" not in list_page
    assert "<script" not in list_page


def test_filters(client):
    page = client.get("/registry/", {"country": "dk", "size_class": "city"}).content.decode()
    assert "7 municipalities match the filters" in page
    assert "/registry/dk/751/" in page
    page = client.get("/registry/", {"q": "heroy"}).content.decode()
    table = page[page.index('id="registry-table"') :]
    assert table.count('<a href="/registry/no/1515/">Herøy</a>') == 1
    assert table.count('<a href="/registry/no/1818/">Herøy</a>') == 1
    assert "Møre og Romsdal" in table and "Nordland" in table
    page = client.get("/registry/", {"county": "55", "q": "tromso"}).content.decode()
    assert "1 municipality matches the filters" in page


def test_bad_filter_shows_error_and_all(client):
    response = client.get("/registry/", {"size_class": "huge"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="alert"' in page
    assert "455 municipalities match the filters" in page


def test_size_class_colouring(client):
    page = client.get("/registry/", {"colour": "size_class"}).content.decode()
    assert "coloured by population size class" in page


@pytest.mark.parametrize(
    ("url", "texts"),
    [
        ("/registry/no/0301/", ["Oslo", "717,710", "Nøytral", "city"]),
        ("/registry/dk/101/", ["København", "632,340", "Region Hovedstaden", "0101"]),
        ("/registry/no/4601/", ["Bergen", "1201", "renumber"]),
        ("/registry/no/5612/", ["Guovdageaidnu", "Finnmark"]),
    ],
)
def test_detail(client, url, texts):
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    for text in texts:
        assert text in page
    assert 'class="facts"' in page and 'href="/registry/"' in page


def test_detail_redirects_code4_and_404s(client):
    response = client.get("/registry/dk/0101/")
    assert response.status_code == 301 and response["Location"] == "/registry/dk/101/"
    assert client.get("/registry/no/9999/").status_code == 404
    assert client.get("/registry/se/0301/").status_code == 404
    assert client.get("/registry/no/101/").status_code == 404


def test_map_svg_download(client):
    response = client.get("/registry/map.svg")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    body = response.content.decode()
    assert body.startswith("<svg") and external_urls(body) == []


def test_crosswalk_page(client):
    page = client.get(
        "/registry/crosswalk/", {"code": "1201", "year": "2019", "country": "no"}
    ).content.decode()
    assert "1201 Bergen in 2019 is today" in page and "/registry/no/4601/" in page
    split = client.get("/registry/crosswalk/", {"code": "5012", "year": "2019"}).content.decode()
    assert "no population weights" in split and "/registry/no/5059/" in split
    missing = client.get("/registry/crosswalk/", {"code": "1201", "year": "2021"})
    assert missing.status_code == 200 and "--year 2019" in missing.content.decode()
    assert client.get("/registry/crosswalk/").status_code == 200
