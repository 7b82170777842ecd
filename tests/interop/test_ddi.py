"""DDI-Codebook 2.5: the codebook validates against the official schema and reads back."""

from __future__ import annotations

import io

import pytest
from lxml import etree

from tillit.errors import CorruptFileError, TillitError
from tillit.interop.ddi import DDI_NAMESPACE, frame_stats, read_ddi, validate_ddi, write_ddi

NS = {"d": DDI_NAMESPACE}


@pytest.fixture(scope="module")
def ddi_bytes(codebook, frame):
    buffer = io.BytesIO()
    write_ddi(codebook, buffer, study_title="Tillit 2025", frame_stats=frame_stats(frame, codebook))
    return buffer.getvalue()


def test_the_shipped_example_validates(specs_dir, ddi_xsd):
    assert validate_ddi(specs_dir / "ddi-codebook-2.5/examples/minimal_codebook.xml", ddi_xsd) == []


def test_export_validates(files, ddi_bytes, ddi_xsd):
    assert validate_ddi(files["ddi"], ddi_xsd) == []
    assert validate_ddi(ddi_bytes, ddi_xsd) == []


def _mutate(xml: bytes, change) -> bytes:
    root = etree.fromstring(xml)
    change(root)
    return etree.tostring(root)


def _drop_name(root):
    del root.find(".//d:var", NS).attrib["name"]


def _bad_sumstat(root):
    root.find(".//d:sumStat", NS).set("type", "valid")


def _rsp_before_title(root):
    citation = root.find(".//d:citation", NS)
    citation.insert(0, etree.Element(f"{{{DDI_NAMESPACE}}}rspStmt"))


@pytest.mark.parametrize(
    ("change", "message"),
    [(_drop_name, "name"), (_bad_sumstat, "valid"), (_rsp_before_title, "rspStmt")],
)
def test_schema_violations_are_caught(ddi_bytes, ddi_xsd, change, message):
    errors = validate_ddi(_mutate(ddi_bytes, change), ddi_xsd)
    assert errors and message in " ".join(errors)


def test_structure(ddi_bytes):
    root = etree.fromstring(ddi_bytes)
    assert root.get("version") == "2.5"
    assert root.findtext(".//d:titlStmt/d:titl", namespaces=NS) == "Tillit 2025"
    assert root.findtext(".//d:titlStmt/d:IDNo", namespaces=NS) == "tbg_test"
    assert root.findtext(".//d:dimensns/d:caseQnty", namespaces=NS) == "5"
    var = root.find(".//d:var[@name='styring']", NS)
    assert var.findtext("d:qstn/d:qstnLit", namespaces=NS).startswith("Tillitsbasert styring")
    assert var.get("nature") == "ordinal"
    assert [s.text for s in var.findall("d:sumStat", NS)] == ["3", "2"]  # 4, 2, 5 valid
    missing = var.findall("d:catgry[@missing='Y']", NS)
    assert [c.findtext("d:catValu", namespaces=NS) for c in missing] == ["-7", "-8", "-9"]
    freq = var.find("d:catgry[d:catValu='-8']/d:catStat", NS)
    assert freq.get("type") == "freq" and freq.text == "1"
    assert var.find("d:concept", NS).text == "trust.effects"
    assert var.find("d:varFormat", NS).get("type") == "numeric"
    dato = root.find(".//d:var[@name='dato']/d:varFormat", NS)
    assert (dato.get("type"), dato.get("category")) == ("character", "date")


def test_round_trip(ddi_bytes, codebook):
    back = read_ddi(io.BytesIO(ddi_bytes))
    assert back.names() == codebook.names()
    assert (back.form_id, back.version, back.language, back.n_cases) == (
        "tbg_test",
        "2025-1",
        "nb",
        5,
    )
    assert back.title == codebook.title
    for ours, theirs in zip(codebook.variables, back.variables, strict=True):
        assert theirs.label == ours.label
        assert theirs.kind == ours.kind, ours.name
        assert dict(theirs.value_labels) == dict(ours.value_labels)
        assert dict(theirs.missing) == dict(ours.missing)
        assert theirs.question_text == ours.question_text
        assert (theirs.question, theirs.option, theirs.role) == (
            ours.question,
            ours.option,
            ours.role,
        )
        assert dict(theirs.codes) == dict(ours.codes)
        assert theirs.measure == ours.measure
        assert theirs.concepts == ours.concepts
        assert theirs.intended == ours.intended


def test_read_refuses_entities_and_foreign_xml(tmp_path):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE codeBook [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<codeBook xmlns="ddi:codebook:2_5"><stdyDscr>&b;</stdyDscr></codeBook>'
    )
    with pytest.raises(CorruptFileError, match="refused as unsafe"):
        read_ddi(io.BytesIO(bomb))
    with pytest.raises(CorruptFileError, match="not a DDI-Codebook"):
        read_ddi(io.BytesIO(b"<html/>"))
    with pytest.raises(CorruptFileError, match="not well-formed"):
        read_ddi(io.BytesIO(b"<codeBook"))
    external = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b'<codeBook xmlns="ddi:codebook:2_5">&e;</codeBook>'
    )
    path = tmp_path / "xxe.xml"
    path.write_bytes(external)
    with pytest.raises(CorruptFileError):
        read_ddi(path)


def test_validate_needs_the_schema(tmp_path, ddi_bytes):
    with pytest.raises(TillitError, match="is not a file"):
        validate_ddi(ddi_bytes, tmp_path / "missing.xsd")
