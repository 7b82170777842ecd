"""The public taxonomy pages through Django's test client."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest

from tillit.taxonomy import load_taxonomy

NB_LABEL = "Færre rapporterings- og dokumentasjonskrav"
EN_LABEL = "Fewer reporting and documentation requirements"


class _Nesting(HTMLParser):
    """Records, for each concept link inside a list, the concept ids of the enclosing <li>s."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.li_ids: list[str | None] = []
        self.parents: dict[str, list[str]] = {}
        self.balance_ok = True

    def handle_starttag(self, tag, attrs):
        if tag in {"ul", "li"}:
            self.stack.append(tag)
            if tag == "li":
                self.li_ids.append(None)
        href = dict(attrs).get("href") or ""
        if tag == "a" and href.startswith("/taxonomy/") and self.li_ids and self.li_ids[-1] is None:
            cid = href.strip("/").split("/")[-1]
            self.li_ids[-1] = cid
            self.parents[cid] = [i for i in self.li_ids[:-1] if i]

    def handle_endtag(self, tag):
        if tag in {"ul", "li"}:
            if not self.stack or self.stack.pop() != tag:
                self.balance_ok = False
            if tag == "li":
                self.li_ids.pop()


def test_tree_page_in_english(client):
    response = client.get("/taxonomy/")
    assert response.status_code == 200
    html = response.content.decode()
    tax = load_taxonomy()
    assert tax.version in html
    assert EN_LABEL in html
    assert '<code class="concept-id">measure.reporting_reduction</code>' in html
    assert "Removing or simplifying requirements to report" in html
    assert 'href="/taxonomy/measure.reporting_reduction/"' in html
    assert 'href="/taxonomy/taxonomy.json"' in html
    assert 'class="tree"' in html
    assert "style=" not in html and "<script" not in html
    for root in tax.roots():
        assert f'id="branch-{root.id}"' in html


def test_tree_page_nests_lists_correctly(client):
    parser = _Nesting()
    parser.feed(client.get("/taxonomy/").content.decode())
    assert parser.balance_ok and not parser.stack
    tax = load_taxonomy()
    for concept in tax:
        if concept.depth >= 1:
            expected = [a.id for a in tax.ancestors(concept.id)][1:]  # root is the heading
            assert parser.parents[concept.id] == expected, concept.id


def test_tree_page_in_bokmal_by_cookie(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    html = client.get("/taxonomy/").content.decode()
    assert '<html lang="nb">' in html
    assert NB_LABEL in html
    assert EN_LABEL not in html
    assert 'lang="nb">Å fjerne eller forenkle krav' in html


def test_tree_page_in_bokmal_by_accept_language(client):
    html = client.get("/taxonomy/", HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert NB_LABEL in html


def test_nynorsk_falls_back_to_bokmal_definitions(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nn"
    html = client.get("/taxonomy/?branch=actor").content.decode()
    assert "Tillitsvalde" in html  # nn label
    assert 'lang="nb">Ansatte som er valgt av fagforeningsmedlemmene' in html  # nb definition


def test_branch_filter(client):
    html = client.get("/taxonomy/", {"branch": "relation"}).content.decode()
    assert "relation.form.interpersonal" in html
    assert "measure.reporting_reduction" not in html
    assert 'id="branch-measure"' not in html


def test_text_filter_keeps_matches_and_their_ancestors(client):
    html = client.get("/taxonomy/", {"q": "leaders and employees"}).content.decode()
    assert "relation.vertical.leaders_employees" in html
    assert 'href="/taxonomy/relation.vertical/"' in html  # ancestor kept for context
    assert "relation.horizontal.social_partners" not in html
    assert 'id="branch-measure"' not in html


def test_filter_without_matches(client):
    html = client.get("/taxonomy/", {"q": "xyzzy"}).content.decode()
    assert "No concepts match this filter." in html


def test_invalid_branch_is_ignored_with_a_notice(client):
    response = client.get("/taxonomy/", {"branch": "nonsense"})
    assert response.status_code == 200
    assert "were not valid and were ignored" in response.content.decode()


def test_concept_page(client):
    response = client.get("/taxonomy/relation.vertical.leaders_employees/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 lang="en">Leaders and employees</h1>' in html
    for code, label in [
        ("nb", "Ledere og ansatte"),
        ("nn", "Leiarar og tilsette"),
        ("da", "Ledere og medarbejdere"),
        ("sv", "Chefer och medarbetare"),
        ("en", "Leaders and employees"),
    ]:
        assert f'<td lang="{code}">{label}</td>' in html
    assert 'href="/taxonomy/relation/"' in html and 'href="/taxonomy/relation.vertical/"' in html
    assert "DFØ-notat 2023:1" in html


def test_concept_page_lists_children(client):
    html = client.get("/taxonomy/relation.form/").content.decode()
    assert 'href="/taxonomy/relation.form.institutional/"' in html
    assert 'href="/taxonomy/relation.form.interpersonal/"' in html


def test_concept_page_in_bokmal(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    html = client.get("/taxonomy/measure.reporting_reduction/").content.decode()
    assert f'<h1 lang="nb">{NB_LABEL}</h1>' in html


@pytest.mark.parametrize("bad", ["measure.nothing", "MEASURE", "x y"])
def test_unknown_concept_is_404(client, bad):
    assert client.get(f"/taxonomy/{bad}/").status_code == 404


def test_json_download(client):
    response = client.get("/taxonomy/taxonomy.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    tax = load_taxonomy()
    assert data["version"] == tax.version
    assert len(data["concepts"]) == len(tax)
    assert NB_LABEL in response.content.decode("utf-8")  # UTF-8, not \u escapes
