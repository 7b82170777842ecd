"""Crosstabs: percent options, small-cell warnings and errors (R values in test_golden_models)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tillit.analysis import AnalysisError, Design, crosstab, rao_scott
from tillit.analysis.warnings import SmallCellWarning


def test_percent_options(designs):
    design = designs["strat"]
    rows = crosstab(design, "sch.wide", "stype", percent="row")
    cols = crosstab(design, "sch.wide", "stype", percent="column")
    cells = crosstab(design, "sch.wide", "stype", percent="cell")
    for tab, key in ((rows, "sch.wide"), (cols, "stype")):
        frame = tab.to_frame()
        np.testing.assert_allclose(frame.groupby(key).estimate.sum(), 1.0, rtol=1e-12)
    assert cells.to_frame().estimate.sum() == pytest.approx(1.0)
    assert rows.test.statistic == cols.test.statistic == cells.test.statistic
    np.testing.assert_allclose(cells.counts.to_numpy().sum(), design.weights.sum())


def test_small_cells_warn(designs):
    with pytest.warns(SmallCellWarning, match="expected count below 5"):
        test = rao_scott(designs["clus1"], "sch.wide", "stype")
    assert test.warnings and "Cochran" in test.warnings[0]


def test_missing_values_are_left_out(designs):
    data = designs["strat"].data.copy()
    data.loc[:9, "sch.wide"] = None
    design = Design.from_data(data, strata="stype", fpc="fpc")
    test = rao_scott(design, "sch.wide", "stype")
    assert test.n == 190


def test_one_category_is_an_error():
    data = pd.DataFrame({"a": ["x"] * 4, "b": ["p", "q", "p", "q"]})
    with pytest.raises(AnalysisError, match="two or more categories"):
        rao_scott(Design.from_data(data, fpc=10), "a", "b")
