"""Scales against R psych 2.2.9 and lavaan 0.6 (reference/scales.R and its .json).

Alpha is closed form (1e-8 relative; we agree to ~1e-15). Omega comes from iterative factor
fits: R stops its optimisers early (psych's L-BFGS-B, lavaan's nlminb), we solve to machine
precision, so omega agrees to about 1e-7 (tolerance 1e-6) and loadings to about 1e-6 (1e-5).
"""

from __future__ import annotations

import pytest

from tillit.analysis import cronbach_alpha, datasets, omega

from .conftest import RTOL_EXACT, RTOL_ITERATIVE, assert_close, golden

C = ["C1", "C2", "C3", "C4", "C5"]
A = ["A1", "A2", "A3", "A4", "A5"]


@pytest.fixture(scope="module")
def bfi():
    return datasets.load("bfi")


@pytest.mark.parametrize(
    ("key", "items", "reverse", "missing"),
    [
        # R: psych::alpha(na.omit(bfi[, C1:C5]), keys = c("C4", "C5"))
        ("alpha_C_listwise", C, ["C4", "C5"], "listwise"),
        # R: psych::alpha(bfi[, A1:A5], keys = "A1")   (use = "pairwise")
        ("alpha_A_pairwise", A, ["A1"], "pairwise"),
    ],
)
def test_psych_alpha(bfi, key, items, reverse, missing):
    case = golden("scales")[key]
    a = cronbach_alpha(bfi, items, reverse=reverse, missing=missing)
    assert_close(a.estimate, case["raw_alpha"], what="raw_alpha")
    assert_close(a.standardized, case["std_alpha"], what="std.alpha")
    assert_close(a.average_r, case["average_r"], what="average_r")
    assert_close(a.se, case["ase"], what="ase (Duhachek)")
    assert_close([a.ci_low, a.ci_high], [case["feldt_low"], case["feldt_high"]], what="Feldt")
    assert_close(a.items["r_drop"], case["r_drop"], what="r.drop")
    assert_close(a.items["alpha_if_deleted"], case["alpha_drop"], what="alpha.drop raw")
    assert_close(a.items["std_alpha_if_deleted"], case["std_alpha_drop"], what="alpha.drop std")
    assert_close(a.items["mean"], case["item_mean"], what="item means")
    assert_close(a.items["sd"], case["item_sd"], what="item sd")
    assert_close(a.items["n"], case["n"], what="item n")
    assert_close([a.scale_mean, a.scale_sd], [case["mean"], case["sd"]], what="scale mean, sd")


def test_reverse_by_hand_equals_keys(bfi):
    # R: psych::alpha(cc with C4, C5 replaced by 7 - x) equals keys = c("C4", "C5")
    case = golden("scales")["alpha_C_reversed_by_hand"]
    data = bfi.copy()
    data["C4"], data["C5"] = 7 - data["C4"], 7 - data["C5"]
    a = cronbach_alpha(data, C)
    assert_close(a.estimate, case["raw_alpha"], RTOL_EXACT)
    assert_close(a.items["mean"], case["item_mean"], RTOL_EXACT)


@pytest.mark.parametrize(
    ("key", "items", "reverse"),
    [
        ("C", C, ["C4", "C5"]),  # R: psych::omega(cc_rev, nfactors = 1)$omega.tot
        ("A", A, ["A1"]),  # R: psych::omega(na.omit(A1:A5) with A1 reversed, nfactors = 1)
    ],
)
def test_psych_omega_total(bfi, key, items, reverse):
    case = golden("scales")[f"omega_psych_{key}"]
    o = omega(bfi, items, reverse=reverse)
    assert_close(o.estimate, case["omega_total"], RTOL_ITERATIVE, what="omega.tot")
    assert_close(o.loadings, case["loadings"], 1e-5, what="loadings")
    assert_close(o.uniquenesses, case["uniquenesses"], 1e-5, what="u2")
    assert_close(cronbach_alpha(bfi, items, reverse=reverse).standardized, case["alpha"])


@pytest.mark.parametrize(
    ("key", "items", "reverse"),
    [
        ("C", C, ["C4", "C5"]),  # R: lavaan::cfa("f =~ C1 + ... + C5", cc_rev, std.lv = TRUE)
        ("A", A, ["A1"]),  # R: lavaan::cfa("f =~ A1 + ... + A5", ac, std.lv = TRUE)
    ],
)
def test_ml_omega(bfi, key, items, reverse):
    case = golden("scales")[f"omega_ml_{key}"]
    o = omega(bfi, items, reverse=reverse, method="ml")
    assert_close(o.estimate, case["omega"], RTOL_ITERATIVE, what="omega (ML)")
    assert_close(o.loadings, case["loadings"], 1e-5, what="lambda")
    assert_close(o.uniquenesses, case["residuals"], 1e-5, what="theta")
