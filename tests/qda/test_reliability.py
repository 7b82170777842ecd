"""Percent agreement, Cohen's kappa and alpha on characters; MAXQDA-style segment overlap."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tillit.qda import (
    QdaError,
    agreement,
    code_alpha,
    cohen_kappa,
    krippendorff_alpha,
    segment_overlap,
)

from .conftest import coverage, oracles, random_codings


def _nvivo_rows(only_a: int, only_b: int) -> list[tuple[str, int, int, str, str]]:
    # 50 both (0-50), then A-only and B-only stretches, in a 1000-character source
    rows = [("doc", 0, 50 + only_a, "c", "A"), ("doc", 0, 50, "c", "B")]
    if only_b:
        rows.append(("doc", 500, 500 + only_b, "c", "B"))
    return rows


def test_nvivo_documented_example() -> None:
    block = oracles()["nvivo_coding_comparison"]
    r = agreement(_nvivo_rows(150, 0), {"doc": block["total"]})
    row = r.table.iloc[0]
    assert (row["both"], row["only_a"], row["only_b"], row["neither"]) == (50, 150, 0, 800)
    assert r.overall_agreement == pytest.approx(block["percent_agreement"])
    assert round(r.overall_kappa, 4) == block["kappa_if_all_150_by_A"]
    split = agreement(_nvivo_rows(75, 75), {"doc": block["total"]})
    assert round(split.overall_kappa, 4) == block["kappa_if_75_75"]


def test_kappa_is_not_qualcoders_formula() -> None:
    # QualCoder: units = coded characters only, chance = P(yes) * P(no): 0.25 on NVivo's example.
    block = oracles()["nvivo_coding_comparison"]
    ours = cohen_kappa(50, 150, 0, 800)
    assert round(ours, 4) == block["kappa_if_all_150_by_A"]
    assert abs(ours - block["qualcoder_kappa_wrong"]) > 0.09


@pytest.mark.parametrize("seed", range(4))
def test_agreement_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows, lengths = random_codings(rng)
    r = agreement(rows, lengths, coders=("anna", "ola"))
    table = r.table.set_index("code_id")
    sums = np.zeros(4)
    for code in table.index:
        a = coverage(rows, lengths, code, "anna")
        b = coverage(rows, lengths, code, "ola")
        cells = [int((a & b).sum()), int((a & ~b).sum()), int((~a & b).sum()), int((~a & ~b).sum())]
        sums += cells
        assert table.loc[code, ["both", "only_a", "only_b", "neither"]].tolist() == cells
        p_o = (cells[0] + cells[3]) / len(a)
        pa, pb = a.mean(), b.mean()
        p_e = pa * pb + (1 - pa) * (1 - pb)
        assert table.loc[code, "kappa"] == pytest.approx((p_o - p_e) / (1 - p_e))
    assert r.overall_kappa == pytest.approx(cohen_kappa(*sums))
    assert r.to_frame()["code_id"].iloc[-1] == "(all)"


def test_exclude_uncoded_text() -> None:
    rows = [("a", 0, 10, "x", "A"), ("a", 0, 10, "x", "B"), ("a", 20, 30, "y", "A")]
    full = agreement(rows, {"a": 1000})
    coded = agreement(rows, {"a": 1000}, uncoded="exclude")
    assert full.table["n_units"].tolist() == [1000, 1000]
    # only the 20 characters somebody coded (with any compared code) are units
    assert coded.table["n_units"].tolist() == [20, 20]
    x = coded.table.set_index("code_id").loc["x"]
    assert (x["both"], x["neither"], x["agreement"]) == (10, 10, 1.0)
    assert full.overall_agreement > coded.overall_agreement


def test_by_source_and_overlapping_codings_of_one_coder() -> None:
    rows = [
        ("a", 0, 10, "x", "A"),
        ("a", 5, 15, "x", "A"),  # overlaps A's first coding: counts once
        ("a", 0, 15, "x", "B"),
        ("b", 0, 5, "x", "B"),
    ]
    r = agreement(rows, {"a": 20, "b": 10}, by_source=True)
    t = r.table.set_index("source_id")
    assert t.loc["a", ["both", "only_a", "only_b", "neither"]].tolist() == [15, 0, 0, 5]
    assert t.loc["b", ["both", "only_a", "only_b", "neither"]].tolist() == [0, 0, 5, 5]
    assert t.loc["a", "kappa"] == pytest.approx(1.0)


def test_undefined_kappa_and_errors() -> None:
    rows = [("a", 0, 10, "x", "A"), ("a", 0, 10, "x", "B"), ("a", 0, 3, "y", "C")]
    with pytest.raises(QdaError, match="exactly 2 coders"):
        agreement(rows, {"a": 10})
    r = agreement(rows, {"a": 10}, coders=("A", "B"), codes=["x", "y"])
    assert math.isnan(r.table.set_index("code_id").loc["y", "kappa"])
    assert r.warnings
    with pytest.raises(QdaError, match="not in lengths"):
        agreement(rows, {"b": 10}, coders=("A", "B"))
    with pytest.raises(QdaError, match="past the end"):
        agreement(rows, {"a": 5}, coders=("A", "B"))
    with pytest.raises(QdaError, match="uncoded"):
        agreement(rows, {"a": 10}, coders=("A", "B"), uncoded="drop")  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", range(3))
def test_code_alpha_equals_alpha_on_the_character_matrix(seed: int) -> None:
    rng = np.random.default_rng(seed)
    coders = ("anna", "ola", "kari")
    rows, lengths = random_codings(rng, coders=coders, n=90, n_sources=3, length=200)
    r = code_alpha(rows, lengths, coders=coders)
    table = r.table.set_index("code_id")
    pooled = []
    for code in table.index:
        matrix = np.vstack([coverage(rows, lengths, code, who) for who in coders]).astype(int)
        pooled.append(matrix)
        expected = krippendorff_alpha(matrix).alpha
        assert table.loc[code, "alpha"] == pytest.approx(expected, abs=1e-12)
    assert r.overall_alpha == pytest.approx(krippendorff_alpha(np.hstack(pooled)).alpha)


def test_code_alpha_excluding_uncoded() -> None:
    rows = [("a", 0, 10, "x", "A"), ("a", 2, 10, "x", "B")]
    r = code_alpha(rows, {"a": 100}, uncoded="exclude")
    matrix = np.array([[1] * 10, [0, 0] + [1] * 8])
    assert r.table["alpha"].iloc[0] == pytest.approx(krippendorff_alpha(matrix).alpha)


def test_segment_overlap_table() -> None:
    rows = pd.DataFrame(
        [
            ("s", 0, 100, "c", "A"),
            ("s", 2, 100, "c", "B"),  # 98 % overlap: a match at 0.9
            ("s", 200, 300, "c", "A"),
            ("s", 250, 300, "c", "B"),  # 50 %: no match
            ("s", 400, 450, "d", "A"),  # B has nothing
            ("s", 400, 450, "e", "B"),  # same place, other code: no match
        ],
        columns=["source_id", "start", "end", "code_id", "coder"],
    )
    r = segment_overlap(rows, threshold=0.9)
    t = r.table.set_index(["coder", "start", "code_id"])
    assert bool(t.loc[("A", 0, "c"), "matched"])
    assert t.loc[("A", 0, "c"), "overlap"] == pytest.approx(0.98)
    assert t.loc[("A", 0, "c"), "other_start"] == 2
    assert not t.loc[("A", 200, "c"), "matched"]
    assert t.loc[("A", 200, "c"), "overlap"] == pytest.approx(0.5)
    assert t.loc[("B", 400, "e"), "overlap"] == 0
    assert len(r.disagreements) == 4
    assert r.percent_agreement == pytest.approx(2 / 6)
    # Brennan & Prediger: chance = 1 / 3 codes
    assert r.kappa_bp == pytest.approx((2 / 6 - 1 / 3) / (1 - 1 / 3))
    lenient = segment_overlap(rows, threshold=0.5)
    assert lenient.percent_agreement == pytest.approx(4 / 6)
    per_code = lenient.per_code.set_index("code_id")
    assert per_code.loc["c", "agree"] == 4
    with pytest.raises(QdaError, match="threshold"):
        segment_overlap(rows, threshold=0)


def test_empty_codings_and_integer_ids() -> None:
    empty = pd.DataFrame(columns=["source_id", "start", "end", "code_id", "coder"])
    assert agreement(empty, {"a": 10}, coders=("x", "y")).table.empty
    assert code_alpha(empty, {"a": 10}, coders=("x", "y")).table.empty
    assert segment_overlap(empty, coders=("x", "y")).table.empty
    rows = [(1, 0, 5, 7, "x"), (1, 2, 5, 7, "y"), (2, 0, 4, 8, "x")]
    r = agreement(rows, {1: 10, 2: 10})
    assert r.table.set_index("code_id").loc[7, ["both", "only_a", "neither"]].tolist() == [3, 2, 15]
    assert segment_overlap(rows, threshold=0.5).table["matched"].tolist() == [True, False, True]


def test_mean_and_weighted_kappa() -> None:
    rows = [
        ("a", 0, 10, "x", "A"),
        ("a", 0, 10, "x", "B"),  # source a: kappa 1 over 20 characters
        ("b", 0, 20, "x", "A"),
        ("b", 10, 30, "x", "B"),  # source b: partial agreement over 80 characters
    ]
    r = agreement(rows, {"a": 20, "b": 80}, by_source=True)
    k = r.table.set_index("source_id")["kappa"]
    assert r.mean_kappa == pytest.approx((k["a"] + k["b"]) / 2)
    assert r.weighted_kappa == pytest.approx((20 * k["a"] + 80 * k["b"]) / 100)
