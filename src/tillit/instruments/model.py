"""The instrument model: XLSForm semantics as frozen dataclasses (pure library, no Django).

An :class:`Instrument` is a tree of :class:`Group` (a page when it is top level, or a matrix/grid
when its appearance is ``field-list`` and it holds select_one questions with the same list) and
:class:`Question` items, plus named :class:`ChoiceList` s and settings. Labels, hints and messages
are mappings from a language code (``nb``, ``nn``, ``da``, ``en``, ...) to text.

Expressions (``relevant``, ``constraint``, ``calculation``, ``choice_filter``, ``required`` when it
is an expression, ``default``) are kept as the source strings of the XLSForm; they are parsed and
evaluated safely by :mod:`tillit.instruments.expressions`.

tillit extension: a ``concept`` column (space-separated concept ids of the shared taxonomy,
:mod:`tillit.taxonomy`) on the survey and choices sheets, kept in ``concepts``.

The ``row`` fields record where an item came from (for located messages); they take no part in
equality, so an instrument read, written and read again compares equal to the first.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

QuestionType = Literal[
    "note",
    "text",
    "integer",
    "decimal",
    "date",
    "select_one",
    "select_multiple",
    "rank",
    "calculate",
]
QUESTION_TYPES: tuple[str, ...] = (
    "note",
    "text",
    "integer",
    "decimal",
    "date",
    "select_one",
    "select_multiple",
    "rank",
    "calculate",
)
Text = Mapping[str, str]  # language code -> text


@dataclass(frozen=True)
class Choice:
    name: str
    labels: Text = field(default_factory=dict)
    concepts: tuple[str, ...] = ()
    extra: Mapping[str, str] = field(default_factory=dict)  # e.g. columns used by choice_filter
    row: int | None = field(default=None, compare=False)  # 1-based row on the choices sheet


@dataclass(frozen=True)
class ChoiceList:
    name: str
    choices: tuple[Choice, ...]

    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.choices)


@dataclass(frozen=True)
class Question:
    name: str
    type: QuestionType
    labels: Text = field(default_factory=dict)
    hints: Text = field(default_factory=dict)
    list_name: str | None = None  # select_one / select_multiple / rank
    or_other: bool = False
    required: str = ""  # "" (no), "yes", or an expression
    required_messages: Text = field(default_factory=dict)
    relevant: str = ""
    constraint: str = ""
    constraint_messages: Text = field(default_factory=dict)
    calculation: str = ""
    choice_filter: str = ""
    default: str = ""
    appearance: str = ""
    randomize: bool = False
    concepts: tuple[str, ...] = ()
    # 1-based row on the survey sheet, for located messages (not part of equality)
    row: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Group:
    name: str
    labels: Text = field(default_factory=dict)
    relevant: str = ""
    appearance: str = ""
    children: tuple[Question | Group, ...] = ()
    concepts: tuple[str, ...] = ()
    row: int | None = field(default=None, compare=False)

    @property
    def is_field_list(self) -> bool:
        return "field-list" in self.appearance.split()


@dataclass(frozen=True)
class Instrument:
    form_id: str
    title: str
    version: str
    default_language: str
    languages: tuple[str, ...]  # language codes in column order, e.g. ("nb", "nn", "da", "en")
    children: tuple[Question | Group, ...]
    choice_lists: Mapping[str, ChoiceList] = field(default_factory=dict)
    language_names: Mapping[str, str] = field(default_factory=dict)  # "nb" -> "Norsk bokmål (nb)"
    # other settings-sheet values, kept as written (e.g. allow_choice_duplicates: "yes")
    settings: Mapping[str, str] = field(default_factory=dict)

    def walk(self) -> Iterator[tuple[Question | Group, tuple[Group, ...]]]:
        """Every item depth-first, with the groups that enclose it."""

        def _walk(items: tuple[Question | Group, ...], parents: tuple[Group, ...]):  # type: ignore[no-untyped-def]
            for item in items:
                yield item, parents
                if isinstance(item, Group):
                    yield from _walk(item.children, (*parents, item))

        yield from _walk(self.children, ())

    def questions(self) -> Iterator[Question]:
        for item, _ in self.walk():
            if isinstance(item, Question):
                yield item

    def question(self, name: str) -> Question:
        for q in self.questions():
            if q.name == name:
                return q
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """The instrument as JSON-ready data (groups hold their ``children``)."""

        def item(node: Question | Group) -> dict[str, Any]:
            if isinstance(node, Group):
                data = {k: v for k, v in asdict(node).items() if k != "children"}
                data["kind"] = "group"
                data["children"] = [item(child) for child in node.children]
                return data
            return {"kind": "question", **asdict(node)}

        return {
            "form_id": self.form_id,
            "title": self.title,
            "version": self.version,
            "default_language": self.default_language,
            "languages": list(self.languages),
            "language_names": dict(self.language_names),
            "settings": dict(self.settings),
            "children": [item(child) for child in self.children],
            "choice_lists": {name: asdict(cl) for name, cl in self.choice_lists.items()},
        }

    def pages(self) -> tuple[Group, ...]:
        """Top-level groups are pages; loose top-level questions form pages of their own."""
        pages: list[Group] = []
        loose: list[Question | Group] = []
        for item in self.children:
            if isinstance(item, Group):
                if loose:
                    pages.append(Group(name=f"_page{len(pages) + 1}", children=tuple(loose)))
                    loose = []
                pages.append(item)
            else:
                loose.append(item)
        if loose:
            pages.append(Group(name=f"_page{len(pages) + 1}", children=tuple(loose)))
        return tuple(pages)


#: Where to look next when a text is missing in the language asked for (before the default).
SIBLING_LANGUAGES: Mapping[str, tuple[str, ...]] = {
    "nb": ("nn",),
    "nn": ("nb",),
    "da": ("nb",),
    "sv": ("nb", "da"),
}


def text(labels: Text, language: str, default_language: str | None = None) -> str:
    """The text of `labels` in `language`, falling back to related and default languages.

    Parameters
    ----------
    labels : Mapping of str to str
        Language code to text, e.g. ``question.labels``.
    language : str
        The language asked for, e.g. ``"nn"``.
    default_language : str, optional
        The instrument's default language, tried after `language` and its sibling languages
        (Bokmål for Nynorsk and the other way round, Bokmål for Danish).

    Returns
    -------
    str
        The first non-empty text found: `language`, its siblings, `default_language`, the
        unlanguaged ``"default"`` column, English, then any language in order; ``""`` if none.

    Examples
    --------
    >>> text({"nb": "Kommune", "en": "Municipality"}, "nn", "en")
    'Kommune'
    >>> text({"en": "Municipality"}, "da", "en")
    'Municipality'
    """
    order = (language, *SIBLING_LANGUAGES.get(language, ()), default_language, "default", "en")
    for code in order:
        if code and labels.get(code):
            return labels[code]
    for value in labels.values():
        if value:
            return value
    return ""
