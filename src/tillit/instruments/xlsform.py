"""Reading and writing instruments as XLSForm (pure library).

:func:`read_xlsform` reads an ``.xlsx``, ``.xls`` or pyxform markdown (``.md``) XLSForm into an
:class:`~tillit.instruments.model.Instrument`, checking it completely: every problem is reported at
once, located by sheet, row and column, in one
:class:`~tillit.instruments.validate.InstrumentError`. Things that do not stop the instrument from
working (a skipped unsupported question type, an ignored column, a language without a code) are
returned as located :class:`~tillit.instruments.validate.Problem` s in the ``warnings`` list you
pass in. :func:`write_xlsform` writes the survey, choices and settings sheets back; reading what it
wrote gives an equal instrument (``language_names`` included: reading records the header text of
every language, so give built instruments their names, e.g. ``{"nb": "Norsk bokmål (nb)"}``).

Examples
--------
>>> import io
>>> from tillit.instruments.model import Instrument, Question
>>> form = Instrument(
...     "f", "Form", "1", "nb", ("nb",), (Question("q", "text", {"nb": "Navn"}),),
...     language_names={"nb": "Norsk bokmål (nb)"},
... )
>>> buffer = io.BytesIO()
>>> write_xlsform(form, buffer)
>>> read_xlsform(buffer.getvalue(), filename="f.xlsx") == form
True
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from tillit.instruments.columns import (
    CHOICES_KEYS,
    KNOWN_TYPES,
    SETTINGS_KEYS,
    SURVEY_KEYS,
    TRANSLATABLE,
    Column,
    ParsedType,
    language_code,
    parse_header,
    parse_type,
)
from tillit.instruments.model import (
    Choice,
    ChoiceList,
    Group,
    Instrument,
    Question,
    QuestionType,
)
from tillit.instruments.sheets import Sheet, Workbook, load_sheets
from tillit.instruments.validate import (
    InstrumentError,
    Problem,
    check_instrument,
    sort_problems,
)
from tillit.instruments.writer import write_xlsform

if TYPE_CHECKING:
    from tillit.taxonomy import Taxonomy

__all__ = ["read_xlsform", "write_xlsform"]

_YES = frozenset({"yes", "true", "true()", "1"})
_NO = frozenset({"", "no", "false", "false()", "0"})
_SMART_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_EXPRESSION_KEYS = ("relevant", "constraint", "calculation", "choice_filter", "required")
_MEDIA = frozenset({"image", "big-image", "audio", "video", "media"})
_ID_CHARS = re.compile(r"[^\w.-]+")


@dataclass
class _Open:
    """A group (or repeat read as a group) whose end row has not come yet."""

    kind: str  # "group" or "repeat"
    group: Group  # everything but the children
    children: list[Question | Group] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.group.name

    @property
    def row(self) -> int:
        return self.group.row or 0


class _Table:
    """A sheet's recognised columns and data rows."""

    def __init__(self, sheet: Sheet, columns: list[Column]) -> None:
        self.sheet = sheet
        self.columns = columns
        self.by_key: dict[str, Column] = {c.key: c for c in columns if c.language is None}
        self.rows = sheet.rows[1:]

    def value(self, cells: tuple[str, ...], key: str) -> str:
        column = self.by_key.get(key)
        if column is None or column.index >= len(cells):
            return ""
        return cells[column.index]


class _Reader:
    def __init__(self, book: Workbook, repeats: str) -> None:
        self.book = book
        self.repeats = repeats
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.headers: dict[tuple[str, str, str | None], str] = {}
        self.dropped: dict[str, str] = {}
        self.languages: list[str] = []
        self.language_names: dict[str, str] = {}
        # (sheet, key) -> [(language code, column)]
        self.texts: dict[tuple[str, str], list[tuple[str, Column]]] = {}

    def add(self, sheet: str, row: int | None, column: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(sheet, row, column, message, hint))

    def warn(self, sheet: str, row: int | None, column: str, message: str, hint: str = "") -> None:
        self.warnings.append(Problem(sheet, row, column, message, hint))

    def column_name(self, sheet: str, key: str, language: str | None) -> str:
        return self.headers.get((sheet, key, language)) or self.headers.get((sheet, key, None), key)

    # -- sheets and headers ---------------------------------------------------------------

    def table(self, key: str, known: tuple[str, ...], required: tuple[str, ...]) -> _Table | None:
        sheet = self.book.sheets.get(key)
        if sheet is None or not sheet.rows:
            return None
        header_row, cells = sheet.rows[0]
        columns, ignored, duplicates = parse_header(cells, known, keep_unknown=key != "survey")
        for _, earlier, header in duplicates:
            same = cells[earlier].strip()
            message = (
                f"duplicate column header {header!r}"
                if same.casefold() == header.casefold()
                else f"columns {same!r} and {header!r} are two names for the same column"
            )
            self.add(key, header_row, header, message, "Delete or rename one of the columns.")
        for _, header in ignored:
            self.warn(
                key, header_row, header, f"column {header!r} is not used by tillit and was ignored"
            )
        if key == "choices":
            kept = []
            for c in columns:
                first = re.split(r":+", c.key)[0].strip().casefold()
                if c.key in known or first not in _MEDIA:
                    kept.append(c)
            columns = kept
        present = {c.key for c in columns}
        if sheet.rows[1:] or key == "survey":
            for needed in required:
                if needed not in present:
                    self.add(
                        key,
                        header_row,
                        "",
                        f"the {key} sheet has no {needed!r} column",
                        f"The first row of the {key} sheet must name its columns, "
                        f"including {', '.join(required)}.",
                    )
        return _Table(sheet, columns)

    def settings(self) -> tuple[dict[str, str], dict[str, str]]:
        table = self.table("settings", SETTINGS_KEYS, ())
        known: dict[str, str] = {}
        extra: dict[str, str] = {}
        if table is None or not table.rows:
            return known, extra
        _, cells = table.rows[0]
        for column in table.columns:
            value = cells[column.index] if column.index < len(cells) else ""
            if not value:
                continue
            if column.key in SETTINGS_KEYS:
                known[column.key] = value
            else:
                extra["_".join(column.header.split()).lower()] = value
        return known, extra

    def resolve_languages(
        self, tables: dict[str, _Table], default_language: str
    ) -> tuple[str, str]:
        explicit: dict[str, str] = {}
        for sheet, table in tables.items():
            for column in table.columns:
                if column.language is None or column.key not in TRANSLATABLE:
                    continue
                code, understood = language_code(column.language)
                if not understood and code not in explicit:
                    self.warn(
                        sheet,
                        table.sheet.rows[0][0],
                        column.header,
                        f"language {column.language!r} has no code",
                        f"Write the header as '{column.key}::{column.language} (xx)' with "
                        "the language code xx, e.g. 'label::Norsk bokmål (nb)'.",
                    )
                explicit.setdefault(code, column.language)
        dl_code = ""
        if default_language:
            dl_code, understood = language_code(default_language)
            if not understood and dl_code not in explicit:
                self.warn(
                    "settings",
                    None,
                    "default_language",
                    f"default_language {default_language!r} has no code",
                    "Write it like the language columns, e.g. 'Norsk bokmål (nb)'.",
                )
        plain = dl_code if dl_code and dl_code not in explicit else "default"
        for sheet, table in tables.items():
            for column in table.columns:
                if column.key not in TRANSLATABLE:
                    continue
                if column.language is None:
                    code = plain
                    if code != "default":
                        self.language_names.setdefault(code, default_language)
                else:
                    code = language_code(column.language)[0]
                    self.language_names.setdefault(code, column.language)
                slot = (sheet, column.key, code)
                if slot in self.headers:
                    self.add(
                        sheet,
                        table.sheet.rows[0][0],
                        column.header,
                        f"columns {self.headers[slot]!r} and {column.header!r} both hold "
                        f"the {column.key} in language {code!r}",
                        "Delete or rename one of the columns.",
                    )
                    continue
                self.headers[slot] = column.header
                self.texts.setdefault((sheet, column.key), []).append((code, column))
                if code not in self.languages:
                    self.languages.append(code)
            for column in table.columns:
                if column.key not in TRANSLATABLE:
                    self.headers[(sheet, column.key, None)] = column.header
        if dl_code and dl_code not in self.languages and self.languages:
            self.warn(
                "settings",
                None,
                "default_language",
                f"default_language {default_language!r} is not the language of any label column",
            )
        default = dl_code or (self.languages[0] if self.languages else "default")
        return default, dl_code

    def text(self, sheet: str, key: str, cells: tuple[str, ...]) -> dict[str, str]:
        out: dict[str, str] = {}
        for code, column in self.texts.get((sheet, key), []):
            if column.index < len(cells) and cells[column.index]:
                out[code] = cells[column.index]
        return out

    # -- survey ---------------------------------------------------------------------------

    def survey(self, table: _Table | None) -> tuple[Question | Group, ...]:
        top: list[Question | Group] = []
        stack: list[_Open] = []
        if table is None:
            if "survey" not in self.book.sheets:
                self.add(
                    "",
                    None,
                    "",
                    "the file has no survey sheet",
                    "An XLSForm needs a sheet named 'survey' with type, name and label columns.",
                )
            return ()
        if "type" not in table.by_key:
            return ()  # reported by table(); without types no row can be read
        for row, cells in table.rows:
            self.survey_row(table, row, cells, stack, top)
        while stack:
            still_open = stack.pop()
            self.add(
                "survey",
                still_open.row,
                self.column_name("survey", "type", None),
                f"begin {still_open.kind} {still_open.name!r} is never closed",
                f"Add an 'end {still_open.kind}' row after its last question.",
            )
            self.close(still_open, stack, top)
        return tuple(top)

    def survey_row(
        self,
        table: _Table,
        row: int,
        cells: tuple[str, ...],
        stack: list[_Open],
        top: list[Question | Group],
    ) -> None:
        value = table.value
        raw_type, name = value(cells, "type"), value(cells, "name")
        type_column = self.column_name("survey", "type", None)
        if not raw_type:
            if name or self.text("survey", "label", cells):
                self.add(
                    "survey",
                    row,
                    type_column,
                    f"the row {name!r} has no type",
                    "Give the row a type such as text, integer or select_one LIST.",
                )
            return
        parsed = parse_type(raw_type)
        kind = parsed.kind
        if kind in ("begin_group", "begin_repeat"):
            opened = "group" if kind == "begin_group" else "repeat"
            if opened == "repeat":
                self.repeat(row, name, type_column)
            stack.append(_Open(opened, self.group(table, row, cells)))
        elif kind in ("end_group", "end_repeat"):
            closing = "group" if kind == "end_group" else "repeat"
            if not stack:
                self.add(
                    "survey",
                    row,
                    type_column,
                    f"end {closing} without a matching begin {closing}",
                    "Delete the row, or add the begin row it belongs to.",
                )
                return
            current = stack[-1]
            if current.kind != closing:
                self.add(
                    "survey",
                    row,
                    type_column,
                    f"end {closing} closes begin {current.kind} {current.name!r} "
                    f"(row {current.row})",
                    f"Write 'end {current.kind}' here.",
                )
            elif name and name != current.name:
                self.warn(
                    "survey",
                    row,
                    self.column_name("survey", "name", None),
                    f"end {closing} {name!r} closes {closing} {current.name!r}",
                )
            self.close(stack.pop(), stack, top)
        elif kind in ("begin_loop", "end_loop"):
            self.add(
                "survey",
                row,
                type_column,
                "loops (begin loop) are not supported",
                "Write the questions out once for each item instead.",
            )
        elif kind == "include":
            target = parsed.list_name or name
            self.add(
                "survey",
                row,
                type_column,
                f"legacy include syntax is not supported: form {target!r} has not been included",
                "Copy the questions of the included form into this sheet.",
            )
            self.dropped[name] = "include"
        elif kind == "dropped":
            self.dropped[name] = raw_type
            why = " (tillit records its own paradata)" if parsed.note == "metadata" else ""
            self.warn(
                "survey",
                row,
                type_column,
                f"type {raw_type!r} is not supported{why}: row {name!r} was skipped",
            )
        elif kind == "unknown":
            close = difflib.get_close_matches(raw_type.lower(), KNOWN_TYPES, n=1)
            self.add(
                "survey",
                row,
                type_column,
                f"unknown question type {raw_type!r}"
                + (f"; did you mean {close[0]!r}?" if close else ""),
                "Use note, text, integer, decimal, date, select_one LIST, "
                "select_multiple LIST, rank LIST, calculate, begin group or end group.",
            )
            self.dropped[name] = raw_type
        else:
            if parsed.note.startswith("phone"):
                self.warn("survey", row, type_column, f"type {raw_type!r} is read as text")
            question = self.question(table, row, cells, parsed)
            (stack[-1].children if stack else top).append(question)

    def repeat(self, row: int, name: str, type_column: str) -> None:
        if self.repeats == "error":
            self.add(
                "survey",
                row,
                type_column,
                f"repeats are not supported (begin repeat {name!r})",
                "Write the questions out once for each item, or read the form with "
                "repeats='group' to ask them once.",
            )
        else:
            self.warn(
                "survey",
                row,
                type_column,
                f"repeats are not supported: the questions of repeat {name!r} are asked "
                "once, as a group",
            )

    def close(self, done: _Open, stack: list[_Open], top: list[Question | Group]) -> None:
        group = dataclasses.replace(done.group, children=tuple(done.children))
        (stack[-1].children if stack else top).append(group)

    def group(self, table: _Table, row: int, cells: tuple[str, ...]) -> Group:
        return Group(
            name=table.value(cells, "name"),
            labels=self.text("survey", "label", cells),
            relevant=_expression(table.value(cells, "relevant")),
            appearance=table.value(cells, "appearance"),
            concepts=tuple(table.value(cells, "concept").split()),
            row=row,
        )

    def question(
        self, table: _Table, row: int, cells: tuple[str, ...], parsed: ParsedType
    ) -> Question:
        value = table.value
        expr = {k: _expression(value(cells, k)) for k in _EXPRESSION_KEYS}
        required = expr["required"]
        if required.lower() in _YES:
            required = "yes"
        elif required.lower() in _NO:
            required = ""
        randomize = value(cells, "randomize").lower()
        if randomize not in _YES | _NO:
            self.add(
                "survey",
                row,
                self.column_name("survey", "randomize", None),
                f"randomize must be yes or no, not {randomize!r}",
            )
        default = value(cells, "default")
        return Question(
            name=value(cells, "name"),
            type=_question_type(parsed.kind),
            labels=self.text("survey", "label", cells),
            hints=self.text("survey", "hint", cells),
            list_name=parsed.list_name,
            or_other=parsed.or_other,
            required=required,
            required_messages=self.text("survey", "required_message", cells),
            relevant=expr["relevant"],
            constraint=expr["constraint"],
            constraint_messages=self.text("survey", "constraint_message", cells),
            calculation=expr["calculation"],
            choice_filter=expr["choice_filter"],
            default=default.translate(_SMART_QUOTES) if "${" in default else default,
            appearance=value(cells, "appearance"),
            randomize=randomize in _YES,
            concepts=tuple(value(cells, "concept").split()),
            row=row,
        )

    # -- choices --------------------------------------------------------------------------

    def choices(self, table: _Table | None) -> dict[str, ChoiceList]:
        lists: dict[str, list[Choice]] = {}
        if table is None:
            return {}
        extras = [c for c in table.columns if c.key not in CHOICES_KEYS]
        for row, cells in table.rows:
            list_name, name = table.value(cells, "list_name"), table.value(cells, "name")
            labels = self.text("choices", "label", cells)
            extra = {
                c.header: cells[c.index] for c in extras if c.index < len(cells) and cells[c.index]
            }
            concepts = tuple(table.value(cells, "concept").split())
            if not (list_name or name or labels or concepts):
                continue
            if not list_name:
                self.add(
                    "choices",
                    row,
                    self.column_name("choices", "list_name", None),
                    f"choice {name!r} has no list_name",
                    "Name the list the choice belongs to.",
                )
                continue
            if name and not labels:
                self.warn(
                    "choices",
                    row,
                    self.column_name("choices", "label", None),
                    f"choice {name!r} in list {list_name!r} has no label",
                )
            lists.setdefault(list_name, []).append(
                Choice(name=name, labels=labels, concepts=concepts, extra=extra, row=row)
            )
        return {n: ChoiceList(n, tuple(c)) for n, c in lists.items()}

    # -- the whole form -------------------------------------------------------------------

    def read(self) -> Instrument:
        for title in self.book.duplicate_sheets:
            self.add(
                "",
                None,
                "",
                f"there are two sheets named {title!r}",
                "Delete or rename one of them.",
            )
        for title in self.book.sheet_names:
            key = title.strip().lower()
            if key not in ("survey", "choices", "settings"):
                self.warn("", None, "", f"sheet {title!r} is not used by tillit and was ignored")
        known, extra = self.settings()
        survey = self.table("survey", SURVEY_KEYS, ("type", "name"))
        choices = self.table("choices", CHOICES_KEYS, ("list_name", "name"))
        tables = {k: t for k, t in (("survey", survey), ("choices", choices)) if t is not None}
        default_language, _ = self.resolve_languages(tables, known.get("default_language", ""))
        children = self.survey(survey)
        choice_lists = self.choices(choices)
        form_id = (
            known.get("form_id")
            or _ID_CHARS.sub("_", Path(self.book.filename).stem).strip("_")
            or "form"
        )
        return Instrument(
            form_id=form_id,
            title=known.get("form_title") or form_id,
            version=known.get("version", ""),
            default_language=default_language,
            languages=tuple(self.languages),
            children=children,
            choice_lists=choice_lists,
            language_names=dict(self.language_names),
            settings=extra,
        )


def _expression(text: str) -> str:
    """An expression cell: straight quotes for smart ones; a TRUE/FALSE cell as true()/false()."""
    if text.lower() in ("true", "false"):
        return f"{text.lower()}()"
    return text.translate(_SMART_QUOTES)


def _question_type(kind: str) -> QuestionType:
    types: dict[str, QuestionType] = {
        "note": "note",
        "text": "text",
        "integer": "integer",
        "decimal": "decimal",
        "date": "date",
        "select_one": "select_one",
        "select_multiple": "select_multiple",
        "rank": "rank",
        "calculate": "calculate",
    }
    return types[kind]


def read_xlsform(
    source: str | Path | bytes,
    *,
    filename: str | None = None,
    warnings: list[Problem] | None = None,
    taxonomy: Taxonomy | None = None,
    repeats: Literal["group", "error"] = "group",
) -> Instrument:
    """Read and check an XLSForm.

    Parameters
    ----------
    source : str, Path or bytes
        A path to an ``.xlsx``, ``.xls`` or ``.md`` file, or the content of one (an upload).
        The kind of file is recognised from its content.
    filename : str, optional
        The name used in messages (and, if the settings sheet has no form_id, for the form id).
    warnings : list, optional
        Receives located :class:`~tillit.instruments.validate.Problem` s that do not stop the
        form from working: unsupported question types that were skipped, ignored columns and
        sheets, languages without a code, incomplete translations, repeats read as groups.
    taxonomy : Taxonomy, optional
        To check the ``concept`` column against; default: the bundled taxonomy.
    repeats : {"group", "error"}, default "group"
        tillit has no repeats: ``"group"`` reads a repeat as a group asked once (with a
        warning), ``"error"`` refuses the form.

    Returns
    -------
    Instrument

    Raises
    ------
    InstrumentError
        All problems of the form at once, each with sheet, row, column, message and hint.
    CorruptFileError
        If the file is not a spreadsheet, is damaged, or is unsafe (XML entities).
    TillitError
        If the file or a sheet is over the size limits (see :mod:`tillit.instruments.sheets`).
    NotFoundError
        If the path does not exist.
    """
    book = load_sheets(source, filename=filename)
    reader = _Reader(book, repeats)
    instrument = reader.read()
    found = list(reader.problems)
    found += check_instrument(
        instrument,
        columns=reader.column_name,
        dropped=reader.dropped,
        taxonomy=taxonomy,
        warnings=reader.warnings,
        require_questions=not reader.problems,
    )
    if warnings is not None:
        warnings.extend(sort_problems(reader.warnings))
    if found:
        raise InstrumentError(sort_problems(found), book.filename)
    return instrument
