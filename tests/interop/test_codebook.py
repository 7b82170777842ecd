"""Codebook rules and the coded data set: choice codes, option columns, ranks, missing codes."""

from __future__ import annotations

import datetime as dt
import doctest
import importlib
import math
import subprocess
import sys

import pytest

from tillit.errors import NotFoundError, TillitError
from tillit.instruments.model import Choice, ChoiceList, Instrument, Question
from tillit.interop.codebook import (
    COUNTRY,
    MUNICIPALITY_CODE,
    build_codebook,
    disposition_code,
)
from tillit.interop.dataset import build_frame

from . import sample

NAN = float("nan")


def test_column_order_and_safe_names(codebook):
    assert codebook.names() == (
        "case_id", "country", "disposition",
        "styring", "reform", "aar",
        "tiltak_tillitsmodell", "tiltak_faerre_rapporter", "tiltak_other_sel", "tiltak_other",
        "dato", "rangering_helse", "rangering_skole", "rangering_teknisk",
        "in_", "kommentar", "poeng",
        "started", "completed", "duration_s", "language", "device",
    )  # fmt: skip
    assert codebook.renamed() == {"tiltak_færre_rapporter": "tiltak_faerre_rapporter", "in": "in_"}
    assert (codebook.title, codebook.form_id, codebook.version) == (
        "Tillitsbasert styring (test)",
        "tbg_test",
        "2025-1",
    )
    assert codebook.n_cases == 5


def test_municipality_only_when_asked(inst, cases):
    asked = build_codebook(
        inst, cases, frame_columns=(COUNTRY, MUNICIPALITY_CODE), include_municipality=True
    )
    assert "municipality_code" in asked.names()
    assert asked.variable("municipality_code").kind == "string"
    frame = build_frame(inst, cases, asked)
    assert frame["municipality_code"].tolist() == ["0301", "0101", "4601", "0147", "1804"]


def test_select_one_with_integer_names_and_dont_know(codebook):
    var = codebook.variable("styring")
    assert var.kind == "numeric" and var.measure == "ordinal"
    assert dict(var.value_labels) == {
        1: "Helt uenig", 2: "Litt uenig", 3: "Både og", 4: "Litt enig", 5: "Helt enig"
    }  # fmt: skip
    assert dict(var.missing) == {
        -9: "ikke spurt (filter)",
        -8: "Vet ikke",  # the choice's own label
        -7: "ikke nådd (delvis svar)",
    }
    assert var.concepts == ("trust.effects",)


def test_select_one_with_string_names_is_recoded_in_list_order(codebook):
    var = codebook.variable("reform")
    assert dict(var.codes) == {"ja": 1, "nei": 2}
    assert dict(var.value_labels) == {1: "Ja", 2: "Nei"}
    assert var.measure == "nominal"


def test_select_multiple_option_variables(codebook):
    opts = codebook.of_question("tiltak")
    assert [v.name for v in opts] == [
        "tiltak_tillitsmodell",
        "tiltak_faerre_rapporter",
        "tiltak_other_sel",
        "tiltak_other",
    ]
    first = opts[0]
    assert first.label == "Hvilke tiltak omfatter reformen?: Tillitsmodell"
    assert dict(first.value_labels) == {0: "ikke valgt", 1: "valgt"}
    assert first.concepts == ("reform.measures", "reform.model")
    assert (first.option, first.role) == ("tillitsmodell", "option")
    assert opts[2].label.endswith(": Annet")
    other = opts[3]
    assert (other.kind, other.role, other.label) == (
        "string",
        "other",
        "Hvilke tiltak omfatter reformen?: annet, spesifiser",
    )


def test_rank_kinds_and_paradata(codebook):
    assert codebook.variable("rangering_skole").role == "rank"
    assert codebook.variable("rangering_skole").measure == "ordinal"
    assert codebook.variable("dato").kind == "date"
    assert codebook.variable("kommentar").kind == "string"
    assert codebook.variable("poeng").kind == "numeric"  # every value in the data is a number
    assert codebook.variable("started").kind == "datetime"
    assert not codebook.variable("duration_s").missing  # paradata declare no answer codes
    assert codebook.variable("disposition").value_labels[211] == "2.11 nektet"


def test_english_labels(inst, cases):
    cb = build_codebook(inst, cases, language="en")
    assert cb.variable("styring").missing[-9] == "not asked (skip logic)"
    assert cb.variable("styring").missing[-7] == "not reached (partial response)"
    assert cb.variable("styring").missing[-8] == "Don't know"
    assert cb.variable("tiltak_tillitsmodell").value_labels[0] == "not selected"
    assert cb.variable("disposition").value_labels[12] == "1.2 partial"


def _row(frame, case_id):
    return frame.set_index("case_id").loc[case_id]


def _same(a, b):
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return a == b


@pytest.mark.parametrize(
    ("case_id", "expected"),
    [
        ("c001", {"styring": 4, "reform": 1, "aar": 2019, "tiltak_tillitsmodell": 1,
                  "tiltak_faerre_rapporter": 0, "tiltak_other_sel": 1,
                  "tiltak_other": "Færre skjema å fylle ut", "dato": dt.date(2019, 6, 20),
                  "rangering_helse": 2, "rangering_skole": 1, "rangering_teknisk": 3,
                  "in_": 1250, "poeng": 8, "disposition": 11, "country": 1,
                  "duration_s": 720.0}),
        # "don't know" and a skipped block (relevance inferred from the group's expression)
        ("c002", {"styring": -8, "reform": 2, "aar": -9, "tiltak_tillitsmodell": -9,
                  "tiltak_other_sel": -9, "tiltak_other": None, "dato": None,
                  "rangering_helse": NAN, "in_": 40, "poeng": NAN, "country": 2}),
        # partial: reached up to its last answer, the rest -7
        ("c003", {"styring": 2, "reform": 1, "aar": 2021, "tiltak_tillitsmodell": -7,
                  "dato": None, "rangering_skole": -7, "in_": -7, "poeng": -7,
                  "kommentar": None, "disposition": 12, "duration_s": NAN}),
        ("c004", {"styring": -7, "reform": -7, "aar": -7, "in_": -7, "disposition": 211}),
        # explicit relevance; "don't know" in a select_multiple; "aar" relevant but empty
        ("c005", {"styring": 5, "aar": NAN, "tiltak_tillitsmodell": -8,
                  "tiltak_faerre_rapporter": -8, "tiltak_other_sel": -8,
                  "rangering_teknisk": 1, "rangering_helse": NAN, "poeng": 10,
                  "disposition": 11, "duration_s": 470.5}),
    ],
)  # fmt: skip
def test_frame_values_and_missing_codes(frame, case_id, expected):
    row = _row(frame, case_id)
    got = {k: row[k] for k in expected}
    got = {k: (float(v) if isinstance(v, int | float) else v) for k, v in got.items()}
    for key, value in expected.items():
        value = float(value) if isinstance(value, int) else value
        assert _same(got[key], value), (case_id, key, got[key], value)


def test_frame_dtypes(frame):
    assert str(frame["styring"].dtype) == "float64"
    assert str(frame["started"].dtype).startswith("datetime64")
    assert frame["started"].iloc[0] == dt.datetime(2025, 3, 3, 9, 0)  # UTC, naive
    assert frame["completed"].isna().tolist() == [False, False, True, True, False]


def test_relevance_callable(inst, cases, codebook):
    seen = []

    def relevance(answers):
        seen.append(dict(answers))
        names = {"styring", "reform", "rangering", "in", "kommentar", "poeng"}
        if answers.get("reform") == "ja":
            names |= {"aar", "tiltak", "dato"}
        return names

    frame = build_frame(inst, cases, codebook, relevance=relevance)
    assert len(seen) == 4  # c005 carries its own "relevant"
    row = _row(frame, "c002")
    assert row["aar"] == -9 and row["tiltak_tillitsmodell"] == -9
    assert _row(frame, "c001")["aar"] == 2019


def test_select_one_or_other_and_collisions():
    lists = {
        "l": ChoiceList("l", (Choice("a", {"en": "A"}), Choice("b", {"en": "B"}))),
        "n": ChoiceList("n", (Choice("01", {"en": "One"}), Choice("1", {"en": "Also one"}))),
    }
    inst = Instrument(
        "f",
        "F",
        "1",
        "en",
        ("en",),
        (
            Question("q", "select_one", {"en": "Q"}, list_name="l", or_other=True),
            Question("z", "select_one", {"en": "Z"}, list_name="n"),
            Question("case_id", "text", {"en": "A question called case_id"}),
        ),
        lists,
    )
    cases = [{"case_id": "x", "answers": {"q": "other", "q_other": "C", "z": "1"}}]
    cb = build_codebook(inst, cases, include_paradata=False)
    assert dict(cb.variable("q").codes) == {"a": 1, "b": 2, "other": 3}
    assert cb.variable("q").value_labels[3] == "Other"
    assert dict(cb.variable("z").codes) == {"01": 1, "1": 2}  # "01" and "1" clash: recoded
    assert cb.names() == ("case_id", "disposition", "q", "q_other", "z", "case_id_2")
    frame = build_frame(inst, cases, cb)
    assert frame.loc[0, "q"] == 3 and frame.loc[0, "q_other"] == "C" and frame.loc[0, "z"] == 2


def test_bad_input_names_the_problem(inst, cases, codebook):
    with pytest.raises(TillitError, match="not a choice of list 'agree5'"):
        build_frame(inst, [{"case_id": "x", "answers": {"styring": "7"}}], codebook)
    with pytest.raises(TillitError, match="not a number"):
        build_frame(inst, [{"case_id": "x", "answers": {"aar": "snart"}}], codebook)
    with pytest.raises(TillitError, match="has no case_id"):
        build_frame(inst, [{"answers": {}}], codebook)
    with pytest.raises(TillitError, match="language='da' is not a language"):
        build_codebook(inst, cases, language="da")
    with pytest.raises(TillitError, match="differs from the codebook"):
        build_frame(inst, cases, codebook, language="en")
    with pytest.raises(TillitError, match="not an AAPOR"):
        build_codebook(inst, [{"case_id": "x", "disposition": "complete"}])
    with pytest.raises(NotFoundError):
        codebook.variable("nope")


def test_disposition_codes():
    assert [disposition_code(c) for c in ("1.1", "1.2", "2.11", "2.20", "3.19", "4.10")] == [
        11, 12, 211, 220, 319, 410
    ]  # fmt: skip


@pytest.mark.parametrize(
    "module",
    [
        "tillit.interop.naming",
        "tillit.interop.texts",
        "tillit.interop.codebook",
        "tillit.interop.dataset",
        "tillit.interop.ddi",
    ],
)
def test_doctests(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_exports_work_without_django(tmp_path):
    code = (
        "import sys\n"
        "sys.modules['django'] = None\n"
        "from tests.interop import sample\n"
        "from tillit.interop.exports import export_survey\n"
        f"out = export_survey(sample.instrument(), sample.responses(), {str(tmp_path)!r})\n"
        "assert set(out) >= {'sav', 'dta', 'ddi', 'csv', 'xlsx'}\n"
        "assert not any(m.startswith('django') for m in sys.modules if sys.modules[m])\n"
    )
    root = sample.__file__.rsplit("/tests/", 1)[0]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)
