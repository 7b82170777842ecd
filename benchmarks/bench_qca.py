"""QCA: exact minimisation with 12 conditions and 300 cases, tillit beside setqca.

Data: 300 cases with 12 random binary conditions (numpy seed 20261127) and an outcome given by
a four-term rule (``C1*C2*C8 + C3*~C4 + C5*C6*~C7 + C9*C10*C11*C12``); truth table with
``incl_cut = 0.8``. Both tools minimise the same truth table:

* ``qca.conservative``: positive rows only (R ``minimize(tt)``);
* ``qca.parsimonious``: remainders as don't cares (R ``minimize(tt, include = "?")``).

tillit's figure includes building the prime implicant chart, every tied model and the fit
(inclS, PRI, covS, covU) of every term and model; setqca's (``setqca.minimize`` on the same
minterms, the peer's core) is the Boolean minimisation alone. Both must return the same
solutions (checked). tillit's time is the best of several runs after one warm-up run (which
loads scipy's HiGHS solver once); setqca runs once in a child process with a time limit (60 s
quick, 300 s full): if it does not finish, the limit is reported as a lower bound.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

K_CONDITIONS = 12
N_CASES = 300
SEED = 20261127


def dataset() -> pd.DataFrame:
    """The benchmark cases (conditions C1..C12 and outcome Y)."""
    rng = np.random.default_rng(SEED)
    x = rng.integers(0, 2, size=(N_CASES, K_CONDITIONS))
    y = (
        (x[:, 0] & x[:, 1] & x[:, 7])
        | (x[:, 2] & (1 - x[:, 3]))
        | (x[:, 4] & x[:, 5] & (1 - x[:, 6]))
        | (x[:, 8] & x[:, 9] & x[:, 10] & x[:, 11])
    )
    frame = pd.DataFrame(x, columns=[f"C{i + 1}" for i in range(K_CONDITIONS)])
    frame["Y"] = y
    return frame


def _best(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Best time of ``repeats`` runs after a warm-up run, and the last result."""
    result = fn()  # warm-up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


PEER_CODE = """
import json, sys, time
from benchmarks.bench_qca import peer_inputs
from setqca import minimize
on, dont_cares, names = peer_inputs(sys.argv[1])
start = time.perf_counter()
solutions = minimize(on, dont_cares=dont_cares, width=len(names))
took = time.perf_counter() - start
terms = [sorted(t.strip() for t in s.as_expression(names).split("+")) for s in solutions]
print(json.dumps({"seconds": took, "models": terms}))
"""


def peer_inputs(kind: str) -> tuple[set[int], set[int], tuple[str, ...]]:
    """setqca's input for the benchmark truth table: minterms, don't cares, names."""
    from tillit.qca import truth_table

    frame = dataset()
    tt = truth_table(frame, "Y", incl_cut=0.8)
    on = {r.number - 1 for r in tt.rows if r.out == "1"}
    off = {r.number - 1 for r in tt.rows if r.out != "1"}
    dont_cares = set(range(2**K_CONDITIONS)) - on - off if kind == "parsimonious" else set()
    return on, dont_cares, tuple(frame.columns[:-1])


def _peer(kind: str, timeout: float) -> dict[str, Any] | None:
    """Run setqca in a child process (so a slow run can be stopped); None if not installed."""
    import importlib.util
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    if importlib.util.find_spec("setqca") is None:  # pragma: no cover - bench extra missing
        return None
    root = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    try:
        done = subprocess.run(
            [sys.executable, "-c", PEER_CODE, kind],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd=root,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return {"seconds": timeout, "timed_out": True, "models": None}
    return {**json.loads(done.stdout), "timed_out": False}


def run(quick: bool) -> list[dict[str, Any]]:
    """Seconds for the conservative and parsimonious solutions, tillit and setqca."""
    from tillit.qca import minimize, truth_table

    repeats = 1 if quick else 3
    timeout = 60.0 if quick else 300.0
    frame = dataset()
    out = []
    for kind, include in (("conservative", ""), ("parsimonious", "?")):
        ours, result = _best(
            lambda include=include: minimize(
                truth_table(frame, "Y", incl_cut=0.8), include=include
            ),
            repeats,
        )
        entry: dict[str, Any] = {
            "name": f"qca.{kind}",
            "unit": "s",
            "value": ours,
            "peer": "setqca.minimize",
            "peer_value": None,
            "n": N_CASES,
            "conditions": K_CONDITIONS,
            "models": len(result.models),
            "solution": result.formulas[0],
        }
        peer = _peer(kind, timeout)
        if peer is not None:
            entry["peer_value"] = peer["seconds"]
            if peer["timed_out"]:
                entry["peer_note"] = f"setqca did not finish within {timeout:g} s (lower bound)"
            else:
                theirs = {frozenset(m) for m in peer["models"]}
                if theirs != {frozenset(m.terms) for m in result.models}:
                    raise AssertionError(f"{kind}: setqca and tillit disagree")
        out.append(entry)
    return out
