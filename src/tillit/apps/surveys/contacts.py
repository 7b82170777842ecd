"""Reading a contact list (CSV or XLSX) and checking every row against the survey frame.

A contact list has one row per municipality, with the columns

============================  ========  =========================================================
column (any of these names)   required  value
============================  ========  =========================================================
municipality code             yes       NO 4-digit kommunenummer, DK 3-digit kommunekode
name                          yes       the chief executive's name
e-mail                        yes       an e-mail address
role                          no        e.g. "kommunedirektør"
language                      no        nb, nn, da or en (default: nb in Norway, da in Denmark)
country                       no        NO or DK, only needed if a code could be either
============================  ========  =========================================================

Header names are matched without regard to case, spaces or hyphens, and Norwegian and Danish
names are understood (``kommunenummer``, ``navn``, ``e-post``, ``rolle``, ``språk``, ``sprog``).

Files: CSV in UTF-8 (with or without BOM) or Windows-1252, separated by commas, semicolons or
tabs, with any line ends; or an ``.xlsx`` workbook (its first sheet). Hostile files get a clear
error: a file over :data:`MAX_BYTES`, a zip bomb or XML entities in a workbook (checked before
anything is parsed, with the checks XLSForm uploads use), an old ``.xls``, UTF-16 text, or binary
data.

Every row is checked and every problem is reported with its row number (the header is row 1),
so a list can be fixed in one pass.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from tillit import registry
from tillit.errors import CorruptFileError, ErrorCode, TillitError
from tillit.registry.normalise import code_forms, parse_country

#: Largest contact file accepted (bytes as uploaded).
MAX_BYTES = 5 * 1024 * 1024
#: Largest number of data rows.
MAX_ROWS = 20_000

LANGUAGES = ("nb", "nn", "da", "en")
COUNTRY_LANGUAGE = {"NO": "nb", "DK": "da"}

_LANGUAGE_ALIASES = {
    **dict.fromkeys(("nb", "no", "nob", "bokmål", "bokmal", "norsk", "norwegian"), "nb"),
    **dict.fromkeys(("nn", "nno", "nynorsk"), "nn"),
    **dict.fromkeys(("da", "dan", "dansk", "danish"), "da"),
    **dict.fromkeys(("en", "eng", "english", "engelsk"), "en"),
}

#: Canonical column -> accepted header names (normalised by :func:`_header_key`).
COLUMNS: dict[str, tuple[str, ...]] = {
    "municipality_code": (
        "municipality_code",
        "municipality",
        "code",
        "kommunenummer",
        "kommunenr",
        "kommune_nr",
        "kommunekode",
        "kommune_kode",
        "knr",
    ),
    "name": ("name", "navn", "full_name", "fullt_navn", "fulde_navn"),
    "email": ("email", "e_mail", "e_post", "epost", "mail", "email_address", "e_mail_address"),
    "role": ("role", "rolle", "title", "stilling", "tittel", "titel"),
    "language": ("language", "lang", "språk", "sprak", "sprog"),
    "country": ("country", "land"),
}
REQUIRED = ("municipality_code", "name", "email")
COLUMN_TITLES = {
    "municipality_code": "municipality code",
    "name": "name",
    "email": "e-mail",
    "role": "role",
    "language": "language",
    "country": "country",
}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class RowError:
    """One problem in one row of a contact list."""

    row: int
    column: str
    value: str
    message: str
    hint: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass(frozen=True)
class ContactRow:
    """A row that passed every check, matched to a frame member ``(country, code)``."""

    row: int
    country: str
    code: str
    name: str
    email: str
    role: str
    language: str


@dataclass
class ParsedContacts:
    """The outcome of reading a contact list: good rows, and every problem found."""

    rows: list[ContactRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    n_rows: int = 0
    encoding: str = ""
    file_format: str = ""

    @property
    def bad_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})


# ----------------------------------------------------------------------------------------------
# reading the file


def _header_key(text: str) -> str:
    text = unicodedata.normalize("NFC", str(text or "")).strip().strip('"').lower()
    return re.sub(r"[\s\-.:/]+", "_", text).strip("_")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def check_zip(data: bytes, filename: str) -> None:
    """Refuse a zip bomb, an encrypted or non-Excel zip, or XML entities, before unpacking.

    The checks are those of :func:`tillit.instruments.sheets.check_zip` (shared with XLSForm
    uploads).
    """
    from tillit.instruments.sheets import check_zip as check_workbook_zip

    check_workbook_zip(data, filename).close()


def _read_xlsx(data: bytes, filename: str) -> list[list[str]]:
    check_zip(data, filename)
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise CorruptFileError(
            "The file is not a readable .xlsx workbook.",
            hint="Open it in a spreadsheet program and save it again as .xlsx or as CSV UTF-8.",
        ) from exc
    except Exception as exc:  # defusedxml raises its own errors on entity attacks
        raise CorruptFileError(
            f"The workbook could not be read safely ({type(exc).__name__}).",
            hint="Save the contact list again as .xlsx or CSV from a spreadsheet program.",
        ) from exc
    try:
        ws = wb.worksheets[0]
        rows: list[list[str]] = []
        for values in ws.iter_rows(values_only=True):
            rows.append([_cell(v) for v in values])
            if len(rows) > MAX_ROWS + 1:
                raise _too_many_rows()
        return rows
    finally:
        wb.close()


def _too_many_rows() -> TillitError:
    return TillitError(
        f"The contact list has more than {MAX_ROWS:,} rows.",
        ErrorCode.INVALID_INPUT,
        hint="Import one row per municipality in the frame.",
    )


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes as UTF-8 (with or without BOM) or Windows-1252; say which."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CorruptFileError(
            "The file is UTF-16 text (Excel's 'Unicode text'), which is not accepted.",
            hint="Save it as 'CSV UTF-8 (comma delimited)' or as .xlsx.",
        )
    if data.startswith(b"\xef\xbb\xbf"):
        text, encoding = data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            try:
                text, encoding = data.decode("cp1252"), "cp1252"
            except UnicodeDecodeError as exc:
                raise CorruptFileError(
                    f"The file is neither UTF-8 nor Windows-1252 text (byte {exc.start + 1}).",
                    hint="Save it as 'CSV UTF-8 (comma delimited)' or as .xlsx.",
                ) from exc
    if _CONTROL.search(text):
        raise CorruptFileError(
            "The file holds binary data: it is not a CSV text file or a spreadsheet.",
            hint="Upload the contact list as .xlsx or as CSV UTF-8.",
        )
    return text, encoding


def _read_csv(data: bytes) -> tuple[list[list[str]], str]:
    text, encoding = decode_text(data)
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count) if first else ","
    rows: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append([c.strip() for c in record])
            if len(rows) > MAX_ROWS + 1:
                raise _too_many_rows()
    except csv.Error as exc:
        raise CorruptFileError(
            f"The CSV file cannot be read after row {len(rows)}: {exc}.",
            hint="Check quoting in that row, or save the list again as CSV UTF-8.",
        ) from exc
    return rows, encoding


def read_table(filename: str, data: bytes) -> tuple[list[list[str]], str, str]:
    """The rows of a CSV or XLSX file as strings; returns ``(rows, file format, encoding)``."""
    if not data:
        raise TillitError("The file is empty.", ErrorCode.INVALID_INPUT, hint="Choose the list.")
    if len(data) > MAX_BYTES:
        raise TillitError(
            f"The file is {len(data) / 1e6:.1f} MB; contact lists may be at most "
            f"{MAX_BYTES / 1e6:.0f} MB.",
            ErrorCode.INVALID_INPUT,
            hint="A contact list needs one row per municipality; remove other data.",
        )
    lower = filename.lower()
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, filename), "xlsx", ""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise CorruptFileError(
            "The file is an old Excel .xls workbook (or another old Office file).",
            hint="Save it as .xlsx or as CSV UTF-8 and upload that.",
        )
    if lower.endswith((".xlsx", ".xlsm")) or data.startswith(b"%PDF"):
        raise CorruptFileError(
            f"{filename} is not a spreadsheet.",
            hint="Upload the contact list as .xlsx or as CSV UTF-8.",
        )
    rows, encoding = _read_csv(data)
    return rows, "csv", encoding


# ----------------------------------------------------------------------------------------------
# checking rows


def _map_header(header: list[str]) -> dict[str, int]:
    wanted = {alias: canon for canon, aliases in COLUMNS.items() for alias in aliases}
    found: dict[str, int] = {}
    for i, h in enumerate(header):
        canon = wanted.get(_header_key(h))
        if canon is None:
            continue
        if canon in found:
            raise TillitError(
                f"Two columns mean {COLUMN_TITLES[canon]}: {header[found[canon]]!r} and {h!r}.",
                ErrorCode.INVALID_INPUT,
                hint="Keep one of them.",
                errors=[{"row": 1, "column": h, "message": "duplicate column"}],
            )
        found[canon] = i
    missing = [COLUMN_TITLES[c] for c in REQUIRED if c not in found]
    if missing:
        shown = ", ".join(repr(h) for h in header if h) or "nothing"
        raise TillitError(
            f"The contact list lacks the column(s) {', '.join(missing)} (row 1 has {shown}).",
            ErrorCode.INVALID_INPUT,
            hint="The first row must name the columns: municipality code, name, e-mail, and "
            "optionally role and language.",
            errors=[{"row": 1, "column": m, "message": "missing column"} for m in missing],
        )
    return found


def _match_code(
    row: int, raw: str, country: str | None, frame: set[tuple[str, str]]
) -> tuple[tuple[str, str] | None, RowError | None]:
    col = COLUMN_TITLES["municipality_code"]
    if not raw:
        return None, RowError(row, col, raw, "The municipality code is missing.")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 4:
        return None, RowError(
            row, col, raw, f"{raw!r} is not a municipality code.", "Codes are 3 or 4 digits."
        )
    hits = [
        key
        for c, width in (("NO", 4), ("DK", 3))
        if country in (None, c) and (key := (c, code_forms(raw, width))) in frame
    ]
    if len(hits) == 1:
        return hits[0], None
    if len(hits) > 1:
        return None, RowError(
            row,
            col,
            raw,
            f"Code {raw} is in the frame for both countries.",
            "Add a country column.",
        )
    try:
        m = registry.get(raw, country=country)
    except TillitError as exc:
        if exc.code == ErrorCode.AMBIGUOUS:
            return None, RowError(row, col, raw, f"Code {raw} is not in this survey's frame.")
        return None, RowError(
            row, col, raw, f"No current municipality has code {raw}.", exc.hint or ""
        )
    return None, RowError(
        row,
        col,
        raw,
        f"{raw} is {m.name} ({m.country}), which is not in this survey's frame.",
        "Remove the row, or change the survey's frame.",
    )


def check_rows(
    table: list[list[str]], frame: set[tuple[str, str]], *, start: ParsedContacts | None = None
) -> ParsedContacts:
    """Check every data row of ``table`` (header first) against ``frame`` = {(country, code)}."""
    out = start or ParsedContacts()
    if not table or not any(table[0]):
        raise TillitError(
            "The contact list has no header row.",
            ErrorCode.INVALID_INPUT,
            hint="The first row must name the columns: municipality code, name, e-mail.",
        )
    cols = _map_header(table[0])
    seen_code: dict[tuple[str, str], int] = {}
    seen_email: dict[str, int] = {}

    def get(values: list[str], canon: str) -> str:
        i = cols.get(canon)
        return values[i].strip() if i is not None and i < len(values) else ""

    for n, values in enumerate(table[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        out.n_rows += 1
        errors: list[RowError] = []
        country: str | None = None
        if raw_country := get(values, "country"):
            try:
                country = parse_country(raw_country)
            except TillitError:
                errors.append(
                    RowError(n, "country", raw_country, "Unknown country.", "Use NO or DK.")
                )
        key, err = _match_code(n, get(values, "municipality_code"), country, frame)
        if err:
            errors.append(err)
        elif key is not None:
            if key in seen_code:
                errors.append(
                    RowError(
                        n,
                        COLUMN_TITLES["municipality_code"],
                        get(values, "municipality_code"),
                        f"The municipality is listed already in row {seen_code[key]}.",
                        "Keep one row per municipality.",
                    )
                )
            else:
                seen_code[key] = n
        name = get(values, "name")
        if not name:
            errors.append(RowError(n, "name", name, "The name is missing."))
        elif len(name) > 200:
            errors.append(RowError(n, "name", name[:40], "The name is longer than 200 characters."))
        email = get(values, "email")
        if not email:
            errors.append(RowError(n, "e-mail", email, "The e-mail address is missing."))
        else:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(RowError(n, "e-mail", email, f"{email!r} is not an e-mail address."))
            else:
                if email.lower() in seen_email:
                    errors.append(
                        RowError(
                            n,
                            "e-mail",
                            email,
                            "The e-mail address is listed already in row "
                            f"{seen_email[email.lower()]}.",
                            "Each contact needs an address of their own.",
                        )
                    )
                else:
                    seen_email[email.lower()] = n
        role = get(values, "role")
        if len(role) > 100:
            errors.append(RowError(n, "role", role[:40], "The role is longer than 100 characters."))
        raw_lang = get(values, "language")
        language = _LANGUAGE_ALIASES.get(raw_lang.lower(), "") if raw_lang else ""
        if raw_lang and not language:
            errors.append(
                RowError(
                    n,
                    "language",
                    raw_lang,
                    f"Unknown language {raw_lang!r}.",
                    "Use nb, nn, da or en.",
                )
            )
        if errors:
            out.errors.extend(errors)
        elif key is not None:
            out.rows.append(
                ContactRow(
                    row=n,
                    country=key[0],
                    code=key[1],
                    name=name,
                    email=email,
                    role=role,
                    language=language or COUNTRY_LANGUAGE[key[0]],
                )
            )
    if out.n_rows == 0:
        raise TillitError(
            "The contact list has a header but no rows.",
            ErrorCode.INVALID_INPUT,
            hint="Add one row per municipality.",
        )
    return out


def parse_contacts(filename: str, data: bytes, frame: Iterable[tuple[str, str]]) -> ParsedContacts:
    """Read ``data`` (CSV or XLSX) and check every row against the frame members."""
    table, file_format, encoding = read_table(filename, data)
    return check_rows(
        table, set(frame), start=ParsedContacts(encoding=encoding, file_format=file_format)
    )


@dataclass
class ContactImport:
    """Result of a contact import: counts, and the bad rows skipped (when that was asked)."""

    n_rows: int
    n_created: int
    n_updated: int
    skipped: list[RowError] = field(default_factory=list)
    encoding: str = ""
    file_format: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.n_rows,
            "created": self.n_created,
            "updated": self.n_updated,
            "skipped_rows": sorted({e.row for e in self.skipped}),
            "errors": [e.as_dict() for e in self.skipped],
            "encoding": self.encoding,
            "format": self.file_format,
        }
