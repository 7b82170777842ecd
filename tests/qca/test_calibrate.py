"""Calibration against R's calibrate() on the raw Lipset data (lipset_expected.json)."""

from __future__ import annotations

import numpy as np
import pytest

from tillit.qca import RAGIN_IDM, QCAError, calibrate

from .conftest import expected, lipset

COLUMNS = ["DEV", "URB", "LIT", "IND", "STB", "SURV"]


@pytest.mark.parametrize(("key", "idm"), [("cal_idm_0.95", 0.95), ("cal_idm_ragin", RAGIN_IDM)])
def test_fuzzy_direct_matches_r(key, idm):
    cal = expected("calibration")
    raw = lipset("LR")
    want = {r["case"]: r for r in cal[key]}
    for col in COLUMNS:
        got = calibrate(raw[col], "fuzzy", cal["thresholds"][col], idm=idm)
        assert got == pytest.approx([want[c][col] for c in raw.index], abs=1e-12), col


def test_ragin_idm_reproduces_lf_rounded():
    cal = expected("calibration")
    raw, lf = lipset("LR"), lipset("LF")
    for col in COLUMNS:
        got = np.round(calibrate(raw[col], "fuzzy", cal["thresholds"][col], idm=RAGIN_IDM), 2)
        assert got.tolist() == pytest.approx(lf[col].tolist(), abs=1e-9), col


def test_crisp_and_multivalue_match_r():
    cal = expected("calibration")
    raw = lipset("LR")
    assert calibrate(raw["DEV"], "crisp", [550]).tolist() == cal["crisp_DEV_550"]
    assert calibrate(raw["DEV"], "crisp", [850, 550]).tolist() == cal["crisp_DEV_550_850"]
    assert calibrate(raw["DEV"], "crisp", [550, 850]).tolist() == lipset("LM")["DEV"].tolist()


def test_threshold_forms_and_decreasing_sets():
    x = [5, 9.5, 15]
    by_name = calibrate(x, thresholds="i=5, c=9.5, e=15")
    assert by_name == pytest.approx(calibrate(x, thresholds={"e": 15, "c": 9.5, "i": 5}))
    assert by_name == pytest.approx(calibrate(x, thresholds=[15, 9.5, 5]))
    assert by_name[0] > by_name[1] > by_name[2]
    assert by_name[1] == pytest.approx(0.5)


def test_linear_and_bell_shaped():
    lin = calibrate([0, 5, 10, 15, 20], thresholds=[5, 10, 15], logistic=False)
    assert lin.tolist() == [0.0, 0.0, 0.5, 1.0, 1.0]
    bell = calibrate([0, 2, 5, 8, 10], thresholds="e1=0, c1=2, i1=4, i2=6, c2=8, e2=10")
    assert bell.tolist() == [0.0, 0.5, 1.0, 0.5, 0.0]


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"thresholds": "e=400, c=300, i=900"}, "out of order"),
        ({"thresholds": "e=400, c=400, i=900"}, "out of order"),
        ({"thresholds": [1, 2]}, "3 anchors"),
        ({"thresholds": "e=1, c=2, x=3"}, "Named thresholds"),
        ({"thresholds": "e=1, c=abc, i=3"}, "not a number"),
        ({"thresholds": "e=400, c=550, i=900", "idm": 0.4}, "idm"),
        ({"thresholds": ()}, "No thresholds"),
        ({"type": "crisp", "thresholds": [5000]}, "outside the range"),
        ({"type": "other", "thresholds": [1, 2, 3]}, "type="),
    ],
)
def test_bad_calibration_input(kwargs, fragment):
    with pytest.raises(QCAError) as err:
        calibrate([100, 500, 1000], **kwargs)
    assert fragment in err.value.message
    assert err.value.as_json()["code"] == "invalid_input"


def test_missing_values_are_refused():
    with pytest.raises(QCAError, match="missing"):
        calibrate([1.0, float("nan")], thresholds=[0, 1, 2])
