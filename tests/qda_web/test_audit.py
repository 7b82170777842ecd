"""Every qda service writes exactly one audit row (like tests/core/test_audit.py)."""

import inspect

import pytest

from tillit.apps.core import services as core
from tillit.apps.core.models import AuditEvent
from tillit.apps.qda import refi, services, services_codebook, services_exchange
from tillit.apps.qda.models import Code, Coding, Memo, Source

pytestmark = pytest.mark.django_db


def _calls(project, users):
    o = users["owner"]

    def src():
        return Source.objects.filter(project=project).order_by("pk").first()

    def code():
        return Code.objects.filter(project=project, is_codable=True).order_by("pk").first()

    def case():
        return project.qda_cases.first()

    return {
        "do_update_settings": lambda: services.do_update_settings(
            project, actor=o, assigned_only=True
        ),
        "do_create_source": lambda: services.do_create_source(project, "N", "tekst", actor=o),
        "do_import_source": lambda: services.do_import_source(project, "a.txt", b"Hei", actor=o),
        "do_update_source": lambda: services.do_update_source(src(), actor=o, name="Ny"),
        "do_assign_coders": lambda: services.do_assign_coders(src(), [users["coder"]], actor=o),
        "do_delete_source": lambda: services.do_delete_source(src(), actor=o),
        "do_create_code": lambda: services_codebook.do_create_code(project, "New", actor=o),
        "do_update_code": lambda: services_codebook.do_update_code(code(), actor=o, name="Renamed"),
        "do_move_code": lambda: services_codebook.do_move_code(
            Code.objects.filter(project=project, parent__isnull=False).last(), None, actor=o
        ),
        "do_merge_codes": lambda: services_codebook.do_merge_codes(
            Code.objects.filter(project=project, parent__isnull=False).last(),
            Code.objects.filter(project=project, parent__isnull=False).first(),
            actor=o,
        ),
        "do_split_code": lambda: services_codebook.do_split_code(code(), ["A", "B"], actor=o),
        "do_delete_code": lambda: services_codebook.do_delete_code(
            Code.objects.filter(project=project, children__isnull=True).first(), actor=o
        ),
        "do_create_starter_codebook": lambda: services_codebook.do_create_starter_codebook(
            project, actor=o, lang="da"
        ),
        "do_add_coding": lambda: services.do_add_coding(src(), [code()], 0, 2, coder=o),
        "do_remove_coding": lambda: services.do_remove_coding(
            Coding.objects.filter(project=project).first(), actor=o
        ),
        "do_save_memo": lambda: services.do_save_memo(project, "m", actor=o),
        "do_delete_memo": lambda: services.do_delete_memo(
            Memo.objects.filter(project=project).first(), actor=o
        ),
        "do_save_case": lambda: services.do_save_case(project, "Case X", actor=o),
        "do_assign_case": lambda: services.do_assign_case(case(), src(), actor=o, start=0, end=3),
        "do_unassign_case": lambda: services.do_unassign_case(case().assignments.first(), actor=o),
        "do_delete_case": lambda: services.do_delete_case(case(), actor=o),
        "do_run_autocode": lambda: services_exchange.do_run_autocode(
            project, code(), "word", "tillit", actor=o
        ),
        "do_review_autocode": lambda: services_exchange.do_review_autocode(
            services_exchange.do_run_autocode(project, code(), "word", "tillit", actor=o),
            [0],
            coder=o,
        ),
        "do_pseudonymise_source": lambda: services_exchange.do_pseudonymise_source(
            src(), ["Kari"], actor=o
        ),
        "do_export_qdpx": lambda: services_exchange.do_export_qdpx(project, actor=o),
        "do_import_qdpx": lambda: services_exchange.do_import_qdpx(
            core.do_create_project(name="Other", owner=o), refi.export_project(project), actor=o
        ),
        "do_import_qdc": lambda: services_codebook.do_import_qdc(
            project, refi.export_codebook(project), actor=o
        ),
    }


def test_every_service_is_covered_here():
    names = {
        n
        for module in (services, services_codebook, services_exchange)
        for n, f in inspect.getmembers(module, inspect.isfunction)
        if n.startswith("do_") and f.__module__ == module.__name__
    }
    assert names == set(_calls(None, {"owner": None}))


@pytest.mark.parametrize("name", sorted(_calls(None, {"owner": None})))
def test_service_writes_one_audit_row(qda_demo, name):
    project, users = qda_demo
    call = _calls(project, users)[name]
    if name in ("do_review_autocode", "do_import_qdpx"):
        before = AuditEvent.objects.count()
        call()
        # a run (or a project creation) plus the service itself
        assert AuditEvent.objects.count() == before + 2
    else:
        before = AuditEvent.objects.count()
        call()
        assert AuditEvent.objects.count() == before + 1
    ev = AuditEvent.objects.order_by("-id").first()
    assert ev.action.startswith("qda.") and ev.project_id is not None
    assert ev.after is not None or ev.before is not None
