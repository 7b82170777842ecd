"""Shared helpers for the pure QDA tests: oracle file and a brute-force character model."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

REFERENCE = Path(__file__).parent / "reference"


@cache
def oracles() -> dict[str, Any]:
    """The published worked examples (tests/qda/reference/krippendorff_oracles.json)."""
    return json.loads((REFERENCE / "krippendorff_oracles.json").read_text(encoding="utf-8"))


def random_codings(
    rng: np.random.Generator,
    *,
    n_sources: int = 5,
    length: int = 400,
    n_codes: int = 4,
    coders: tuple[str, ...] = ("anna", "ola"),
    n: int = 60,
    max_len: int = 60,
) -> tuple[list[tuple[str, int, int, str, str]], dict[str, int]]:
    """Random codings (overlaps and duplicates included) and the source lengths."""
    lengths = {f"s{i}": length for i in range(n_sources)}
    rows = []
    for _ in range(n):
        src = f"s{rng.integers(n_sources)}"
        start = int(rng.integers(0, length - 1))
        end = int(min(length, start + rng.integers(1, max_len)))
        rows.append(
            (src, start, end, f"c{rng.integers(n_codes)}", coders[rng.integers(len(coders))])
        )
    return rows, lengths


def coverage(
    rows: list[tuple[Any, ...]], lengths: dict[str, int], code: str, coder: str
) -> np.ndarray:
    """Brute force: one boolean per character of every source (sources in lengths order)."""
    parts = []
    for src, n in lengths.items():
        mask = np.zeros(n, dtype=bool)
        for s, a, b, c, who in rows:
            if s == src and c == code and who == coder:
                mask[a:b] = True
        parts.append(mask)
    return np.concatenate(parts)
