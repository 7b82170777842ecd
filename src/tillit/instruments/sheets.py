"""Reading untrusted spreadsheet files into plain rows of text, safely (pure library).

:func:`load_sheets` accepts an Excel workbook (``.xlsx``, read with openpyxl in read-only mode),
a legacy Excel workbook (``.xls``, read with xlrd) or pyxform's markdown tables (``.md``) and
returns each wanted sheet as numbered rows of cell texts. The kind of file is decided by its
content, not its name, so a PDF or a CSV renamed ``.xlsx`` gets a clear error.

Uploads are untrusted. Before openpyxl opens a workbook the zip container is checked: at most
:data:`MAX_MEMBERS` members, at most :data:`MAX_UNCOMPRESSED_BYTES` unpacked, a compression ratio
of at most :data:`MAX_RATIO`, no encrypted members, and no ``<!DOCTYPE`` or ``<!ENTITY`` in any
XML part (which rules out entity-expansion and external-entity attacks whatever parser reads it).
A file may be at most :data:`MAX_FILE_BYTES`, and a sheet at most :data:`MAX_ROWS` rows.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tillit.errors import CorruptFileError, ErrorCode, NotFoundError, TillitError

#: Largest file accepted, in bytes.
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Largest total size of a workbook's unpacked zip members, in bytes.
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
#: Largest ratio of unpacked to packed size (whole archive, and any member over 1 MB).
MAX_RATIO = 100
#: Most members a workbook's zip container may have.
MAX_MEMBERS = 1_000
#: Most rows with content a sheet may have.
MAX_ROWS = 5_000
#: Most rows (empty or not) read from a sheet before giving up.
MAX_SCANNED_ROWS = 50_000

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_SAFE_ENCODINGS = frozenset(
    {"utf-8", "utf8", "utf-16", "utf-16le", "utf-16be", "us-ascii", "ascii", "iso-8859-1"}
)
_DECLARED_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_MD_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_MD_RULE = re.compile(r"^[\s|:\-]+$")
_MD_SPLIT = re.compile(r"(?<!\\)\|")
_SUPPORTED = "an XLSForm as .xlsx, .xls or pyxform markdown (.md)"
# Control characters an .xlsx cannot hold (as openpyxl's ILLEGAL_CHARACTERS_RE): dropped on reading
# so that every file reads the same as its .xlsx copy.
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


@dataclass(frozen=True)
class Sheet:
    """One sheet: its name as written and its rows with content, numbered from 1.

    In markdown, a row's number is its line number in the file.
    """

    name: str
    rows: tuple[tuple[int, tuple[str, ...]], ...]


@dataclass(frozen=True)
class Workbook:
    """The sheets of a file, by lower-cased name, and the names of all its sheets."""

    filename: str
    kind: str  # "xlsx", "xls" or "md"
    sheets: dict[str, Sheet]
    sheet_names: tuple[str, ...]
    duplicate_sheets: tuple[str, ...] = field(default=())


def _too_large(message: str, hint: str) -> TillitError:
    return TillitError(message, ErrorCode.INVALID_INPUT, hint=hint)


def _read_source(source: str | Path | bytes, filename: str | None) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        name = filename or "upload"
    else:
        path = Path(source)
        name = filename or path.name
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise NotFoundError(
                f"File {str(path)!r} does not exist.", hint="Check the path and try again."
            ) from None
        except OSError as exc:
            raise TillitError(
                f"Cannot read {str(path)!r}: {exc.strerror or exc}.",
                ErrorCode.INVALID_INPUT,
                hint="Give the path of a readable file.",
            ) from None
        if size > MAX_FILE_BYTES:
            raise _size_error(name, size)
        if path.is_dir():
            raise TillitError(
                f"{str(path)!r} is a folder, not a file.",
                ErrorCode.INVALID_INPUT,
                hint=f"Give {_SUPPORTED}.",
            )
        data = path.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        raise _size_error(name, len(data))
    return data, name


def _size_error(name: str, size: int) -> TillitError:
    return _too_large(
        f"{name} is {size / 1024 / 1024:.1f} MB; an XLSForm may be at most "
        f"{MAX_FILE_BYTES // 1024 // 1024} MB.",
        "An instrument fits in far less: remove pictures, other sheets and formatting.",
    )


def _not_a_form(name: str, what: str) -> CorruptFileError:
    return CorruptFileError(
        f"{name} is not a spreadsheet: {what}.",
        hint=f"Upload {_SUPPORTED}.",
    )


def load_sheets(
    source: str | Path | bytes,
    *,
    filename: str | None = None,
    wanted: Collection[str] = ("survey", "choices", "settings"),
) -> Workbook:
    """Read the wanted sheets of a workbook or markdown file as rows of text.

    Parameters
    ----------
    source : str, Path or bytes
        A file path, or the file's content.
    filename : str, optional
        The name to use in messages (default: the path's name, or ``"upload"``).
    wanted : collection of str
        Lower-case names of the sheets to read; other sheets are only listed.

    Returns
    -------
    Workbook

    Raises
    ------
    NotFoundError
        If the path does not exist.
    CorruptFileError
        If the content is not a spreadsheet or markdown table, is damaged, encrypted, or holds
        XML entity declarations.
    TillitError
        If the file, its unpacked content or a sheet is larger than the limits.
    """
    data, name = _read_source(source, filename)
    wanted = {w.lower() for w in wanted}
    if data.startswith(_ZIP_MAGIC):
        return _load_xlsx(data, name, wanted)
    if data.startswith(_OLE_MAGIC):
        return _load_xls(data, name, wanted)
    if data.startswith(b"%PDF"):
        raise _not_a_form(name, "it is a PDF document")
    if not data.strip():
        raise _not_a_form(name, "the file is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _not_a_form(name, "its content is neither a workbook nor UTF-8 text") from None
    if "\x00" in text:
        raise _not_a_form(name, "its content is binary data")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not any(_MD_ROW.match(line) for line in lines):
        looks_csv = name.lower().endswith((".csv", ".tsv")) or "," in lines[0] or "\t" in lines[0]
        what = (
            "it looks like CSV, which cannot hold the survey, choices and settings sheets"
            if looks_csv
            else "it is text without markdown tables"
        )
        raise _not_a_form(name, what)
    return _load_markdown(lines, name, wanted)


# ---------------------------------------------------------------------------------------------
# xlsx


def check_zip(data: bytes, name: str) -> zipfile.ZipFile:
    """Open a zip container after checking it against the limits and for XML entities.

    Raises
    ------
    CorruptFileError, TillitError
        As :func:`load_sheets`.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise CorruptFileError(
            f"{name} is damaged: it starts like a zip file but cannot be opened.",
            hint="Open it in Excel or LibreOffice and save it again as .xlsx.",
        ) from None
    if len(members) > MAX_MEMBERS:
        raise _too_large(
            f"{name} holds {len(members)} parts; a workbook may have at most {MAX_MEMBERS}.",
            "Save the XLSForm again as a plain .xlsx workbook.",
        )
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    limit_mb = MAX_UNCOMPRESSED_BYTES // 1024 // 1024
    if unpacked > MAX_UNCOMPRESSED_BYTES:
        raise _too_large(
            f"{name} unpacks to {unpacked / 1024 / 1024:.0f} MB; at most {limit_mb} MB is "
            "accepted (this may be a zip bomb).",
            "Remove pictures, unused sheets and formatting, or split the workbook.",
        )
    bomb = unpacked > 1024 * 1024 and unpacked > MAX_RATIO * max(packed, 1)
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > MAX_RATIO * max(
            member.compress_size, 1
        ):
            bomb = True
        if member.flag_bits & 0x1:
            raise CorruptFileError(
                f"{name} is encrypted (password-protected).",
                hint="Remove the password in Excel and save the workbook again.",
            )
    if bomb:
        raise _too_large(
            f"{name} is compressed more than {MAX_RATIO} to 1, which real workbooks never are "
            "(this looks like a zip bomb).",
            "Save the XLSForm again from Excel or LibreOffice.",
        )
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        if "mimetype" in names and "content.xml" in names:
            what = "it is an OpenDocument file (.ods); save it as .xlsx"
        elif "word/document.xml" in names:
            what = "it is a Word document"
        else:
            what = "it is a zip archive without an Excel workbook in it"
        raise _not_a_form(name, what)
    for member in members:
        if member.filename.lower().endswith(_XML_SUFFIXES):
            _check_xml_part(archive, member, name)
    return archive


def _check_xml_part(archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str) -> None:
    try:
        with archive.open(member) as stream:
            raw = stream.read(MAX_UNCOMPRESSED_BYTES + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise CorruptFileError(
            f"{name} is damaged: part {member.filename} cannot be unpacked.",
            hint="Open it in Excel or LibreOffice and save it again as .xlsx.",
        ) from None
    folded = raw.replace(b"\x00", b"")  # UTF-16 and UTF-32 parts read as ASCII
    head = folded.lstrip(b"\xef\xbb\xbf\xff\xfe").lstrip()[:200]
    declared = _DECLARED_ENCODING.match(head)
    if declared and declared.group(1).decode("ascii").lower() not in _SAFE_ENCODINGS:
        raise CorruptFileError(
            f"{name} is not a safe workbook: part {member.filename} declares the unusual "
            f"encoding {declared.group(1).decode('ascii')!r}.",
            hint="Save the XLSForm again from Excel or LibreOffice.",
        )
    lowered = folded.lower()
    if b"<!doctype" in lowered or b"<!entity" in lowered:
        raise CorruptFileError(
            f"{name} is not a safe workbook: part {member.filename} declares a DOCTYPE or XML "
            "entities, which Excel never writes (an XML entity attack?).",
            hint="Save the XLSForm again from Excel or LibreOffice.",
        )


def cell_text(value: object) -> str:
    """The text of a cell as XLSForm reads it: ``12.0`` -> ``'12'``, ``True`` -> ``'TRUE'``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _ILLEGAL.sub("", value.replace("\r\n", "\n")).strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def _collect(sheet_name: str, name: str, rows: Iterable[Iterable[object]]) -> Sheet:
    kept: list[tuple[int, tuple[str, ...]]] = []
    for number, raw in enumerate(rows, start=1):
        if number > MAX_SCANNED_ROWS:
            raise _rows_error(name, sheet_name, f"more than {MAX_SCANNED_ROWS:,} rows")
        cells = [cell_text(v) for v in raw]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        kept.append((number, tuple(cells)))
        if len(kept) > MAX_ROWS:
            raise _rows_error(name, sheet_name, f"more than {MAX_ROWS:,} rows with content")
    return Sheet(sheet_name, tuple(kept))


def _rows_error(name: str, sheet: str, what: str) -> TillitError:
    return _too_large(
        f"Sheet {sheet!r} of {name} has {what}; an XLSForm sheet may have at most "
        f"{MAX_ROWS:,} rows.",
        "Delete empty formatted rows at the end of the sheet, or split the instrument.",
    )


def _load_xlsx(data: bytes, name: str, wanted: set[str]) -> Workbook:
    import openpyxl

    check_zip(data, name).close()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it drops
            book = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=True, keep_links=False
            )
            try:
                names = tuple(ws.title for ws in book.worksheets)
                sheets, duplicates = _pick(
                    ((ws.title, ws.iter_rows(values_only=True)) for ws in book.worksheets),
                    name,
                    wanted,
                )
            finally:
                book.close()
    except TillitError:
        raise
    except Exception:  # any failure inside openpyxl means a damaged workbook
        raise CorruptFileError(
            f"{name} is damaged: Excel's file structure in it cannot be read.",
            hint="Open it in Excel or LibreOffice and save it again as .xlsx.",
        ) from None
    return Workbook(name, "xlsx", sheets, names, duplicates)


def _pick(
    sheets: Iterator[tuple[str, Iterable[Iterable[object]]]], name: str, wanted: set[str]
) -> tuple[dict[str, Sheet], tuple[str, ...]]:
    picked: dict[str, Sheet] = {}
    duplicates: list[str] = []
    for title, rows in sheets:
        key = title.strip().lower()
        if key not in wanted:
            continue
        if key in picked:
            duplicates.append(title)
            continue
        picked[key] = _collect(title, name, rows)
    return picked, tuple(duplicates)


# ---------------------------------------------------------------------------------------------
# xls


def _load_xls(data: bytes, name: str, wanted: set[str]) -> Workbook:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO())
    except Exception as exc:  # xlrd raises many kinds of errors on bad input
        detail = str(exc).lower()
        what = (
            "it is encrypted (password-protected)"
            if "encrypt" in detail
            else "it is an Office file without an Excel workbook in it"
            if "workbook" in detail and "ole2" in detail
            else "its Excel file structure is damaged"
        )
        raise CorruptFileError(
            f"{name} cannot be read as an .xls workbook: {what}.",
            hint="Open it in Excel or LibreOffice and save it again as .xlsx.",
        ) from None
    try:
        names = tuple(book.sheet_names())
        sheets: dict[str, Sheet] = {}
        duplicates: list[str] = []
        for index, title in enumerate(names):
            key = title.strip().lower()
            if key not in wanted:
                continue
            if key in sheets:
                duplicates.append(title)
                continue
            sheet = book.sheet_by_index(index)
            if sheet.nrows > MAX_SCANNED_ROWS:
                raise _rows_error(name, title, f"{sheet.nrows:,} rows")
            rows = (_xls_row(book, sheet, r) for r in range(sheet.nrows))
            sheets[key] = _collect(title, name, rows)
    except TillitError:
        raise
    except Exception:  # as above
        raise CorruptFileError(
            f"{name} is damaged: a sheet in it cannot be read.",
            hint="Open it in Excel or LibreOffice and save it again as .xlsx.",
        ) from None
    finally:
        book.release_resources()
    return Workbook(name, "xls", sheets, names, tuple(duplicates))


def _xls_row(book: object, sheet: object, r: int) -> list[object]:
    import xlrd

    values: list[object] = []
    for cell in sheet.row(r):  # type: ignore[attr-defined]
        if cell.ctype == xlrd.XL_CELL_DATE:
            try:
                values.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))  # type: ignore[attr-defined]
            except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                values.append(cell.value)
        elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
            values.append(bool(cell.value))
        elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
            values.append(None)
        else:
            values.append(cell.value)
    return values


# ---------------------------------------------------------------------------------------------
# markdown


def _load_markdown(lines: list[str], name: str, wanted: set[str]) -> Workbook:
    """pyxform's markdown: ``| survey |`` starts a sheet; rows have an empty first cell."""
    sections: list[tuple[str, list[tuple[int, tuple[str, ...]]]]] = []
    for number, line in enumerate(lines, start=1):
        m = _MD_ROW.match(line)
        if not m or _MD_RULE.match(m.group(1)):
            continue
        cells = [cell_text(c.replace("\\|", "|")) for c in _MD_SPLIT.split(m.group(1))]
        if cells[0]:
            sections.append((cells[0], []))
        rest = cells[1:]
        while rest and not rest[-1]:
            rest.pop()
        if rest and sections:
            sections[-1][1].append((number, tuple(rest)))
    sheets: dict[str, Sheet] = {}
    duplicates: list[str] = []
    for title, rows in sections:
        key = title.lower()
        if key not in wanted:
            continue
        if key in sheets:
            duplicates.append(title)
            continue
        if len(rows) > MAX_ROWS:
            raise _rows_error(name, title, f"more than {MAX_ROWS:,} rows with content")
        sheets[key] = Sheet(title, tuple(rows))
    names = tuple(title for title, _ in sections)
    return Workbook(name, "md", sheets, names, tuple(duplicates))
