"""REFI-QDA ``.qdc`` codebooks: the code tree and code sets (``Codebook.xsd``).

:func:`write_qdc` writes ``<CodeBook origin=…>`` in namespace ``urn:QDA-XML:codebook:1.0``
with ``Codes/Code`` (guid, name, isCodable, color, ``Description``, children) and
``Sets/Set/MemberCode(guid)`` (note: in ``.qdc`` a member code is named by the attribute
``guid``, in ``project.qde`` by ``targetGUID``). tillit's extra code fields travel in the
description (see :mod:`~tillit.interop.refiqda.model`). The XML is validated against the shipped
``Codebook.xsd`` before it is written, and the output is deterministic.

:func:`read_qdc` reads one safely: size limit, no DTD or entities, schema validation with
located errors, unique GUIDs, set members that exist.

Examples
--------
>>> import io
>>> from tillit.interop.refiqda import Code, Codebook
>>> book = Codebook((Code("0f8e2d4c-1b3a-4c5d-9e6f-7a8b9c0d1e2f", "Tillit", concept="trust"),))
>>> buffer = io.BytesIO()
>>> write_qdc(book, buffer)
>>> read_qdc(buffer.getvalue()).codes[0].concept
'trust'
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from tillit.errors import CorruptFileError, TillitError
from tillit.interop.refiqda.common import (
    NS_CODEBOOK,
    Limits,
    check_guid,
    describe,
    norm_color,
    norm_guid,
    parse_bool,
    parse_untrusted,
    read_input,
    validate_xml,
    xml_text,
)
from tillit.interop.refiqda.model import Code, Codebook, Set, join_description, split_description

__all__ = ["build_codebook_xml", "read_qdc", "write_qdc"]

_NS = f"{{{NS_CODEBOOK}}}"


def _code(parent: Any, code: Code) -> None:
    from lxml import etree

    attrib = {
        "guid": code.guid,
        "name": xml_text(code.name),
        "isCodable": str(code.is_codable).lower(),
    }
    if code.color is not None:
        attrib["color"] = code.color
    element = etree.SubElement(parent, _NS + "Code", attrib)
    description = join_description(code)
    if description:
        etree.SubElement(element, _NS + "Description").text = xml_text(description)
    for child in code.children:
        _code(element, child)


def build_codebook_xml(codebook: Codebook) -> bytes:
    """The ``.qdc`` XML of ``codebook``, validated against ``Codebook.xsd``.

    Raises
    ------
    TillitError
        For an empty codebook, a malformed or repeated GUID, a set member that is not a code,
        or any schema violation.
    """
    from lxml import etree

    problems: list[str] = []
    seen: set[str] = set()
    codes = codebook.all_codes()
    if not codes:
        problems.append("a codebook needs at least one code")
    named = [(c.guid, f"code {c.name!r}") for c in codes]
    named += [(st.guid, f"set {st.name!r}") for st in codebook.sets]
    for value, where in named:
        try:
            guid = check_guid(value, where)
        except TillitError as exc:
            problems.append(exc.message)
            continue
        if guid in seen:
            problems.append(f"GUID {guid} is used twice")
        seen.add(guid)
    code_guids = {c.guid for c in codes}
    for st in codebook.sets:
        for member in st.codes:
            if member not in code_guids:
                problems.append(f"set {st.name!r}: unknown code {member}")
        if st.sources or st.notes:
            problems.append(f"set {st.name!r}: a .qdc set holds codes only")
    if problems:
        error = TillitError(
            f"The codebook cannot be exported: {'; '.join(problems[:5])}.",
            hint="Fix the codes and sets and export again.",
        )
        error.errors = [{"what": p} for p in problems]
        raise error
    root = etree.Element(_NS + "CodeBook", nsmap={None: NS_CODEBOOK})
    if codebook.origin:
        root.set("origin", codebook.origin)
    codes_element = etree.SubElement(root, _NS + "Codes")
    for code in codebook.codes:
        _code(codes_element, code)
    if codebook.sets:
        sets_element = etree.SubElement(root, _NS + "Sets")
        for st in codebook.sets:
            element = etree.SubElement(
                sets_element, _NS + "Set", guid=st.guid, name=xml_text(st.name)
            )
            if st.description:
                etree.SubElement(element, _NS + "Description").text = xml_text(st.description)
            for member in sorted(set(st.codes)):
                etree.SubElement(element, _NS + "MemberCode", guid=member)
    errors = validate_xml(root.getroottree(), "codebook")
    if errors:
        error = TillitError(
            f"The exported codebook does not validate against Codebook.xsd: {describe(errors)}.",
            hint="Check code colours (#RRGGBB) and names; report it if they look right.",
        )
        error.errors = errors
        raise error
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def write_qdc(codebook: Codebook, path_or_buffer: str | Path | IO[bytes]) -> None:
    """Write ``codebook`` as a REFI-QDA ``.qdc`` file (see :func:`build_codebook_xml`)."""
    data = build_codebook_xml(codebook)
    if isinstance(path_or_buffer, str | Path):
        Path(path_or_buffer).write_bytes(data)
    else:
        path_or_buffer.write(data)


def _read_code(element: Any, seen: dict[str, int], problems: list[str]) -> Code:
    guid = norm_guid(element.get("guid")) or ""
    if guid in seen:
        problems.append(f"line {element.sourceline}: GUID {guid} is used twice")
    seen[guid] = element.sourceline
    found = element.find(_NS + "Description")
    description, extras = split_description((found.text or "") if found is not None else "")
    return Code(
        guid=guid,
        name=element.get("name", ""),
        description=description,
        color=norm_color(element.get("color")),
        is_codable=parse_bool(element.get("isCodable", "true")),
        children=tuple(
            _read_code(child, seen, problems) for child in element.iterchildren(_NS + "Code")
        ),
        concept=extras.get("concept"),
        inclusion=extras.get("inclusion", ""),
        exclusion=extras.get("exclusion", ""),
        example=extras.get("example", ""),
    )


def read_qdc(source: str | Path | bytes | IO[bytes], *, limits: Limits | None = None) -> Codebook:
    """Read a REFI-QDA ``.qdc`` codebook safely.

    Parameters
    ----------
    source : str, Path, bytes or binary file object
    limits : Limits, optional
        ``max_bytes`` caps the file size.

    Raises
    ------
    CorruptFileError
        For a file too large, a DOCTYPE or entities, XML that is not well-formed, a schema
        violation (``errors`` lists each with line and element), a repeated GUID or a set
        member that is not a code.
    """
    limits = limits or Limits()
    data = read_input(source, limits, "The .qdc file")
    root = parse_untrusted(data, "The .qdc file", schema="codebook")
    problems: list[str] = []
    seen: dict[str, int] = {}
    try:
        codes = tuple(
            _read_code(element, seen, problems)
            for block in root.iterchildren(_NS + "Codes")
            for element in block.iterchildren(_NS + "Code")
        )
    except RecursionError:
        raise CorruptFileError(
            "The .qdc file nests codes too deeply to be read.",
            hint="Flatten the code tree in the program that exported it.",
        ) from None
    sets = []
    for block in root.iterchildren(_NS + "Sets"):
        for element in block.iterchildren(_NS + "Set"):
            members = []
            for member in element.iterchildren(_NS + "MemberCode"):
                guid = norm_guid(member.get("guid")) or ""
                if guid not in seen:
                    problems.append(f"line {member.sourceline}: set member {guid} is not a code")
                members.append(guid)
            found = element.find(_NS + "Description")
            sets.append(
                Set(
                    guid=norm_guid(element.get("guid")) or "",
                    name=element.get("name", ""),
                    description=(found.text or "") if found is not None else "",
                    codes=tuple(sorted(set(members))),
                )
            )
    if problems:
        error = CorruptFileError(
            f"The .qdc file cannot be imported: {'; '.join(problems[:5])}.",
            hint="Nothing was imported. Fix the codebook in the program that exported it.",
        )
        error.errors = [{"what": p} for p in problems]
        raise error
    return Codebook(codes=codes, sets=tuple(sets), origin=root.get("origin", ""))
