"""Read a REFI-QDA ``.qdpx`` archive into a :class:`~tillit.interop.refiqda.model.QdaProject`.

The file may come from anywhere, so :func:`read_qdpx`

* opens the ZIP with :class:`~tillit.interop.refiqda.common.SafeZip` (member count, declared
  and actual sizes, compression ratio, no ``..`` or absolute member names, no encryption);
* refuses any DTD or entity in ``project.qde`` and validates it against ``Project.xsd``;
* reads every text source's plain text (``PlainTextContent`` or ``internal://`` file under
  ``sources/``), as UTF-8, and refuses a missing or undecodable one;
* checks every reference (codes, sources, selections, notes, variables) and every selection's
  offsets, then normalises the text and moves the offsets with it
  (:mod:`~tillit.interop.refiqda.offsets`);
* collects all problems and raises one :class:`~tillit.errors.TillitError` naming them; it
  never returns a partial project.

What tillit cannot represent is listed in :attr:`QdaProject.not_represented` (picture, PDF,
audio and video sources with their selections and codings, rich-text renditions, codings on
notes, links, graphs); what it changed on the way in :attr:`QdaProject.warnings`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from tillit.errors import CorruptFileError, TillitError
from tillit.interop.refiqda.common import (
    NS_PROJECT,
    Limits,
    SafeZip,
    norm_color,
    norm_guid,
    parse_bool,
    parse_datetime,
    parse_untrusted,
    read_input,
)
from tillit.interop.refiqda.model import (
    Case,
    Code,
    Coding,
    Note,
    NoteRef,
    NoteTarget,
    QdaProject,
    Selection,
    Set,
    TextSource,
    User,
    Value,
    Variable,
    split_description,
)
from tillit.interop.refiqda.offsets import Reading, resolve_offsets
from tillit.text.normalize import normalize

__all__ = ["read_qdpx"]

_NS = f"{{{NS_PROJECT}}}"
_OTHER_SOURCES = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")
_SELECTION_TAGS = ("PictureSelection", "PDFSelection", "AudioSelection", "VideoSelection")


def _local(element: Any) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element: Any, name: str) -> Iterator[Any]:
    return iter(element.iterchildren(_NS + name))


def _child(element: Any, name: str) -> Any:
    return next(element.iterchildren(_NS + name), None)


def _child_text(element: Any, name: str) -> str:
    found = _child(element, name)
    return (found.text or "") if found is not None else ""


class _Reader:
    def __init__(self, archive: SafeZip | None, what: str, reading: Reading | None) -> None:
        self.archive = archive
        self.what = what
        self.reading = reading
        self.problems: list[dict[str, Any]] = []
        self.not_represented: list[str] = []
        self.warnings: list[str] = []
        self.guids: dict[str, str] = {}
        # (kind, target guid, note guid)
        self.note_links: list[tuple[NoteTarget, str, str, int]] = []
        self.origin = ""
        self.inside_notes: set[str] = set()  # selections inside notes (not represented)

    # ------------------------------------------------------------------------------ helpers

    def problem(self, element: Any, what: str) -> None:
        line = element.sourceline if element is not None else None
        name = _local(element) if element is not None else ""
        self.problems.append({"line": line, "element": name, "what": what})

    def guid(self, element: Any, attribute: str = "guid", *, new: bool = False) -> str:
        value = norm_guid(element.get(attribute)) or ""
        if new:
            if value in self.guids:
                self.problem(element, f"GUID {value} is used twice (also by {self.guids[value]})")
            self.guids[value] = f"<{_local(element)}> on line {element.sourceline}"
        return value

    def opt_guid(self, element: Any, attribute: str) -> str | None:
        return norm_guid(element.get(attribute))

    def when(self, element: Any, attribute: str) -> datetime | None:
        text = element.get(attribute)
        if text is None:
            return None
        try:
            return parse_datetime(text)
        except ValueError:
            self.problem(element, f"{attribute}={text!r} is not a date and time Python can read")
            return None

    def note_refs(self, element: Any, kind: NoteTarget, target: str) -> None:
        for ref in _children(element, "NoteRef"):
            self.note_links.append((kind, target, self.guid(ref, "targetGUID"), ref.sourceline))

    def value(self, element: Any) -> tuple[str, Value]:
        ref = _child(element, "VariableRef")
        variable = self.guid(ref, "targetGUID")
        for child in element:
            name = _local(child)
            text = child.text or ""
            try:
                if name == "TextValue":
                    return variable, text
                if name == "BooleanValue":
                    return variable, parse_bool(text)
                if name == "IntegerValue":
                    return variable, int(text.strip())
                if name == "FloatValue":
                    return variable, float(text.strip())
                if name == "DateValue":
                    return variable, date.fromisoformat(text.strip()[:10])
                if name == "DateTimeValue":
                    return variable, parse_datetime(text)
            except ValueError:
                self.problem(child, f"{text!r} is not a valid {name}")
        return variable, None

    def values(self, element: Any, where: str) -> dict[str, Value]:
        out: dict[str, Value] = {}
        for child in _children(element, "VariableValue"):
            key, value = self.value(child)
            if key in out:
                self.not_represented.append(
                    f"{where}: a second value of variable {key} (line {child.sourceline}) "
                    "was dropped; tillit keeps one value per variable."
                )
                continue
            out[key] = value
        return out

    def member_text(self, path: str, element: Any, where: str) -> str | None:
        if path.startswith("internal://"):
            name = path.removeprefix("internal://")
            info = None
            if self.archive is not None:
                info = self.archive.find(f"sources/{name}") or self.archive.find(name)
            if info is None:
                self.problem(
                    element,
                    f"{where}: its text file {path} is missing from the archive "
                    "(expected sources/" + name + ")",
                )
                return None
            data = self.archive.read(info) if self.archive is not None else b""
            try:
                return data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                self.problem(
                    element, f"{where}: {info.filename} is not UTF-8 text (byte {exc.start})"
                )
                return None
        self.problem(
            element,
            f"{where}: its text is outside the archive ({path}); tillit imports only "
            "sources embedded in the .qdpx",
        )
        return None

    def plain_text(self, element: Any, where: str) -> str | None:
        content = _child(element, "PlainTextContent")
        path = element.get("plainTextPath")
        if content is not None:
            if path:
                self.warnings.append(
                    f"{where}: has both PlainTextContent and plainTextPath; the content was used."
                )
            return content.text or ""
        if path:
            return self.member_text(path, element, where)
        self.problem(element, f"{where}: has no plain text (PlainTextContent or plainTextPath)")
        return None

    # ------------------------------------------------------------------------------ parts

    def code(self, element: Any) -> Code:
        guid = self.guid(element, new=True)
        description, extras = split_description(_child_text(element, "Description"))
        self.note_refs(element, "code", guid)
        return Code(
            guid=guid,
            name=element.get("name", ""),
            description=description,
            color=norm_color(element.get("color")),
            is_codable=parse_bool(element.get("isCodable", "true")),
            children=tuple(self.code(child) for child in _children(element, "Code")),
            concept=extras.get("concept"),
            inclusion=extras.get("inclusion", ""),
            exclusion=extras.get("exclusion", ""),
            example=extras.get("example", ""),
        )

    def text_source(
        self,
        element: Any,
        selections: list[Selection],
        codings: list[Coding],
        content: Any = None,
    ) -> TextSource | None:
        """A ``TextSource``; or a ``PDFSource`` (``element``) with its text ``Representation``
        (``content``), imported as a text source under the PDF's GUID and name."""
        guid = self.guid(element, new=True)
        name = element.get("name", "")
        where = f"{_local(element)} {name!r} ({guid}, line {element.sourceline})"
        if content is None:
            content = element
        else:
            self.guid(content, new=True)
            self.note_refs(content, "source", guid)
        if content.get("richTextPath"):
            self.not_represented.append(
                f"{where}: the rich-text rendition {content.get('richTextPath')} (formatting); "
                "the plain text was imported."
            )
        raw = self.plain_text(content, where)
        spans = []
        elements = list(_children(content, "PlainTextSelection"))
        for sel in elements:
            spans.append(
                (
                    int(sel.get("startPosition", "0")),
                    int(sel.get("endPosition", "0")),
                    sel.get("name", ""),
                    self.guid(sel, new=True),
                )
            )
        if raw is None:
            return None
        raw = raw.removeprefix("\ufeff")
        try:
            resolved = resolve_offsets(
                raw,
                spans,
                source=where,
                prefer_crlf_as_one="atlas" in self.origin.casefold(),
                readings=[self.reading] if self.reading is not None else None,
            )
        except TillitError as exc:
            for e in exc.errors or [{"what": exc.message}]:
                self.problem(element, str(e["what"]))
            return None
        text = resolved.text
        if resolved.changed:
            self.warnings.append(
                f"{where}: the text was normalised (line ends, Unicode NFC, control "
                f"characters); offsets of {len(spans)} selection(s) moved with it."
            )
        if resolved.reading != Reading() and spans:
            self.warnings.append(
                f"{where}: selection offsets read as {resolved.reading.describe()} "
                "(the reading under which the selections' names match the text best)."
            )
        if resolved.matched and resolved.mismatched:
            self.warnings.append(
                f"{where}: {len(resolved.mismatched)} selection(s) do not start with their name "
                f"although {resolved.matched} do, so their offsets may be shifted: "
                f"{', '.join(resolved.mismatched[:5])}"
                + (" …" if len(resolved.mismatched) > 5 else "")
                + "; check these codings."
            )
        for sel, (start, end) in zip(elements, resolved.spans, strict=True):
            sel_guid = norm_guid(sel.get("guid")) or ""
            if start == end:
                self.warnings.append(f"{where}: selection {sel_guid} is empty.")
            selections.append(
                Selection(
                    guid=sel_guid,
                    source=guid,
                    start=start,
                    end=end,
                    name=sel.get("name", ""),
                    description=_child_text(sel, "Description"),
                    user=self.opt_guid(sel, "creatingUser"),
                    created=self.when(sel, "creationDateTime"),
                    modifying_user=self.opt_guid(sel, "modifyingUser"),
                    modified=self.when(sel, "modifiedDateTime"),
                )
            )
            self.note_refs(sel, "selection", sel_guid)
            for coding in _children(sel, "Coding"):
                codings.append(self.coding(coding, guid, start, end, sel_guid))
        whole = list(_children(element, "Coding"))
        if content is not element:
            whole += list(_children(content, "Coding"))
        for coding in whole:
            codings.append(self.coding(coding, guid, 0, len(text), None))
        self.note_refs(element, "source", guid)
        return TextSource(
            guid=guid,
            name=name,
            text=text,
            description=_child_text(element, "Description"),
            user=self.opt_guid(element, "creatingUser"),
            created=self.when(element, "creationDateTime"),
            modifying_user=self.opt_guid(element, "modifyingUser"),
            modified=self.when(element, "modifiedDateTime"),
            variables=self.values(element, where),
        )

    def coding(
        self, element: Any, source: str, start: int, end: int, selection: str | None
    ) -> Coding:
        guid = self.guid(element, new=True)
        self.note_refs(element, "coding", guid)
        return Coding(
            guid=guid,
            source=source,
            start=start,
            end=end,
            code=self.guid(_child(element, "CodeRef"), "targetGUID"),
            user=self.opt_guid(element, "creatingUser"),
            created=self.when(element, "creationDateTime"),
            selection=selection,
        )

    def other_source(self, element: Any) -> set[str]:
        """List a non-text source as not represented; the GUIDs of everything inside it."""
        kind = _local(element)
        guid = self.guid(element, new=True)
        name = element.get("name", "")
        counts = {
            tag: sum(1 for _ in element.iter(_NS + tag))
            for tag in (*_SELECTION_TAGS, "Transcript", "Representation", "Coding")
        }
        with_it = ", ".join(f"{n} {tag}" for tag, n in counts.items() if n) or "nothing coded"
        self.not_represented.append(
            f"{kind} {name!r} ({guid}, line {element.sourceline}): not imported, tillit keeps "
            f"text sources only (with it: {with_it})."
        )
        inside = {guid}
        for child in element.iterdescendants():
            if _local(child) == "NoteRef":
                note = self.guid(child, "targetGUID")
                self.not_represented.append(
                    f"note {note} attached to <{_local(child.getparent())}> in {kind} {name!r} "
                    f"(line {child.sourceline})."
                )
            elif child.get("guid"):
                inside.add(self.guid(child))
        return inside

    def pdf_source(
        self, element: Any, selections: list[Selection], codings: list[Coding], other: set[str]
    ) -> TextSource | None:
        """A PDF with a text representation: the text and its codings are kept, the areas on
        pages (``PDFSelection``) are listed as not represented."""
        name = element.get("name", "")
        guid = norm_guid(element.get("guid")) or ""
        areas = list(_children(element, "PDFSelection"))
        if areas:
            n_codings = sum(1 for a in areas for _ in a.iter(_NS + "Coding"))
            self.not_represented.append(
                f"PDFSource {name!r} ({guid}, line {element.sourceline}): {len(areas)} "
                f"PDFSelection(s) (areas on pages) with {n_codings} Coding(s); the PDF's text "
                "representation and its text codings were imported as a text source."
            )
        for area in areas:
            for child in area.iter():
                if _local(child) == "NoteRef":
                    self.not_represented.append(
                        f"note {self.guid(child, 'targetGUID')} attached to a PDFSelection "
                        f"in PDFSource {name!r} (line {child.sourceline})."
                    )
                elif child.get("guid"):
                    other.add(self.guid(child, new=True))
        return self.text_source(
            element, selections, codings, content=_child(element, "Representation")
        )

    def note(self, element: Any) -> Note | None:
        guid = self.guid(element, new=True)
        name = element.get("name", "")
        where = f"Note {name!r} ({guid}, line {element.sourceline})"
        text = self.plain_text(element, where)
        n_codings = sum(1 for _ in element.iter(_NS + "Coding"))
        n_selections = len(list(_children(element, "PlainTextSelection")))
        for child in element.iterdescendants(_NS + "PlainTextSelection"):
            self.inside_notes.add(self.guid(child))
        if n_codings or n_selections:
            self.not_represented.append(
                f"{where}: {n_selections} selection(s) and {n_codings} coding(s) inside the "
                "note (tillit codes sources, not notes)."
            )
        if element.get("richTextPath"):
            self.not_represented.append(f"{where}: the rich-text rendition (formatting).")
        self.note_refs(element, "note", guid)
        if text is None:
            return None
        return Note(
            guid=guid,
            name=name,
            text=normalize(text),
            description=_child_text(element, "Description"),
            user=self.opt_guid(element, "creatingUser"),
            created=self.when(element, "creationDateTime"),
            modifying_user=self.opt_guid(element, "modifyingUser"),
            modified=self.when(element, "modifiedDateTime"),
        )

    # ------------------------------------------------------------------------------ project

    def project(self, root: Any) -> QdaProject:
        self.origin = root.get("origin", "")
        users = [
            User(self.guid(u, new=True), u.get("name", ""), u.get("id", ""))
            for block in _children(root, "Users")
            for u in _children(block, "User")
        ]
        codes = [
            self.code(c)
            for block in _children(root, "CodeBook")
            for codes_el in _children(block, "Codes")
            for c in _children(codes_el, "Code")
        ]
        variables = [
            Variable(
                self.guid(v, new=True),
                v.get("name", ""),
                v.get("typeOfVariable", "Text"),
                _child_text(v, "Description"),
            )
            for block in _children(root, "Variables")
            for v in _children(block, "Variable")
        ]
        case_elements = [c for b in _children(root, "Cases") for c in _children(b, "Case")]
        for c in case_elements:
            self.guid(c, new=True)
        sources: list[TextSource] = []
        selections: list[Selection] = []
        codings: list[Coding] = []
        other: set[str] = set()
        for block in _children(root, "Sources"):
            for element in block:
                if _local(element) == "TextSource":
                    source = self.text_source(element, selections, codings)
                    if source is not None:
                        sources.append(source)
                elif (
                    _local(element) == "PDFSource" and _child(element, "Representation") is not None
                ):
                    source = self.pdf_source(element, selections, codings, other)
                    if source is not None:
                        sources.append(source)
                elif _local(element) in _OTHER_SOURCES:
                    other |= self.other_source(element)
        notes = [
            n
            for b in _children(root, "Notes")
            for element in _children(b, "Note")
            if (n := self.note(element)) is not None
        ]
        self.note_refs(root, "project", "")
        for block in _children(root, "Links"):
            n_links = len(list(_children(block, "Link")))
            self.not_represented.append(
                f"Links (line {block.sourceline}): {n_links} link(s) between objects."
            )
        for block in _children(root, "Graphs"):
            for graph in _children(block, "Graph"):
                self.not_represented.append(
                    f"Graph {graph.get('name', '')!r} (line {graph.sourceline}): network views "
                    "are not imported."
                )
        other |= self.inside_notes
        cases = [self.make_case(c, other) for c in case_elements]
        sets = [
            self.make_set(s, other) for b in _children(root, "Sets") for s in _children(b, "Set")
        ]
        notes = self.attach_notes(notes, other)
        self.check_references(codes, variables, sources, selections, codings, notes, cases, sets)
        if self.problems:
            error = CorruptFileError(
                f"{self.what} cannot be imported: "
                + "; ".join(_say(p) for p in self.problems[:5])
                + (f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else "")
                + ".",
                hint="Nothing was imported. Fix the project in the program that exported it, "
                "or export it again.",
            )
            error.errors = self.problems
            raise error
        return QdaProject(
            name=root.get("name", ""),
            origin=self.origin,
            created=self.when(root, "creationDateTime"),
            creating_user=self.opt_guid(root, "creatingUserGUID"),
            modified=self.when(root, "modifiedDateTime"),
            modifying_user=self.opt_guid(root, "modifyingUserGUID"),
            description=_child_text(root, "Description"),
            users=tuple(users),
            codes=tuple(codes),
            variables=tuple(variables),
            cases=tuple(cases),
            sources=tuple(sources),
            selections=tuple(selections),
            codings=tuple(codings),
            notes=tuple(notes),
            sets=tuple(sets),
            not_represented=tuple(self.not_represented),
            warnings=tuple(self.warnings),
        ).canonical()

    def refs(self, element: Any, tag: str) -> list[tuple[str, Any]]:
        return [(self.guid(r, "targetGUID"), r) for r in _children(element, tag)]

    def drop_other(self, refs: list[tuple[str, Any]], other: set[str], where: str) -> list[str]:
        kept = []
        for guid, ref in refs:
            if guid in other:
                self.not_represented.append(
                    f"{where}: reference to {guid} (line {ref.sourceline}), a non-text source "
                    "or something inside one or inside a note."
                )
            else:
                kept.append(guid)
        return kept

    def make_case(self, element: Any, other: set[str]) -> Case:
        guid = self.guid(element)
        name = element.get("name", "")
        where = f"Case {name!r} ({guid})"
        return Case(
            guid=guid,
            name=name,
            description=_child_text(element, "Description"),
            variables=self.values(element, where),
            codes=tuple(g for g, _ in self.refs(element, "CodeRef")),
            sources=tuple(self.drop_other(self.refs(element, "SourceRef"), other, where)),
            selections=tuple(self.drop_other(self.refs(element, "SelectionRef"), other, where)),
        )

    def make_set(self, element: Any, other: set[str]) -> Set:
        guid = self.guid(element, new=True)
        name = element.get("name", "")
        return Set(
            guid=guid,
            name=name,
            description=_child_text(element, "Description"),
            codes=tuple(g for g, _ in self.refs(element, "MemberCode")),
            sources=tuple(
                self.drop_other(self.refs(element, "MemberSource"), other, f"Set {name!r}")
            ),
            notes=tuple(g for g, _ in self.refs(element, "MemberNote")),
        )

    def attach_notes(self, notes: list[Note], other: set[str]) -> list[Note]:
        targets: dict[str, list[NoteRef]] = defaultdict(list)
        known = {n.guid for n in notes}
        for kind, target, note, line in self.note_links:
            if note not in known:
                self.problems.append(
                    {"line": line, "element": "NoteRef", "what": f"unknown note {note}"}
                )
            elif target in other:
                self.not_represented.append(
                    f"note {note} attached to the non-text source {target} (line {line})."
                )
            else:
                targets[note].append(NoteRef(kind, target))
        # A selection inside a non-text source was never read; its notes are listed above.
        return [replace(n, targets=tuple(sorted(set(targets[n.guid])))) for n in notes]

    def check_references(
        self,
        codes: list[Code],
        variables: list[Variable],
        sources: list[TextSource],
        selections: list[Selection],
        codings: list[Coding],
        notes: list[Note],
        cases: list[Case],
        sets: list[Set],
    ) -> None:
        code_guids = {c.guid for top in codes for c in top.walk()}
        variable_guids = {v.guid for v in variables}
        source_guids = {s.guid for s in sources}
        selection_guids = {s.guid for s in selections}
        note_guids = {n.guid for n in notes}

        def need(guid: str, known: set[str], what: str, where: str) -> None:
            if guid not in known:
                self.problems.append(
                    {"line": None, "element": what, "what": f"{where}: unknown {what} {guid}"}
                )

        for coding in codings:
            need(coding.code, code_guids, "code", f"coding {coding.guid}")
        for holder, label in [(s, "source") for s in sources] + [(c, "case") for c in cases]:
            for key in holder.variables:
                need(key, variable_guids, "variable", f"{label} {holder.name!r}")
        for case in cases:
            for g in case.codes:
                need(g, code_guids, "code", f"case {case.name!r}")
            for g in case.sources:
                need(g, source_guids, "source", f"case {case.name!r}")
            for g in case.selections:
                need(g, selection_guids, "selection", f"case {case.name!r}")
        for st in sets:
            for g in st.codes:
                need(g, code_guids, "code", f"set {st.name!r}")
            for g in st.sources:
                need(g, source_guids, "source", f"set {st.name!r}")
            for g in st.notes:
                need(g, note_guids, "note", f"set {st.name!r}")


def _say(problem: dict[str, Any]) -> str:
    line = f"line {problem['line']}: " if problem.get("line") else ""
    return line + str(problem["what"])


def read_qdpx(
    source: str | Path | bytes | IO[bytes],
    *,
    limits: Limits | None = None,
    reading: Reading | None = None,
) -> QdaProject:
    """Read a REFI-QDA ``.qdpx`` project (safely; see the module docstring).

    Parameters
    ----------
    source : str, Path, bytes or binary file object
    limits : Limits, optional
        Size, member and ratio limits (default :class:`Limits()`).
    reading : Reading, optional
        Force how selection offsets are counted (default: decided per source, see
        :mod:`~tillit.interop.refiqda.offsets`).

    Returns
    -------
    QdaProject
        In canonical order, with ``not_represented`` and ``warnings`` filled.

    Raises
    ------
    CorruptFileError
        For an unsafe or damaged archive, a schema violation, a missing or undecodable source
        text, a dangling reference or invalid offsets; ``errors`` lists every problem with its
        line and element. Nothing is returned partially.
    """
    limits = limits or Limits()
    data = read_input(source, limits, "The .qdpx file")
    archive = SafeZip(data, limits, "The .qdpx file")
    info = archive.find("project.qde")
    if info is None:
        candidates = [i for i in archive.members.values() if i.filename.endswith(".qde")]
        if len(candidates) != 1:
            raise CorruptFileError(
                "The .qdpx file has no project.qde.",
                hint="A REFI-QDA project archive holds project.qde and a sources folder; "
                "export the project again.",
            )
        info = candidates[0]
    root = parse_untrusted(archive.read(info), info.filename, schema="project")
    try:
        return _Reader(archive, "The .qdpx file", reading).project(root)
    except RecursionError:
        raise CorruptFileError(
            "The .qdpx file nests codes too deeply to be read.",
            hint="Flatten the code tree in the program that exported it.",
        ) from None
