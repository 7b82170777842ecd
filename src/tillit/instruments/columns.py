"""The XLSForm vocabulary tillit reads: column headers, language columns and question types.

Headers are matched case-insensitively, with pyxform's aliases (``relevance`` and
``bind::relevant`` mean ``relevant``, ``jr:constraintMsg`` means ``constraint_message``, ...) and
its legacy single-colon form (``label:English``) when no header of the sheet uses ``::``.
Language columns follow the XLSForm convention ``label::Norsk bokmål (nb)``: the code in
parentheses is the language; a bare name is looked up in :data:`LANGUAGE_NAMES`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

#: Survey-sheet columns tillit uses (canonical keys).
SURVEY_KEYS: tuple[str, ...] = (
    "type",
    "name",
    "label",
    "hint",
    "required",
    "required_message",
    "relevant",
    "constraint",
    "constraint_message",
    "calculation",
    "choice_filter",
    "default",
    "appearance",
    "randomize",
    "concept",
)
#: Choices-sheet columns tillit uses; any other column is kept as a choice's ``extra``.
CHOICES_KEYS: tuple[str, ...] = ("list_name", "name", "label", "concept")
#: Columns that hold text in a language.
TRANSLATABLE: frozenset[str] = frozenset(
    {"label", "hint", "required_message", "constraint_message"}
)
#: Settings tillit uses; other settings are kept as written in ``Instrument.settings``.
SETTINGS_KEYS: tuple[str, ...] = ("form_title", "form_id", "version", "default_language")

_ALIASES: Mapping[str, str] = {
    "caption": "label",
    "relevance": "relevant",
    "bind::relevant": "relevant",
    "bind::required": "required",
    "bind::constraint": "constraint",
    "bind::calculate": "calculation",
    "calculate": "calculation",
    "constraint message": "constraint_message",
    "constraining message": "constraint_message",
    "bind::jr:constraintmsg": "constraint_message",
    "jr:constraintmsg": "constraint_message",
    "required message": "required_message",
    "requiredmsg": "required_message",
    "bind::jr:requiredmsg": "required_message",
    "jr:requiredmsg": "required_message",
    "control::appearance": "appearance",
    "body::appearance": "appearance",
    "choice filter": "choice_filter",
    "command": "type",
    "tag": "name",
    "concepts": "concept",
    "list name": "list_name",
    "value": "name",
    "id_string": "form_id",
    "set form id": "form_id",
    "set form title": "form_title",
}

#: Language names without a code in parentheses that tillit understands.
LANGUAGE_NAMES: Mapping[str, str] = {
    "nb": "nb",
    "nn": "nn",
    "da": "da",
    "sv": "sv",
    "en": "en",
    "no": "nb",
    "bokmål": "nb",
    "bokmal": "nb",
    "norsk": "nb",
    "norsk bokmål": "nb",
    "norwegian": "nb",
    "norwegian bokmål": "nb",
    "norwegian bokmal": "nb",
    "nynorsk": "nn",
    "norsk nynorsk": "nn",
    "norwegian nynorsk": "nn",
    "dansk": "da",
    "danish": "da",
    "svenska": "sv",
    "svensk": "sv",
    "swedish": "sv",
    "english": "en",
    "engelsk": "en",
}
#: Names written for language codes that have no name of their own (e.g. in built instruments).
DEFAULT_LANGUAGE_NAMES: Mapping[str, str] = {
    "nb": "Norsk bokmål (nb)",
    "nn": "Norsk nynorsk (nn)",
    "da": "Dansk (da)",
    "sv": "Svenska (sv)",
    "en": "English (en)",
}
_CODE = re.compile(r"\(\s*([A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*)\s*\)\s*$")


@dataclass(frozen=True)
class Column:
    """One recognised column: its position, header as written, key and language."""

    index: int
    header: str
    key: str
    language: str | None = None  # as written after "::" (resolved later)


def language_code(text: str) -> tuple[str, bool]:
    """The language code for the part of a header after ``::``.

    Returns
    -------
    tuple of (str, bool)
        The code, and whether it was understood (False: the text is kept as the code).

    Examples
    --------
    >>> language_code("Norsk bokmål (nb)")
    ('nb', True)
    >>> language_code("English")
    ('en', True)
    >>> language_code("chinese")
    ('chinese', False)
    """
    stripped = text.strip()
    m = _CODE.search(stripped)
    if m:
        primary, *rest = m.group(1).split("-")
        return "-".join([primary.lower(), *rest]), True
    known = LANGUAGE_NAMES.get(stripped.casefold())
    if known:
        return known, True
    return stripped, False


def _snake(text: str) -> str:
    return "_".join(text.split()).lower()


def parse_header(
    cells: Sequence[str], known: Sequence[str], *, keep_unknown: bool = False
) -> tuple[list[Column], list[tuple[int, str]], list[tuple[int, int, str]]]:
    """Recognise the columns of a header row.

    Parameters
    ----------
    cells : sequence of str
        The header row.
    known : sequence of str
        Canonical keys of the sheet (e.g. :data:`SURVEY_KEYS`).
    keep_unknown : bool
        Return unknown headers as columns keyed by their text (choices: ``extra`` columns).

    Returns
    -------
    columns : list of Column
    ignored : list of (index, header)
        Headers tillit does not use.
    duplicates : list of (index, earlier index, header)
        Columns that repeat an earlier one, exactly or through an alias.
    """
    double = any("::" in c for c in cells)
    columns: list[Column] = []
    ignored: list[tuple[int, str]] = []
    duplicates: list[tuple[int, int, str]] = []
    seen: dict[tuple[str, str | None], int] = {}
    seen_text: dict[str, int] = {}
    for index, raw in enumerate(cells):
        header = raw.strip()
        if not header:
            continue
        folded = " ".join(header.split()).casefold()
        if folded in seen_text:
            duplicates.append((index, seen_text[folded], header))
            continue
        seen_text[folded] = index
        key, language = _key(header, double, known)
        if key is None:
            if keep_unknown:
                columns.append(Column(index, header, header))
            else:
                ignored.append((index, header))
            continue
        slot = (key, language.casefold() if language else None)
        if slot in seen:
            duplicates.append((index, seen[slot], header))
            continue
        seen[slot] = index
        columns.append(Column(index, header, key, language))
    return columns, ignored, duplicates


def _key(header: str, double: bool, known: Sequence[str]) -> tuple[str | None, str | None]:
    whole = " ".join(header.split()).casefold()
    for candidate in (whole, _snake(whole)):
        if candidate in known:
            return candidate, None
        if candidate in _ALIASES and _ALIASES[candidate] in known:
            return _ALIASES[candidate], None
    delimiter = "::" if double or "::" in header else ":"
    tokens = [t.strip() for t in header.split(delimiter)]
    if delimiter == ":" and "jr" in [t.casefold() for t in tokens]:
        at = [t.casefold() for t in tokens].index("jr")
        if at + 1 < len(tokens):
            tokens = [*tokens[:at], f"jr:{tokens[at + 1]}", *tokens[at + 2 :]]
    first = tokens[0].casefold()
    if first in ("bind", "control", "body") and len(tokens) >= 2:
        inner = f"{first}::{tokens[1].casefold()}"
        key = _ALIASES.get(inner) or _ALIASES.get(tokens[1].casefold()) or tokens[1].casefold()
        rest = tokens[2:]
    elif first in ("media", "instance"):
        return None, None
    else:
        first = _snake(first)
        key = _ALIASES.get(first) or _ALIASES.get(first.replace("_", " ")) or first
        rest = tokens[1:]
    if key not in known:
        return None, None
    if not rest:
        return key, None
    if key not in TRANSLATABLE or len(rest) != 1 or not rest[0]:
        return None, None
    return key, rest[0]


#: Question types tillit does not support and skips with a warning (XLSForm name -> kind).
DROPPED_TYPES: Mapping[str, str] = {
    **dict.fromkeys(
        (
            "start",
            "end",
            "today",
            "deviceid",
            "imei",
            "subscriberid",
            "simserial",
            "phonenumber",
            "username",
            "email",
            "audit",
            "start-geopoint",
            "uri:deviceid",
            "uri:email",
            "uri:username",
            "uri:phonenumber",
            "uri:subscriberid",
            "uri:simserial",
            "get start time",
            "get end time",
            "get today",
            "get device id",
            "get subscriber id",
            "get sim id",
            "get phone number",
        ),
        "metadata",
    ),
    **dict.fromkeys(
        (
            "time",
            "datetime",
            "geopoint",
            "geotrace",
            "geoshape",
            "image",
            "photo",
            "audio",
            "video",
            "file",
            "barcode",
            "acknowledge",
            "trigger",
            "range",
            "background-audio",
            "background-geopoint",
            "hidden",
            "xml-external",
            "csv-external",
            "add image prompt",
            "add photo prompt",
            "add audio prompt",
            "add video prompt",
            "add file prompt",
        ),
        "input",
    ),
}
_DROPPED_FIRST_WORDS = frozenset(
    {
        "select_one_external",
        "select_multiple_external",
        "select_one_from_file",
        "select_multiple_from_file",
        "osm",
    }
)
_DROPPED_PREFIXES = ("select one from file ", "select multiple from file ")
_BASE_TYPES: Mapping[str, str] = {
    "text": "text",
    "string": "text",
    "integer": "integer",
    "int": "integer",
    "decimal": "decimal",
    "date": "date",
    "note": "note",
    "calculate": "calculate",
    "phone number": "text",
    "phone_number": "text",
}
_SELECT_PREFIXES: tuple[tuple[str, str], ...] = (
    ("select all that apply from ", "select_multiple"),
    ("select all that apply ", "select_multiple"),
    ("add select multiple prompt using ", "select_multiple"),
    ("add select one prompt using ", "select_one"),
    ("select multiple from ", "select_multiple"),
    ("select one from ", "select_one"),
    ("select_multiple ", "select_multiple"),
    ("select multiple ", "select_multiple"),
    ("select_one ", "select_one"),
    ("select one ", "select_one"),
    ("select1 ", "select_one"),
    ("rank ", "rank"),
)
_STRUCTURE: Mapping[str, str] = {
    "begin group": "begin_group",
    "begin_group": "begin_group",
    "end group": "end_group",
    "end_group": "end_group",
    "begin repeat": "begin_repeat",
    "begin_repeat": "begin_repeat",
    "end repeat": "end_repeat",
    "end_repeat": "end_repeat",
    "begin loop": "begin_loop",
    "begin_loop": "begin_loop",
    "end loop": "end_loop",
    "end_loop": "end_loop",
}
#: Every type a survey row may have, for "did you mean" suggestions.
KNOWN_TYPES: tuple[str, ...] = (
    *sorted(set(_BASE_TYPES)),
    "select_one LIST",
    "select_multiple LIST",
    "rank LIST",
    "begin group",
    "end group",
)


@dataclass(frozen=True)
class ParsedType:
    """A survey row's type: ``kind`` is a question type, a structure keyword (``begin_group``,
    ``end_group``, ``begin_repeat``, ``end_repeat``, ``begin_loop``, ``end_loop``), ``include``,
    ``dropped`` or ``unknown``."""

    kind: str
    list_name: str | None = None
    or_other: bool = False
    note: str = ""  # for dropped types: "metadata" or "input"; for aliases: the alias


def parse_type(raw: str) -> ParsedType:
    """Parse the text of a ``type`` cell.

    Examples
    --------
    >>> parse_type("select one from sexes or specify other")
    ParsedType(kind='select_one', list_name='sexes', or_other=True, note='')
    >>> parse_type("geopoint").kind
    'dropped'
    """
    text = " ".join(raw.split())
    low = text.lower()
    if not low:
        return ParsedType("unknown")
    if low in _STRUCTURE:
        return ParsedType(_STRUCTURE[low])
    if low == "include" or low.startswith("include "):
        return ParsedType("include", text[8:].strip() or None)
    if low in _BASE_TYPES:
        alias = low if _BASE_TYPES[low] != low else ""
        return ParsedType(_BASE_TYPES[low], note=alias)
    if low in DROPPED_TYPES:
        return ParsedType("dropped", note=DROPPED_TYPES[low])
    if low.split()[0] in _DROPPED_FIRST_WORDS or low.startswith(_DROPPED_PREFIXES):
        return ParsedType("dropped", note="input")
    or_other = False
    for suffix in (" or_other", " or specify other"):
        if low.endswith(suffix):
            or_other = True
            text, low = text[: -len(suffix)], low[: -len(suffix)]
    for prefix, kind in _SELECT_PREFIXES:
        if low.startswith(prefix):
            rest = text[len(prefix) :].strip()
            return ParsedType(kind, rest or None, or_other)
    if low in ("select_one", "select one", "select_multiple", "select all that apply", "rank"):
        kind = "select_multiple" if "multiple" in low or "all" in low else low.replace(" ", "_")
        return ParsedType(kind, None, or_other)
    return ParsedType("unknown")
