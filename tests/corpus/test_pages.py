"""Corpus pages: roles (viewer reads, coder labels, researcher imports, screens and confirms,
non-member 404), the browser with filters, the document view with highlighted evidence and the
by-hash link, the review queue without JavaScript, agreement, upload with flagged files."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.corpus.conftest import NB_REFORM, make_bomb
from tillit.apps.corpus import services
from tillit.apps.corpus.models import Document, Label, PassageScore, Suggestion

pytestmark = pytest.mark.django_db

READ_PAGES = ["corpus:index", "corpus:agreement", "corpus:classifier", "corpus:suggestions"]


def _login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", READ_PAGES)
def test_members_read_and_outsiders_get_404(client, project, users, screened, name):
    url = reverse(name, args=[project.slug])
    assert _login(client, users["viewer"]).get(url).status_code == 200
    assert _login(client, users["outsider"]).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the log-in page


@pytest.mark.parametrize(
    ("name", "method", "allowed", "denied"),
    [
        ("corpus:upload", "get", "researcher", "coder"),
        ("corpus:screen", "post", "researcher", "coder"),
        ("corpus:review", "get", "coder", "viewer"),
        ("corpus:suggestions", "post", "researcher", "coder"),
        ("corpus:classifier", "post", "researcher", "coder"),
    ],
)
def test_writes_need_the_right_role(
    client, project, users, screened, name, method, allowed, denied
):
    url = reverse(name, args=[project.slug])
    assert getattr(_login(client, users[denied]), method)(url).status_code == 403
    assert getattr(_login(client, users["outsider"]), method)(url).status_code == 404
    assert getattr(_login(client, users[allowed]), method)(url).status_code in (200, 302)


def test_index_lists_filters_and_counts(client, project, users, screened):
    services.do_import_document(project, filename="bad.pdf", data=b"%PDF-1.4 junk", actor=None)
    c = _login(client, users["viewer"])
    url = reverse("corpus:index", args=[project.slug])
    html = c.get(url).content.decode()
    assert "lillehammer.txt" in html and "voss.txt" in html and "odense.txt" in html
    assert "Flagged documents" in html and "corrupt" in html
    assert "Lillehammer" in html  # municipality names from the registry
    da_only = c.get(url, {"lang": "da"}).content.decode()
    assert "odense.txt" in da_only and "voss.txt" not in da_only
    by_name = c.get(url, {"municipality": "Voss"}).content.decode()
    assert "voss.txt" in by_name and "odense.txt" not in by_name
    flagged = c.get(url, {"status": "flagged"}).content.decode()
    assert (
        "bad.pdf" in flagged
        and "voss.txt" not in flagged.split("Find documents")[1].split("Flagged documents")[0]
    )


def test_document_view_highlights_evidence_and_the_linked_span(client, project, users, screened):
    doc = Document.objects.get(filename="lillehammer.txt")
    ps = PassageScore.objects.filter(passage__document=doc, concept="measure.trust_reform").first()
    c = _login(client, users["viewer"])
    r = c.get(
        reverse("corpus:by-hash", args=[project.slug, doc.sha256]),
        {"start": ps.passage.start, "end": ps.passage.end},
    )
    assert r.status_code == 302
    assert r["Location"].endswith(
        f"/d/{doc.pk}/?start={ps.passage.start}&end={ps.passage.end}#span"
    )
    html = c.get(r["Location"]).content.decode()
    assert '<mark class="ev' in html and 'id="span"' in html
    marked = re.findall(r"<mark[^>]*>(.*?)</mark>", html, re.S)
    assert any("tillitsreform" in m.lower() for m in marked)
    assert "Trust reform and trust-based steering" in html  # concept label in the title
    text_of_target = "".join(
        re.findall(r'<mark class="ev[^"]*ev-target[^"]*"[^>]*>(.*?)</mark>', html, re.S)
    )
    assert text_of_target.replace("&#x27;", "'") == doc.text[ps.passage.start : ps.passage.end]
    assert c.get(reverse("corpus:by-hash", args=[project.slug, "0" * 64])).status_code == 404


def test_document_text_is_escaped(client, project, users):
    out = services.do_import_document(
        project, filename="x.txt", data=b"Tillitsreform <script>alert(1)</script> i kommunen.",
        actor=None,
    )  # fmt: skip
    html = (
        _login(client, users["viewer"])
        .get(reverse("corpus:document", args=[project.slug, out.document_id]))
        .content.decode()
    )
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_review_queue_accept_reject_relabel_without_javascript(client, project, users, screened):
    c = _login(client, users["coder"])
    url = reverse("corpus:review", args=[project.slug])
    html = c.get(url).content.decode()
    assert 'id="btn-accept"' in html and "corpus/review.js" in html
    passage = re.search(r'name="passage" value="(\d+)"', html).group(1)
    concept = re.search(r'name="concept" value="([^"]+)"', html).group(1)
    r = c.post(url, {"passage": passage, "concept": concept, "action": "accept"})
    assert r.status_code == 302
    assert Label.objects.get(screener=users["coder"]).decision == "accept"
    html2 = c.get(url).content.decode()
    p2 = re.search(r'name="passage" value="(\d+)"', html2).group(1)
    c2 = re.search(r'name="concept" value="([^"]+)"', html2).group(1)
    assert (p2, c2) != (passage, concept)
    c.post(
        url, {"passage": p2, "concept": c2, "action": "relabel", "to_concept": "motive.recruitment"}
    )
    assert Label.objects.filter(screener=users["coder"], current=True).count() == 3
    html3 = c.get(url).content.decode()
    p3 = re.search(r'name="passage" value="(\d+)"', html3).group(1)
    c3 = re.search(r'name="concept" value="([^"]+)"', html3).group(1)
    c.post(url, {"passage": p3, "concept": c3, "action": "skip"})
    assert Label.objects.filter(screener=users["coder"]).count() == 3
    html4 = c.get(url).content.decode()  # "next" moves on without a label
    assert (re.search(r'name="passage" value="(\d+)"', html4).group(1),
            re.search(r'name="concept" value="([^"]+)"', html4).group(1)) != (p3, c3)  # fmt: skip


def test_review_cannot_label_another_projects_passage(client, project, users, screened):
    from tillit.apps.core import services as core

    other = core.do_create_project(name="Other", owner=users["coder"])
    ps = PassageScore.objects.first()
    r = _login(client, users["coder"]).post(
        reverse("corpus:review", args=[other.slug]),
        {"passage": ps.passage_id, "concept": ps.concept, "action": "accept"},
    )
    assert r.status_code == 404 and not Label.objects.exists()


def test_agreement_page_shows_kappa(client, project, users, screened):
    from tillit.apps.corpus import review

    items = review.next_items(project, users["coder"], n=4)
    for i, item in enumerate(items):
        services.do_label_passage(item.passage, item.concept, "accept", screener=users["coder"])
        decision = "accept" if i % 2 else "reject"
        services.do_label_passage(
            item.passage, item.concept, decision, screener=users["researcher"]
        )
    html = (
        _login(client, users["viewer"])
        .get(reverse("corpus:agreement", args=[project.slug]), {"a": "coder", "b": "researcher"})
        .content.decode()
    )
    assert 'id="kappa-overall"' in html and "Cohen" in html


def test_upload_files_zip_and_flagged_reasons(client, project, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = _login(client, users["researcher"])
    url = reverse("corpus:upload", args=[project.slug])
    r = c.post(
        url,
        {
            "files": [
                SimpleUploadedFile("a.txt", NB_REFORM.encode()),
                SimpleUploadedFile("bomb.zip", make_bomb()),
                SimpleUploadedFile("broken.pdf", b"%PDF-1.4 broken"),
            ],
            "municipality": "Bergen",
            "doc_type": "council_minutes",
        },
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert "outcome-imported" in html and "bomb" in html and "corrupt" in html
    assert Document.objects.filter(project=project).count() == 3
    assert set(Document.objects.values_list("municipality_code", flat=True)) == {"4601"}
    r = c.post(url, {"municipality": "Bergen"})
    assert "Choose files" in r.content.decode()


def test_screen_button_and_suggestion_decisions(client, project, users, imported):
    c = _login(client, users["researcher"])
    r = c.post(reverse("corpus:screen", args=[project.slug]))
    assert r.status_code == 302
    assert Suggestion.objects.filter(project=project).count() == 3
    index = c.get(reverse("corpus:index", args=[project.slug])).content.decode()
    assert "<progress" in index
    s = Suggestion.objects.get(municipality_code="461")
    r = c.post(
        reverse("corpus:suggestion-decide", args=[project.slug, s.pk]),
        {"action": "confirm", "title": "Tillidsreform i Odense"},
    )
    assert r.status_code == 302
    s.refresh_from_db()
    assert s.state == "confirmed" and s.initiative_id
    page = c.get(reverse("corpus:suggestions", args=[project.slug])).content.decode()
    assert "Tillidsreform" in page or "Odense" in page


def test_municipality_evidence_page(client, project, users, screened):
    html = (
        _login(client, users["viewer"])
        .get(reverse("corpus:municipality", args=[project.slug, "4621"]))
        .content.decode()
    )
    assert "Voss" in html and "tillitsreform" in html.lower() and "/h/" in html


@pytest.mark.parametrize(
    "name", ["corpus:index", "corpus:suggestions", "corpus:review", "corpus:agreement"]
)
def test_list_pages_do_not_query_per_row(client, project, users, imported, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tillit.apps.corpus import screening
    from tillit.apps.corpus.demo_documents import DOCUMENTS

    c = _login(client, users["researcher"])
    url = reverse(name, args=[project.slug])

    def count():
        services.do_refresh_suggestions(project, actor=users["owner"])
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    screening.screen_project(project, actor=users["owner"])
    small = count()
    for d in DOCUMENTS:
        services.do_import_document(
            project, filename=d.filename, data=d.text.encode(), actor=None,
            meta=services.Metadata(municipality=d.code),
        )  # fmt: skip
    screening.screen_project(project, actor=users["owner"])
    assert count() <= small + 2


def test_the_browser_pages_through_documents_keeping_filters(
    client, project, users, demo_corpus, monkeypatch
):
    from tillit.apps.corpus import views

    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    c = _login(client, users["viewer"])
    url = reverse("corpus:index", args=[project.slug])
    first = c.get(url, {"lang": "da"}).content.decode()
    assert "Page 1 of 2" in first and "lang=da&amp;page=2" in first
    second = c.get(url, {"lang": "da", "page": 2}).content.decode()
    assert "Page 2 of 2" in second
    titles = set(re.findall(r'/d/(\d+)/">', first + second))
    assert len(titles) == Document.objects.filter(lang="da").count() == 6


def test_a_flagged_document_can_be_extracted_again(client, project, users):
    out = services.do_import_document(project, filename="scan.pdf", data=b"%PDF-1.4 x", actor=None)
    url = reverse("corpus:document", args=[project.slug, out.document_id])
    again = reverse("corpus:reextract", args=[project.slug, out.document_id])
    assert again in _login(client, users["researcher"]).get(url).content.decode()
    assert again not in _login(client, users["coder"]).get(url).content.decode()
    assert client.post(again).status_code == 403
    r = _login(client, users["researcher"]).post(again, follow=True)
    assert "Still flagged: corrupt" in r.content.decode()


def test_the_shared_sample_is_the_same_for_both_screeners(client, project, users, demo_corpus):
    from tillit.apps.corpus import review

    for item in review.next_items(project, users["owner"], n=12, active=False):
        decision = "accept" if item.concept == "measure.trust_reform" else "reject"
        services.do_label_passage(item.passage, item.concept, decision, screener=users["owner"])
    url = reverse("corpus:review", args=[project.slug]) + "?order=lexicon"

    def shown(user):
        html = _login(client, user).get(url).content.decode()
        assert "ordered by lexicon score" in html
        return re.search(r'name="passage" value="(\d+)"', html).group(1)

    assert shown(users["coder"]) == shown(users["researcher"])
    p = shown(users["coder"])
    concept = PassageScore.objects.filter(passage_id=p).order_by("-score", "concept")[0].concept
    r = client.post(url, {"passage": p, "concept": concept, "action": "accept"})
    assert r["Location"].endswith("?order=lexicon")


def test_upload_with_a_manifest(client, project, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    manifest = (
        "filename;municipality;date;doc_type;title\n"
        "voss.txt;Voss;2022-06-09;council_minutes;Møtebok\n"
    ).encode()
    r = _login(client, users["researcher"]).post(
        reverse("corpus:upload", args=[project.slug]),
        {
            "files": [SimpleUploadedFile("voss.txt", b"Heradet vedtek ei tillitsreform.")],
            "manifest": SimpleUploadedFile("manifest.csv", manifest),
            "municipality": "Bergen",
        },
    )
    assert r.status_code == 200 and "outcome-imported" in r.content.decode()
    doc = Document.objects.get()
    assert (doc.municipality_code, doc.title, doc.doc_type) == (
        "4621",
        "Møtebok",
        "council_minutes",
    )


def test_a_running_screening_is_shown_with_its_progress(client, project, users, imported):
    run = services.do_start_screening(project, lexicon_version="1", total=3, actor=None)
    services.do_store_screening(run, [], actor=None)
    html = _login(client, users["viewer"]).get(reverse("corpus:index", args=[project.slug]))
    html = html.content.decode()
    assert 'data-running="1"' in html and "corpus/progress.js" in html
    assert '<progress max="3" value="0">' in html
