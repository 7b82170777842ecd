"""The register as CSV and XLSX files: the documented columns, writing, and reading with
located errors (see ``docs/register.md``).

Two tables:

``register`` (one row per initiative)
    id, country, municipality_code, municipality, title, start_year, start_date, decided_by,
    scope, sectors, measures, problem_perceptions, status, notes
``evidence`` (one row per piece of evidence)
    initiative_id, kind, ref, start, end, title, url, quote, note

An XLSX workbook holds both, as sheets ``register`` and ``evidence``; CSV holds one table per
file (told apart by the header). Lists are separated by ``;``. A municipality is given by its
code (current, or old: crosswalked through the registry), by its name, or both (they must agree).

Untrusted files: at most :data:`MAX_BYTES`; a workbook's zip container is checked (size, ratio,
members, encryption, XML entities) before it is opened; CSV is UTF-8 (with or without BOM) or
Windows-1252, and UTF-16 or binary data is refused. At most :data:`MAX_ROWS` rows per table.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tillit.apps.mapping import checks
from tillit.errors import CorruptFileError, ErrorCode, TillitError

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000

REGISTER_COLUMNS = (
    "id",
    "country",
    "municipality_code",
    "municipality",
    "title",
    "start_year",
    "start_date",
    "decided_by",
    "scope",
    "sectors",
    "measures",
    "problem_perceptions",
    "status",
    "notes",
)
EVIDENCE_COLUMNS = (
    "initiative_id",
    "kind",
    "ref",
    "start",
    "end",
    "title",
    "url",
    "quote",
    "note",
)
ALIASES = {
    "uid": "id",
    "initiative": "initiative_id",
    "code": "municipality_code",
    "kommunenummer": "municipality_code",
    "kommunekode": "municipality_code",
    "kommunenr": "municipality_code",
    "name": "municipality",
    "kommune": "municipality",
    "land": "country",
    "year": "start_year",
    "date": "start_date",
    "problems": "problem_perceptions",
    "motives": "problem_perceptions",
    "source": "url",
}
LIST_SEPARATOR = "; "

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class RowError:
    """One problem in one cell: row (the header is row 1), column, value, what, what to do."""

    row: int
    column: str
    value: str
    message: str
    hint: str = ""
    file: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass(frozen=True)
class RegisterRow:
    row: int
    file: str
    uid: str
    values: dict[str, Any]


@dataclass(frozen=True)
class EvidenceRow:
    row: int
    file: str
    uid: str
    spec: dict[str, Any]


@dataclass
class Parsed:
    register: list[RegisterRow] = field(default_factory=list)
    evidence: list[EvidenceRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: list[dict[str, str]] = field(default_factory=list)


def import_error(errors: Sequence[RowError]) -> TillitError:
    n = len({(e.file, e.row) for e in errors})
    first = errors[0]
    where = f"{first.file}, " if first.file else ""
    return TillitError(
        f"Nothing was imported: {len(errors)} problem(s) in {n} row(s); the first is in "
        f"{where}row {first.row}, column {first.column}: {first.message}",
        ErrorCode.INVALID_INPUT,
        hint="Fix every listed cell and import the file again.",
        errors=[e.as_dict() for e in errors],
    )


# ----------------------------------------------------------------------------------------------
# writing


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def register_rows(initiatives: Iterable[Any]) -> list[list[str]]:
    """Header and one row per initiative, in a stable order (country, code, year, title, id)."""
    from tillit import registry

    items = sorted(
        initiatives,
        key=lambda i: (i.country, i.municipality_code, i.start_year or 0, i.title, str(i.uid)),
    )
    rows = [list(REGISTER_COLUMNS)]
    for i in items:
        name = registry.get(i.municipality_code, i.country).name
        values = {
            "id": str(i.uid),
            "country": i.country,
            "municipality_code": i.municipality_code,
            "municipality": name,
            "title": i.title,
            "start_year": i.start_year,
            "start_date": i.start_date,
            "decided_by": i.decided_by,
            "scope": i.scope,
            "sectors": i.sectors,
            "measures": i.measures,
            "problem_perceptions": i.problem_perceptions,
            "status": i.status,
            "notes": i.notes,
        }
        rows.append([_text(values[c]) for c in REGISTER_COLUMNS])
    return rows


def evidence_rows(evidence: Iterable[Any]) -> list[list[str]]:
    """Header and one row per evidence item, by initiative id then content."""
    rows = [
        [str(e.initiative.uid), *(_text(getattr(e, c)) for c in EVIDENCE_COLUMNS[1:])]
        for e in evidence
    ]
    return [list(EVIDENCE_COLUMNS), *sorted(rows)]


def to_csv(rows: Sequence[Sequence[str]]) -> bytes:
    """UTF-8 with a byte-order mark (so Excel reads æ, ø, å), CRLF line ends, ``,`` separated,
    formula-like cells escaped (:func:`_escape`)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([[_escape(v) for v in r] for r in rows])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(register: Sequence[Sequence[str]], evidence: Sequence[Sequence[str]]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    for index, (name, rows) in enumerate((("register", register), ("evidence", evidence))):
        ws = wb.active if index == 0 else wb.create_sheet(name)
        ws.title = name
        for r in rows:
            ws.append([_escape(v) for v in r])
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _escape(value: str) -> str:
    """Keep text as text in spreadsheets: a cell starting with ``= + - @`` gets a leading
    apostrophe (OWASP's advice against formula injection); plain numbers are left alone.
    Reading removes it again (:func:`_unescape`)."""
    if value[:1] in ("=", "+", "-", "@") and not re.fullmatch(r"-?\d+", value):
        return "'" + value
    return value


def _unescape(text: str) -> str:
    return text[1:] if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@") else text


# ----------------------------------------------------------------------------------------------
# reading files


def _cell_in(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def decode_csv(data: bytes, filename: str) -> tuple[str, str]:
    """CSV bytes as text: UTF-8 (with or without BOM) or else Windows-1252; says which."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CorruptFileError(
            f"{filename} is UTF-16 text (Excel's 'Unicode text'), which is not accepted.",
            hint="Save it as 'CSV UTF-8 (comma delimited)' or as .xlsx.",
        )
    try:
        text, encoding = data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("cp1252"), "windows-1252"
        except UnicodeDecodeError as exc:
            raise CorruptFileError(
                f"{filename} is neither UTF-8 nor Windows-1252 text (byte {exc.start + 1}).",
                hint="Save it as 'CSV UTF-8 (comma delimited)' or as .xlsx.",
            ) from exc
    if _CONTROL.search(text):
        raise CorruptFileError(
            f"{filename} holds binary data: it is not a CSV text file or a spreadsheet.",
            hint="Export the register as .xlsx or as CSV UTF-8.",
        )
    return unicodedata.normalize("NFC", text), encoding


def _csv_rows(text: str, filename: str) -> list[list[str]]:
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count) if first else ","
    rows: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append(record)
            if len(rows) > MAX_ROWS + 1:
                raise _too_many(filename)
    except csv.Error as exc:
        raise CorruptFileError(
            f"{filename} cannot be read as CSV after row {len(rows)}: {exc}.",
            hint="Check the quoting in that row, or save the file again as CSV UTF-8.",
        ) from exc
    return rows


def _too_many(filename: str) -> TillitError:
    return TillitError(
        f"{filename} has more than {MAX_ROWS:,} rows.",
        ErrorCode.INVALID_INPUT,
        hint="Split the register into several files.",
    )


def _xlsx_sheets(data: bytes, filename: str) -> dict[str, list[list[str]]]:
    from tillit.instruments.sheets import check_zip

    check_zip(data, filename).close()
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise CorruptFileError(
            f"{filename} is not a readable .xlsx workbook.",
            hint="Open it in a spreadsheet program and save it again as .xlsx or CSV UTF-8.",
        ) from exc
    except Exception as exc:  # defusedxml and openpyxl raise their own errors on bad XML
        raise CorruptFileError(
            f"{filename} could not be read safely ({type(exc).__name__}).",
            hint="Save the register again as .xlsx or CSV UTF-8 from a spreadsheet program.",
        ) from exc
    try:
        sheets: dict[str, list[list[str]]] = {}
        for ws in wb.worksheets:
            rows: list[list[str]] = []
            for values in ws.iter_rows(values_only=True):
                rows.append([_cell_in(v) for v in values])
                if len(rows) > MAX_ROWS + 1:
                    raise _too_many(filename)
            while rows and not any(c.strip() for c in rows[-1]):
                rows.pop()
            sheets[ws.title.strip().lower()] = rows
        return sheets
    finally:
        wb.close()


def read_tables(filename: str, data: bytes) -> tuple[list[tuple[str, list[list[str]]]], str]:
    """``([(table, rows)], encoding or "xlsx")`` of one file; table is register or evidence."""
    if not data:
        raise TillitError(f"{filename} is empty.", ErrorCode.INVALID_INPUT, hint="Choose a file.")
    if len(data) > MAX_BYTES:
        raise TillitError(
            f"{filename} is {len(data) / 1e6:.1f} MB; at most {MAX_BYTES / 1e6:.0f} MB is "
            "accepted.",
            ErrorCode.INVALID_INPUT,
            hint="Split the register into several files.",
        )
    if data.startswith(b"PK\x03\x04"):
        sheets = _xlsx_sheets(data, filename)
        tables = [(t, sheets[t]) for t in ("register", "evidence") if t in sheets]
        if "register" not in sheets and sheets:
            first = next(iter(sheets))
            if first != "evidence":
                tables.insert(0, ("register", sheets[first]))
        if not tables:
            raise TillitError(
                f"{filename} has no sheet called register or evidence.",
                ErrorCode.INVALID_INPUT,
                hint="Name the sheets register and evidence, as the export does.",
            )
        return tables, "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise CorruptFileError(
            f"{filename} is an old Excel .xls workbook (or another old Office file).",
            hint="Save it as .xlsx or as CSV UTF-8 and import that.",
        )
    if filename.lower().endswith((".xlsx", ".xlsm")) or data.startswith(b"%PDF"):
        raise CorruptFileError(
            f"{filename} is not a spreadsheet.", hint="Import the register as .xlsx or CSV."
        )
    text, encoding = decode_csv(data, filename)
    rows = _csv_rows(text, filename)
    header = {_key(h) for h in rows[0]} if rows else set()
    table = "evidence" if {"initiative_id", "kind"} <= header else "register"
    return [(table, rows)], encoding


def _key(text: str) -> str:
    key = re.sub(r"[\s\-.:/]+", "_", str(text or "").strip().strip('"').lower()).strip("_")
    return ALIASES.get(key, key)


def _header(
    rows: list[list[str]], columns: tuple[str, ...], table: str, filename: str
) -> tuple[dict[str, int], list[RowError]]:
    if not rows or not any(c.strip() for c in rows[0]):
        return {}, [
            RowError(
                1,
                "",
                "",
                f"The {table} table has no header row.",
                "The first row must name the columns, as the export does.",
                filename,
            )
        ]
    found: dict[str, int] = {}
    errors: list[RowError] = []
    for i, h in enumerate(rows[0]):
        if not h.strip():
            continue
        key = _key(h)
        if key not in columns:
            errors.append(
                RowError(
                    1,
                    h,
                    h,
                    f"Unknown column {h!r} in the {table} table.",
                    "Known columns: " + ", ".join(columns) + ".",
                    filename,
                )
            )
        elif key in found:
            errors.append(RowError(1, h, h, f"Column {key} appears twice.", "Keep one.", filename))
        else:
            found[key] = i
    need = ("title",) if table == "register" else ("initiative_id", "kind")
    for col in need:
        if col not in found:
            errors.append(
                RowError(
                    1,
                    col,
                    "",
                    f"The {table} table lacks the column {col}.",
                    "Add it (see the export for the columns).",
                    filename,
                )
            )
    if table == "register" and not {"municipality_code", "municipality"} & set(found):
        errors.append(
            RowError(
                1,
                "municipality_code",
                "",
                "The register table needs a municipality_code or municipality column.",
                "Add one.",
                filename,
            )
        )
    return found, errors


def _uid(value: str) -> str:
    text = value.strip()
    if not text:
        return ""
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise checks.problem(
            "id",
            text,
            f"{text!r} is not an initiative id.",
            "Keep the id from the export, or leave the cell empty for a new initiative.",
        ) from None


def _register_row(n: int, get: Any, filename: str, out: Parsed) -> None:
    from tillit.apps.mapping.services import clean_fields

    errors: list[RowError] = []

    def cell(col: str) -> str:
        return get(col)

    uid = ""
    try:
        uid = _uid(cell("id"))
    except checks.FieldError as exc:
        errors.append(RowError(n, "id", exc.value, exc.message, exc.hint, filename))
    values: dict[str, Any] = {}
    # Each field is checked on its own so that one row reports all its problems.
    groups: list[dict[str, Any]] = [
        {"start_year": cell("start_year"), "start_date": cell("start_date")},
        {"title": cell("title")},
        {"decided_by": cell("decided_by")},
        {"scope": cell("scope")},
        {"sectors": cell("sectors")},
        {"measures": cell("measures")},
        {"problem_perceptions": cell("problem_perceptions")},
        {"status": cell("status") or "suggested"},
        {"notes": cell("notes")},
    ]
    for group in groups:
        try:
            values.update(clean_fields(group))
        except checks.FieldError as exc:
            errors.append(RowError(n, exc.field, exc.value, exc.message, exc.hint, filename))
    try:
        resolved = checks.resolve_municipality(
            cell("municipality_code"),
            cell("municipality"),
            cell("country") or None,
            values.get("start_year"),
        )
    except checks.FieldError as exc:
        errors.append(RowError(n, exc.field, exc.value, exc.message, exc.hint, filename))
    else:
        values["country"] = resolved.municipality.country
        values["municipality_code"] = resolved.municipality.code
        out.warnings.extend(f"{filename} row {n}: {w}" for w in resolved.warnings)
    if errors:
        out.errors.extend(errors)
    else:
        out.register.append(RegisterRow(n, filename, uid, values))


def _evidence_row(n: int, get: Any, filename: str, out: Parsed) -> None:
    try:
        uid = _uid(get("initiative_id"))
    except checks.FieldError as exc:
        out.errors.append(RowError(n, "initiative_id", exc.value, exc.message, exc.hint, filename))
        return
    if not uid:
        out.errors.append(
            RowError(
                n,
                "initiative_id",
                "",
                "The initiative id is missing.",
                "Use the id column of the register export.",
                filename,
            )
        )
        return
    try:
        spec = checks.check_evidence({c: get(c) for c in EVIDENCE_COLUMNS[1:]})
    except checks.FieldError as exc:
        out.errors.append(RowError(n, exc.field, exc.value, exc.message, exc.hint, filename))
        return
    out.evidence.append(EvidenceRow(n, filename, uid, spec))


def parse_files(files: Sequence[tuple[str, bytes]]) -> Parsed:
    """Read and check every row of every file (nothing is written). File-level problems
    (size, encoding, a corrupt workbook) raise at once; row problems are collected."""
    out = Parsed()
    if not files:
        raise TillitError("No file to import.", ErrorCode.USAGE, hint="Choose a CSV or XLSX file.")
    for filename, data in files:
        tables, encoding = read_tables(filename, data)
        out.files.append({"file": filename, "format": encoding})
        for table, rows in tables:
            columns = REGISTER_COLUMNS if table == "register" else EVIDENCE_COLUMNS
            found, errors = _header(rows, columns, table, filename)
            if errors:
                out.errors.extend(errors)
                continue
            for n, values in enumerate(rows[1:], start=2):
                if not any(v.strip() for v in values):
                    continue

                def get(col: str, values: list[str] = values, found: dict = found) -> str:
                    i = found.get(col)
                    return _unescape(values[i].strip()) if i is not None and i < len(values) else ""

                if table == "register":
                    _register_row(n, get, filename, out)
                else:
                    _evidence_row(n, get, filename, out)
    seen: dict[str, tuple[str, int]] = {}
    for r in out.register:
        if r.uid and r.uid in seen:
            f, n = seen[r.uid]
            out.errors.append(
                RowError(
                    r.row,
                    "id",
                    r.uid,
                    f"The id appears already in {f} row {n}.",
                    "Keep one row per initiative.",
                    r.file,
                )
            )
        elif r.uid:
            seen[r.uid] = (r.file, r.row)
    if not out.register and not out.evidence and not out.errors:
        raise TillitError(
            "The files have a header but no rows.",
            ErrorCode.INVALID_INPUT,
            hint="Add one row per initiative.",
        )
    out.errors.sort(key=lambda e: (e.file, e.row))
    return out
