"""Write a :class:`~tillit.interop.refiqda.model.QdaProject` as a REFI-QDA ``.qdpx`` archive.

The archive holds ``project.qde`` (QDA-XML 1.0, namespace ``urn:QDA-XML:project:1.0``) and
``sources/<guid>.txt``, the UTF-8 plain text of each source, referenced from its
``TextSource`` as ``plainTextPath="internal://<guid>.txt"``. Codings become
``PlainTextSelection`` elements (``startPosition``/``endPosition`` in code points, end
exclusive) holding ``Coding``/``CodeRef``; a whole-source coding is a ``Coding`` directly in the
``TextSource``. Notes are ``Note`` elements with ``PlainTextContent``; ``NoteRef`` elements go
where the note is attached.

Before anything is written the project is checked (GUIDs, references, offsets) and the XML is
validated against the shipped ``Project.xsd``; on any problem a
:class:`~tillit.errors.TillitError` names it and nothing is written.

The output is deterministic: elements in the project's order (selections and codings in
canonical order), fixed ZIP timestamps and permissions, so the same project always gives the
same bytes, and export, import, export gives a byte-identical archive.
"""

from __future__ import annotations

import io
import math
import re
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from lxml import etree

from tillit.errors import TillitError
from tillit.interop.refiqda.common import (
    NS_PROJECT,
    check_guid,
    describe,
    format_date,
    format_datetime,
    format_decimal,
    validate_xml,
    xml_text,
)
from tillit.interop.refiqda.model import (
    Code,
    Coding,
    Note,
    QdaProject,
    Selection,
    Value,
    join_description,
)
from tillit.interop.refiqda.offsets import is_normalised

__all__ = ["build_project_xml", "write_qdpx"]

_NS = f"{{{NS_PROJECT}}}"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_COLOR = re.compile(r"#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})")
_SPACE = re.compile(r"\s+")
#: Namespace of the GUIDs the writer makes for selections of codings that have none.
SELECTION_NAMESPACE = uuid.UUID("5f1b7e0c-3a55-4c39-9a0e-7d1b2f6a9c41")


def _sub(parent: Any, tag: str, attrib: Mapping[str, str | None] | None = None) -> Any:
    clean = {k: v for k, v in (attrib or {}).items() if v is not None}
    if "name" in clean:  # names are free text: drop what XML cannot hold
        clean["name"] = xml_text(clean["name"])
    return etree.SubElement(parent, _NS + tag, clean)


def _text_element(parent: Any, tag: str, text: str) -> None:
    _sub(parent, tag).text = xml_text(text)


def _dt(value: datetime | None) -> str | None:
    return format_datetime(value) if value is not None else None


def snippet(text: str, limit: int = 60) -> str:
    """A selection's name as most tools write it: the start of the selected text."""
    return _SPACE.sub(" ", text[: 4 * limit]).strip()[:limit]


def _value(parent: Any, variable: str, value: Value) -> None:
    element = _sub(parent, "VariableValue")
    _sub(element, "VariableRef", {"targetGUID": variable})
    if value is None:
        return
    if isinstance(value, bool):
        _text_element(element, "BooleanValue", "true" if value else "false")
    elif isinstance(value, int):
        _text_element(element, "IntegerValue", str(value))
    elif isinstance(value, float):
        _text_element(element, "FloatValue", format_decimal(value))
    elif isinstance(value, datetime):
        _text_element(element, "DateTimeValue", format_datetime(value))
    elif isinstance(value, date):
        _text_element(element, "DateValue", format_date(value))
    else:
        _text_element(element, "TextValue", str(value))


class _Builder:
    """Checks a project and builds its ``project.qde`` tree."""

    def __init__(self, project: QdaProject) -> None:
        self.project = project
        self.problems: list[str] = []
        self.guids: dict[str, str] = {}
        self.note_refs: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.variable_order = {v.guid: i for i, v in enumerate(project.variables)}

    def guid(self, value: str | None, where: str, *, new: bool = False) -> str | None:
        if value is None:
            return None
        try:
            guid = check_guid(value, where)
        except TillitError as exc:
            self.problems.append(exc.message)
            return value
        if new:
            if guid in self.guids:
                self.problems.append(f"{where}: GUID {guid} is also used by {self.guids[guid]}.")
            self.guids[guid] = where
        return guid

    def check_values(self, values: Mapping[str, Value], where: str) -> None:
        for key, value in values.items():
            if key not in self.variable_order:
                self.problems.append(f"{where}: value for unknown variable {key}.")
            if isinstance(value, float) and not math.isfinite(value):
                self.problems.append(f"{where}: variable {key} has the value {value!r}.")

    def values(self, parent: Any, values: Mapping[str, Value]) -> None:
        for key in sorted(values, key=lambda k: (self.variable_order.get(k, 0), k)):
            _value(parent, key, values[key])

    def notes_for(self, parent: Any, kind: str, guid: str) -> None:
        for note in self.note_refs.get((kind, guid), ()):
            _sub(parent, "NoteRef", {"targetGUID": note})

    # ----------------------------------------------------------------------------------------

    def selections(self) -> dict[str, tuple[Selection, list[Coding]]]:
        """Selections with their codings; selections implied by codings are made here."""
        project = self.project
        texts = {s.guid: s.text for s in project.sources}
        out: dict[str, tuple[Selection, list[Coding]]] = {}
        for sel in project.selections:
            where = f"selection {sel.guid}"
            self.guid(sel.guid, where, new=True)
            if sel.source not in texts:
                self.problems.append(f"{where}: unknown source {sel.source}.")
            elif not 0 <= sel.start <= sel.end <= len(texts[sel.source]):
                self.problems.append(
                    f"{where}: span {sel.start}-{sel.end} is outside the text of source "
                    f"{sel.source} ({len(texts[sel.source])} code points)."
                )
            out[sel.guid] = (sel, [])
        for coding in project.codings:
            where = f"coding {coding.guid}"
            text = texts.get(coding.source)
            if text is None:
                self.problems.append(f"{where}: unknown source {coding.source}.")
                continue
            if not 0 <= coding.start <= coding.end <= len(text):
                self.problems.append(
                    f"{where}: span {coding.start}-{coding.end} is outside the text of source "
                    f"{coding.source} ({len(text)} code points)."
                )
                continue
            selection = coding.selection
            if selection is None:
                if (coding.start, coding.end) == (0, len(text)):
                    continue  # a whole-source coding
                selection = str(uuid.uuid5(SELECTION_NAMESPACE, coding.guid))
            if selection not in out:
                sel = Selection(
                    selection,
                    coding.source,
                    coding.start,
                    coding.end,
                    name=snippet(text[coding.start : coding.end]),
                    user=coding.user,
                    created=coding.created,
                )
                self.guid(selection, f"selection of {where}", new=True)
                out[selection] = (sel, [])
            sel = out[selection][0]
            if (sel.source, sel.start, sel.end) != (coding.source, coding.start, coding.end):
                self.problems.append(
                    f"{where}: span {coding.source}:{coding.start}-{coding.end} differs from "
                    f"its selection {selection} ({sel.source}:{sel.start}-{sel.end})."
                )
            out[selection][1].append(coding)
        return out

    def build(self) -> Any:
        p = self.project.canonical()
        for u in p.users:
            self.guid(u.guid, f"user {u.name or u.guid}", new=True)
        codes = p.all_codes()
        for c in codes:
            self.guid(c.guid, f"code {c.name!r}", new=True)
            if c.color is not None and not _COLOR.fullmatch(c.color):
                self.problems.append(f"code {c.name!r}: colour {c.color!r} is not #RRGGBB.")
        code_guids = {c.guid for c in codes}
        for v in p.variables:
            self.guid(v.guid, f"variable {v.name!r}", new=True)
        texts = {s.guid: s.text for s in p.sources}
        for s in p.sources:
            self.guid(s.guid, f"source {s.name!r}", new=True)
            self.check_values(s.variables, f"source {s.name!r}")
            if not is_normalised(s.text):
                self.problems.append(
                    f"source {s.name!r}: the text is not normalised (BOM, \\r, control "
                    "characters or not NFC); pass it through tillit.text.normalize.normalize."
                )
        for n in p.notes:
            self.guid(n.guid, f"note {n.name!r}", new=True)
        for case in p.cases:
            self.guid(case.guid, f"case {case.name!r}", new=True)
            self.check_values(case.variables, f"case {case.name!r}")
        for st in p.sets:
            self.guid(st.guid, f"set {st.name!r}", new=True)
        selections = self.selections()
        codings_by_source: dict[str, list[Coding]] = defaultdict(list)
        for cd in p.codings:
            self.guid(cd.guid, f"coding {cd.guid}", new=True)
            if cd.code not in code_guids:
                self.problems.append(f"coding {cd.guid}: unknown code {cd.code}.")
            text = texts.get(cd.source)
            whole = text is not None and (cd.start, cd.end) == (0, len(text))
            if cd.selection is None and whole:
                codings_by_source[cd.source].append(cd)
        kinds = {
            "code": code_guids,
            "source": {s.guid for s in p.sources},
            "selection": set(selections),
            "coding": {cd.guid for cd in p.codings},
            "note": {n.guid for n in p.notes},
        }
        for note in p.notes:
            for ref in note.targets:
                if ref.kind == "project":
                    self.note_refs[("project", "")].append(note.guid)
                elif ref.guid in kinds.get(ref.kind, ()):
                    self.note_refs[(ref.kind, ref.guid)].append(note.guid)
                else:
                    self.problems.append(
                        f"note {note.name!r}: attached to unknown {ref.kind} {ref.guid}."
                    )
        for attached in self.note_refs.values():
            attached.sort()
        for case in p.cases:
            for label, refs, known in (
                ("code", case.codes, kinds["code"]),
                ("source", case.sources, kinds["source"]),
                ("selection", case.selections, kinds["selection"]),
            ):
                for member in refs:
                    if member not in known:
                        self.problems.append(f"case {case.name!r}: unknown {label} {member}.")
        for st in p.sets:
            for label, refs, known in (
                ("code", st.codes, kinds["code"]),
                ("source", st.sources, kinds["source"]),
                ("note", st.notes, kinds["note"]),
            ):
                for member in refs:
                    if member not in known:
                        self.problems.append(f"set {st.name!r}: unknown {label} {member}.")
        if self.problems:
            error = TillitError(
                "The project cannot be exported: "
                + "; ".join(m.rstrip(".") for m in self.problems[:5])
                + (f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else "")
                + ".",
                hint="Fix these references in the project and export again.",
            )
            error.errors = [{"what": m} for m in self.problems]
            raise error

        root = etree.Element(
            _NS + "Project",
            {
                k: v
                for k, v in {
                    "name": xml_text(p.name),
                    "origin": p.origin or None,
                    "creatingUserGUID": p.creating_user,
                    "creationDateTime": _dt(p.created),
                    "modifyingUserGUID": p.modifying_user,
                    "modifiedDateTime": _dt(p.modified),
                }.items()
                if v is not None
            },
            nsmap={None: NS_PROJECT},
        )
        if p.users:
            parent = _sub(root, "Users")
            for u in p.users:
                _sub(parent, "User", {"guid": u.guid, "name": u.name or None, "id": u.id or None})
        if p.codes:
            codes_element = _sub(_sub(root, "CodeBook"), "Codes")
            for code in p.codes:
                self.code(codes_element, code)
        if p.variables:
            parent = _sub(root, "Variables")
            for v in p.variables:
                element = _sub(parent, "Variable", {"guid": v.guid, "name": v.name})
                element.set("typeOfVariable", v.type)
                if v.description:
                    _text_element(element, "Description", v.description)
        if p.cases:
            parent = _sub(root, "Cases")
            for case in p.cases:
                element = _sub(parent, "Case", {"guid": case.guid, "name": case.name})
                if case.description:
                    _text_element(element, "Description", case.description)
                for member in case.codes:
                    _sub(element, "CodeRef", {"targetGUID": member})
                self.values(element, case.variables)
                for member in case.sources:
                    _sub(element, "SourceRef", {"targetGUID": member})
                for member in case.selections:
                    _sub(element, "SelectionRef", {"targetGUID": member})
        by_source: dict[str, list[tuple[Selection, list[Coding]]]] = defaultdict(list)
        for sel, codings in selections.values():
            by_source[sel.source].append((sel, codings))
        if p.sources:
            parent = _sub(root, "Sources")
            for s in p.sources:
                element = _sub(
                    parent,
                    "TextSource",
                    {
                        "guid": s.guid,
                        "name": s.name,
                        "plainTextPath": f"internal://{s.guid}.txt",
                        "creatingUser": s.user,
                        "creationDateTime": _dt(s.created),
                        "modifyingUser": s.modifying_user,
                        "modifiedDateTime": _dt(s.modified),
                    },
                )
                if s.description:
                    _text_element(element, "Description", s.description)
                items = sorted(by_source[s.guid], key=lambda x: (x[0].start, x[0].end, x[0].guid))
                for sel, codings in items:
                    self.selection(element, sel, codings)
                for coding in codings_by_source[s.guid]:
                    self.coding(element, coding)
                self.notes_for(element, "source", s.guid)
                self.values(element, s.variables)
        if p.notes:
            parent = _sub(root, "Notes")
            for note in p.notes:
                self.note(parent, note)
        if p.sets:
            parent = _sub(root, "Sets")
            for st in p.sets:
                element = _sub(parent, "Set", {"guid": st.guid, "name": st.name})
                if st.description:
                    _text_element(element, "Description", st.description)
                for tag, refs in (
                    ("MemberCode", st.codes),
                    ("MemberSource", st.sources),
                    ("MemberNote", st.notes),
                ):
                    for member in refs:
                        _sub(element, tag, {"targetGUID": member})
        if p.description:
            _text_element(root, "Description", p.description)
        self.notes_for(root, "project", "")
        return root

    def code(self, parent: Any, code: Code) -> None:
        element = _sub(
            parent,
            "Code",
            {
                "guid": code.guid,
                "name": code.name,
                "isCodable": "true" if code.is_codable else "false",
                "color": code.color,
            },
        )
        description = join_description(code)
        if description:
            _text_element(element, "Description", description)
        self.notes_for(element, "code", code.guid)
        for child in code.children:
            self.code(element, child)

    def selection(self, parent: Any, sel: Selection, codings: list[Coding]) -> None:
        element = _sub(
            parent,
            "PlainTextSelection",
            {
                "guid": sel.guid,
                "name": sel.name or None,
                "startPosition": str(sel.start),
                "endPosition": str(sel.end),
                "creatingUser": sel.user,
                "creationDateTime": _dt(sel.created),
                "modifyingUser": sel.modifying_user,
                "modifiedDateTime": _dt(sel.modified),
            },
        )
        if sel.description:
            _text_element(element, "Description", sel.description)
        for coding in sorted(codings, key=lambda c: c.guid):
            self.coding(element, coding)
        self.notes_for(element, "selection", sel.guid)

    def coding(self, parent: Any, coding: Coding) -> None:
        element = _sub(
            parent,
            "Coding",
            {
                "guid": coding.guid,
                "creatingUser": coding.user,
                "creationDateTime": _dt(coding.created),
            },
        )
        _sub(element, "CodeRef", {"targetGUID": coding.code})
        self.notes_for(element, "coding", coding.guid)

    def note(self, parent: Any, note: Note) -> None:
        element = _sub(
            parent,
            "Note",
            {
                "guid": note.guid,
                "name": note.name,
                "creatingUser": note.user,
                "creationDateTime": _dt(note.created),
                "modifyingUser": note.modifying_user,
                "modifiedDateTime": _dt(note.modified),
            },
        )
        if note.description:
            _text_element(element, "Description", note.description)
        _text_element(element, "PlainTextContent", note.text)
        self.notes_for(element, "note", note.guid)


def build_project_xml(project: QdaProject) -> bytes:
    """``project.qde`` of ``project``, checked and validated against ``Project.xsd``.

    Raises
    ------
    TillitError
        When a GUID is malformed or used twice, a reference points nowhere, a span lies outside
        its source's text, or the XML does not validate (the message names each problem).
    """
    root = _Builder(project).build()
    errors = validate_xml(root.getroottree(), "project")
    if errors:
        error = TillitError(
            f"The exported project.qde does not validate against Project.xsd: {describe(errors)}.",
            hint="This is a bug in tillit's REFI-QDA writer or an invalid value in the "
            "project; please report it with the message.",
        )
        error.errors = errors
        raise error
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _zip_member(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 3
    archive.writestr(info, data, compresslevel=6)


def write_qdpx(project: QdaProject, path_or_buffer: str | Path | IO[bytes]) -> None:
    """Write ``project`` as a REFI-QDA ``.qdpx`` archive.

    Parameters
    ----------
    project : QdaProject
    path_or_buffer : str, Path or binary file object
        A path is written only once everything is checked (no partial file on error).

    Raises
    ------
    TillitError
        See :func:`build_project_xml`.

    Examples
    --------
    >>> import io
    >>> from tillit.interop.refiqda import Code, Coding, QdaProject, TextSource, read_qdpx
    >>> guid = "0b7e3a52-6f3c-4d1e-9a43-1f2d3c4b5a69"
    >>> src = TextSource(guid, "Intervju 1", "Tillit 🙂 og styring")
    >>> code = Code("7d0c1f9e-2b4a-4c58-8e71-5a6b7c8d9e0f", "Tillit", color="#1f77b4")
    >>> coding = Coding("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", src.guid, 9, 11, code.guid)
    >>> buffer = io.BytesIO()
    >>> write_qdpx(QdaProject("Demo", codes=(code,), sources=(src,), codings=(coding,)), buffer)
    >>> back = read_qdpx(buffer.getvalue())
    >>> c = back.codings[0]
    >>> back.sources[0].text[c.start : c.end]
    'og'
    """
    xml = build_project_xml(project)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _zip_member(archive, "project.qde", xml)
        for source in project.sources:
            _zip_member(archive, f"sources/{source.guid}.txt", source.text.encode("utf-8"))
    data = buffer.getvalue()
    if isinstance(path_or_buffer, str | Path):
        Path(path_or_buffer).write_bytes(data)
    else:
        path_or_buffer.write(data)
