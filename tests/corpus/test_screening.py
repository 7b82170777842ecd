"""Screening: passages and scores stored with offsets that point at the right text, resumable
runs, re-screening keeps labels, evidence per municipality, and the Dask path."""

from __future__ import annotations

import pytest

from tests.corpus.conftest import NB_REFORM
from tillit.apps.corpus import screening, services
from tillit.apps.corpus.models import Document, Label, Passage, PassageScore, ScreeningRun

pytestmark = pytest.mark.django_db


def _rows(project):
    """Every stored screening row, in a comparable form."""
    passages = sorted(
        (p.document.sha256, p.index, p.start, p.end, p.lang, round(p.lang_confidence or 0, 5))
        for p in Passage.objects.filter(document__project=project).select_related("document")
    )
    scores = sorted(
        (
            s.passage.document.sha256,
            s.passage.index,
            s.concept,
            round(s.score, 9),
            tuple(sorted((t["term"], t["start"], t["end"]) for t in s.terms)),
        )
        for s in PassageScore.objects.filter(passage__document__project=project).select_related(
            "passage__document"
        )
    )
    return passages, scores


def test_screening_stores_passages_and_scores_with_true_offsets(project, screened):
    assert screened.state == "done" and screened.done == screened.total == 3
    docs = Document.objects.filter(project=project)
    assert all(d.screened_version == screened.lexicon_version for d in docs)
    scores = PassageScore.objects.filter(passage__document__project=project).select_related(
        "passage__document"
    )
    assert scores.count() == screened.n_scores > 0
    for ps in scores:
        text = ps.passage.document.text
        passage_text = text[ps.passage.start : ps.passage.end]
        assert passage_text.strip() == passage_text and passage_text
        for t in ps.terms:
            assert ps.passage.start <= t["start"] < t["end"] <= ps.passage.end
            assert text[t["start"] : t["end"]].lower().startswith(t["term"].lower()[:4])
    concepts = set(scores.values_list("concept", flat=True))
    assert services.SUGGESTION_CONCEPT in concepts
    langs = dict(docs.values_list("municipality_code", "lang"))
    assert langs == {"3405": "nb", "4621": "nn", "461": "da"}


def test_offsets_survive_crlf_and_decomposed_letters(project, users):
    import unicodedata

    raw = unicodedata.normalize("NFD", NB_REFORM).replace("\n", "\r\n")
    out = services.do_import_document(
        project, filename="crlf.txt", data=raw.encode(), actor=users["owner"]
    )
    screening.screen_project(project, actor=users["owner"])
    doc = Document.objects.get(pk=out.document_id)
    assert "\r" not in doc.text and unicodedata.is_normalized("NFC", doc.text)
    ps = PassageScore.objects.filter(passage__document=doc, concept="measure.trust_reform").first()
    assert ps is not None
    quote = doc.text[ps.passage.start : ps.passage.end]
    assert "tillitsreform" in quote and "Kommunestyret vedtar" in quote


def test_a_second_run_skips_documents_screened_with_the_same_lexicon(project, users, screened):
    before = _rows(project)
    again = screening.screen_project(project, actor=users["owner"])
    assert (again.total, again.done, again.skipped) == (0, 0, 3)
    assert _rows(project) == before


def test_an_interrupted_run_is_resumed_by_the_next(project, users, imported):
    calls = []

    def stop_after_first_batch(done, total):
        calls.append(done)
        if done >= 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        screening.screen_project(
            project, actor=users["owner"], progress=stop_after_first_batch, batch_size=1
        )
    failed = ScreeningRun.objects.get()
    assert failed.state == "failed" and failed.done == 1 and "KeyboardInterrupt" in failed.error
    resumed = screening.screen_project(project, actor=users["owner"])
    assert (resumed.total, resumed.skipped, resumed.state) == (2, 1, "done")
    assert Document.objects.filter(screened_version="").count() == 0


def test_rescreening_keeps_passages_and_their_labels(project, users, screened):
    ps = PassageScore.objects.filter(concept="measure.trust_reform").first()
    services.do_label_passage(ps.passage, ps.concept, "accept", screener=users["coder"])
    before = _rows(project)
    Document.objects.update(screened_version="old")  # as if screened with another lexicon
    screening.screen_project(project, actor=users["owner"])
    assert _rows(project) == before
    assert Label.objects.filter(passage_id=ps.passage_id, current=True).count() == 1


def test_flagged_documents_are_not_screened(project, users):
    services.do_import_document(project, filename="e.pdf", data=b"%PDF-1.4 x", actor=None)
    run = screening.screen_project(project, actor=users["owner"])
    assert run.total == 0 and not Passage.objects.exists()


@pytest.mark.slow
def test_the_dask_path_gives_the_same_rows_as_in_process(project, users, imported, tmp_path):
    from distributed import Client, LocalCluster

    local = screening.screen_project(project, actor=users["owner"])
    expected = _rows(project)
    Passage.objects.all().delete()
    Document.objects.update(screened_version="")
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster),
    ):
        seen = []
        run = screening.screen_project(
            project,
            actor=users["owner"],
            scheduler=cluster.scheduler_address,
            work_dir=tmp_path,
            progress=lambda d, t: seen.append((d, t)),
        )
    assert run.state == "done" and run.scheduler.startswith("tcp://")
    assert (run.done, run.n_passages, run.n_scores) == (
        local.done,
        local.n_passages,
        local.n_scores,
    )
    assert _rows(project) == expected
    assert seen[-1] == (3, 3)
    assert not (tmp_path / f"run-{run.pk}").exists()  # removed once the rows are stored


def test_a_passage_that_no_longer_scores_keeps_its_labels(project, users, screened):
    doc = Document.objects.get(filename="lillehammer.txt")
    passages = list(Passage.objects.filter(document=doc).order_by("index"))
    assert len(passages) >= 2
    labelled = passages[0]
    services.do_label_passage(labelled, "measure.trust_reform", "accept", screener=users["coder"])
    run = services.do_start_screening(project, lexicon_version="2", total=1, actor=None)
    services.do_store_screening(run, [(doc.pk, "nb", [])], actor=None)  # nothing scores now
    assert list(Passage.objects.filter(document=doc)) == [labelled]
    assert not PassageScore.objects.filter(passage__document=doc).exists()
    assert Document.objects.get(pk=doc.pk).screened_version == "2"


def test_a_killed_run_is_closed_when_the_next_starts(project, users, imported):
    killed = services.do_start_screening(project, lexicon_version="1", total=3, actor=None)
    run = screening.screen_project(project, actor=users["owner"])
    killed.refresh_from_db()
    assert killed.state == "failed" and "Interrupted" in killed.error
    assert run.state == "done" and run.done == 3
