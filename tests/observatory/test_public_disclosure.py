"""The disclosure test: publish a project whose survey has small groups, walk every public URL
(every link from the public index, every figure and open-data download) and prove that

* no published cell counts fewer than k respondents,
* the audit of every published table (rebuilt from the public downloads alone, checked against
  the true counts) finds no hidden cell recoverable by differencing,
* no survey value of a single municipality appears (every shown group has >= k municipalities
  answering, and no level below county/region or size class exists),
* no personal data (names, e-mails, tokens, case ids, free-text answers) appears anywhere.
"""

from __future__ import annotations

import html
import io
import json
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import numpy as np
import pandas as pd
import pytest

from tests.observatory.conftest import K
from tillit.disclosure import audit
from tillit.disclosure.groups import group_table

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="([^"#]+)"')


class Tables(HTMLParser):
    """Every HTML table as (headers, rows of cell texts)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[list[str], list[list[str]]]] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._head = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append(([], []))
        elif tag == "thead":
            self._head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "thead":
            self._head = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            heads, rows = self.tables[-1]
            (heads.extend if self._head else rows.append)(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def crawl(client, start: str) -> dict[str, object]:
    """Every page and download reachable from ``start`` under its path. PNG downloads are
    requested (status 200) by a separate test: they are drawn from the same specs as the SVGs,
    which are searched here, and rendering each one would only slow the walk."""
    prefix = urlsplit(start).path
    seen: dict[str, object] = {}
    todo = [start]
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        resp = client.get(url)
        assert resp.status_code == 200, (url, resp.status_code)
        seen[url] = resp
        if resp["Content-Type"].startswith("text/html"):
            for href in HREF.findall(resp.content.decode()):
                target = urljoin(url, html.unescape(href))
                path = urlsplit(target).path
                if path.startswith(prefix) and not path.endswith(".png") and target not in seen:
                    todo.append(target)
    return seen


def frames_of(url: str, resp) -> list[pd.DataFrame]:
    kind = resp["Content-Type"]
    body = resp.content
    if "csv" in kind:
        return [pd.read_csv(io.BytesIO(body))]
    if "parquet" in kind:
        return [pd.read_parquet(io.BytesIO(body))]
    if kind.startswith("application/json"):
        return [pd.DataFrame(json.loads(body)["data"])]
    return []


def text_of(resp) -> str:
    kind = resp["Content-Type"]
    if "parquet" in kind:
        return pd.read_parquet(io.BytesIO(resp.content)).to_csv(index=False)
    if kind.startswith("image/png"):
        return ""
    return resp.content.decode("utf-8")


@pytest.fixture
def published(small_groups, client):
    from tillit.apps.observatory import services

    services.do_publish(
        small_groups.project, actor=small_groups.users["owner"], public_slug="open-trust", k=K
    )
    return small_groups


def test_every_public_url_respects_disclosure_rules(published, client):
    g = published
    start = "/public/open-trust/"
    pages = crawl(client, start)
    # the walk reached the figures, the open data and their downloads in every format
    paths = {urlsplit(u).path for u in pages}
    for expected in (
        "/public/open-trust/data/",
        "/public/open-trust/data/survey_indicators.csv",
        "/public/open-trust/data/survey_indicators.parquet",
        "/public/open-trust/data/survey_indicators.json",
        "/public/open-trust/data/dictionary.json",
        "/public/open-trust/figure/indicator-map.csv",
        "/public/open-trust/figure/comparison.svg",
    ):
        assert expected in paths, expected
    # and the filter variants people can choose
    pages.update(crawl(client, start + "?grouping=size_class&country=DK&size_class=city"))
    assert len(pages) > 25

    # 1. no personal data anywhere
    for url, resp in pages.items():
        text = text_of(resp)
        for secret in g.secrets:
            assert secret not in text, (url, secret)

    # 2. no published cell below k, 3. only country/county/size-class levels
    n_checked = 0
    for url, resp in pages.items():
        for frame in frames_of(url, resp):
            for col in ("n", "Respondents"):
                if col in frame.columns:
                    shown = pd.to_numeric(frame[col], errors="coerce").dropna()
                    assert (shown >= K).all(), (url, shown[shown < K].tolist())
                    n_checked += len(shown)
            if "level" in frame.columns:
                assert set(frame["level"]) <= {"country", "county", "size_class"}, url
    assert n_checked > 100
    for url, resp in pages.items():
        if resp["Content-Type"].startswith("text/html"):
            parser = Tables()
            parser.feed(resp.content.decode())
            for heads, rows in parser.tables:
                if "Respondents" in heads:
                    col = heads.index("Respondents")
                    for row in rows:
                        value = row[col] if col < len(row) else ""
                        assert not value.isdigit() or int(value) >= K, (url, row)

    # 4. the audit of each published indicator table, rebuilt from the public data alone
    data = pd.read_csv(io.BytesIO(pages[start + "data/survey_indicators.csv"].content))
    from tillit.apps.observatory.inputs import load_inputs
    from tillit.apps.observatory.services import data_version

    sd = load_inputs(g.project, data_version(g.project)).survey  # the survey data, as read
    resp_frame = sd.design_data()
    counties = {}
    for variable, published_rows in data.groupby("variable"):
        answered = resp_frame[resp_frame[variable].notna()]
        table = group_table(answered, ("county", "size_class"))
        hidden = np.zeros(table.n_cells, dtype=bool)
        shown = {}
        for r in published_rows.itertuples():
            label = r.country if r.level == "country" else f"{r.country}/{r.level}={r.group}"
            shown[label] = None if pd.isna(r.n) else r.n
        for i, label in enumerate(table.labels):
            if not table.published[i] or label == "total":
                continue
            value = shown.get(label)
            if value is None:
                hidden[i] = True
            else:
                assert value == table.values[i], (variable, label)
        # the grand total over both countries is not published anywhere: the attacker knows it
        # anyway as the sum of the countries, so it stays "published" in the audit.
        result = audit(table, hidden, protection=K)
        assert result.ok, (variable, result.summary())
        counties[variable] = published_rows

    # 5. the small groups are hidden, and every shown group has >= k municipalities answering
    from tillit.registry import default_registry

    reg = default_registry()
    municipalities: dict[tuple[str, str, str], set[str]] = {}
    for country, code in g.respondents:
        m = reg.get(code, country)
        municipalities.setdefault((country, "county", m.county_name), set()).add(code)
        municipalities.setdefault((country, "size_class", str(m.size_class)), set()).add(code)
    for r in data.itertuples():
        if r.level != "country" and not r.suppressed:
            assert len(municipalities[(r.country, r.level, r.group)]) >= K, r
    vestfold = data[(data["group"] == "Vestfold")]
    assert len(vestfold) and vestfold["suppressed"].all()
    dk_city = data[(data["country"] == "DK") & (data["group"] == "city")]
    assert len(dk_city) and dk_city["suppressed"].all()
    # secondary suppression really happened: some hidden groups have n >= k in truth
    assert any(
        r.suppressed and len(municipalities.get((r.country, r.level, r.group), ())) >= K
        for r in data.itertuples()
        if r.level != "country"
    )


def test_unpublished_site_is_404(small_groups, client):
    from tillit.apps.observatory import services

    owner = small_groups.users["owner"]
    assert client.get("/public/open-trust/").status_code == 404
    services.do_publish(small_groups.project, actor=owner, public_slug="open-trust")
    assert client.get("/public/open-trust/data/").status_code == 200
    services.do_unpublish(small_groups.project, actor=owner)
    for url in ("/public/open-trust/", "/public/open-trust/data/",
                "/public/open-trust/data/register.csv",
                "/public/open-trust/figure/status-map.svg"):  # fmt: skip
        assert client.get(url).status_code == 404, url
