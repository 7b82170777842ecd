"""DDI-Codebook 2.5 XML: write an export's codebook, validate it, and read one back.

:func:`write_ddi` writes ``codeBook`` with the study citation (title, form id, version), one
``fileDscr`` (case and variable counts) and a ``dataDscr`` with one ``var`` per variable:
``labl``, ``qstn/qstnLit`` (the question wording), optional ``sumStat`` valid/invalid counts,
``catgry`` per value label (``missing="Y"`` for the declared missing codes, ``catStat`` counts
when given), ``concept`` per taxonomy concept, ``varFormat``, and ``notes`` of type
``tillit:*`` carrying what DDI has no element for (source question, option, role, original name,
choice-name-to-code mapping). The output validates against the official schema
(:func:`validate_ddi`).

:func:`read_ddi` parses a file with :mod:`defusedxml` (it may come from anywhere) into a
:class:`~tillit.interop.codebook.Codebook`.

Examples
--------
>>> import io
>>> from tillit.interop.codebook import Codebook, Variable
>>> cb = Codebook("Trust", "tbg", "2025-1", "nb", (
...     Variable("q1", "Tillit til rådmannen", "numeric", {1: "Lav", 5: "Høy"}, {-8: "vet ikke"},
...              question="q1", question_text="Hvor stor tillit …?"),), n_cases=3)
>>> buffer = io.BytesIO()
>>> write_ddi(cb, buffer, study_title="Tillit 2025")
>>> back = read_ddi(io.BytesIO(buffer.getvalue()))
>>> back.variables[0].label, dict(back.variables[0].missing), back.n_cases
('Tillit til rådmannen', {-8: 'vet ikke'}, 3)
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd

from tillit.errors import CorruptFileError, TillitError
from tillit.interop.codebook import Codebook, Kind, Measure, Role, Variable

__all__ = [
    "DDI_NAMESPACE",
    "VariableStats",
    "frame_stats",
    "read_ddi",
    "validate_ddi",
    "write_ddi",
]

#: Namespace of DDI-Codebook 2.5.
DDI_NAMESPACE = "ddi:codebook:2_5"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_NS = f"{{{DDI_NAMESPACE}}}"
_NATURE: Mapping[str, str] = {"nominal": "nominal", "ordinal": "ordinal", "scale": "interval"}
_MEASURE: Mapping[str, Measure] = {"nominal": "nominal", "ordinal": "ordinal"}
_DOMAIN = {
    "select_one": "category",
    "select_multiple": "multiple",
    "rank": "other",
    "integer": "numeric",
    "decimal": "numeric",
    "text": "text",
    "date": "datetime",
    "calculate": "other",
}
_NOTE_FIELDS = ("question", "option", "option_label", "role", "original", "codes", "qtype")


@dataclass(frozen=True)
class VariableStats:
    """Counts of one variable in the data set, for ``sumStat`` and ``catStat``.

    Attributes
    ----------
    valid : int
        Cases with a value that is neither system missing nor a declared missing code.
    invalid : int
        The other cases.
    frequencies : mapping of int to int
        Cases per labelled value (declared missing codes included).
    """

    valid: int
    invalid: int
    frequencies: Mapping[int, int] = field(default_factory=dict)


def frame_stats(frame: pd.DataFrame, codebook: Codebook) -> dict[str, VariableStats]:
    """Valid/invalid counts and value frequencies of every variable of ``frame``.

    Parameters
    ----------
    frame : pandas.DataFrame
        From :func:`~tillit.interop.dataset.build_frame`.
    codebook : Codebook

    Returns
    -------
    dict of str to VariableStats
    """
    out: dict[str, VariableStats] = {}
    n_rows = len(frame)
    for var in codebook.variables:
        column = frame[var.name]
        if var.kind == "numeric":
            missing_codes = list(var.missing)
            present = column.notna() & ~column.isin(missing_codes)
            counts = column.value_counts()
            labelled = [k for k in var.all_labels() if isinstance(k, int)]
            freqs = {k: int(counts.get(float(k), 0)) for k in labelled}
        elif var.kind == "string":
            present = column.fillna("").astype(str).str.len() > 0
            freqs = {}
        else:
            present = column.notna()
            freqs = {}
        valid = int(present.sum())
        out[var.name] = VariableStats(valid, n_rows - valid, freqs)
    return out


def _sub(parent: Any, tag: str, text: str | None = None, **attrib: str) -> Any:
    from lxml import etree

    element = etree.SubElement(
        parent, _NS + tag, {k.replace("_", "-"): v for k, v in attrib.items()}
    )
    if text is not None:
        element.text = _xml_text(text)
    return element


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)


def _representation(var: Variable) -> str:
    if var.kind == "string":
        return "text"
    if var.kind in ("date", "datetime"):
        return "datetime"
    return "code" if var.value_labels else "numeric"


def _var(
    parent: Any, index: int, var: Variable, language: str, stats: VariableStats | None
) -> None:
    scale = var.kind == "numeric" and var.measure == "scale"
    element = _sub(
        parent,
        "var",
        ID=f"V{index}",
        name=var.name,
        files="F1",
        intrvl="contin" if scale else "discrete",
        nature=_NATURE[var.measure],
        representationType=_representation(var),
    )
    label = _sub(element, "labl", var.label)
    label.set(_XML_LANG, language)
    if var.question_text:
        question = _sub(element, "qstn")
        domain = "multiple" if var.role == "option" else _DOMAIN.get(var.qtype)
        if domain:
            question.set("responseDomainType", domain)
        _sub(question, "qstnLit", var.question_text)
    if stats is not None:
        _sub(element, "sumStat", str(stats.valid), type="vald")
        _sub(element, "sumStat", str(stats.invalid), type="invd")
    categories = [(k, v, False) for k, v in var.value_labels.items()]
    categories += [(k, v, True) for k, v in sorted(var.missing.items(), reverse=True)]
    for value, text, is_missing in categories:
        category = _sub(element, "catgry", missing="Y") if is_missing else _sub(element, "catgry")
        _sub(category, "catValu", str(value))
        _sub(category, "labl", text)
        if stats is not None and isinstance(value, int) and value in stats.frequencies:
            _sub(category, "catStat", str(stats.frequencies[value]), type="freq")
    for concept in var.concepts:
        _sub(element, "concept", concept, vocab="tillit")
    if var.kind == "numeric":
        _sub(element, "varFormat", type="numeric", schema="other")
    elif var.kind == "date":
        _sub(
            element,
            "varFormat",
            type="character",
            formatname="YYYY-MM-DD",
            schema="ISO",
            category="date",
        )
    elif var.kind == "datetime":
        _sub(
            element,
            "varFormat",
            type="character",
            formatname="YYYY-MM-DDThh:mm:ss",
            schema="ISO",
            category="time",
        )
    else:
        _sub(element, "varFormat", type="character", schema="other")
    notes = {
        "question": var.question,
        "option": var.option,
        "option_label": var.option_label,
        "role": var.role,
        "original": var.intended if var.intended != var.name else None,
        "codes": json.dumps(dict(var.codes), ensure_ascii=False) if var.codes else None,
        "qtype": var.qtype or None,
    }
    for key in _NOTE_FIELDS:
        if notes[key]:
            _sub(element, "notes", notes[key], type=f"tillit:{key}")


def write_ddi(
    codebook: Codebook,
    path_or_buffer: str | Path | IO[bytes],
    *,
    study_title: str | None = None,
    frame_stats: Mapping[str, VariableStats] | None = None,
    file_name: str | None = None,
    agency: str = "tillit",
) -> None:
    """Write ``codebook`` as DDI-Codebook 2.5 XML (UTF-8).

    Parameters
    ----------
    codebook : Codebook
    path_or_buffer : str, Path or binary file object
    study_title : str, optional
        ``titl`` of the study; default the instrument's title.
    frame_stats : mapping of str to VariableStats, optional
        From :func:`frame_stats`: adds ``sumStat`` valid/invalid counts and ``catStat`` counts.
    file_name : str, optional
        The data file the codebook describes (``fileName``); default ``<form_id>.sav``.
    agency : str, default "tillit"
        ``agency`` of the ``IDNo`` (the form id).

    Notes
    -----
    Element order follows the schema's sequences; ``ID`` attributes are ``V1``, ``V2``, … so any
    variable name is allowed. The result validates against ``codebook.xsd`` (checked in the
    test suite with :func:`validate_ddi`).
    """
    from lxml import etree

    root = etree.Element(
        _NS + "codeBook",
        nsmap={None: DDI_NAMESPACE, "xsi": _XSI},
        attrib={
            "version": "2.5",
            "ID": "codebook",
            f"{{{_XSI}}}schemaLocation": f"{DDI_NAMESPACE} codebook.xsd",
        },
    )
    root.set(_XML_LANG, codebook.language)
    study = _sub(root, "stdyDscr")
    citation = _sub(study, "citation")
    titles = _sub(citation, "titlStmt")
    _sub(titles, "titl", study_title or codebook.title)
    if study_title and study_title != codebook.title:
        _sub(titles, "altTitl", codebook.title)
    _sub(titles, "IDNo", codebook.form_id, agency=agency)
    version = _sub(citation, "verStmt")
    _sub(version, "version", codebook.version)
    file_description = _sub(root, "fileDscr", ID="F1")
    file_text = _sub(file_description, "fileTxt")
    _sub(file_text, "fileName", file_name or f"{codebook.form_id}.sav")
    dimensions = _sub(file_text, "dimensns")
    _sub(dimensions, "caseQnty", str(codebook.n_cases))
    _sub(dimensions, "varQnty", str(len(codebook.variables)))
    _sub(file_text, "fileType", "SPSS, Stata, CSV (tillit export)")
    data = _sub(root, "dataDscr")
    for index, var in enumerate(codebook.variables, start=1):
        stats = frame_stats.get(var.name) if frame_stats is not None else None
        _var(data, index, var, codebook.language, stats)
    tree = etree.ElementTree(root)
    if isinstance(path_or_buffer, str | Path):
        tree.write(str(path_or_buffer), xml_declaration=True, encoding="UTF-8", pretty_print=True)
    else:
        tree.write(path_or_buffer, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@functools.lru_cache(maxsize=4)
def _schema(schema_path: str) -> Any:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(schema_path, parser))


def validate_ddi(source: str | Path | bytes, schema_path: str | Path) -> list[str]:
    """Validate DDI XML against ``codebook.xsd``; the list of errors, empty when valid.

    Parameters
    ----------
    source : str, Path or bytes
        A file path, or the document itself as bytes.
    schema_path : str or Path
        ``codebook.xsd`` of DDI-Codebook 2.5 (its imports are resolved next to it, offline).

    Returns
    -------
    list of str
        ``"line N: message"`` per schema violation.
    """
    from lxml import etree

    schema_file = Path(schema_path)
    if not schema_file.is_file():
        raise TillitError(
            f"schema_path={str(schema_path)!r} is not a file.",
            hint="Point it at codebook.xsd of DDI-Codebook 2.5.",
        )
    schema = _schema(str(schema_file.resolve()))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        if isinstance(source, bytes):
            document = etree.fromstring(source, parser).getroottree()
        else:
            document = etree.parse(str(source), parser)
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    if schema.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def _text(element: Any, path: str, default: str = "") -> str:
    found = element.find(path.replace("d:", _NS))
    return (found.text or "").strip() if found is not None else default


def _number(text: str) -> int | str:
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if math.isfinite(value) and value.is_integer() else text


def _kind(element: Any) -> Kind:
    fmt = element.find(_NS + "varFormat")
    if fmt is None or fmt.get("type", "numeric") == "numeric":
        return "numeric"
    category = fmt.get("category", "other")
    return {"date": "date", "time": "datetime"}.get(category, "string")  # type: ignore[return-value]


def read_ddi(path_or_buffer: str | Path | IO[bytes]) -> Codebook:
    """Read a DDI-Codebook 2.5 file into a :class:`Codebook` (parsed with defusedxml).

    Parameters
    ----------
    path_or_buffer : str, Path or binary file object

    Returns
    -------
    Codebook
        Names, labels, kinds, value labels, missing codes, question texts, concepts and the
        ``tillit:*`` notes; ``n_cases`` from ``caseQnty``.

    Raises
    ------
    CorruptFileError
        When the file is not XML, uses entities or a DTD (refused as unsafe), or is not a
        DDI-Codebook 2.5 ``codeBook``.
    """
    from defusedxml import DefusedXmlException
    from defusedxml import ElementTree as SafeET

    source = str(path_or_buffer) if isinstance(path_or_buffer, str | Path) else path_or_buffer
    try:
        root = SafeET.parse(source, forbid_dtd=True).getroot()
    except DefusedXmlException as exc:
        raise CorruptFileError(
            f"The DDI file uses XML features refused as unsafe ({type(exc).__name__}).",
            hint="Export the codebook again without a DTD or entities.",
        ) from None
    except SafeET.ParseError as exc:
        raise CorruptFileError(
            f"The DDI file is not well-formed XML: {exc}.",
            hint="Check that the file is a complete DDI-Codebook 2.5 XML file.",
        ) from None
    if root.tag != _NS + "codeBook":
        raise CorruptFileError(
            f"The root element is {root.tag!r}, not a DDI-Codebook 2.5 codeBook.",
            hint=f"The file must use the namespace {DDI_NAMESPACE}.",
        )
    variables = [_read_var(element) for element in root.iter(_NS + "var")]
    cases = _text(root, "d:fileDscr/d:fileTxt/d:dimensns/d:caseQnty", "0")
    return Codebook(
        title=_text(root, "d:stdyDscr/d:citation/d:titlStmt/d:altTitl")
        or _text(root, "d:stdyDscr/d:citation/d:titlStmt/d:titl"),
        form_id=_text(root, "d:stdyDscr/d:citation/d:titlStmt/d:IDNo"),
        version=_text(root, "d:stdyDscr/d:citation/d:verStmt/d:version"),
        language=root.get(_XML_LANG, ""),
        variables=tuple(variables),
        n_cases=int(cases) if cases.isdigit() else 0,
    )


def _measure(element: Any) -> Measure:
    nature = element.get("nature", "")
    if nature in _MEASURE:
        return _MEASURE[nature]
    if nature or element.get("intrvl") == "contin":
        return "scale"
    return "nominal"


def _read_var(element: Any) -> Variable:
    value_labels: dict[int | str, str] = {}
    missing: dict[int, str] = {}
    for category in element.findall(_NS + "catgry"):
        value = _number(_text(category, "d:catValu"))
        label = _text(category, "d:labl")
        if category.get("missing") == "Y" and isinstance(value, int):
            missing[value] = label
        else:
            value_labels[value] = label
    notes = {
        (n.get("type") or "").removeprefix("tillit:"): (n.text or "").strip()
        for n in element.findall(_NS + "notes")
    }
    role: Role = notes.get("role", "answer")  # type: ignore[assignment]
    return Variable(
        name=element.get("name", ""),
        label=_text(element, "d:labl"),
        kind=_kind(element),
        value_labels=value_labels,
        missing=missing,
        question=notes.get("question", ""),
        option=notes.get("option") or None,
        concepts=tuple((c.text or "").strip() for c in element.findall(_NS + "concept")),
        measure=_measure(element),
        role=role,
        question_text=_text(element, "d:qstn/d:qstnLit"),
        option_label=notes.get("option_label") or None,
        codes=json.loads(notes["codes"]) if notes.get("codes") else {},
        intended=notes.get("original") or element.get("name", ""),
        qtype=notes.get("qtype", ""),
    )
