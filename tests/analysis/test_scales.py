"""Scales: missing-data policy of scores, concept-tagged scales, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tillit.analysis import (
    AnalysisError,
    Scale,
    cronbach_alpha,
    datasets,
    omega,
    scale_from_concepts,
    scale_scores,
)
from tillit.analysis.warnings import ScaleWarning
from tillit.instruments.model import Choice, ChoiceList, Group, Instrument, Question


def instrument() -> Instrument:
    agree = ChoiceList("agree", tuple(Choice(str(i)) for i in range(1, 6)))
    vertical = Group(
        "vertical",
        concepts=("trust.vertical",),
        appearance="field-list",
        children=(
            Question("tv1", "select_one", list_name="agree"),
            Question("tv2", "select_one", list_name="agree"),
            Question("tv3", "select_one", list_name="agree"),
            Question("tv_note", "note"),
        ),
    )
    horizontal = Group(
        "horizontal",
        children=(
            Question("th1", "select_one", list_name="agree", concepts=("trust.horizontal",)),
            Question("th2", "integer", concepts=("trust.horizontal", "reform")),
            Question("th_text", "text", concepts=("trust.horizontal",)),
        ),
    )
    return Instrument(
        "exec",
        "Executive survey",
        "1",
        "nb",
        ("nb",),
        children=(vertical, horizontal),
        choice_lists={"agree": agree},
    )


def test_scale_from_concepts_selects_tagged_scored_items():
    form = instrument()
    assert scale_from_concepts(form, "trust.vertical").items == ("tv1", "tv2", "tv3")
    both = scale_from_concepts(form, ["trust.vertical", "trust.horizontal"], name="trust")
    assert both.items == ("tv1", "tv2", "tv3", "th1", "th2") and both.name == "trust"
    with pytest.raises(AnalysisError, match="no scored items") as caught:
        scale_from_concepts(form, "trust.diagonal")
    assert "trust.horizontal" in caught.value.allowed
    with pytest.raises(AnalysisError, match="reverse"):
        scale_from_concepts(form, "trust.vertical", reverse=["th1"])


def test_scale_object_runs_alpha_omega_scores():
    rng = np.random.default_rng(1)
    latent = rng.normal(size=300)
    data = pd.DataFrame(
        {f"tv{i}": np.clip(np.round(3 + latent + rng.normal(size=300)), 1, 5) for i in (1, 2, 3)}
    )
    data["tv3"] = 6 - data["tv3"]  # reverse keyed
    scale = scale_from_concepts(instrument(), "trust.vertical", reverse=["tv3"])
    assert scale.alpha(data, reverse_range=(1, 5)).estimate > 0.6
    assert scale.omega(data, reverse_range=(1, 5)).estimate > 0.6
    scores = scale.scores(data, reverse_range=(1, 5))
    assert scores.name == "trust.vertical" and scores.notna().all()
    with pytest.warns(ScaleWarning, match="negatively"):
        Scale("raw", scale.items).alpha(data)


def test_scale_scores_missing_policy():
    data = pd.DataFrame(
        {
            "a": [1.0, 2.0, np.nan, np.nan],
            "b": [3.0, np.nan, np.nan, 4.0],
            "c": [5.0, 4.0, 2.0, np.nan],
        }
    )
    items = ["a", "b", "c"]
    assert scale_scores(data, items).tolist()[:1] == [3.0]
    assert scale_scores(data, items).isna().tolist() == [False, True, True, True]
    assert scale_scores(data, items, min_items=2).tolist()[:2] == [3.0, 3.0]
    assert scale_scores(data, items, min_items=1).tolist() == [3.0, 3.0, 2.0, 4.0]
    assert scale_scores(data, items, min_items=2, method="sum").tolist()[:2] == [9.0, 9.0]
    assert scale_scores(data, items, reverse=["c"], reverse_range=(1, 5)).tolist()[0] == 5 / 3
    with pytest.raises(AnalysisError, match="min_items=4"):
        scale_scores(data, items, min_items=4)


def test_alpha_errors_and_options():
    bfi = datasets.load("bfi")
    with pytest.raises(AnalysisError, match="items: unknown variable 'C6'"):
        cronbach_alpha(bfi, ["C1", "C6"])
    with pytest.raises(AnalysisError, match="at least two items"):
        cronbach_alpha(bfi, ["C1"])
    with pytest.raises(AnalysisError, match="reverse"):
        cronbach_alpha(bfi, ["C1", "C2"], reverse=["C5"])
    with pytest.raises(AnalysisError, match="not numeric"):
        cronbach_alpha(bfi.assign(C1=bfi.C1.astype(str)), ["C1", "C2"])
    with pytest.raises(AnalysisError, match="without variance"):
        cronbach_alpha(bfi.assign(C1=3.0), ["C1", "C2", "C3"])
    items = ["C1", "C2", "C3", "C4", "C5"]
    feldt = cronbach_alpha(bfi, items, reverse=["C4", "C5"])
    duhachek = cronbach_alpha(bfi, items, reverse=["C4", "C5"], ci_method="duhachek")
    assert duhachek.ci_low == pytest.approx(feldt.estimate - 1.959963984540054 * feldt.se)
    assert feldt.df == (2706.0, 2706.0 * 4)
    assert feldt.warnings == ("93 respondents with a missing item left out",)
    with pytest.raises(AnalysisError, match="at least 3 items"):
        omega(bfi, ["C1", "C2"])
