"""Every corpus service writes its audit event inside its transaction."""

from __future__ import annotations

import inspect

import pytest

from tests.corpus.conftest import NB_REFORM
from tillit.apps.core.models import AuditEvent
from tillit.apps.corpus import services
from tillit.apps.corpus.models import PassageScore, ScreeningRun, Suggestion

pytestmark = pytest.mark.django_db


def _calls(project, users):
    def ps():
        return PassageScore.objects.filter(concept="measure.trust_reform").first()

    def run():
        return ScreeningRun.objects.first()

    def suggestion(code):
        services.do_refresh_suggestions(project, actor=users["owner"])
        return Suggestion.objects.get(municipality_code=code)

    owner = users["owner"]
    return {
        "do_import_document": (
            "document.import",
            lambda: services.do_import_document(
                project, filename="n.txt", data=b"Tillitsreform i Bergen.", actor=owner
            ),
        ),
        "do_reextract_document": (
            "document.reextract",
            lambda: services.do_reextract_document(ps().passage.document, actor=owner, ocr=False),
        ),
        "do_update_document": (
            "document.update",
            lambda: services.do_update_document(
                ps().passage.document, services.Metadata(title="Ny tittel"), actor=owner
            ),
        ),
        "do_start_screening": (
            "screening.start",
            lambda: services.do_start_screening(project, lexicon_version="1", total=0, actor=owner),
        ),
        "do_store_screening": (
            "screening.store",
            lambda: services.do_store_screening(run(), [], actor=owner),
        ),
        "do_finish_screening": (
            "screening.finish",
            lambda: services.do_finish_screening(run(), actor=owner),
        ),
        "do_label_passage": (
            "label.create",
            lambda: services.do_label_passage(
                ps().passage, ps().concept, "accept", screener=users["coder"]
            ),
        ),
        "do_relabel_passage": (
            "label.relabel",
            lambda: services.do_relabel_passage(
                ps().passage, ps().concept, "motive.recruitment", screener=users["coder"]
            ),
        ),
        "do_record_evaluation": (
            "classifier.evaluate",
            lambda: services.do_record_evaluation(project, [], n_labelled=0, folds=5, actor=owner),
        ),
        "do_refresh_suggestions": (
            "suggestion.refresh",
            lambda: services.do_refresh_suggestions(project, actor=owner),
        ),
        "do_confirm_suggestion": (
            "suggestion.confirm",
            lambda: services.do_confirm_suggestion(suggestion("4621"), actor=owner),
        ),
        "do_reject_suggestion": (
            "suggestion.reject",
            lambda: services.do_reject_suggestion(suggestion("3405"), actor=owner),
        ),
    }


def test_every_service_is_covered_here():
    names = {
        n
        for n, f in inspect.getmembers(services, inspect.isfunction)
        if n.startswith("do_") and f.__module__ == services.__name__
    }
    assert names == set(_calls(None, {"owner": None, "coder": None}))


@pytest.mark.parametrize("name", sorted(_calls(None, {"owner": None, "coder": None})))
def test_service_records_its_event(project, users, screened, name):
    action, call = _calls(project, users)[name]
    call_result = None
    before = AuditEvent.objects.filter(action=action).count()
    call_result = call()
    assert call_result is not None or name == "do_store_screening"
    ev = AuditEvent.objects.filter(action=action).order_by("-id").first()
    assert AuditEvent.objects.filter(action=action).count() == before + 1
    assert ev.project == project and (ev.after is not None or ev.before is not None)


def test_a_failed_import_leaves_no_row_and_no_event(project, users):
    from tillit.apps.corpus.models import Document
    from tillit.errors import TillitError

    before = AuditEvent.objects.count()
    with pytest.raises(TillitError):
        services.do_import_document(
            project,
            filename="x.txt",
            data=NB_REFORM.encode(),
            actor=users["owner"],
            meta=services.Metadata(municipality="Nowhere-town"),
        )
    assert AuditEvent.objects.count() == before and not Document.objects.exists()
