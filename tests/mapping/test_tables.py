"""Register import and export: CSV and XLSX round trips, and bad files that get located errors
and change nothing."""

import io
import zipfile

import pytest

from tillit.apps.core.models import AuditEvent
from tillit.apps.mapping import services, tables
from tillit.apps.mapping.models import Evidence, Initiative, InitiativeRevision
from tillit.errors import TillitError

pytestmark = pytest.mark.django_db


def core_project(users, slug):
    from tillit.apps.core import services as core

    return core.do_create_project(name=slug, slug=slug, owner=users["owner"])


def _other_project(users):
    return core_project(users, "copy")


def _state() -> tuple[int, int, int, int]:
    return (
        Initiative.objects.count(),
        Evidence.objects.count(),
        InitiativeRevision.objects.count(),
        AuditEvent.objects.count(),
    )


def test_csv_round_trip_is_equal(register, project, users):
    reg, ev = services.export_tables(project)
    register_csv, evidence_csv = tables.to_csv(reg), tables.to_csv(ev)
    assert register_csv.startswith(b"\xef\xbb\xbfid,country,municipality_code,municipality,")
    copy = _other_project(users)
    result = services.do_import_register(
        copy, [("r.csv", register_csv), ("e.csv", evidence_csv)], actor=users["owner"]
    )
    assert (result.n_created, result.n_evidence) == (3, 2)
    reg2, ev2 = services.export_tables(copy)
    assert tables.to_csv(reg2) == register_csv
    assert tables.to_csv(ev2) == evidence_csv
    # Importing the same files again changes nothing.
    again = services.do_import_register(
        copy, [("r.csv", register_csv), ("e.csv", evidence_csv)], actor=users["owner"]
    )
    assert (again.n_created, again.n_updated, again.n_unchanged) == (0, 0, 3)
    assert (again.n_evidence, again.n_evidence_existing) == (0, 2)


def test_xlsx_round_trip_is_equal(register, project, users):
    reg, ev = services.export_tables(project)
    data = tables.to_xlsx(reg, ev)
    copy = _other_project(users)
    services.do_import_register(copy, [("register.xlsx", data)], actor=users["owner"])
    assert services.export_tables(copy) == (reg, ev)
    # The notes cell with commas and quotes survived unchanged.
    oslo = Initiative.objects.get(project=copy, municipality_code="0301")
    assert oslo.notes == 'Test entry, with a comma, and a "quote".'


def test_import_updates_by_id_with_history(register, project, users):
    reg, _ = services.export_tables(project)
    header = reg[0]
    row = next(r for r in reg[1:] if r[header.index("municipality_code")] == "4601")
    row[header.index("status")] = "active"
    row[header.index("start_year")] = "2017"
    result = services.do_import_register(
        project, [("r.csv", tables.to_csv(reg))], actor=users["owner"]
    )
    assert (result.n_updated, result.n_unchanged) == (1, 2)
    bergen = Initiative.objects.get(pk=register["bergen"].pk)
    assert (bergen.status, bergen.start_year) == ("active", 2017)
    rev = bergen.revisions.first()
    assert rev.action == "import" and rev.diff["status"] == ["planned", "active"]


def test_names_old_codes_and_semicolons(project, users):
    text = (
        "municipality_code,municipality,title,start_year,measures,status\r\n"
        "1201,,Hjemmetjenesten,2017,measure.standard_time_abolition,active\r\n"
        ',Århus,Kompasset,2019,"measure.citizen_cocreation ; measure.delegation",active\r\n'
    )
    result = services.do_import_register(project, [("r.csv", text.encode())], actor=None)
    assert result.n_created == 2
    assert any("1201" in w and "4601" in w for w in result.warnings)
    aarhus = Initiative.objects.get(municipality_code="751")
    assert aarhus.measures == ["measure.citizen_cocreation", "measure.delegation"]


def test_windows_1252_csv_is_read(project):
    text = "municipality;title\nKøbenhavn;Tillidsreform\n"
    result = services.do_import_register(project, [("r.csv", text.encode("cp1252"))], actor=None)
    assert result.files[0]["format"] == "windows-1252"
    assert Initiative.objects.get().title == "Tillidsreform"


def test_bad_rows_are_all_located_and_nothing_changes(register, project, users):
    text = (
        "municipality_code,title,start_year,measures,status,scope\n"
        "0301,Good row,2015,,active,\n"
        "9999,Unknown code,2015,,active,\n"
        "0301,Bad concept,2015,measure.nonsense,active,\n"
        "0301,Bad year,15,,active,\n"
        "0301,,2015,,active,everywhere\n"
    )
    before = _state()
    with pytest.raises(TillitError) as exc:
        services.do_import_register(project, [("bad.csv", text.encode())], actor=users["owner"])
    assert "Nothing was imported" in exc.value.message
    located = {(e["row"], e["column"]) for e in exc.value.errors}
    assert located == {
        (3, "municipality_code"),
        (4, "measures"),
        (5, "start_year"),
        (6, "title"),
        (6, "scope"),
    }
    assert all(e["message"] and e["hint"] for e in exc.value.errors)
    assert _state() == before


def test_evidence_for_an_unknown_initiative_is_refused(project):
    text = "initiative_id,kind,url\n00000000-0000-0000-0000-000000000001,url,https://e.org\n"
    with pytest.raises(TillitError) as exc:
        services.do_import_register(project, [("e.csv", text.encode())], actor=None)
    assert exc.value.errors[0]["column"] == "initiative_id"
    assert exc.value.errors[0]["row"] == 2


def test_unknown_and_missing_columns(project):
    with pytest.raises(TillitError) as exc:
        services.do_import_register(
            project, [("r.csv", b"kommune,titel,measure\nOslo,x,y\n")], actor=None
        )
    columns = {e["column"] for e in exc.value.errors}
    assert {"titel", "measure", "title"} <= columns


@pytest.mark.parametrize(
    ("name", "data", "text"),
    [
        ("r.csv", "municipality,title\nOslo,x\n".encode("utf-16"), "UTF-16"),
        ("r.csv", b"municipality,title\x00\x01\x02", "binary data"),
        ("r.csv", b"", "empty"),
        ("r.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old Excel"),
        ("r.xlsx", b"PK\x03\x04 this is not really a zip", "damaged"),
        ("r.xlsx", b"%PDF-1.4 not a workbook", "not a spreadsheet"),
    ],
)
def test_bad_files_get_a_clear_error(project, name, data, text):
    before = _state()
    with pytest.raises(TillitError, match=text):
        services.do_import_register(project, [(name, data)], actor=None)
    assert _state() == before


def test_zip_bomb_is_refused_before_unpacking(project):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", "0" * (60 * 1024 * 1024))
    with pytest.raises(TillitError, match="zip bomb"):
        services.do_import_register(project, [("bomb.xlsx", buf.getvalue())], actor=None)


def test_huge_file_is_refused(project, monkeypatch):
    monkeypatch.setattr(tables, "MAX_BYTES", 1000)
    with pytest.raises(TillitError, match="at most"):
        services.do_import_register(project, [("r.csv", b"title\n" + b"x\n" * 600)], actor=None)


def test_formula_like_text_stays_text_in_csv_and_xlsx(project, users):
    services.do_create_initiative(
        project, municipality_code="0301", title="=HYPERLINK(1)", notes="-minus", actor=None
    )
    reg, ev = services.export_tables(project)
    data = tables.to_xlsx(reg, ev)
    import openpyxl

    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert ws.cell(2, 5).data_type == "s"
    assert ws.cell(2, 5).value == "'=HYPERLINK(1)"
    assert b"'=HYPERLINK(1)" in tables.to_csv(reg)
    copy = _other_project(users)
    services.do_import_register(copy, [("r.xlsx", data)], actor=None)
    assert services.export_tables(copy) == (reg, ev)
    assert Initiative.objects.get(project=copy).title == "=HYPERLINK(1)"
    third = core_project(users, "third")
    services.do_import_register(third, [("r.csv", tables.to_csv(reg))], actor=None)
    assert Initiative.objects.get(project=third).notes == "-minus"


def test_code_and_name_must_agree(project):
    text = "municipality_code,municipality,title\n0301,Bergen,x\n"
    with pytest.raises(TillitError) as exc:
        services.do_import_register(project, [("r.csv", text.encode())], actor=None)
    assert exc.value.errors[0]["column"] == "municipality"
    assert "0301 is Oslo" in exc.value.errors[0]["message"]
