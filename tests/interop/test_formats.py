"""SPSS, Stata, CSV and Excel files, read back: labels, value labels, missing codes, values."""

from __future__ import annotations

import csv
import datetime as dt
import math
from dataclasses import replace

import pandas as pd
import pyreadstat
import pytest
from openpyxl import load_workbook

from tillit.errors import TillitError
from tillit.interop.codebook import build_codebook
from tillit.interop.dataset import build_frame
from tillit.interop.stats import write_csv, write_dta, write_sav, write_xlsx

from . import sample


@pytest.fixture(scope="module")
def sav(files):
    return pyreadstat.read_sav(str(files["sav"]), user_missing=True)


@pytest.fixture(scope="module")
def dta(files):
    return pyreadstat.read_dta(str(files["dta"]), user_missing=True)


def _values(series):
    return [None if (isinstance(v, float) and math.isnan(v)) else v for v in series.tolist()]


def test_sav_labels_and_names(sav, codebook):
    _, meta = sav
    assert tuple(meta.column_names) == codebook.names()
    labels = meta.column_names_to_labels
    assert labels["styring"] == "Tillitsbasert styring gir bedre tjenester for innbyggerne"
    assert labels["tiltak_faerre_rapporter"] == "Hvilke tiltak omfatter reformen?: Færre rapporter"
    assert labels["case_id"] == "Respondent-ID (pseudonym)"
    assert meta.file_label == "Tillitsbasert styring (test)"


def test_sav_value_labels_and_declared_missing(sav):
    _, meta = sav
    assert meta.variable_value_labels["styring"] == {
        1.0: "Helt uenig", 2.0: "Litt uenig", 3.0: "Både og", 4.0: "Litt enig",
        5.0: "Helt enig", -9.0: "ikke spurt (filter)", -8.0: "Vet ikke",
        -7.0: "ikke nådd (delvis svar)",
    }  # fmt: skip
    assert meta.variable_value_labels["tiltak_tillitsmodell"][1.0] == "valgt"
    assert meta.variable_value_labels["disposition"][211.0] == "2.11 nektet"
    assert meta.variable_value_labels["country"] == {1.0: "Norge", 2.0: "Danmark"}
    discrete = [{"lo": c, "hi": c} for c in (-9.0, -8.0, -7.0)]
    for name in ("styring", "reform", "aar", "tiltak_other_sel", "rangering_skole", "in_"):
        assert meta.missing_ranges[name] == discrete, name
    assert "duration_s" not in meta.missing_ranges
    assert meta.variable_measure["styring"] == "ordinal"
    assert meta.variable_measure["reform"] == "nominal"
    assert meta.variable_measure["aar"] == "scale"
    assert meta.original_variable_types["styring"] == "F8.0"
    assert meta.original_variable_types["duration_s"] == "F8.1"
    assert meta.original_variable_types["dato"] == "DATE11"
    assert meta.original_variable_types["started"] == "DATETIME20"
    assert meta.original_variable_types["tiltak_other"].startswith("A")


def test_sav_values(sav, files):
    data, _ = sav
    assert _values(data["styring"]) == [4, -8, 2, -7, 5]
    assert _values(data["aar"]) == [2019, -9, 2021, -7, None]
    assert _values(data["tiltak_tillitsmodell"]) == [1, -9, -7, -7, -8]
    assert _values(data["rangering_skole"]) == [1, None, -7, -7, None]
    assert _values(data["disposition"]) == [11, 11, 12, 211, 11]
    assert data["tiltak_other"].tolist()[0] == "Færre skjema å fylle ut"
    assert data["kommentar"].tolist()[0] == "Bra, men «krevende»"
    assert data["dato"].tolist()[0] == dt.date(2019, 6, 20)
    assert data["started"].tolist()[0] == pd.Timestamp("2025-03-03 09:00:00")
    assert data["case_id"].tolist() == ["c001", "c002", "c003", "c004", "c005"]
    # without user_missing, SPSS's declared missing values read as system missing
    plain, _ = pyreadstat.read_sav(str(files["sav"]), user_missing=False)
    assert _values(plain["styring"]) == [4, None, 2, None, 5]


def test_dta_labels_and_tagged_missing(dta, files):
    data, meta = dta
    assert meta.column_names_to_labels["case_id"] == "Respondent-ID (pseudonym)"
    assert meta.variable_value_labels["styring"] == {
        1: "Helt uenig", 2: "Litt uenig", 3: "Både og", 4: "Litt enig", 5: "Helt enig",
        "a": "ikke nådd (delvis svar)", "b": "Vet ikke", "c": "ikke spurt (filter)",
    }  # fmt: skip
    assert meta.variable_value_labels["country"] == {1: "Norge", 2: "Danmark"}
    assert _values(data["styring"]) == [4, "b", 2, "a", 5]
    assert _values(data["aar"]) == [2019, "c", 2021, "a", None]
    assert _values(data["tiltak_tillitsmodell"]) == [1, "c", "a", "a", "b"]
    assert _values(data["disposition"]) == [11, 11, 12, 211, 11]
    assert data["kommentar"].tolist()[0] == "Bra, men «krevende»"
    assert data["dato"].tolist()[0] == dt.date(2019, 6, 20)
    assert meta.original_variable_types["dato"] == "%td"
    assert meta.original_variable_types["started"] == "%tc"
    assert meta.original_variable_types["styring"] == "%8.0g"
    assert meta.original_variable_types["duration_s"] == "%8.1f"
    assert set(meta.missing_user_values["styring"]) == {"a", "b"}  # the letters present
    plain, _ = pyreadstat.read_dta(str(files["dta"]))
    assert _values(plain["styring"]) == [4, None, 2, None, 5]


def test_long_labels_are_cut_to_each_format(tmp_path):
    long = "Hvor stor tillit har du til at kommunestyret og administrasjonen " * 6
    inst = sample.instrument()
    block = inst.children[1]
    tiltak = replace(block.children[1], labels={"nb": long, "en": long})
    block = replace(block, children=(block.children[0], tiltak))
    inst = replace(inst, children=(inst.children[0], block))
    cb = build_codebook(inst, sample.responses(), include_paradata=False)
    frame = build_frame(inst, sample.responses(), cb)
    write_sav(frame, cb, tmp_path / "l.sav")
    write_dta(frame, cb, tmp_path / "l.dta")
    _, sav_meta = pyreadstat.read_sav(str(tmp_path / "l.sav"))
    _, dta_meta = pyreadstat.read_dta(str(tmp_path / "l.dta"))
    sav_label = sav_meta.column_names_to_labels["tiltak_tillitsmodell"]
    dta_label = dta_meta.column_names_to_labels["tiltak_tillitsmodell"]
    assert len(sav_label.encode()) <= 256 and sav_label.endswith("…: Tillitsmodell")
    assert len(dta_label) == 80 and dta_label.endswith("…: Tillitsmodell")
    assert cb.variable("tiltak_tillitsmodell").label == f"{long}: Tillitsmodell"  # kept whole


def test_csv_codes_and_codebook(files, codebook):
    with open(files["csv"], encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == list(codebook.names())
    assert [r["styring"] for r in rows] == ["4", "-8", "2", "-7", "5"]
    assert [r["aar"] for r in rows] == ["2019", "-9", "2021", "-7", ""]
    assert rows[0]["duration_s"] == "720.0" and rows[4]["duration_s"] == "470.5"
    assert rows[0]["dato"] == "2019-06-20" and rows[0]["started"] == "2025-03-03T09:00:00"
    assert rows[0]["tiltak_other"] == "Færre skjema å fylle ut"
    assert not files["csv"].read_bytes().startswith(b"\xef\xbb\xbf")
    with open(files["csv_codebook"], encoding="utf-8", newline="") as fh:
        book = list(csv.DictReader(fh))
    assert files["csv_codebook"].name == "tbg_codebook.csv"
    styring = [r for r in book if r["variable"] == "styring"]
    assert styring[0]["value"] == "" and styring[0]["label"].startswith("Tillitsbasert")
    assert [(r["value"], r["missing"]) for r in styring[1:]] == [
        ("1", "N"), ("2", "N"), ("3", "N"), ("4", "N"), ("5", "N"),
        ("-7", "Y"), ("-8", "Y"), ("-9", "Y"),
    ]  # fmt: skip
    assert {r["original_name"] for r in book if r["variable"] == "in_"} == {"in"}


def test_csv_labels(files):
    with open(files["csv_labels"], encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["styring"] for r in rows] == [
        "Litt enig", "Vet ikke", "Litt uenig", "ikke nådd (delvis svar)", "Helt enig"
    ]  # fmt: skip
    assert rows[0]["tiltak_tillitsmodell"] == "valgt"
    assert rows[0]["aar"] == "2019"  # no label: the number
    assert rows[3]["disposition"] == "2.11 nektet"


def test_csv_and_xlsx_for_excel_neutralise_formulas(tmp_path, inst, codebook):
    cases = [{"case_id": "x", "answers": {"kommentar": '=HYPERLINK("http://x")'}}]
    frame = build_frame(inst, cases, codebook)
    data, _ = write_csv(frame, codebook, tmp_path / "e.csv", excel=True)
    raw = data.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "'=HYPERLINK" in raw.decode("utf-8-sig")
    data, _ = write_csv(frame, codebook, tmp_path / "plain.csv")
    assert ',"=HYPERLINK(""http://x"")",' in data.read_text(encoding="utf-8")  # exact by default
    write_xlsx(frame, codebook, tmp_path / "e.xlsx")
    sheet = load_workbook(tmp_path / "e.xlsx")["data"]
    col = list(codebook.names()).index("kommentar") + 1
    cell = sheet.cell(row=2, column=col)
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"


def test_xlsx_sheets(files, codebook):
    book = load_workbook(files["xlsx"])
    assert book.sheetnames == ["data", "variables", "values"]
    data = list(book["data"].values)
    assert data[0] == codebook.names()
    header = list(data[0])
    assert [r[header.index("styring")] for r in data[1:]] == [4, -8, 2, -7, 5]
    assert data[1][header.index("dato")].date() == dt.date(2019, 6, 20)
    variables = list(book["variables"].values)
    assert variables[0][:2] == ("variable", "label") and len(variables) == len(header) + 1
    values = [r for r in book["values"].values if r[0] == "styring"]
    assert ("styring", -8, "Vet ikke", "Y") in values


def test_writers_refuse_a_frame_of_another_codebook(tmp_path, frame, codebook):
    with pytest.raises(TillitError, match="do not match the codebook"):
        write_sav(frame.drop(columns=["aar"]), codebook, tmp_path / "x.sav")
    with pytest.raises(TillitError, match="unexpected: \\['extra'\\]"):
        write_dta(frame.assign(extra=1), codebook, tmp_path / "x.dta")


def test_no_cases_and_very_long_text(tmp_path, inst):
    from tillit.interop.exports import export_survey

    empty = export_survey(inst, [], tmp_path / "empty", formats=("csv", "sav", "dta", "xlsx"))
    assert pyreadstat.read_sav(str(empty["sav"]))[0].shape[0] == 0
    assert pyreadstat.read_dta(str(empty["dta"]))[0].shape[0] == 0
    case = sample.responses()[0]
    long_text = 'Linje én\n"sitat", ' * 1000 + "slutt"  # beyond str2045: a strL in Stata
    case["answers"]["kommentar"] = long_text
    out = export_survey(inst, [case], tmp_path / "long", formats=("csv", "sav", "dta"))
    assert pyreadstat.read_dta(str(out["dta"]))[0]["kommentar"][0] == long_text
    assert pyreadstat.read_sav(str(out["sav"]))[0]["kommentar"][0] == long_text
    assert pd.read_csv(out["csv"], dtype=str)["kommentar"][0] == long_text
