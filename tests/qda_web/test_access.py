"""Who sees what: the assigned-sources setting, owner-only pseudonym keys, outsiders 404."""

import pytest
from django.urls import reverse

from tillit.apps.qda import services, services_codebook, services_exchange
from tillit.apps.qda.models import Code, Coding, Source

pytestmark = pytest.mark.django_db


def _url(name, *args):
    return reverse(f"qda:{name}", args=["trust", *args])


@pytest.fixture
def two_sources(project_with_roles):
    project, users = project_with_roles
    o = users["owner"]
    a = services.do_create_source(project, "Assigned", "Kari bor i Bodø.", actor=o)
    b = services.do_create_source(project, "Other", "Ola bor i Tromsø.", actor=o)
    services.do_assign_coders(a, [users["coder"]], actor=o)
    code = services_codebook.do_create_code(project, "C", actor=o)
    return project, users, a, b, code


def test_assigned_only_hides_other_sources_from_coders(client, two_sources):
    _project, users, a, b, code = two_sources
    client.force_login(users["coder"])
    assert client.get(_url("source", b.pk)).status_code == 200  # setting off
    client.force_login(users["owner"])
    assert client.post(_url("settings"), {"assigned_only": "on"}).status_code == 302
    client.force_login(users["coder"])
    html = client.get(_url("index")).content.decode()
    assert "Assigned" in html and "Other" not in html
    assert client.get(_url("source", b.pk)).status_code == 404
    r = client.post(_url("coding-add", b.pk), {"start": 0, "end": 3, "code": code.pk})
    assert r.status_code == 404 and not Coding.objects.filter(source=b).exists()
    r = client.post(_url("coding-add", a.pk), {"start": 0, "end": 4, "code": code.pk})
    assert Coding.objects.filter(source=a, coder=users["coder"]).exists()
    client.force_login(users["researcher"])
    assert client.get(_url("source", b.pk)).status_code == 200


def test_only_owners_change_the_setting(client, two_sources):
    _, users, *_ = two_sources
    client.force_login(users["researcher"])
    assert client.get(_url("settings")).status_code == 200
    assert client.post(_url("settings"), {"assigned_only": "on"}).status_code == 403


def test_pseudonym_key_is_for_owners_only(client, two_sources):
    _project, users, a, *_ = two_sources
    copy = services_exchange.do_pseudonymise_source(
        a, {"Kari": "person", "Bodø": "place"}, actor=users["owner"]
    )
    for role in ("researcher", "coder", "viewer"):
        client.force_login(users[role])
        assert client.get(_url("pseudonym-key", copy.pk)).status_code == 403, role
        assert "Bodø" not in client.get(_url("source", copy.pk)).content.decode()
    client.force_login(users["outsider"])
    assert client.get(_url("pseudonym-key", copy.pk)).status_code == 404
    client.force_login(users["owner"])
    r = client.get(_url("pseudonym-key", copy.pk))
    assert r.status_code == 200 and "Bodø" in r.content.decode()


def test_pseudonymise_from_the_page_makes_a_copy(client, two_sources):
    _project, users, a, *_ = two_sources
    client.force_login(users["researcher"])
    r = client.post(
        _url("source-edit", a.pk), {"action": "pseudonymise", "names": "Kari | person\nBodø|place"}
    )
    assert r.status_code == 302
    copy = Source.objects.get(pseudonymised_from=a)
    assert "Kari" not in copy.text and "[PLACE-1]" in copy.text


def test_outsider_gets_404_on_writes(client, two_sources):
    _project, users, a, _b, code = two_sources
    client.force_login(users["outsider"])
    for url, data in [
        (_url("coding-add", a.pk), {"start": 0, "end": 3, "code": code.pk}),
        (_url("memos"), {"text": "x"}),
        (_url("codebook"), {"action": "starter"}),
        (_url("refi"), {}),
        (_url("source-edit", a.pk), {"action": "delete"}),
    ]:
        assert client.post(url, data).status_code == 404, url
    assert Source.objects.filter(pk=a.pk).exists()


def test_memo_from_the_source_page(client, two_sources):
    _project, users, a, *_ = two_sources
    client.force_login(users["coder"])
    next_url = _url("source", a.pk)
    r = client.post(
        _url("memos"),
        {"target": f"source:{a.pk}", "title": "Note", "text": "Interesting.", "next": next_url},
    )
    assert r.status_code == 302 and r["Location"] == next_url
    assert a.memos.get().text == "Interesting."


def test_codebook_page_creates_codes_and_starter(client, two_sources):
    project, users, *_ = two_sources
    client.force_login(users["researcher"])
    r = client.post(
        _url("codebook"),
        {"action": "create", "new-name": "Fresh", "new-parent": "", "new-colour": "#aabbcc"},
    )
    assert r.status_code == 302
    assert Code.objects.get(project=project, name="Fresh").colour == "#aabbcc"
    r = client.post(_url("codebook"), {"action": "starter", "lang": "da"})
    assert Code.objects.filter(project=project, name="Vertikal tillid").exists()
    css = client.get(_url("colours")).content.decode()
    assert "#aabbcc" in css


def test_next_cannot_leave_the_site(client, two_sources):
    _, users, a, *_ = two_sources
    client.force_login(users["coder"])
    r = client.post(
        _url("memos"), {"target": f"source:{a.pk}", "text": "x", "next": "https://evil.example/"}
    )
    assert r.status_code == 302 and r["Location"] == _url("memos")


def test_code_page_edit_move_merge_split_delete(client, two_sources):
    project, users, a, _, code = two_sources
    o = users["owner"]
    parent = services_codebook.do_create_code(project, "Parent", actor=o)
    other = services_codebook.do_create_code(project, "Other", actor=o)
    services.do_add_coding(a, [code], 0, 4, coder=o)
    client.force_login(users["researcher"])
    url = _url("code", code.pk)
    assert client.get(url).status_code == 200
    r = client.post(
        url,
        {
            "action": "edit",
            "name": "Renamed",
            "concept_id": "motive.recruitment",
            "colour": "#112233",
            "parent": "",
        },
    )
    assert r.status_code == 302
    code.refresh_from_db()
    assert (code.name, code.concept_id, code.colour) == ("Renamed", "motive.recruitment", "#112233")
    r = client.post(url, {"action": "edit", "name": "X", "concept_id": "motive.nope"})
    assert r.status_code == 200 and "motive.nope" in r.content.decode()
    assert client.post(url, {"action": "move", "parent": parent.pk}).status_code == 302
    code.refresh_from_db()
    assert code.parent == parent
    coding = Coding.objects.get(code=code)
    r = client.post(url, {"action": "split", "names": "Left\nRight", f"split-{coding.pk}": "1"})
    assert r.status_code == 302
    assert Coding.objects.get(pk=coding.pk).code.name == "Right"
    right = Code.objects.get(project=project, name="Right")
    r = client.post(_url("code", right.pk), {"action": "merge", "target": other.pk})
    assert r.status_code == 302 and Coding.objects.get(pk=coding.pk).code == other
    left = Code.objects.get(project=project, name="Left")
    assert client.post(_url("code", left.pk), {"action": "delete"}).status_code == 302
    assert not Code.objects.filter(pk=left.pk).exists()
    html = client.get(_url("code", code.pk)).content.decode()
    assert "Renamed" in html and "Split" in html and "Moved" in html
    client.force_login(users["coder"])
    assert client.post(url, {"action": "delete"}).status_code == 403


def test_case_pages(client, two_sources):
    project, users, a, *_ = two_sources
    client.force_login(users["researcher"])
    r = client.post(
        _url("cases"),
        {
            "name": "Bodø",
            "kind": "municipality",
            "municipality_code": "1804",
            "attributes": "size = 52000\nreform = true\nnote = pilot",
        },
    )
    assert r.status_code == 302
    from tillit.apps.qda.models import Case

    case = Case.objects.get(project=project, name="Bodø")
    assert case.attributes == {"size": 52000, "reform": True, "note": "pilot"}
    r = client.post(
        _url("case", case.pk), {"action": "assign", "source": a.pk, "start": 0, "end": 4}
    )
    assert r.status_code == 302 and case.assignments.get().end == 4
    r = client.post(
        _url("cases"), {"name": "Bad", "kind": "municipality", "attributes": "no equals sign"}
    )
    assert r.status_code == 200 and not Case.objects.filter(name="Bad").exists()
    html = client.get(_url("cases")).content.decode()
    assert "52000" in html and "pilot" in html
