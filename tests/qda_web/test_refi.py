"""REFI-QDA: the .qdpx export validates against the shared Project.xsd, export -> import ->
export gives the same project, imports are all or nothing, .qdc round trips."""

import dataclasses
import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from tillit.apps.core import services as core
from tillit.apps.core.models import AuditEvent
from tillit.apps.qda import refi, services, services_codebook, services_exchange
from tillit.apps.qda.models import Code, Coding, Memo, Source
from tillit.errors import TillitError
from tillit.interop import refiqda as rq

pytestmark = pytest.mark.django_db

XSD = Path("/work/shared/specs/refi-qda/Project.xsd")
SHIPPED_XSD = Path(rq.__file__).parent / "schemas" / "Project.xsd"


def _schema():
    path = XSD if XSD.exists() else SHIPPED_XSD
    return etree.XMLSchema(etree.parse(str(path)))


def _qde(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read("project.qde"))


def _comparable(p: rq.QdaProject) -> rq.QdaProject:
    return dataclasses.replace(p, name="", created=None, modified=None, origin="").canonical()


@pytest.fixture
def demo_export(qda_demo):
    project, users = qda_demo
    s = Source.objects.filter(project=project).first()
    code = Code.objects.filter(project=project, is_codable=True).first()
    extra = services.do_create_source(
        project,
        "SYNTHETIC emoji 🙂",
        "Tillit 🙂 i 𝔑orge.\r\nNeste linje.",
        actor=users["owner"],
        attributes={"wave": 2},
    )
    services.do_add_coding(extra, [code], 9, 16, coder=users["coder"])
    case = services.do_save_case(project, "Span case", actor=users["owner"], kind="actor")
    services.do_assign_case(case, s, actor=users["owner"], start=0, end=10)
    data = services_exchange.do_export_qdpx(project, actor=users["owner"])
    return project, users, data


def test_export_validates_against_project_xsd(demo_export):
    project, _, data = demo_export
    schema = _schema()
    root = _qde(data)
    assert schema.validate(root), schema.error_log
    ns = {"q": "urn:QDA-XML:project:1.0"}
    n_codings = Coding.objects.filter(project=project).count()
    assert len(root.findall(".//q:Coding", ns)) == n_codings
    assert AuditEvent.objects.filter(action="qda.qdpx.export").exists()


def test_export_import_export_is_the_same_project(demo_export):
    project, users, data = demo_export
    second = core.do_create_project(name="Copy", slug="copy", owner=users["owner"])
    report = services_exchange.do_import_qdpx(second, data, actor=users["owner"])
    assert report["not_represented"] == [], report
    assert report["sources"] == Source.objects.filter(project=project).count()
    assert report["codings"] == Coding.objects.filter(project=project).count()
    again = services_exchange.do_export_qdpx(second, actor=users["owner"])
    assert _comparable(rq.read_qdpx(again)) == _comparable(rq.read_qdpx(data))
    # tillit's own fields survive: kind, consent, language, case kind, attributes
    a = Source.objects.get(project=project, name__contains="union")
    b = Source.objects.get(project=second, guid=a.guid)
    assert (b.kind, b.actor_type, b.consent, b.language, b.is_synthetic) == (
        a.kind,
        a.actor_type,
        a.consent,
        a.language,
        True,
    )
    emoji = Source.objects.get(project=second, name__contains="emoji")
    c = Coding.objects.get(source=emoji)
    assert emoji.text[c.start : c.end] == "i 𝔑orge" and emoji.attributes == {"wave": 2}
    assert (
        Memo.objects.filter(project=second).count() == Memo.objects.filter(project=project).count()
    )


def test_importing_twice_into_one_project_is_refused(demo_export):
    project, users, data = demo_export
    before = Source.objects.count()
    with pytest.raises(TillitError, match="already"):
        services_exchange.do_import_qdpx(project, data, actor=users["owner"])
    assert Source.objects.count() == before


def _rezip(data: bytes, change) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info.filename, change(info.filename, src.read(info.filename)))
    return out.getvalue()


@pytest.mark.parametrize(
    "change",
    [
        lambda name, d: (
            d.replace(b'startPosition="0"', b'startPosition="999999"')
            if name == "project.qde"
            else d
        ),
        lambda name, d: (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]>' + d[38:]
            if name == "project.qde"
            else d
        ),
        lambda name, d: d[: len(d) // 2] if name == "project.qde" else d,
    ],
    ids=["bad offsets", "entities", "truncated xml"],
)
def test_bad_project_files_import_nothing(demo_export, change):
    _, users, data = demo_export
    second = core.do_create_project(name="Copy", slug="copy", owner=users["owner"])
    bad = _rezip(data, change)
    counts = (Source.objects.count(), Code.objects.count(), Coding.objects.count())
    with pytest.raises(TillitError):
        services_exchange.do_import_qdpx(second, bad, actor=users["owner"])
    assert (Source.objects.count(), Code.objects.count(), Coding.objects.count()) == counts


def test_zip_bomb_is_refused(project_with_roles):
    project, users = project_with_roles
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", b" " * (300 * 2**20))
    with pytest.raises(TillitError):
        services_exchange.do_import_qdpx(project, out.getvalue(), actor=users["owner"])
    assert not Source.objects.filter(project=project).exists()


def test_foreign_project_reports_what_is_not_represented(project_with_roles):
    project, users = project_with_roles
    foreign = rq.QdaProject(
        name="Other tool",
        users=(rq.User("11111111-1111-4111-8111-111111111111", "Anna", "anna"),),
        codes=(rq.Code("22222222-2222-4222-8222-222222222222", "Trust"),),
        sources=(rq.TextSource("33333333-3333-4333-8333-333333333333", "Doc", "Hei på deg."),),
        selections=(
            rq.Selection(
                "44444444-4444-4444-8444-444444444444", "33333333-3333-4333-8333-333333333333", 0, 3
            ),
        ),
        cases=(
            rq.Case(
                "55555555-5555-4555-8555-555555555555",
                "Case",
                codes=("22222222-2222-4222-8222-222222222222",),
            ),
        ),
    )
    buf = io.BytesIO()
    rq.write_qdpx(foreign, buf)
    report = services_exchange.do_import_qdpx(project, buf.getvalue(), actor=users["owner"])
    assert report["sources"] == 1 and report["codes"] == 1 and report["cases"] == 1
    assert any("as a whole" in x for x in report["not_represented"])
    assert any("without codes" in x for x in report["not_represented"])
    assert "anna" in report["users_created"]


def test_codebook_qdc_round_trip(qda_demo):
    project, users = qda_demo
    data = refi.export_codebook(project)
    root = etree.fromstring(data)
    xsd = etree.XMLSchema(
        etree.parse(
            str(
                XSD.with_name("Codebook.xsd")
                if XSD.exists()
                else SHIPPED_XSD.with_name("Codebook.xsd")
            )
        )
    )
    assert xsd.validate(root), xsd.error_log
    second = core.do_create_project(name="Copy", slug="copy", owner=users["owner"])
    report = services_codebook.do_import_qdc(second, data, actor=users["owner"])
    assert report["added"] == Code.objects.filter(project=project).count()
    assert refi.export_codebook(second) == data
    # importing again updates the same codes by GUID
    report = services_codebook.do_import_qdc(second, data, actor=users["owner"])
    assert report["added"] == 0 and report["updated"] > 0
    concepts = set(Code.objects.filter(project=second).values_list("concept_id", flat=True))
    assert "motive.reporting_burden" in concepts
