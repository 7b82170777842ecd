"""Registry lookups against the obvious pandas way, in the same process.

* ``registry.get_by_code``: :func:`tillit.registry.get` on a mix of NO and DK codes, written
  with and without leading zeros. Peer: a boolean-mask filter on the CSVs read with pandas
  (``df[df.code == code]``, the code zero-padded per country first).
* ``registry.search_fuzzy``: :func:`tillit.registry.search` (limit 5) on exact names, prefixes,
  accent-free spellings and typos. Peer: ``Series.str.contains`` on the lower-cased names, then
  :func:`difflib.get_close_matches` over the Series when fewer than 5 hits.
* ``registry.crosswalk``: :func:`tillit.registry.crosswalk` on random (code, year) pairs from
  the NO crosswalk (2002–2023). Peer: the crosswalk merged with the municipality table, filtered
  with ``(old_code == code) & (from_year <= year) & (to_year > year)``.
* ``registry.load``: building the registry from the bundled files (cold) against reading the
  same three CSVs with ``pandas.read_csv(dtype=str)``; seconds, lower is better.

Rates are operations per second: the best of several repeats of ``n`` operations.
"""

from __future__ import annotations

import difflib
import io
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from tillit import registry
from tillit.registry import load

QUERIES = [
    "Oslo",
    "bergen",
    "tromso",
    "Trondheim",
    "aarhus",
    "Århus",
    "kobenhavn",
    "Herøy",
    "sande",
    "kristiansan",
    "trondhjem",
    "guovdageaidnu",
    "Nord",
    "fjord",
    "Lillehamer",
    "Fredriksberg",
    "odense",
    "Aalborg",
    "hoje taastrup",
    "Bodø",
]


def _rate(fn: Callable[[Any], Any], items: Sequence[Any], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for item in items:
            fn(item)
        best = min(best, time.perf_counter() - start)
    return len(items) / best


def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(load.read_text(name)), dtype=str, keep_default_na=False)


def _codes(rng: random.Random, n: int) -> list[str]:
    pool = [m.code for m in registry.municipalities()]
    pool += [m.code.lstrip("0") for m in registry.municipalities("no")][:40]
    pool += [m.code4 for m in registry.municipalities("dk")][:20]
    return [rng.choice(pool) for _ in range(n)]


def bench_code(rng: random.Random, n: int, repeats: int) -> dict[str, Any]:
    codes = _codes(rng, n)
    no, dk = _csv("municipalities_no.csv"), _csv("municipalities_dk.csv")

    def peer(code: str) -> pd.DataFrame:
        hit = no[no.code == code.zfill(4)]
        if hit.empty:
            hit = dk[dk.code == (code.lstrip("0") or "0")]
        return hit

    for code in codes[:50]:  # same answers
        assert peer(code).iloc[0]["name"] == registry.get(code).name
    return {
        "name": "registry.get_by_code",
        "unit": "lookups/s",
        "value": _rate(registry.get, codes, repeats),
        "peer": "pandas boolean mask",
        "peer_value": _rate(peer, codes, repeats),
        "n": n,
    }


def bench_search(rng: random.Random, n: int, repeats: int) -> dict[str, Any]:
    queries = [rng.choice(QUERIES) for _ in range(n)]
    frame = registry.to_frame()
    names = frame["name"].str.lower()
    name_list = names.tolist()

    def peer(query: str) -> list[str]:
        q = query.lower()
        hits = frame.loc[names.str.contains(q, regex=False), "name"].head(5).tolist()
        if len(hits) < 5:
            hits += difflib.get_close_matches(q, name_list, n=5 - len(hits), cutoff=0.7)
        return hits

    return {
        "name": "registry.search_fuzzy",
        "unit": "queries/s",
        "value": _rate(lambda q: registry.search(q, limit=5), queries, repeats),
        "peer": "pandas str.contains + difflib",
        "peer_value": _rate(peer, queries, repeats),
        "n": n,
    }


def bench_crosswalk(rng: random.Random, n: int, repeats: int) -> dict[str, Any]:
    rows = load.crosswalk_no()
    pairs = [(r.old_code, r.version_valid_from.year) for r in (rng.choice(rows) for _ in range(n))]
    cw = _csv("crosswalk_no_to_2024.csv")
    cw["from_year"] = cw["version_valid_from"].str[:4].astype(int)
    cw["to_year"] = cw["version_valid_to"].str[:4].astype(int)
    merged = cw.merge(
        _csv("municipalities_no.csv")[["code", "name", "county_name"]],
        left_on="code_2024",
        right_on="code",
        how="left",
    )

    def peer(pair: tuple[str, int]) -> pd.DataFrame:
        code, year = pair
        return merged[
            (merged.old_code == code) & (merged.from_year <= year) & (merged.to_year > year)
        ]

    for pair in pairs[:50]:
        ours = registry.crosswalk(pair[0], pair[1], country="no").successor_codes
        assert set(peer(pair)["code_2024"]) == set(ours)
    return {
        "name": "registry.crosswalk",
        "unit": "crosswalks/s",
        "value": _rate(lambda p: registry.crosswalk(p[0], p[1], country="no"), pairs, repeats),
        "peer": "pandas merged-table filter",
        "peer_value": _rate(peer, pairs, repeats),
        "n": n,
    }


def bench_load(repeats: int) -> dict[str, Any]:
    caches = [
        load.municipalities_no,
        load.municipalities_dk,
        load.code_changes_no,
        load.code_changes_dk,
        load.crosswalk_no,
        registry.default_registry,
    ]

    def ours() -> None:
        for cached in caches:
            cached.cache_clear()
        registry.default_registry().crosswalker.logs["NO"].codes_in(2000)

    def peer() -> None:
        for name in ("municipalities_no.csv", "municipalities_dk.csv", "crosswalk_no_to_2024.csv"):
            _csv(name)

    def best(fn: Callable[[], None]) -> float:
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return min(times)

    return {
        "name": "registry.load",
        "unit": "s",
        "value": best(ours),
        "peer": "pandas.read_csv x3",
        "peer_value": best(peer),
        "n": 1,
    }


def run(quick: bool) -> list[dict[str, Any]]:
    """The registry benchmarks (``quick``: fewer operations and repeats)."""
    rng = random.Random(20240101)
    n, repeats = (300, 2) if quick else (3000, 5)
    return [
        bench_code(rng, n, repeats),
        bench_search(rng, n // 3, repeats),
        bench_crosswalk(rng, n, repeats),
        bench_load(repeats),
    ]
