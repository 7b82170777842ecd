"""Result objects: frozen, full precision, summary() as text/HTML/CSV, to_frame(), get()."""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import pandas as pd
import pytest

from tillit.analysis import (
    AnalysisError,
    cronbach_alpha,
    crosstab,
    datasets,
    difference,
    glm,
    mean,
    omega,
    proportion,
    weight_summary,
)


def test_estimates_are_frozen_and_read_only(designs):
    result = mean(designs["strat"], "api00", by="stype")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.se = result.se  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        result.estimate[0] = 0.0


def test_to_frame_columns_and_full_precision(designs):
    result = mean(designs["strat"], ["api00", "enroll"], by="stype", deff=True)
    frame = result.to_frame()
    assert list(frame.columns) == [
        "stype",
        "variable",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "df",
        "n",
        "deff",
        "population",
    ]
    assert frame.shape == (6, 10)
    assert frame.n.tolist() == [100, 100, 50, 50, 50, 50]
    # CSV keeps every digit: it reads back bit for bit (Python's float() rounds correctly).
    back = pd.read_csv(io.StringIO(result.summary("csv")), dtype=str)
    np.testing.assert_array_equal(back["se"].map(float).to_numpy(), frame["se"].to_numpy())


def test_text_and_html_round_only_on_display(designs):
    result = mean(designs["strat"], "api00", by="stype")
    text = result.summary(digits=2)
    assert "674.43" in text and "12.38" in text and "degrees of freedom: 197" in text
    assert result.get("api00", domain="E").estimate == pytest.approx(674.43, rel=1e-15)
    assert repr(float(result.estimate[0])) in result.summary("csv")  # every digit kept
    html = result.summary("html")
    assert html.startswith('<div class="tillit-result">') and "<caption>Means</caption>" in html
    assert html.count("<tr>") == 4 and 'class="num"' in html
    assert str(result) == result.summary()


def test_html_escapes_labels():
    data = pd.DataFrame({"g": ["<b>x</b>", "<b>x</b>", "y&z", "y&z"], "v": [1.0, 2.0, 3.0, 5.0]})
    from tillit.analysis import Design

    result = mean(Design.from_data(data, fpc=100), "v", by="g")
    html = result.summary("html")
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html and "y&amp;z" in html


def test_summary_argument_errors(designs):
    result = mean(designs["srs"], "api00")
    with pytest.raises(AnalysisError, match="format='pdf' is not allowed"):
        result.summary("pdf")  # type: ignore[arg-type]
    with pytest.raises(AnalysisError, match="digits=-1"):
        result.summary(digits=-1)


def test_get_one_row(designs):
    result = proportion(designs["strat"], "sch.wide", by="stype")
    row = result.get("sch.wide", domain="H", category="Yes")
    assert row.domain == ("H",) and row.category == "Yes" and row.n == 50
    assert row.to_frame().loc[0, "category"] == "Yes"
    with pytest.raises(AnalysisError, match="6 rows match"):
        result.get("sch.wide")
    with pytest.raises(AnalysisError, match="no row matches"):
        result.get("sch.wide", domain="X", category="Yes")


def test_difference_result(designs):
    result = difference(designs["strat"], ["api00", "api99"], by="awards", groups=("Yes", "No"))
    frame = result.to_frame()
    assert list(frame["awards"]) == ["Yes - No", "Yes - No"]
    assert {"t", "p_value", "estimate_a", "estimate_b"} <= set(frame.columns)
    np.testing.assert_allclose(frame.estimate_a - frame.estimate_b, frame.estimate, rtol=1e-12)


def test_other_results_render(designs):
    bfi = datasets.load("bfi")
    results = [
        crosstab(designs["strat"], "sch.wide", "stype"),
        glm(designs["strat"], "api00 ~ ell + meals"),
        cronbach_alpha(bfi, ["C1", "C2", "C3"]),
        omega(bfi, ["C1", "C2", "C3"]),
        weight_summary(designs["strat"]),
    ]
    for result in results:
        for fmt in ("text", "html", "csv"):
            out = result.summary(fmt)
            assert isinstance(out, str) and out.strip()
        assert isinstance(result.to_frame(), pd.DataFrame)
    fit = results[1]
    assert fit.to_frame().term.tolist() == ["(Intercept)", "ell", "meals"]
    with pytest.raises(AnalysisError, match="term='mobility'"):
        fit.coefficient("mobility")
