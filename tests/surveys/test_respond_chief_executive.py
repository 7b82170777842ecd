"""The shipped chief-executive instrument, read from its XLSForm, answered through the
respondent pages in nb, nn, da and en: every page renders in the chosen language, the frame
fills in the country, the decision bodies follow the country, and "no reform" skips the reform
block."""

from __future__ import annotations

import re

import pytest

from tests.surveys.test_respond_support import hidden_inputs, make_case
from tillit.apps.surveys import services
from tillit.apps.surveys.models import Answer, Case

pytestmark = pytest.mark.django_db

LANGS = ("nb", "nn", "da", "en")
#: One page title per language, and the chrome of the first page.
TRUST_PAGE = {
    "nb": "Tillit i styringslinjen",
    "nn": "Tillit i styringslina",
    "da": "Tillid i styringskæden",
    "en": "Trust along the line of authority",
}
FIRST = {"nb": "Side 1 av", "nn": "Side 1 av", "da": "Side 1 af", "en": "Page 1 of"}


@pytest.fixture
def chief(project_with_roles):
    project, users = project_with_roles
    owner = users["owner"]
    if not services.builtin_available("chief_executive_2026"):
        pytest.skip("the chief-executive instrument is not installed")
    filename, data = services.builtin_instrument("chief_executive_2026")
    iv = services.do_import_instrument(project, filename, data, actor=owner)
    survey = services.do_create_survey(project, "chief", "Kommunedirektører 2026", iv, actor=owner)
    return survey, owner


def _open(survey, owner, **kw):
    case, token = make_case(survey, **kw)
    if survey.status != survey.Status.OPEN:
        services.do_open_survey(survey, actor=owner)
    return case, token


def _page(client, token, n, lang=None):
    suffix = f"?lang={lang}" if lang else ""
    r = client.get(f"/s/{token}/p/{n}/{suffix}")
    assert r.status_code == 200, (n, r.status_code, r.get("Location"))
    return r.content.decode()


def _post(client, token, n, page, data, action="next"):
    return client.post(f"/s/{token}/p/{n}/", {**hidden_inputs(page), **data, "action": action})


ADOPTION = {"adopt": "formal", "adopt_year": "2021", "decided_by": "council_no", "scope": "whole"}


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_renders_in_each_language_and_the_walk_completes(client, chief, lang):
    survey, owner = chief
    case, token = _open(survey, owner)
    instrument = services.load_instrument(survey.instrument)
    pages = instrument.pages()
    assert len(pages) == 10
    page = _page(client, token, 1, lang)
    assert f'<html lang="{lang}">' in page and FIRST[lang] in page
    r = _post(client, token, 1, page, {"country": "NO"})
    assert r["Location"] == f"/s/{token}/p/2/"
    n, seen = 2, []
    while True:
        page = _page(client, token, n)
        assert f'<html lang="{lang}">' in page
        seen.append(pages[n - 1].name)
        last = n == len(pages)
        r = _post(client, token, n, page, ADOPTION if n == 2 else {}, "finish" if last else "next")
        assert r.status_code == 302, re.findall(
            r'class="field-error"[^<]*<[^>]*>[^<]*</span>([^<]*)', r.content.decode()
        )
        if last:
            assert r["Location"] == f"/s/{token}/done/"
            break
        n += 1
        assert r["Location"] == f"/s/{token}/p/{n}/"
        if pages[n - 1].name == "vtrust_pg":
            assert TRUST_PAGE[lang] in _page(client, token, n)
    assert seen == [p.name for p in pages[1:]]
    case.refresh_from_db()
    assert case.disposition == Case.Disposition.COMPLETE and case.language == lang


def test_no_reform_skips_the_reform_block_in_da(client, chief):
    survey, owner = chief
    case, token = _open(survey, owner, country="DK", language="da")
    page = _page(client, token, 1)
    assert 'name="country" value="DK" checked' in page  # filled in from the frame
    _post(client, token, 1, page, {"country": "DK"})
    page = _page(client, token, 2)
    assert "Side 2 af" in page
    assert 'value="council_dk"' in page and 'value="council_no"' not in page  # choice_filter
    r = _post(client, token, 2, page, {"adopt": "no"})
    assert r["Location"] == f"/s/{token}/p/7/"  # vtrust_pg: measures..effects are skipped
    page = _page(client, token, 7)
    assert "Side 3 af 6" in page and TRUST_PAGE["da"] in page
    assert page.count('<th scope="row"') == 8  # the vertical-trust matrix
    assert not Answer.objects.filter(case=case, name__in=["adopt_year", "decided_by"]).exists()


def test_reform_answers_are_dropped_when_adoption_changes_to_no(client, chief):
    survey, owner = chief
    case, token = _open(survey, owner)
    _post(client, token, 1, _page(client, token, 1), {"country": "NO"})
    _post(client, token, 2, _page(client, token, 2), ADOPTION)
    _post(client, token, 3, _page(client, token, 3), {"measures": ["budget"]})
    assert Answer.objects.filter(case=case, name="measures").exists()
    r = _post(client, token, 2, _page(client, token, 2), {"adopt": "no"})
    assert r["Location"] == f"/s/{token}/p/7/"
    assert not Answer.objects.filter(case=case, name__in=["measures", "scope"]).exists()
    assert Answer.objects.get(case=case, name="adopt").value == "no"


def test_required_messages_of_the_instrument_in_nn(client, chief):
    survey, owner = chief
    _, token = _open(survey, owner, language="nn")
    page = _page(client, token, 1)
    r = _post(client, token, 1, page, {"country": ""})
    assert "Dette spørsmålet må du svare på før du kan gå vidare." in r.content.decode()
