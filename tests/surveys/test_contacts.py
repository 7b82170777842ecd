"""Contact lists: good files in every accepted shape, each kind of bad row with its row number,
hostile files, and nothing imported when any row is bad (unless bad rows are skipped)."""

import io
import zipfile

import pytest

from tests.surveys.conftest import contacts_table, to_csv, to_xlsx
from tillit.apps.surveys import services
from tillit.apps.surveys.models import Contact
from tillit.errors import TillitError

pytestmark = pytest.mark.django_db


def _cases(survey, country=None, n=None):
    qs = survey.cases.order_by("country", "municipality_code")
    if country:
        qs = qs.filter(country=country)
    return list(qs[:n] if n else qs)


def _import(survey, owner, name, data, **kw):
    return services.do_import_contacts(survey, name, data, actor=owner, **kw)


def _errors(exc_info):
    return [(e["row"], e["column"]) for e in exc_info.value.errors]


def test_good_csv_imports_every_row_with_a_working_token(framed, owner):
    from tillit.apps.surveys import tokens

    rows = contacts_table(_cases(framed))
    result = _import(framed, owner, "contacts.csv", to_csv(rows).encode())
    assert (result.n_rows, result.n_created, result.n_updated) == (455, 455, 0)
    assert result.encoding == "utf-8" and result.file_format == "csv"
    contact = Contact.objects.select_related("case").get(case__municipality_code="0301")
    assert contact.email == "execno0301@example.invalid" and contact.language == "nb"
    assert len(contact.token_hash) == 64 and contact.token_nonce
    assert tokens.case_for_token(tokens.token_for(contact)) == contact.case


def test_good_xlsx_with_numeric_codes_and_semicolon_csv(framed, owner):
    rows = contacts_table(_cases(framed, "DK"))
    xlsx_rows = [rows[0]] + [[int(r[0]), *r[1:]] for r in rows[1:]]  # Excel drops leading zeros
    assert _import(framed, owner, "k.xlsx", to_xlsx(xlsx_rows)).n_created == 98
    no = contacts_table(_cases(framed, "NO", 5))
    no = [no[0]] + [[r[0].lstrip("0"), *r[1:]] for r in no[1:]]  # 0301 written as 301
    result = _import(framed, owner, "no.csv", to_csv(no, delimiter=";").encode())
    assert result.n_created == 5


def test_reimport_updates_and_keeps_the_link(framed, owner):
    rows = contacts_table(_cases(framed, "NO", 3))
    _import(framed, owner, "a.csv", to_csv(rows).encode())
    before = Contact.objects.get(case__municipality_code=rows[1][0])
    rows[1][1] = "New Name"
    result = _import(framed, owner, "a.csv", to_csv(rows).encode())
    after = Contact.objects.get(pk=before.pk)
    assert (result.n_created, result.n_updated) == (0, 3)
    assert after.name == "New Name" and after.token_hash == before.token_hash


def test_norwegian_header_names_crlf_and_bom(framed, owner):
    rows = contacts_table(_cases(framed, "NO", 4))
    rows[0] = ["Kommunenummer", "Navn", "E-post", "Rolle", "Språk"]
    data = b"\xef\xbb\xbf" + to_csv(rows, newline="\r\n").encode()
    result = _import(framed, owner, "kontakter.csv", data)
    assert result.n_created == 4 and result.encoding == "utf-8-sig"


def test_cp1252_file_keeps_its_letters(framed, owner):
    rows = contacts_table(_cases(framed, "NO", 2))
    rows[1][1] = "Ærlig Østby Åsen"
    data = to_csv(rows, delimiter=";", newline="\r\n").encode("cp1252")
    result = _import(framed, owner, "excel.csv", data)
    assert result.encoding == "cp1252"
    assert Contact.objects.filter(name="Ærlig Østby Åsen").exists()


def test_every_kind_of_bad_row_is_listed_with_its_row_number_and_nothing_is_imported(framed, owner):
    from tillit.apps.core.models import AuditEvent

    cases = _cases(framed, "NO", 4)
    rows = contacts_table(cases)
    rows += [
        ["9999", "Nobody", "a@example.invalid", "", ""],  # row 6: unknown code
        ["1902", "Old Tromsø", "b@example.invalid", "", ""],  # row 7: old code -> crosswalk
        [cases[0].municipality_code, "Twice", "c@example.invalid", "", ""],  # row 8: duplicate
        ["0301", "Bad Mail", "not-an-address", "", ""],  # row 9: bad e-mail (+ duplicate code)
        ["", "No Code", "d@example.invalid", "", ""],  # row 10: missing code
        ["3101", "", "execno0301@example.invalid", "", "klingon"],  # row 11
    ]
    events = AuditEvent.objects.count()
    with pytest.raises(TillitError) as exc:
        _import(framed, owner, "bad.csv", to_csv(rows).encode())
    found = _errors(exc)
    assert (6, "municipality code") in found
    assert (7, "municipality code") in found
    assert (8, "municipality code") in found
    assert (9, "e-mail") in found
    assert (10, "municipality code") in found
    assert {(11, "name"), (11, "language")} <= set(found)
    by_row = {e["row"]: e for e in exc.value.errors}
    assert "was Tromsø" in by_row[7]["hint"] and "crosswalk" in by_row[7]["hint"]
    assert "row 2" in by_row[8]["message"]
    assert "nothing was imported" in exc.value.message
    assert Contact.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_code_outside_the_frame(survey, owner):
    services.do_set_frame(survey, country="dk", actor=owner)
    rows = [["code", "name", "email"], ["0301", "Oslo Person", "o@example.invalid"]]
    with pytest.raises(TillitError) as exc:
        _import(survey, owner, "x.csv", to_csv(rows).encode())
    assert "Oslo (NO), which is not in this survey's frame" in exc.value.errors[0]["message"]


def test_skip_bad_rows_imports_the_good_ones(framed, owner):
    rows = contacts_table(_cases(framed, "NO", 3))
    rows.append(["9999", "Nobody", "a@example.invalid", "", ""])
    result = _import(framed, owner, "x.csv", to_csv(rows).encode(), skip_bad_rows=True)
    assert result.n_created == 3 and [e.row for e in result.skipped] == [5]
    assert Contact.objects.count() == 3


def test_missing_columns_are_named(framed, owner):
    with pytest.raises(TillitError, match=r"lacks the column.*e-mail"):
        _import(framed, owner, "x.csv", b"code,name\n0301,Someone\n")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("x.csv", b"", "empty"),
        ("x.xlsx", b"this is not a workbook", "not a spreadsheet"),
        ("x.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old Excel"),
        ("x.csv", b"%PDF-1.4\n" + bytes(range(256)), "not a spreadsheet"),
        ("x.csv", "code,name,email\n".encode("utf-16"), "UTF-16"),
        ("x.csv", b"code,name,email\n\x00\x01\x02binary", "binary"),
        ("x.csv", b"code,name,email\n0301,\x81\x8d\x8f\x90,x@y.no\n", "neither UTF-8"),
        ("x.xlsx", b"PK\x03\x04garbage", "is damaged"),
        ("x.csv", b"x" * (6 * 1024 * 1024), "at most 5 MB"),
    ],
)
def test_hostile_or_wrong_files_get_a_clear_error_and_change_nothing(
    framed, owner, name, data, message
):
    with pytest.raises(TillitError, match=message):
        _import(framed, owner, name, data)
    assert Contact.objects.count() == 0


def test_zip_bomb_is_refused_before_unpacking(framed, owner):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    assert len(buf.getvalue()) < 1024 * 1024
    with pytest.raises(TillitError, match="zip bomb"):
        _import(framed, owner, "bomb.xlsx", buf.getvalue())
    assert Contact.objects.count() == 0


def test_xml_entity_attack_in_xlsx_is_refused(framed, owner):
    rows = contacts_table(_cases(framed, "NO", 1))
    good = to_xlsx(rows)
    src = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    evil = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row><c t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    with zipfile.ZipFile(out, "w") as zf:
        for info in src.infolist():
            data = src.read(info.filename)
            zf.writestr(info, evil if info.filename == "xl/worksheets/sheet1.xml" else data)
    with pytest.raises(TillitError):
        _import(framed, owner, "evil.xlsx", out.getvalue())
    assert Contact.objects.count() == 0


def test_contacts_need_a_frame(survey, owner):
    with pytest.raises(TillitError, match="no frame"):
        _import(survey, owner, "x.csv", b"code,name,email\n0301,A,a@b.no\n")
