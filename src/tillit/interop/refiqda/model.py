"""A REFI-QDA project as tillit represents it: plain frozen dataclasses, no XML, no Django.

:func:`~tillit.interop.refiqda.read_qdpx` returns a :class:`QdaProject`;
:func:`~tillit.interop.refiqda.write_qdpx` takes one. The web app (``tillit.apps.qda``)
converts its models to and from these classes.

Conventions
-----------
GUIDs
    Lower-case ``8-4-4-4-12`` hex strings without braces (the reader normalises ``{…}`` and
    upper case). They are kept from the input, so an export, import, export keeps every GUID.
Offsets
    ``start`` and ``end`` are Unicode code points into :attr:`TextSource.text`, 0-based and
    end-exclusive (``text[start:end]`` is the coded span), as REFI-QDA 1.5 §10.2 counts them.
Text
    :attr:`TextSource.text` is normalised with :func:`tillit.text.normalize.normalize` (no BOM,
    ``\\n`` line ends, NFC, no control characters other than ``\\n`` and ``\\t``).
Times
    Timezone-aware :class:`~datetime.datetime`. The writer takes a naive one as UTC and writes
    UTC with ``Z``; the reader takes a time without a zone as UTC.
Order
    Users, codes (and children), sources, notes, cases, variables and sets keep their order.
    Selections and codings are in canonical order (:meth:`QdaProject.canonical`): by source
    (in source order), then start, end and GUID, whole-source codings after the selections of
    their source; member lists (case codes, sources and selections, set members, note targets)
    are sorted and without repeats. The reader
    returns canonical projects, so ``read_qdpx(write_qdpx(p)) == p.canonical()``.

Selections and codings
----------------------
REFI-QDA codes a span by a ``PlainTextSelection`` holding one ``Coding`` per code; tillit keeps
both: :class:`Selection` (the span, with its GUID, name and description) and :class:`Coding`
(``selection`` names its span; ``start``/``end`` repeat it for convenience). The reader returns
every selection. The writer needs only the codings: a coding whose ``selection`` GUID is not in
``QdaProject.selections`` gets a selection with that GUID (name = the start of the text, user
and time of the coding); a coding with ``selection=None`` covering the whole text is written as
a whole-source ``Coding``, one covering part of it gets a selection whose GUID is derived from
the coding's (``uuid5``), so repeated exports stay identical.

tillit's extra code fields
--------------------------
REFI-QDA has no place for a code's taxonomy concept, inclusion and exclusion criteria or
example, and ``.qdc`` codebooks cannot carry notes. So :class:`Code` keeps them in the code's
``Description``: the free description, a blank line, then one line
``tillit: {"concept": "...", "example": "...", "exclusion": "...", "inclusion": "..."}``
(JSON, keys sorted, only the fields that are set). Other tools show that line as part of the
code's description and keep it; the reader strips it and fills the fields again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Literal

__all__ = [
    "CODE_EXTRA_FIELDS",
    "Case",
    "Code",
    "Codebook",
    "Coding",
    "Note",
    "NoteRef",
    "NoteTarget",
    "QdaProject",
    "Selection",
    "Set",
    "TextSource",
    "User",
    "Value",
    "Variable",
    "VariableType",
    "join_description",
    "split_description",
]

#: The REFI-QDA ``typeOfVariable`` values.
VariableType = Literal["Text", "Boolean", "Integer", "Float", "Date", "DateTime"]
#: A variable value: ``None`` means "no value" (a ``VariableValue`` with only its reference).
Value = str | bool | int | float | date | datetime | None
#: What a note is attached to (``guid`` is ``""`` for the project).
NoteTarget = Literal["project", "code", "source", "selection", "coding", "note"]
#: Code fields carried in the description's ``tillit:`` line, in that order.
CODE_EXTRA_FIELDS = ("concept", "inclusion", "exclusion", "example")
_MARKER = "tillit: "


@dataclass(frozen=True)
class User:
    """A REFI ``User``: a coder or author. ``id`` is the tool's login or short name."""

    guid: str
    name: str = ""
    id: str = ""


@dataclass(frozen=True)
class Code:
    """A code of the codebook, with its children (a tree).

    ``concept`` (a taxonomy concept id), ``inclusion``, ``exclusion`` and ``example`` are
    tillit's own fields, carried in the REFI ``Description`` (see the module docstring).
    ``color`` is ``#rrggbb`` or ``None``; the reader expands ``#rgb`` and returns lower case,
    as an HTML colour input gives it.
    """

    guid: str
    name: str
    description: str = ""
    color: str | None = None
    is_codable: bool = True
    children: tuple[Code, ...] = ()
    concept: str | None = None
    inclusion: str = ""
    exclusion: str = ""
    example: str = ""

    def walk(self) -> list[Code]:
        """This code and all its descendants, depth first."""
        out = [self]
        for child in self.children:
            out.extend(child.walk())
        return out


@dataclass(frozen=True)
class Variable:
    """A REFI ``Variable`` (an attribute of cases and sources)."""

    guid: str
    name: str
    type: VariableType = "Text"
    description: str = ""


@dataclass(frozen=True)
class TextSource:
    """A plain-text source (interview, field note, document) with its normalised text.

    ``variables`` maps variable GUIDs to values (source-level attributes).
    """

    guid: str
    name: str
    text: str
    description: str = ""
    user: str | None = None
    created: datetime | None = None
    modifying_user: str | None = None
    modified: datetime | None = None
    variables: Mapping[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class Selection:
    """A REFI ``PlainTextSelection``: a span of a source (``text[start:end]``).

    Every coding on a span points at its selection; a selection may also stand alone (a
    quotation without codes, anchored to notes or cases). ``name`` is, as most tools write it,
    the start of the selected text.
    """

    guid: str
    source: str
    start: int
    end: int
    name: str = ""
    description: str = ""
    user: str | None = None
    created: datetime | None = None
    modifying_user: str | None = None
    modified: datetime | None = None


@dataclass(frozen=True)
class Coding:
    """One code applied to one span by one coder.

    ``selection`` is the GUID of the :class:`Selection` holding the span (several codings may
    share one), or ``None`` for a coding of the whole source (REFI ``Coding`` directly in the
    ``TextSource``; then ``start == 0`` and ``end == len(text)``).
    """

    guid: str
    source: str
    start: int
    end: int
    code: str
    user: str | None = None
    created: datetime | None = None
    selection: str | None = None


@dataclass(frozen=True, order=True)
class NoteRef:
    """Where a note is attached: ``kind`` and the GUID of the thing (``""`` for the project)."""

    kind: NoteTarget
    guid: str = ""


@dataclass(frozen=True)
class Note:
    """A memo (REFI ``Note``) with its plain text and the things it is attached to."""

    guid: str
    name: str
    text: str
    description: str = ""
    user: str | None = None
    created: datetime | None = None
    modifying_user: str | None = None
    modified: datetime | None = None
    targets: tuple[NoteRef, ...] = ()


@dataclass(frozen=True)
class Case:
    """A case (a municipality, an actor) with attributes, sources and segments.

    ``codes`` are codes applied to the case as a whole (REFI ``CodeRef``), ``sources`` and
    ``selections`` GUIDs of its sources and selections.
    """

    guid: str
    name: str
    description: str = ""
    variables: Mapping[str, Value] = field(default_factory=dict)
    codes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    selections: tuple[str, ...] = ()


@dataclass(frozen=True)
class Set:
    """A REFI ``Set``: a named group of codes, sources and notes."""

    guid: str
    name: str
    description: str = ""
    codes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Codebook:
    """A REFI-QDA ``.qdc`` codebook: the code tree and sets of codes."""

    codes: tuple[Code, ...] = ()
    sets: tuple[Set, ...] = ()
    origin: str = ""

    def all_codes(self) -> list[Code]:
        """Every code of the tree, depth first."""
        return [c for code in self.codes for c in code.walk()]


@dataclass(frozen=True)
class QdaProject:
    """A whole qualitative project, as exchanged in a ``.qdpx`` file.

    ``not_represented`` lists what an import could not keep (non-text sources, PDF and picture
    selections, graphs, links, …), each entry saying what and where. ``warnings`` lists what the
    import changed on the way (line ends normalised and offsets adjusted, …).
    """

    name: str
    origin: str = ""
    created: datetime | None = None
    creating_user: str | None = None
    modified: datetime | None = None
    modifying_user: str | None = None
    description: str = ""
    users: tuple[User, ...] = ()
    codes: tuple[Code, ...] = ()
    variables: tuple[Variable, ...] = ()
    cases: tuple[Case, ...] = ()
    sources: tuple[TextSource, ...] = ()
    selections: tuple[Selection, ...] = ()
    codings: tuple[Coding, ...] = ()
    notes: tuple[Note, ...] = ()
    sets: tuple[Set, ...] = ()
    not_represented: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def all_codes(self) -> list[Code]:
        """Every code of the tree, depth first."""
        return [c for code in self.codes for c in code.walk()]

    @property
    def codebook(self) -> Codebook:
        """The project's codes and code-only sets as a :class:`Codebook`."""
        sets = tuple(
            Set(s.guid, s.name, s.description, codes=s.codes)
            for s in self.sets
            if s.codes and not s.sources and not s.notes
        )
        return Codebook(self.codes, sets, self.origin)

    def canonical(self) -> QdaProject:
        """This project with selections, codings and member lists in canonical order."""
        position = {s.guid: i for i, s in enumerate(self.sources)}

        def source_key(guid: str) -> int:
            return position.get(guid, len(position))

        selections = sorted(
            self.selections, key=lambda s: (source_key(s.source), s.start, s.end, s.guid)
        )
        codings = sorted(
            self.codings,
            key=lambda c: (
                source_key(c.source),
                c.selection is None,
                c.start,
                c.end,
                c.selection or "",
                c.guid,
            ),
        )
        return replace(
            self,
            selections=tuple(selections),
            codings=tuple(codings),
            notes=tuple(replace(n, targets=tuple(sorted(set(n.targets)))) for n in self.notes),
            cases=tuple(
                replace(
                    c,
                    codes=tuple(sorted(set(c.codes))),
                    sources=tuple(sorted(set(c.sources))),
                    selections=tuple(sorted(set(c.selections))),
                )
                for c in self.cases
            ),
            sets=tuple(_canonical_set(s) for s in self.sets),
        )


def _canonical_set(s: Set) -> Set:
    return replace(
        s,
        codes=tuple(sorted(set(s.codes))),
        sources=tuple(sorted(set(s.sources))),
        notes=tuple(sorted(set(s.notes))),
    )


def join_description(code: Code) -> str:
    """The REFI ``Description`` of ``code``: its description plus the ``tillit:`` line."""
    extras = {k: getattr(code, k) for k in CODE_EXTRA_FIELDS if getattr(code, k)}
    if not extras:
        return code.description
    line = _MARKER + json.dumps(extras, ensure_ascii=False, sort_keys=True)
    return f"{code.description}\n\n{line}" if code.description else line


def split_description(text: str) -> tuple[str, dict[str, str]]:
    """Split a REFI code ``Description`` into the free text and tillit's extra fields.

    The inverse of :func:`join_description`; text without a valid ``tillit:`` last line comes
    back unchanged with no extras.
    """
    head, _, last = text.rpartition("\n")
    if not last.startswith(_MARKER):
        return text, {}
    try:
        extras = json.loads(last[len(_MARKER) :])
    except ValueError:
        return text, {}
    if (
        not isinstance(extras, dict)
        or not extras
        or not all(k in CODE_EXTRA_FIELDS and isinstance(v, str) and v for k, v in extras.items())
    ):
        return text, {}
    if head and not head.endswith("\n"):
        return text, {}
    return head[:-1] if head else "", extras
