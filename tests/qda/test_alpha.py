"""Krippendorff's alpha against published examples and the krippendorff PyPI package."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pandas as pd
import pytest

from tillit.qda import QdaError, krippendorff_alpha, unitizing_alpha

from .conftest import oracles

LEVELS = ("nominal", "ordinal", "interval", "ratio")


@pytest.mark.parametrize(
    ("example", "level"),
    [("A_binary", "nominal"), ("B_nominal", "nominal")] + [("C", level) for level in LEVELS],
)
def test_krippendorff_2011_examples(example: str, level: str) -> None:
    block = oracles()["krippendorff2011"][example]
    result = krippendorff_alpha(block["data"], level)
    # Published to three decimals (Krippendorff 2011).
    assert round(result.alpha, 3) == block[level]


def test_krippendorff_2011_c_drops_the_single_valued_unit() -> None:
    result = krippendorff_alpha(oracles()["krippendorff2011"]["C"]["data"])
    assert result.n_units == 11
    assert result.n_values == 40
    assert result.k_coders == 4


@pytest.mark.parametrize("level", ["nominal", "interval"])
def test_wikipedia_example(level: str) -> None:
    block = oracles()["wikipedia_3x15"]
    assert krippendorff_alpha(block["data"], level).alpha == pytest.approx(block[level], abs=5e-7)


def _random_matrix(
    rng: np.random.Generator, coders: int, units: int, k: int, p_missing: float
) -> np.ndarray:
    data = rng.integers(1, k + 1, size=(coders, units)).astype(float)
    # correlated coders so that alpha is far from 0
    data[1:] = np.where(rng.random((coders - 1, units)) < 0.6, data[0], data[1:])
    data[rng.random(data.shape) < p_missing] = np.nan
    return data


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_matches_krippendorff_package_on_random_data(level: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    data = _random_matrix(rng, coders=3 + seed, units=300, k=6, p_missing=0.3)
    ours = krippendorff_alpha(data, level).alpha
    theirs = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert ours == pytest.approx(theirs, abs=1e-9)


@pytest.mark.parametrize("level", ["interval", "ratio"])
def test_matches_package_with_many_distinct_values(level: str) -> None:
    rng = np.random.default_rng(7)
    # ~150 distinct values: the package's cost grows with the square of that number.
    base = rng.gamma(2.0, 3.0, size=80)
    data = np.round(np.vstack([base + rng.normal(0, 0.5, 80) ** 2 for _ in range(3)]), 1)
    data[rng.random(data.shape) < 0.2] = np.nan
    ours = krippendorff_alpha(data, level).alpha
    theirs = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert ours == pytest.approx(theirs, abs=1e-9)


def test_nominal_labels_and_dataframe_input() -> None:
    block = oracles()["krippendorff2011"]["B_nominal"]
    frame = pd.DataFrame(block["data"], index=["A", "B"])
    assert round(krippendorff_alpha(frame).alpha, 3) == 0.692


def test_ordinal_labels_need_value_order() -> None:
    data = [["low", "mid", "high", "mid"], ["low", "high", "high", "mid"]]
    numeric = [[0, 1, 2, 1], [0, 2, 2, 1]]
    by_order = krippendorff_alpha(data, "ordinal", value_order=["low", "mid", "high"])
    assert by_order.alpha == pytest.approx(krippendorff_alpha(numeric, "ordinal").alpha)
    with pytest.raises(QdaError, match="needs numbers"):
        krippendorff_alpha(data, "ordinal")
    with pytest.raises(QdaError, match="not in value_order"):
        krippendorff_alpha(data, "ordinal", value_order=["low", "mid"])


def test_undefined_and_bad_input() -> None:
    one_value = krippendorff_alpha([[1, 1, 1], [1, 1, 1]])
    assert math.isnan(one_value.alpha)
    assert one_value.warnings
    assert math.isnan(krippendorff_alpha([[1, None], [None, 2]]).alpha)
    with pytest.raises(QdaError, match="level"):
        krippendorff_alpha([[1, 2]], "cardinal")  # type: ignore[arg-type]
    with pytest.raises(QdaError, match="2 \\(coders x units\\)"):
        krippendorff_alpha([1, 2, 3])
    with pytest.raises(QdaError, match=">= 0"):
        krippendorff_alpha([[1, -2], [1, 2]], "ratio")


def test_perfect_agreement_is_one() -> None:
    data = [[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, None, 4]]
    for level in LEVELS:
        assert krippendorff_alpha(data, level).alpha == pytest.approx(1.0)


# --- unitizing alpha ---------------------------------------------------------------------------


def test_unitizing_krippendorff_2004_p254() -> None:
    block = oracles()["unitizing_krippendorff2004_p254"]
    units = [(o, c, b, n) for o, c, b, n in block["units"]]
    result = unitizing_alpha(units, begin=block["begin"], length=block["length"])
    table = result.categories.set_index("category")
    assert table.loc["c", "d_observed"] == pytest.approx(block["d_observed_c"], abs=5e-5)
    assert table.loc["c", "d_expected"] == pytest.approx(block["d_expected_c"], abs=5e-5)
    assert table.loc["k", "d_observed"] == 0.0
    assert table.loc["k", "d_expected"] == pytest.approx(block["d_expected_k"], abs=5e-5)
    assert table.loc["c", "alpha"] == pytest.approx(block["alpha_c"], abs=5e-5)
    assert table.loc["k", "alpha"] == block["alpha_k"]
    # The book's 0.8591 comes from rounded D_o and D_e; the unrounded value is 0.8587.
    assert result.alpha == pytest.approx(block["u_alpha"], abs=5e-4)
    assert 1 - round(result.d_observed, 4) / round(result.d_expected, 4) == pytest.approx(
        block["u_alpha"], abs=5e-5
    )


def test_unitizing_distances() -> None:
    # D_o for two coders is sum of distances * 2 / (m (m-1) L^2): isolate each distance.
    def d_o(units: list[tuple[int, str, int, int]]) -> float:
        r = unitizing_alpha(units, begin=0, length=1000)
        return float(r.categories["d_observed"].iloc[0]) * 2 * 1 * 1000**2 / 2

    distances = oracles()["unitizing_krippendorff2004_p254"]["distances"]
    assert d_o([(0, "c", 225, 70), (1, "c", 220, 80)]) == distances["unit_225_70_vs_unit_220_80"]
    assert d_o([(0, "c", 370, 30), (1, "c", 355, 20)]) == distances["unit_370_30_vs_unit_355_20"]
    # a unit of 20 lying in the other's gap: 20^2
    assert d_o([(0, "c", 100, 10), (1, "c", 400, 20)]) == 20**2 + 10**2


def test_unitizing_on_codings_agrees_with_one_continuum() -> None:
    block = oracles()["unitizing_krippendorff2004_p254"]
    rows = [("doc", b - 150, b - 150 + n, c, f"coder{o}") for o, c, b, n in block["units"]]
    result = unitizing_alpha(rows, lengths={"doc": 300})
    assert result.alpha == pytest.approx(0.85866, abs=1e-5)
    frame = result.to_frame()
    assert frame["category"].tolist() == ["c", "k", "(all)"]


def test_unitizing_gaps_do_not_cross_sources() -> None:
    rows = [("a", 0, 10, "c", "x"), ("a", 0, 10, "c", "y"), ("b", 5, 10, "c", "x")]
    split = unitizing_alpha(rows, lengths={"a": 20, "b": 20})
    assert split.length == 40
    assert split.alpha < 1
    with pytest.raises(QdaError, match="two or more coders"):
        unitizing_alpha(rows, lengths={"a": 20, "b": 20}, coders=["x"])


@pytest.mark.parametrize("level", LEVELS)
def test_whole_number_fast_path_equals_general_path(level: str) -> None:
    # Whole numbers in a modest range are indexed by value; non-integers go through np.unique.
    rng = np.random.default_rng(11)
    values = np.array([0, 3, 4, 9, 250])
    data = values[rng.integers(0, values.size, size=(3, 200))].astype(float)
    data[rng.random(data.shape) < 0.2] = np.nan
    shifted = data + 0.5  # same differences for interval; forces the general path
    fast = krippendorff_alpha(data, level)
    theirs = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert fast.alpha == pytest.approx(theirs, abs=1e-9)
    if level in ("nominal", "ordinal", "interval"):
        assert krippendorff_alpha(shifted, level).alpha == pytest.approx(fast.alpha, abs=1e-12)
    negative = krippendorff_alpha(data - 100, "interval").alpha
    assert negative == pytest.approx(krippendorff_alpha(data, "interval").alpha, abs=1e-12)


def _r_irr_available() -> bool:
    import shutil
    import subprocess

    if shutil.which("Rscript") is None:
        return False
    probe = subprocess.run(
        ["Rscript", "-e", "suppressMessages(library(irr))"], capture_output=True, check=False
    )
    return probe.returncode == 0


@pytest.mark.slow
@pytest.mark.skipif(not _r_irr_available(), reason="Rscript with the irr package not installed")
def test_matches_r_irr() -> None:
    import json
    import subprocess
    from pathlib import Path

    script = Path(__file__).parent / "reference" / "kripp_irr.R"
    # R: irr::kripp.alpha(matrix, method) on examples C and Wikipedia
    done = subprocess.run(["Rscript", str(script)], capture_output=True, text=True, check=True)
    r = json.loads(done.stdout)
    c_data = oracles()["krippendorff2011"]["C"]["data"]
    w_data = oracles()["wikipedia_3x15"]["data"]
    for level in LEVELS:
        assert krippendorff_alpha(c_data, level).alpha == pytest.approx(r[f"C_{level}"], abs=1e-9)
        assert krippendorff_alpha(w_data, level).alpha == pytest.approx(r[f"W_{level}"], abs=1e-9)


def test_unitizing_keeps_adjacent_units_apart() -> None:
    one = [(0, "c", 0, 10), (1, "c", 0, 10)]
    split = [(0, "c", 0, 5), (0, "c", 5, 5), (1, "c", 0, 10)]
    assert unitizing_alpha(one, length=100).alpha == 1.0
    assert unitizing_alpha(split, length=100).alpha < 1.0
    overlapping = [(0, "c", 0, 6), (0, "c", 4, 6), (1, "c", 0, 10)]  # merged into 0-10
    assert unitizing_alpha(overlapping, length=100).alpha == 1.0
