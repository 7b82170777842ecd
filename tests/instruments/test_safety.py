"""Hostile and malformed uploads get a clear error: zip bombs, XML entities, huge sheets, junk."""

import io
import os
import zipfile

import openpyxl
import pytest

from tillit.errors import CorruptFileError, NotFoundError, TillitError
from tillit.instruments import read_xlsform, write_xlsform
from tillit.instruments import sheets as sh

from .forms import every_feature


def good_xlsx() -> bytes:
    buffer = io.BytesIO()
    write_xlsform(every_feature(), buffer)
    return buffer.getvalue()


def rezip(data: bytes, replace: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info)))
        for name, content in replace.items():
            if name not in source.namelist():
                target.writestr(name, content)
    return out.getvalue()


def refused(data: bytes, kind=TillitError, filename="upload.xlsx") -> str:
    with pytest.raises(kind) as info:
        read_xlsform(data, filename=filename)
    return info.value.message


def test_openpyxl_parses_with_defusedxml():
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True


def test_a_good_workbook_passes_the_checks():
    assert read_xlsform(good_xlsx(), filename="f.xlsx").form_id == "every_feature"


class TestZip:
    def test_zip_bomb_by_ratio(self):
        data = rezip(good_xlsx(), {"xl/media/padding.bin": b"\0" * (5 * 1024 * 1024)})
        message = refused(data)
        assert "compressed more than 100 to 1" in message and "zip bomb" in message

    def test_zip_bomb_by_size(self):
        data = rezip(good_xlsx(), {"xl/media/padding.bin": b"\0" * (sh.MAX_UNCOMPRESSED_BYTES)})
        assert "unpacks to 50 MB; at most 50 MB" in refused(data)

    def test_too_many_members(self):
        extra = {f"xl/media/m{i}.txt": b"x" for i in range(sh.MAX_MEMBERS)}
        assert "parts; a workbook may have at most 1000" in refused(rezip(good_xlsx(), extra))

    def test_encrypted_member(self):
        data = bytearray(rezip(good_xlsx(), {}, zipfile.ZIP_STORED))
        # set the "encrypted" flag bit in every local and central directory header
        for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            start = 0
            while (at := data.find(signature, start)) >= 0:
                data[at + offset] |= 0x1
                start = at + 4
        assert "encrypted" in refused(bytes(data), CorruptFileError)

    def test_damaged_zip(self):
        data = good_xlsx()
        assert "damaged" in refused(data[: len(data) // 2], CorruptFileError)

    def test_zip_without_a_workbook(self):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            z.writestr("word/document.xml", "<w/>")
        assert "Word document" in refused(out.getvalue(), CorruptFileError)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
            z.writestr("content.xml", "<x/>")
        assert ".ods" in refused(out.getvalue(), CorruptFileError)


class TestXmlEntities:
    XXE = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    LAUGHS = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1">'
        b"<si><t>&lol2;</t></si></sst>"
    )

    def test_external_entity_in_a_sheet(self):
        data = rezip(good_xlsx(), {"xl/worksheets/sheet1.xml": self.XXE})
        message = refused(data, CorruptFileError)
        assert "xl/worksheets/sheet1.xml declares a DOCTYPE or XML entities" in message

    def test_billion_laughs_in_shared_strings(self):
        data = rezip(good_xlsx(), {"xl/sharedStrings.xml": self.LAUGHS})
        assert "DOCTYPE or XML entities" in refused(data, CorruptFileError)

    def test_entities_hidden_in_utf16(self):
        payload = self.XXE.replace(b"UTF-8", b"UTF-16").decode("ascii").encode("utf-16")
        data = rezip(good_xlsx(), {"xl/worksheets/sheet1.xml": payload})
        assert "DOCTYPE or XML entities" in refused(data, CorruptFileError)

    def test_unusual_declared_encoding(self):
        payload = b'<?xml version="1.0" encoding="UTF-7"?><worksheet/>'
        data = rezip(good_xlsx(), {"xl/worksheets/sheet1.xml": payload})
        assert "unusual encoding 'UTF-7'" in refused(data, CorruptFileError)


class TestSize:
    def test_file_too_large(self, tmp_path):
        big = tmp_path / "big.xlsx"
        with big.open("wb") as f:
            f.truncate(sh.MAX_FILE_BYTES + 1)
        with pytest.raises(TillitError, match="at most 20 MB"):
            read_xlsform(big)
        with pytest.raises(TillitError, match="at most 20 MB"):
            read_xlsform(b"PK\x03\x04" + b"\0" * sh.MAX_FILE_BYTES, filename="big.xlsx")

    def test_huge_sheet(self):
        book = openpyxl.Workbook(write_only=True)
        survey = book.create_sheet("survey")
        survey.append(["type", "name", "label"])
        for i in range(sh.MAX_ROWS + 1):
            survey.append(["text", f"q{i}", "Q"])
        buffer = io.BytesIO()
        book.save(buffer)
        message = refused(buffer.getvalue())
        assert "Sheet 'survey' of upload.xlsx has more than 5,000 rows with content" in message

    def test_huge_markdown_sheet(self):
        rows = "\n".join(f"| | text | q{i} | Q |" for i in range(sh.MAX_ROWS + 1))
        data = f"| survey |\n| | type | name | label |\n{rows}".encode()
        assert "more than 5,000 rows" in refused(data, filename="f.md")

    def test_many_empty_rows_are_bounded(self):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "survey"
        sheet.append(["type", "name", "label"])
        sheet.cell(row=sh.MAX_SCANNED_ROWS + 10, column=1, value="text")
        buffer = io.BytesIO()
        book.save(buffer)
        assert "more than 50,000 rows" in refused(buffer.getvalue())


class TestNotASpreadsheet:
    def test_random_bytes(self):
        assert "is not a spreadsheet" in refused(os.urandom(4096), CorruptFileError)

    def test_pdf_renamed(self):
        message = refused(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", CorruptFileError, "form.xlsx")
        assert message == "form.xlsx is not a spreadsheet: it is a PDF document."

    def test_csv(self):
        message = refused(b"type,name,label\ntext,a,A\n", CorruptFileError, "form.csv")
        assert "looks like CSV" in message

    def test_empty_and_plain_text(self):
        assert "empty" in refused(b"", CorruptFileError)
        assert "text without markdown tables" in refused(b"hello\nworld", CorruptFileError)
        assert "binary" in refused(b"abc\x00def", CorruptFileError)

    def test_ole_file_that_is_not_a_workbook(self):
        data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(2048)
        assert "cannot be read as an .xls workbook" in refused(data, CorruptFileError, "a.xls")

    def test_missing_path_and_folder(self, tmp_path):
        with pytest.raises(NotFoundError):
            read_xlsform(tmp_path / "nope.xlsx")
        with pytest.raises(TillitError, match="is a folder"):
            read_xlsform(tmp_path)

    def test_content_decides_not_the_name(self, tmp_path):
        path = tmp_path / "really_xlsx.xls"
        path.write_bytes(good_xlsx())
        assert read_xlsform(path).form_id == "every_feature"

    def test_no_survey_sheet(self):
        book = openpyxl.Workbook()
        book.active.title = "Sheet1"
        buffer = io.BytesIO()
        book.save(buffer)
        with pytest.raises(TillitError) as info:
            read_xlsform(buffer.getvalue(), filename="x.xlsx")
        assert "the file has no survey sheet" in info.value.message
