"""Pages: every page opens for members, non-members get 404, roles decide writes, the coding
page renders codings as spans, the layer switch and compare view work, downloads open."""

import io

import openpyxl
import pytest
from django.urls import reverse

from tillit.apps.qda.models import Code, Coding, Memo, Source

pytestmark = pytest.mark.django_db


def _url(name, *args):
    return reverse(f"qda:{name}", args=["trust", *args])


def _pages(project):
    source = Source.objects.filter(project=project).first()
    code = Code.objects.filter(project=project, codings__isnull=False).first()
    memo = Memo.objects.filter(project=project).first()
    from tillit.apps.qda.models import AutocodeBatch, Case

    case = Case.objects.filter(project=project).first()
    return [
        _url("index"),
        _url("source", source.pk),
        _url("source", source.pk) + "?layer=mine",
        _url("codebook"),
        _url("colours"),
        _url("codebook-export"),
        _url("code", code.pk),
        _url("memos"),
        _url("memo", memo.pk),
        _url("cases"),
        _url("case", case.pk),
        _url("search") + "?q=tillit&lang=nb",
        _url("autocode"),
        _url("queries"),
        _url("queries") + '?tab=retrieve&q=code:"Vertical+trust"+AND+NOT+coder:coder',
        _url("queries") + "?tab=cooccurrence",
        _url("queries") + "?tab=matrix&by=case",
        _url("queries") + "?tab=matrix&by=country&count=characters",
        _url("queries") + "?tab=words&lang=nb&stem=1",
        _url("queries") + "?tab=kwic&keyword=tillit&lang=nb",
        _url("reliability"),
        _url("refi"),
    ] + (
        [_url("autocode-review", AutocodeBatch.objects.first().pk)]
        if AutocodeBatch.objects.exists()
        else []
    )


def test_every_page_opens_for_a_viewer_and_404s_for_outsiders(client, qda_demo):
    project, users = qda_demo
    for url in _pages(project):
        client.force_login(users["viewer"])
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        client.force_login(users["outsider"])
        assert client.get(url).status_code == 404, url


def test_index_requires_login(client, qda_demo):
    r = client.get(_url("index"))
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_coding_page_renders_spans_with_code_point_offsets(client, qda_demo):
    project, users = qda_demo
    source = Source.objects.get(project=project, name__contains="union")
    client.force_login(users["coder"])
    html = client.get(_url("source", source.pk)).content.decode()
    mine = Coding.objects.filter(source=source, coder=users["coder"]).first()
    assert f'data-s="{mine.start}"' in html
    assert f"code-{mine.code_id}" in html
    assert 'src="/static/qda/coding.js"' in html
    assert "style=" not in html.split('<main id="main"', 1)[1]


def test_layer_switch_and_compare(client, qda_demo):
    project, users = qda_demo
    source = Source.objects.get(project=project, name__contains="union")
    client.force_login(users["viewer"])
    a, b = users["coder"], users["researcher"]
    html = client.get(_url("source", source.pk) + f"?layer=compare:{a.pk}:{b.pk}").content.decode()
    assert "cmp agree" in html and "cmp only-" in html
    html = client.get(_url("source", source.pk) + f"?layer=coder:{a.pk}").content.decode()
    n = Coding.objects.filter(source=source, coder=a).count()
    assert html.count("<li data-s=") == n
    for c in Coding.objects.filter(source=source, coder=a):
        assert f'data-s="{c.start}"' in html and f'data-e="{c.end}"' in html


def test_reliability_page_shows_kappa_and_alpha(client, qda_demo):
    _, users = qda_demo
    client.force_login(users["viewer"])
    r = client.get(_url("reliability") + "?coder_a=coder&coder_b=researcher&threshold=0.9")
    html = r.content.decode()
    assert r.status_code == 200
    assert "kappa-table" in html and "disagreements" in html
    ctx = r.context
    assert 0 < ctx["agreement"].overall_kappa < 1
    assert 0 < ctx["alpha"].overall_alpha < 1
    assert 0 < ctx["unitizing"].alpha < 1
    rows = ctx["agreement_rows"]
    assert ctx["has_turns"] and any(0 < r["turn_alpha"] <= 1 for r in rows)
    assert ctx["n_disagreements"] > 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "html"])
def test_query_downloads(client, qda_demo, fmt):
    _, users = qda_demo
    client.force_login(users["viewer"])
    r = client.get(_url("queries") + f"?tab=cooccurrence&format={fmt}")
    assert r.status_code == 200
    body = r.content
    if fmt == "xlsx":
        wb = openpyxl.load_workbook(io.BytesIO(body))
        assert "counts" in wb.sheetnames
    elif fmt == "csv":
        assert body.decode().splitlines()[0].startswith("code_a")
    else:
        assert b"<table" in body


def test_viewer_cannot_code_or_write_memos(client, qda_demo):
    project, users = qda_demo
    source = Source.objects.filter(project=project).first()
    code = Code.objects.filter(project=project, is_codable=True).first()
    client.force_login(users["viewer"])
    r = client.post(_url("coding-add", source.pk), {"start": 0, "end": 5, "code": code.pk})
    assert r.status_code == 403
    assert client.post(_url("memos"), {"text": "x"}).status_code == 403
    assert client.post(_url("codebook"), {"action": "starter"}).status_code == 403


def test_coder_codes_and_removes_own_coding(client, qda_demo):
    project, users = qda_demo
    source = Source.objects.filter(project=project).first()
    code = Code.objects.filter(project=project, is_codable=True).first()
    client.force_login(users["coder"])
    r = client.post(_url("coding-add", source.pk), {"start": 3, "end": 9, "code": [code.pk]})
    assert r.status_code == 302
    c = Coding.objects.get(source=source, code=code, coder=users["coder"], start=3, end=9)
    other = Coding.objects.filter(coder=users["researcher"]).first()
    assert client.post(_url("coding-remove", other.pk)).status_code == 403
    assert client.post(_url("coding-remove", c.pk)).status_code == 302
    assert not Coding.objects.filter(pk=c.pk).exists()


def test_refi_export_needs_personal_data_right(client, qda_demo):
    _, users = qda_demo
    client.force_login(users["coder"])
    assert client.get(_url("refi-export")).status_code == 403
    client.force_login(users["researcher"])
    r = client.get(_url("refi-export"))
    assert r.status_code == 200 and r.content[:2] == b"PK"


def test_retrieval_query_lists_segments(client, qda_demo):
    _project, users = qda_demo
    client.force_login(users["viewer"])
    r = client.get(_url("queries"), {"tab": "retrieve", "q": 'code:"Vertical trust"'})
    rows = r.context["rows"]
    assert rows and all(row["code"].startswith("Vertical trust/") for row in rows)
    r = client.get(_url("queries"), {"tab": "retrieve", "q": "AND AND"})
    assert r.status_code == 200 and r.context["error"]


def test_list_pages_use_a_fixed_number_of_queries(client, qda_demo, django_assert_max_num_queries):
    project, users = qda_demo
    client.force_login(users["viewer"])
    for name in ("index", "codebook", "memos", "cases"):
        with django_assert_max_num_queries(15):
            assert client.get(_url(name)).status_code == 200
    source = Source.objects.get(project=project, name__contains="union")
    with django_assert_max_num_queries(20):
        assert client.get(_url("source", source.pk)).status_code == 200


def test_admin_lists_open_for_staff(client, qda_demo):
    from tillit.apps.core import services as core

    staff = core.do_create_user("staffer", "long-enough-pass-1", is_staff=True)
    client.force_login(staff)
    for model in ("source", "code", "coding", "memo", "case"):
        assert client.get(f"/admin/qda/{model}/").status_code == 200, model


def test_import_form_refuses_huge_files_before_reading(client, qda_demo, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tillit.apps.qda import services

    _, users = qda_demo
    monkeypatch.setattr(services, "MAX_SOURCE_BYTES", 10)
    client.force_login(users["researcher"])
    before = Source.objects.count()
    r = client.post(
        _url("index"),
        {
            "file": SimpleUploadedFile("big.txt", b"x" * 100),
            "kind": "document",
            "consent": "pending",
        },
    )
    assert r.status_code == 200 and "at most" in r.content.decode()
    assert Source.objects.count() == before
    r = client.post(
        _url("index"),
        {
            "file": SimpleUploadedFile("ok.txt", "Å ja".encode()),
            "kind": "document",
            "consent": "pending",
        },
    )
    assert r.status_code == 302 and Source.objects.count() == before + 1
