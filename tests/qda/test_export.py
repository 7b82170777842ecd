"""CSV, XLSX and HTML exports of query and reliability results."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from tillit.qda import (
    QdaError,
    QueryData,
    agreement,
    code_matrix,
    cooccurrence,
    html_report,
    to_csv,
    to_xlsx,
)

ROWS = [
    ("s1", 0, 10, "trust", "anna"),
    ("s1", 5, 20, "legal", "anna"),
    ("s1", 0, 12, "trust", "ola"),
    ("s1", 0, 31, "legal", "ola"),
]
TEXTS = {"s1": "=HYPERLINK(1)<script>x</script> & more text here"}


def test_csv_keeps_full_precision(tmp_path: Path) -> None:
    r = agreement(ROWS, {"s1": 50}, codes=["trust"])
    text = to_csv(r, tmp_path / "k.csv")
    frame = pd.read_csv(io.StringIO(text))
    assert frame["kappa"].iloc[0] == r.table["kappa"].iloc[0]
    assert (tmp_path / "k.csv").read_text(encoding="utf-8") == text
    co = cooccurrence(ROWS)
    assert to_csv(co, sheet="jaccard").startswith("code_id,")
    with pytest.raises(QdaError, match="no table"):
        to_csv(co, sheet="nope")
    with pytest.raises(QdaError, match="cannot export"):
        to_csv(42)


def test_xlsx_has_every_table_and_no_formulas(tmp_path: Path) -> None:
    cases = pd.DataFrame({"case_id": ["Bergen"], "source_id": ["s1"]})
    m = code_matrix(ROWS, data=QueryData(cases=cases), texts=TEXTS)
    data = to_xlsx(m, tmp_path / "m.xlsx")
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["counts", "segments"]
    counts = list(book["counts"].values)
    assert counts[0] == ("code_id", "Bergen")
    assert ("trust", 2) in counts
    texts = [row[-1] for row in book["segments"].values][1:]
    assert all(not str(t).startswith("=") for t in texts)
    assert any(str(t).startswith("'=HYPERLINK") for t in texts)
    assert (tmp_path / "m.xlsx").read_bytes() == data


def test_html_report_escapes_everything(tmp_path: Path) -> None:
    cases = pd.DataFrame({"case_id": ["<b>Bergen</b>"], "source_id": ["s1"]})
    m = code_matrix(ROWS, data=QueryData(cases=cases), texts=TEXTS)
    page = html_report(
        "Report <1>",
        [
            ("About", "Codes & cases\n\nSecond <para>"),
            ("Matrix", m),
            ("Kappa", agreement(ROWS, {"s1": 50})),
        ],
        path=tmp_path / "r.html",
    )
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "<b>Bergen</b>" not in page and "&lt;b&gt;Bergen&lt;/b&gt;" in page
    assert "<title>Report &lt;1&gt;</title>" in page
    assert "<p>Second &lt;para&gt;</p>" in page
    assert "Matrix: segments" in page
    assert "http" not in page  # standalone: no external resource
    assert (tmp_path / "r.html").read_text(encoding="utf-8") == page


def test_every_result_exports_to_all_three_formats() -> None:
    from tillit.qda import (
        code_alpha,
        krippendorff_alpha,
        pairwise_agreement,
        search,
        segment_overlap,
        unitizing_alpha,
    )

    results = [
        agreement(ROWS, {"s1": 50}),
        code_alpha(ROWS, {"s1": 50}),
        segment_overlap(ROWS, threshold=0.5),
        cooccurrence(ROWS),
        code_matrix(ROWS, "coder", texts=TEXTS),
        unitizing_alpha(ROWS, lengths={"s1": 50}),
        krippendorff_alpha([[1, 2, None], [1, 3, 3]]),
        pairwise_agreement(ROWS, {"s1": 50}),
        search(TEXTS, "more"),
    ]
    for result in results:
        assert to_csv(result).count("\n") >= 2
        book = load_workbook(io.BytesIO(to_xlsx(result)))
        assert book.worksheets[0].max_row >= 2
        assert "<table>" in html_report("r", [("x", result)])


def test_summary_text_html_csv() -> None:
    r = agreement(ROWS, {"s1": 50}, codes=["trust"])
    text = r.summary(digits=2)
    assert text.splitlines()[0] == "Percent agreement and Cohen's kappa"
    assert "(all)" in text
    assert str(r) == r.summary()
    assert r.summary("csv") == to_csv(r)
    page = code_matrix(ROWS, "coder").summary("html")
    assert page.startswith("<table><caption>Code matrix</caption>")
    with pytest.raises(QdaError, match="format"):
        r.summary("pdf")  # type: ignore[arg-type]
