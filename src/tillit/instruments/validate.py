"""Checking instruments, with every problem located (pure library).

A :class:`Problem` says where (sheet, row, column, and for expressions the column inside the
expression), what is wrong, and how to fix it. :func:`check_instrument` returns every problem of
an :class:`~tillit.instruments.model.Instrument` at once; :func:`validate_instrument` raises them
together as one :class:`InstrumentError`. :func:`~tillit.instruments.xlsform.read_xlsform` adds the
problems only a spreadsheet can have (duplicate column headers, unknown types, unclosed groups).

Examples
--------
>>> from tillit.instruments.model import Instrument, Question
>>> form = Instrument("f", "F", "1", "en", ("en",), (
...     Question("age", "integer", {"en": "Age"}, relevant="${agee} > 1", row=2),
... ))
>>> for problem in check_instrument(form):
...     print(problem.where())
...     print(problem.message)
survey row 2, column 'relevant'
relevant refers to ${agee}, which is not a question in this form; did you mean ${age}?
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from tillit.errors import ErrorCode, TillitError
from tillit.instruments.expressions import (
    ExpressionError,
    fields,
    parse,
    references,
    text_references,
)
from tillit.instruments.model import Choice, ChoiceList, Group, Instrument, Question

if TYPE_CHECKING:
    from tillit.taxonomy import Taxonomy

#: Valid names of questions and groups: XML names (a letter or ``_``, then letters, digits,
#: ``_``, ``-`` and ``.``).
NAME_PATTERN = re.compile(r"^[^\W\d][\w.\-]*$")
_MAX_LISTED = 25
_SELECTS = ("select_one", "select_multiple", "rank")
_YES = frozenset({"yes", "true", "true()", "1"})
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an instrument, and where.

    Attributes
    ----------
    sheet : str
        ``"survey"``, ``"choices"``, ``"settings"`` or ``""`` for the whole file.
    row : int or None
        1-based row on that sheet (line number for markdown); ``None`` for the whole sheet.
    column : str
        The column header as written in the file (e.g. ``"bind:relevant"``), or ``""``.
    message : str
        What is wrong.
    hint : str
        How to fix it.
    position : int or None
        For expressions: the 1-based column inside the expression where the problem starts.
    """

    sheet: str
    row: int | None
    column: str
    message: str
    hint: str = ""
    position: int | None = None

    def where(self) -> str:
        """``"survey row 5, column 'relevant'"``."""
        parts = [self.sheet or "file"]
        if self.row is not None:
            parts.append(f"row {self.row}")
        text = " ".join(parts)
        return f"{text}, column {self.column!r}" if self.column else text

    def __str__(self) -> str:
        return f"{self.where()}: {self.message}" + (f" ({self.hint})" if self.hint else "")

    def as_dict(self) -> dict[str, object]:
        """The problem as JSON-ready data."""
        return asdict(self)


class InstrumentError(TillitError):
    """All problems of an instrument, raised together (code ``invalid_input``).

    ``problems`` holds the :class:`Problem` objects, ``errors`` the same as dicts.
    """

    def __init__(self, problems: Sequence[Problem], source: str = "the instrument") -> None:
        self.problems = tuple(problems)
        n_problems = len(self.problems)
        head = f"{n_problems} problem{'s' if n_problems != 1 else ''} in {source}"
        if n_problems == 1:
            message = f"{head}: {self.problems[0]}"
        else:
            listed = "\n".join(f"  - {p}" for p in self.problems[:_MAX_LISTED])
            more = n_problems - _MAX_LISTED
            message = f"{head}:\n{listed}" + (f"\n  ... and {more} more" if more > 0 else "")
        super().__init__(
            message,
            ErrorCode.INVALID_INPUT,
            hint="Fix the rows named above and check the file again with "
            "`tillit instrument validate FILE`.",
            errors=[p.as_dict() for p in self.problems],
        )


#: Gives the header of a column as written: (sheet, key, language or None) -> header.
ColumnNames = Callable[[str, str, "str | None"], str]


def default_columns(instrument: Instrument) -> ColumnNames:
    """Column names as :func:`~tillit.instruments.xlsform.write_xlsform` writes them."""

    def name(sheet: str, key: str, language: str | None = None) -> str:
        if language is None or language == "default":
            return key
        return f"{key}::{instrument.language_names.get(language, language)}"

    return name


def _did_you_mean(word: str, options: Sequence[str], wrap: str = "{}") -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean {wrap.format(close[0])}?" if close else ""


def sort_problems(problems: Sequence[Problem]) -> list[Problem]:
    """Problems in reading order: file, settings, survey, choices; then by row."""
    order = {"": 0, "settings": 1, "survey": 2, "choices": 3}
    return sorted(problems, key=lambda p: (order.get(p.sheet, 4), p.row or 0))


class _Checker:
    def __init__(
        self,
        instrument: Instrument,
        columns: ColumnNames | None,
        dropped: Mapping[str, str],
        taxonomy: Taxonomy | None,
    ) -> None:
        self.form = instrument
        self.col = columns or default_columns(instrument)
        self.dropped = dropped
        self.taxonomy = taxonomy
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.order: dict[str, int] = {}
        self.items: dict[str, Question | Group] = {}
        self.inside: dict[str, set[str]] = {}  # group name -> names of everything inside

    def add(self, sheet: str, row: int | None, column: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(sheet, row, column, message, hint))

    def warn(self, sheet: str, row: int | None, column: str, message: str, hint: str = "") -> None:
        self.warnings.append(Problem(sheet, row, column, message, hint))

    # -- names ----------------------------------------------------------------------------

    def names(self) -> None:
        seen: dict[str, Question | Group] = {}
        folded: dict[str, str] = {}
        for index, (item, parents) in enumerate(self.form.walk()):
            name = item.name
            for group in parents:
                self.inside.setdefault(group.name, set()).add(name)
            column = self.col("survey", "name", None)
            if not name:
                self.add(
                    "survey",
                    item.row,
                    column,
                    "the row has no name",
                    "Give every question and group a unique name, such as q1 or trust_council.",
                )
                continue
            if not NAME_PATTERN.match(name):
                self.add(
                    "survey",
                    item.row,
                    column,
                    f"{name!r} is not a valid name",
                    "A name starts with a letter or '_' and holds only letters, digits, "
                    "'_', '-' and '.' (no spaces).",
                )
            if name in seen:
                first = seen[name].row
                self.add(
                    "survey",
                    item.row,
                    column,
                    f"the name {name!r} is already used" + (f" in row {first}" if first else ""),
                    "Names must be unique.",
                )
                continue
            if name.casefold() in folded:
                self.warn(
                    "survey",
                    item.row,
                    column,
                    f"the name {name!r} differs from "
                    f"{folded[name.casefold()]!r} only in upper/lower case",
                    "Statistics packages ignore case; rename one of them.",
                )
            seen[name] = item
            folded[name.casefold()] = name
            self.order[name] = index
            self.items[name] = item
        for item, _ in self.form.walk():
            if isinstance(item, Question) and item.or_other and f"{item.name}_other" in seen:
                self.add(
                    "survey",
                    item.row,
                    self.col("survey", "type", None),
                    f"or_other adds the text field {item.name}_other, but that name is "
                    "already used",
                    "Rename the other question.",
                )

    # -- expressions ----------------------------------------------------------------------

    def expressions(self) -> None:
        for item, _ in self.form.walk():
            if not item.name or self.items.get(item.name) is not item:
                continue
            self.expression(item, "relevant", item.relevant)
            if isinstance(item, Question):
                self.expression(item, "constraint", item.constraint)
                self.expression(item, "calculation", item.calculation)
                self.expression(item, "choice_filter", item.choice_filter)
                if item.required and item.required.lower() not in _YES:
                    self.expression(item, "required", item.required)
                if is_expression_default(item.default):
                    self.expression(item, "default", item.default)
                self.texts(item)
                self.question(item)
            else:
                for lang, label in item.labels.items():
                    self.text_refs(item, "label", lang, label)

    def expression(self, item: Question | Group, key: str, text: str) -> None:
        if not text:
            return
        column = self.col("survey", key, None)
        try:
            tree = parse(text, allow_fields=key == "choice_filter")
        except ExpressionError as exc:
            self.problems.append(
                Problem(
                    "survey",
                    item.row,
                    column,
                    f"{key} is not a valid expression: {exc.reason} "
                    f"(at column {exc.column} of {text!r})",
                    "See docs/instruments.md for the expressions tillit understands.",
                    exc.column,
                )
            )
            return
        for ref in sorted(references(tree)):
            self.reference(item, key, column, ref)
        if key == "choice_filter" and isinstance(item, Question):
            self.choice_fields(item, column, fields(tree))

    def reference(self, item: Question | Group, key: str, column: str, ref: str) -> None:
        where = ("survey", item.row, column)
        if ref == item.name:
            if key != "constraint":
                self.add(
                    *where,
                    f"{key} refers to ${{{ref}}}, the row itself",
                    "Only a constraint may refer to its own question (or write '.').",
                )
            return
        if ref not in self.items:
            if ref in self.dropped:
                self.warn(
                    *where,
                    f"{key} refers to ${{{ref}}} (type {self.dropped[ref]}), "
                    "which tillit does not import; it counts as unanswered",
                )
                return
            self.add(
                *where,
                f"{key} refers to ${{{ref}}}, which is not a question in this form"
                + _did_you_mean(ref, list(self.items), "${{{}}}"),
                "Refer to a question defined earlier in the survey sheet.",
            )
            return
        target = self.items[ref]
        if isinstance(target, Group):
            self.add(
                *where,
                f"{key} refers to ${{{ref}}}, which is a group, not a question",
                "Refer to a question.",
            )
        elif ref in self.inside.get(item.name, set()):
            self.add(
                *where,
                f"{key} of group {item.name!r} refers to ${{{ref}}}, which is inside the group",
                "A group's condition can only use earlier answers.",
            )
        elif self.order[ref] > self.order[item.name]:
            self.add(
                *where,
                f"{key} refers to ${{{ref}}}, which comes later"
                + (f" (row {target.row})" if target.row else ""),
                "Move the question up, or refer only to questions asked before this one.",
            )

    def choice_fields(self, item: Question, column: str, names: set[str]) -> None:
        choices = self.form.choice_lists.get(item.list_name or "")
        if choices is None or not names:
            return
        known = {"name", "label"} | {k.casefold() for c in choices.choices for k in c.extra}
        for name in sorted(names):
            if name.casefold() not in known:
                self.add(
                    "survey",
                    item.row,
                    column,
                    f"choice_filter uses {name!r}, which is not a column of choice list "
                    f"{choices.name!r}",
                    "Add the column to the choices sheet, or refer to a question with ${name}.",
                )

    def texts(self, item: Question) -> None:
        for key, texts in (
            ("label", item.labels),
            ("hint", item.hints),
            ("required_message", item.required_messages),
            ("constraint_message", item.constraint_messages),
        ):
            for lang, text in texts.items():
                self.text_refs(item, key, lang, text)

    def text_refs(self, item: Question | Group, key: str, lang: str, text: str) -> None:
        for ref, _ in text_references(text):
            if ref in self.items or ref in self.dropped or ref == item.name:
                continue
            # A warning, not an error: an unknown ${x} in a text shows as empty, it breaks no logic.
            self.warn(
                "survey",
                item.row,
                self.col("survey", key, lang),
                f"{key} shows ${{{ref}}}, which is not a question in this form"
                + _did_you_mean(ref, list(self.items), "${{{}}}"),
                "Fix the name inside ${...}.",
            )

    # -- questions and choices ------------------------------------------------------------

    def question(self, q: Question) -> None:
        type_column = self.col("survey", "type", None)
        if q.type in _SELECTS:
            if not q.list_name:
                self.add(
                    "survey",
                    q.row,
                    type_column,
                    f"{q.type} needs a choice list name",
                    f"Write the type as '{q.type} LIST', with LIST on the choices sheet.",
                )
            elif q.list_name not in self.form.choice_lists:
                self.add(
                    "survey",
                    q.row,
                    type_column,
                    f"choice list {q.list_name!r} is not on the choices sheet"
                    + _did_you_mean(q.list_name, list(self.form.choice_lists), "{!r}"),
                    f"Add rows with list_name {q.list_name!r} to the choices sheet.",
                )
            elif not any(c.name for c in self.form.choice_lists[q.list_name].choices):
                self.add(
                    "survey",
                    q.row,
                    type_column,
                    f"choice list {q.list_name!r} has no choices",
                    "Add choices (list_name, name, label) to the choices sheet.",
                )
            if q.or_other and q.type == "rank":
                self.add(
                    "survey", q.row, type_column, "rank cannot have or_other", "Remove or_other."
                )
        if q.type == "calculate" and not q.calculation:
            self.add(
                "survey",
                q.row,
                self.col("survey", "calculation", None),
                "a calculate row needs a calculation",
                "Write the expression to compute.",
            )
        if q.calculation and q.type != "calculate":
            self.warn(
                "survey",
                q.row,
                self.col("survey", "calculation", None),
                f"a calculation on a {q.type} question is not used",
                "Use type calculate for computed values.",
            )
        if q.type not in ("calculate",) and not q.labels and not q.hints:
            self.warn(
                "survey",
                q.row,
                self.col("survey", "label", None),
                f"{q.type} {q.name!r} has no label",
            )
        if q.default and not is_expression_default(q.default):
            self.default(q)

    def default(self, q: Question) -> None:
        value, wrong = q.default, ""
        if q.type == "integer" and not re.match(r"^-?\d+$", value):
            wrong = "is not a whole number"
        elif q.type == "decimal" and not _NUMBER.match(value):
            wrong = "is not a number"
        elif q.type == "date":
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                wrong = "is not a date written YYYY-MM-DD"
        elif q.type in _SELECTS and q.list_name and q.list_name in self.form.choice_lists:
            names = set(self.form.choice_lists[q.list_name].names())
            given = value.split() if q.type != "select_one" else [value]
            missing = [v for v in given if v not in names]
            if missing:
                wrong = f"names {', '.join(map(repr, missing))}, not in list {q.list_name!r}"
        if wrong:
            self.add(
                "survey",
                q.row,
                self.col("survey", "default", None),
                f"the default {value!r} {wrong}",
                "Fix or remove the default.",
            )

    def choice_lists(self) -> None:
        allow_duplicates = self.form.settings.get("allow_choice_duplicates", "").lower() in _YES
        multiple = {
            q.list_name for q in self.form.questions() if q.type in ("select_multiple", "rank")
        }
        for clist in self.form.choice_lists.values():
            self.choice_list(clist, allow_duplicates, clist.name in multiple)

    def choice_list(self, clist: ChoiceList, allow_duplicates: bool, multiple: bool) -> None:
        column = self.col("choices", "name", None)
        seen: dict[str, Choice] = {}
        for choice in clist.choices:
            if not choice.name:
                self.add(
                    "choices",
                    choice.row,
                    column,
                    f"a choice in list {clist.name!r} has no name",
                    "Give every choice a name (the code stored in the data).",
                )
                continue
            if multiple and any(ch.isspace() for ch in choice.name):
                self.add(
                    "choices",
                    choice.row,
                    column,
                    f"choice name {choice.name!r} contains a space, but list "
                    f"{clist.name!r} is used by a select_multiple or rank question",
                    "Use '_' instead of spaces in choice names.",
                )
            if choice.name in seen and not allow_duplicates:
                first = seen[choice.name].row
                self.add(
                    "choices",
                    choice.row,
                    column,
                    f"choice {choice.name!r} appears twice in list {clist.name!r}"
                    + (f" (first in row {first})" if first else ""),
                    "Choice names must be unique within a list (or set "
                    "allow_choice_duplicates to yes on the settings sheet).",
                )
            seen.setdefault(choice.name, choice)

    # -- concepts and languages -----------------------------------------------------------

    def concepts(self) -> None:
        tagged: list[tuple[str, int | None, tuple[str, ...]]] = [
            ("survey", item.row, item.concepts) for item, _ in self.form.walk() if item.concepts
        ]
        tagged += [
            ("choices", c.row, c.concepts)
            for cl in self.form.choice_lists.values()
            for c in cl.choices
            if c.concepts
        ]
        if not tagged:
            return
        tax = self.taxonomy
        if tax is None:
            from tillit.taxonomy import load_taxonomy

            tax = load_taxonomy()
        for sheet, row, ids in tagged:
            column = self.col(sheet, "concept", None)
            for concept_id in ids:
                if concept_id not in tax:
                    close = tax.suggest(concept_id, 1)
                    self.add(
                        sheet,
                        row,
                        column,
                        f"unknown concept {concept_id!r}"
                        + (f"; did you mean {close[0]!r}?" if close else ""),
                        "Use ids from `tillit taxonomy list`.",
                    )
                else:
                    concept = tax.get(concept_id)
                    if concept.deprecated:
                        better = f"; use {concept.replaced_by!r}" if concept.replaced_by else ""
                        self.warn(
                            sheet, row, column, f"concept {concept_id!r} is deprecated{better}"
                        )

    def languages(self) -> None:
        survey = [
            (item.row, item.labels)
            for item, _ in self.form.walk()
            if item.labels and not (isinstance(item, Question) and item.type == "calculate")
        ]
        choices = [
            (c.row, c.labels)
            for cl in self.form.choice_lists.values()
            for c in cl.choices
            if c.labels
        ]
        for sheet, rows in (("survey", survey), ("choices", choices)):
            for lang in self.form.languages:
                filled = sum(1 for _, labels in rows if labels.get(lang))
                if not filled or filled == len(rows):
                    continue
                column = self.col(sheet, "label", lang)
                if 2 * filled >= len(rows):
                    for row, labels in rows:
                        if not labels.get(lang):
                            self.add(
                                sheet,
                                row,
                                column,
                                f"the label in {column!r} is missing",
                                "Translate the label, or copy it from another language.",
                            )
                else:
                    self.warn(
                        sheet,
                        None,
                        column,
                        f"{column!r} is filled in on only {filled} "
                        f"of {len(rows)} labelled rows; the others fall back to another "
                        "language",
                    )


def is_expression_default(default: str) -> bool:
    """Whether a default is computed (holds ``${...}`` or a function call) rather than a value."""
    return "${" in default or bool(re.search(r"[\w-]\s*\(", default))


def check_instrument(
    instrument: Instrument,
    *,
    columns: ColumnNames | None = None,
    dropped: Mapping[str, str] | None = None,
    taxonomy: Taxonomy | None = None,
    warnings: list[Problem] | None = None,
    require_questions: bool = True,
) -> list[Problem]:
    """Every problem of an instrument, in reading order.

    Parameters
    ----------
    instrument : Instrument
        Read from XLSForm or built in code.
    columns : callable, optional
        ``(sheet, key, language) -> header`` to name columns as the file writes them; by default
        as :func:`~tillit.instruments.xlsform.write_xlsform` would.
    dropped : Mapping of str to str, optional
        Names of rows the reader skipped (name -> type): references to them are warnings.
    taxonomy : Taxonomy, optional
        To check ``concept`` ids against; default: the bundled taxonomy, loaded only if some
        item has concepts.
    warnings : list, optional
        Receives problems that do not stop the instrument from working.
    require_questions : bool, default True
        Report a form without questions (the reader turns this off when rows were refused).

    Returns
    -------
    list of Problem
        Empty when the instrument is valid.
    """
    checker = _Checker(instrument, columns, dropped or {}, taxonomy)
    if require_questions and not any(isinstance(i, Question) for i, _ in instrument.walk()):
        checker.add(
            "survey",
            None,
            "",
            "the form has no questions",
            "Add rows with a type, a name and a label to the survey sheet.",
        )
    checker.names()
    checker.expressions()
    checker.choice_lists()
    checker.concepts()
    checker.languages()
    if warnings is not None:
        warnings.extend(sort_problems(checker.warnings))
    return sort_problems(checker.problems)


def validate_instrument(
    instrument: Instrument,
    *,
    source: str = "the instrument",
    taxonomy: Taxonomy | None = None,
    warnings: list[Problem] | None = None,
) -> Instrument:
    """Return `instrument` unchanged, or raise all its problems as one :class:`InstrumentError`.

    Examples
    --------
    >>> from tillit.instruments.model import Instrument, Question
    >>> form = Instrument("f", "F", "1", "en", ("en",), (Question("q", "text", {"en": "Q"}),))
    >>> validate_instrument(form) is form
    True
    """
    problems = check_instrument(instrument, taxonomy=taxonomy, warnings=warnings)
    if problems:
        raise InstrumentError(problems, source)
    return instrument
