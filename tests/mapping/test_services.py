"""Register services: every write is checked, audited once, and leaves a revision in the
initiative's history; bad values raise a located error and change nothing."""

import inspect

import pytest

from tillit.apps.core.models import AuditEvent
from tillit.apps.mapping import services
from tillit.apps.mapping.models import ContextEvent, Evidence, Initiative, InitiativeRevision
from tillit.errors import TillitError

pytestmark = pytest.mark.django_db


def test_create_with_evidence_records_history_and_audit(project, users):
    n_audit = AuditEvent.objects.count()
    i = services.do_create_initiative(
        project,
        municipality_code="301",  # Oslo without its leading zero
        title="Tillitsreform",
        start_year=2015,
        status="active",
        measures="measure.delegation;measure.reporting_reduction",
        actor=users["researcher"],
        evidence=[{"kind": "url", "url": "https://example.org/a", "title": "A"}],
    )
    assert (i.country, i.municipality_code) == ("NO", "0301")
    assert i.measures == ["measure.delegation", "measure.reporting_reduction"]
    assert i.evidence.count() == 1
    assert AuditEvent.objects.count() == n_audit + 1
    ev = AuditEvent.objects.order_by("-id").first()
    assert ev.action == "initiative.create" and ev.project == project
    rev = i.revisions.get()
    assert rev.action == "create" and rev.user == users["researcher"]
    assert rev.diff["title"] == [None, "Tillitsreform"]
    assert rev.diff["evidence"][1][0]["url"] == "https://example.org/a"


def test_old_code_and_name_resolve_through_the_registry(project, users):
    bergen = services.do_create_initiative(
        project, municipality_code="1201", start_year=2017, title="Reform", actor=users["owner"]
    )
    assert (bergen.country, bergen.municipality_code) == ("NO", "4601")
    aarhus = services.do_create_initiative(
        project, municipality_code=None, municipality="Århus", title="Kompasset", actor=None
    )
    assert (aarhus.country, aarhus.municipality_code) == ("DK", "751")


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        ({"municipality_code": "9999"}, "municipality_code", "No municipality has or had"),
        ({"municipality_code": None, "municipality": "Herøy"}, "municipality", "more than one"),
        ({"measures": ["measure.delegaton"]}, "measures", "measure.delegation"),
        ({"measures": ["motive.efficiency"]}, "measures", "motive concept"),
        ({"problem_perceptions": ["sector.school"]}, "problem_perceptions", "sector concept"),
        ({"start_year": 1492}, "start_year", "not a year"),
        ({"start_year": 2019, "start_date": "2018-01-01"}, "start_year", "differs"),
        ({"status": "done"}, "status", "Use one of"),
        ({"title": "  "}, "title", "missing"),
    ],
)
def test_bad_values_raise_located_errors_and_write_nothing(project, users, kwargs, field, text):
    args = {"municipality_code": "0301", "title": "T", "actor": users["owner"], **kwargs}
    n_audit = AuditEvent.objects.count()
    with pytest.raises(TillitError) as exc:
        services.do_create_initiative(project, **args)
    assert exc.value.errors[0]["field"] == field
    assert text in str(exc.value)
    assert Initiative.objects.count() == 0
    assert AuditEvent.objects.count() == n_audit


def test_update_records_field_level_before_and_after(register, users):
    oslo = register["oslo"]
    services.do_update_initiative(
        oslo, actor=users["owner"], title="Ny tittel", measures=["measure.delegation"]
    )
    rev = oslo.revisions.first()
    assert rev.action == "update" and rev.user_name == "owner"
    assert rev.diff == {
        "title": ["Tillitsreform i Oslo", "Ny tittel"],
        "measures": [["measure.reform_decision", "measure.delegation"], ["measure.delegation"]],
    }
    ev = AuditEvent.objects.filter(action="initiative.update").get()
    assert ev.before == {"title": "Tillitsreform i Oslo", "measures": rev.diff["measures"][0]}


def test_status_change_alone_is_a_status_revision_and_no_change_writes_nothing(register, users):
    bergen = register["bergen"]
    services.do_update_initiative(bergen, actor=users["owner"], status="active")
    assert bergen.revisions.first().action == "status"
    n_rev, n_audit = InitiativeRevision.objects.count(), AuditEvent.objects.count()
    services.do_update_initiative(bergen, actor=users["owner"], status="active")
    assert (InitiativeRevision.objects.count(), AuditEvent.objects.count()) == (n_rev, n_audit)


def test_changing_the_year_drops_a_date_of_another_year(project, users):
    i = services.do_create_initiative(
        project, municipality_code="0301", title="T", start_date="2019-03-14", actor=None
    )
    assert i.start_year == 2019
    i = services.do_update_initiative(i, actor=None, start_year=2020)
    assert (i.start_year, i.start_date) == (2020, None)


def test_evidence_add_and_remove_are_in_the_history(register, users):
    oslo = register["oslo"]
    ev = services.do_add_evidence(
        oslo, {"kind": "interview", "ref": "int-7", "note": "chief executive"}, actor=users["owner"]
    )
    assert oslo.revisions.first().action == "evidence_add"
    services.do_remove_evidence(ev, actor=users["owner"])
    rev = oslo.revisions.first()
    assert rev.action == "evidence_remove" and rev.diff["evidence"][0]["ref"] == "int-7"
    assert not Evidence.objects.filter(pk=ev.pk).exists()


@pytest.mark.parametrize(
    ("spec", "text"),
    [
        ({"kind": "passage", "start": 1, "end": 2}, "needs a reference"),
        ({"kind": "url"}, "needs a web address"),
        ({"kind": "url", "url": "javascript:alert(1)"}, "not a web address"),
        ({"kind": "passage", "ref": "x", "start": 5, "end": 2}, "before the start"),
        ({"kind": "passage", "ref": "x", "start": 5}, "both start and end"),
        ({"kind": "letter", "ref": "x"}, "not a kind"),
        ({"kind": "other", "ref": "x", "colour": "red"}, "Unknown evidence fields"),
    ],
)
def test_bad_evidence_is_refused(register, spec, text):
    with pytest.raises(TillitError, match=text):
        services.do_add_evidence(register["oslo"], spec, actor=None)


def test_delete_is_soft_and_keeps_history(register, users):
    oslo = register["oslo"]
    services.do_delete_initiative(oslo, actor=users["owner"])
    oslo.refresh_from_db()
    assert oslo.deleted_at is not None
    assert oslo.revisions.first().action == "delete"
    assert oslo.evidence.count() == 2
    assert oslo not in services.initiatives_for(oslo.project)
    with pytest.raises(TillitError, match="was deleted"):
        services.do_update_initiative(oslo, actor=None, title="x")


def test_initiatives_for_a_municipality(register, project):
    assert [i.title for i in services.initiatives_for(project, "0301")] == ["Tillitsreform i Oslo"]
    assert services.initiatives_for(project, "101", "DK").count() == 1


def test_context_event_needs_a_year_or_date(project, users):
    e = services.do_create_context_event(
        project, country="no", date="2022-01-18", title="Input meeting", actor=users["owner"]
    )
    assert (e.country, e.year) == ("NO", 2022)
    with pytest.raises(TillitError, match="needs a year"):
        services.do_create_context_event(project, country="DK", title="x", actor=None)
    with pytest.raises(TillitError, match="not a web address"):
        services.do_create_context_event(
            project, country="DK", year=2013, title="x", source_url="ftp://x", actor=None
        )
    services.do_delete_context_event(e, actor=users["owner"])
    assert ContextEvent.objects.count() == 0


def _calls(project, users, register):
    import io

    return {
        "do_create_initiative": lambda: services.do_create_initiative(
            project, municipality_code="0301", title="T", actor=users["owner"]
        ),
        "do_update_initiative": lambda: services.do_update_initiative(
            register["oslo"], actor=users["owner"], status="ended"
        ),
        "do_delete_initiative": lambda: services.do_delete_initiative(
            register["cph"], actor=users["owner"]
        ),
        "do_add_evidence": lambda: services.do_add_evidence(
            register["cph"], {"kind": "other", "note": "n"}, actor=users["owner"]
        ),
        "do_remove_evidence": lambda: services.do_remove_evidence(
            register["oslo"].evidence.first(), actor=users["owner"]
        ),
        "do_create_context_event": lambda: services.do_create_context_event(
            project, country="SE", year=2016, title="Tillitsdelegationen", actor=users["owner"]
        ),
        "do_delete_context_event": lambda: services.do_delete_context_event(
            ContextEvent.objects.first(), actor=users["owner"]
        ),
        "do_import_register": lambda: services.do_import_register(
            project,
            [("r.csv", io.BytesIO(b"municipality,title\nOslo,Ny\n").getvalue())],
            actor=users["owner"],
        ),
    }


def test_every_service_is_covered_here():
    names = {
        n
        for n, f in inspect.getmembers(services, inspect.isfunction)
        if n.startswith("do_") and f.__module__ == services.__name__
    }
    assert names == set(_calls(None, {}, {}))


@pytest.mark.parametrize("name", sorted(_calls(None, {}, {})))
def test_each_service_writes_one_audit_row(project, users, register, name):
    before = AuditEvent.objects.count()
    _calls(project, users, register)[name]()
    assert AuditEvent.objects.count() == before + 1
    ev = AuditEvent.objects.order_by("-id").first()
    assert ev.project == project and ev.actor == users["owner"]
    assert ev.before is not None or ev.after is not None
