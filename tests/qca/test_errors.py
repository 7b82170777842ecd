"""Bad input gets a QCAError that names the argument and says what to do next."""

from __future__ import annotations

import pandas as pd
import pytest

from tillit.qca import QCAError, minimize, necessity, truth_table

from .conftest import lipset


def _err(fn, *args, **kwargs) -> QCAError:
    with pytest.raises(QCAError) as info:
        fn(*args, **kwargs)
    return info.value


def test_condition_without_variation(lc):
    data = lc.assign(CONST=1)
    err = _err(truth_table, data, "SURV")
    assert "'CONST' has no variation" in err.message
    assert err.hint and err.errors[0]["argument"] == "CONST"


def test_unknown_columns_list_what_exists(lc):
    err = _err(truth_table, lc, "SURVIVAL")
    assert "not a column" in err.message and "DEV" in err.hint
    err = _err(truth_table, lc, "SURV", ["DEV", "GDP"])
    assert "'GDP'" in err.message


def test_missing_and_non_numeric_values(lc):
    data = lc.astype(object)
    data.loc["AU", "DEV"] = "high"
    assert "non-numeric" in _err(truth_table, data, "SURV").message
    data = lc.astype(float)
    data.loc["BE", "URB"] = float("nan")
    assert "rows BE" in _err(truth_table, data, "SURV").message


def test_values_neither_crisp_nor_fuzzy(lc):
    data = lc.astype(float)
    data.loc["AU", "DEV"] = 1.5
    assert "neither crisp" in _err(truth_table, data, "SURV").message
    data = lc.astype(float)
    data.loc["AU", "DEV"] = -1
    assert "negative" in _err(truth_table, data, "SURV").message


def test_multivalue_outcome_needs_values():
    data = lipset("LM").assign(SURV=lipset("LM")["DEV"], DEV=lipset("LC")["SURV"])
    err = _err(truth_table, data, "SURV")
    assert "multi-value" in err.message and "SURV[1]" in err.hint


def test_bad_cuts(lc):
    assert "incl_cut" in _err(truth_table, lc, "SURV", incl_cut=1.2).message
    assert "contradiction cut" in _err(truth_table, lc, "SURV", incl_cut=(0.6, 0.8)).message
    assert "n_cut" in _err(truth_table, lc, "SURV", n_cut=0).message
    assert "No configuration" in _err(truth_table, lc, "SURV", n_cut=10).message


def test_nothing_to_explain_and_dir_exp_without_remainders(lf):
    tt = truth_table(lf, "SURV", incl_cut=0.95)
    assert "nothing to explain" in _err(minimize, tt).message
    tt = truth_table(lf, "SURV", incl_cut=0.8)
    assert "include='?'" in _err(minimize, tt, dir_exp=["DEV"]).message
    assert "not a condition" in _err(minimize, tt, include="?", dir_exp=["GDP"]).message
    assert "5 conditions" in _err(minimize, tt, include="?", dir_exp="1,1").message


def test_all_positive_leaves_nothing_to_minimise():
    data = pd.DataFrame({"A": [0, 1, 0, 1], "B": [0, 0, 1, 1], "Y": [1, 1, 1, 1]})
    assert "minimised away" in _err(minimize, truth_table(data, "Y"), include="?").message


def test_outcome_never_present(lc):
    assert "No case is a member" in _err(necessity, lc.assign(SURV=0), "SURV").message
