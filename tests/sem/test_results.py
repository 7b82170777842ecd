"""The result object: summaries in text, HTML and CSV, JSON data, parameter lookup."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from tillit.sem import SEMError, cfa, sem

HS3 = "visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9"


@pytest.fixture(scope="module")
def fit(hs):
    return cfa(HS3, hs)


def test_text_summary_has_fit_parameters_and_reliability(fit) -> None:
    text = fit.summary(digits=3)
    assert text.startswith("Confirmatory factor analysis\n")
    assert "chi-square: 85.306 on 24 df" in text
    assert "RMSEA (90% CI): 0.092 (0.071, 0.114)" in text
    assert "Reliability" in text and "textual" in text
    assert str(fit) == fit.summary()


def test_html_and_csv(fit) -> None:
    html = fit.summary("html")
    assert html.count("<table") == 2 and "<caption>Reliability</caption>" in html
    frame = pd.read_csv(io.StringIO(fit.summary("csv")))
    assert len(frame) == 24
    assert frame.estimate.tolist() == pytest.approx(fit.parameters.estimate.tolist(), rel=1e-15)


def test_to_dict_is_plain_json(fit) -> None:
    data = json.loads(json.dumps(fit.to_dict(), allow_nan=False))
    assert data["fit"]["df"] == 24 and data["kind"] == "cfa"
    fixed = data["parameters"][0]
    assert fixed["free"] is False and fixed["z"] is None  # NaN -> null


def test_parameter_lookup(fit) -> None:
    assert fit.parameter("textual", "~~", "visual").estimate == pytest.approx(0.408, abs=1e-3)
    with pytest.raises(SEMError, match="not a parameter"):
        fit.parameter("visual", "~", "speed")


def test_sem_title_and_covariates(hs) -> None:
    result = sem(HS3 + "; speed ~ visual + ageyr", hs)
    assert result.title == "Structural equation model"
    assert result.covariates == ("ageyr",)
    assert result.sample_cov.shape == result.implied_cov.shape == (10, 10)
