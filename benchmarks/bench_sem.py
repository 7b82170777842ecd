"""CFA and SEM fits on 10,000 cases x 20 items (issue "cases"): ``tillit.sem`` beside lavaan and
semopy in the same run.

The workload: four correlated factors with five items each (loadings 0.5-0.9, one seed), and
two models on the same data:

* ``sem.cfa_4x5``: the four-factor CFA (46 free parameters, 164 df);
* ``sem.sem_4x5``: the same measurement model with the structural paths
  ``f3 ~ f1 + f2`` and ``f4 ~ f3`` (44 free parameters, 166 df).

Each time is the best of 3 (1 with ``--quick``) and covers the whole fit from the DataFrame
(complete cases, covariance, optimisation, standard errors, fit measures, standardised
solution). Peers, when installed: R lavaan 0.6 through ``Rscript`` (``sem()`` timed inside R with
``system.time``, so R's start-up and CSV reading are not counted) and semopy (``Model.fit`` plus
``inspect`` and ``calc_stats``). Each entry records the chi-square of both, so a speed-up never
hides a different answer.

Entries are seconds (lower is better; the harness's ratio is peer / tillit).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SEED = 20261127
N_CASES = 10_000
K_FACTORS = 4
K_ITEMS = 5

MEASUREMENT = "\n".join(
    f"f{f + 1} =~ " + " + ".join(f"y{f * K_ITEMS + i + 1}" for i in range(K_ITEMS))
    for f in range(K_FACTORS)
)
MODELS = {
    "cfa_4x5": MEASUREMENT,
    "sem_4x5": MEASUREMENT + "\nf3 ~ f1 + f2\nf4 ~ f3",
}


def data(n: int = N_CASES, seed: int = SEED) -> pd.DataFrame:
    """Four correlated factors, five items each, normal errors."""
    rng = np.random.default_rng(seed)
    phi = np.full((K_FACTORS, K_FACTORS), 0.4) + 0.6 * np.eye(K_FACTORS)
    factors = rng.multivariate_normal(np.zeros(K_FACTORS), phi, size=n)
    columns = {}
    for f in range(K_FACTORS):
        for i in range(K_ITEMS):
            loading = 0.5 + 0.1 * i
            noise = rng.normal(0.0, np.sqrt(1 - loading**2), n)
            columns[f"y{f * K_ITEMS + i + 1}"] = 3.0 + loading * factors[:, f] + noise
    return pd.DataFrame(columns)


def _best(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _tillit(frame: pd.DataFrame, repeats: int) -> dict[str, tuple[float, float]]:
    from tillit.sem import sem

    out = {}
    for name, model in MODELS.items():
        seconds, fit = _best(lambda model=model: sem(model, frame), repeats)
        out[name] = (seconds, fit.fit.chisq)
    return out


def _semopy(frame: pd.DataFrame, repeats: int) -> dict[str, tuple[float, float]] | None:
    try:
        import semopy
    except ImportError:
        return None

    def fit(model: str) -> float:
        m = semopy.Model(model)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m.fit(frame)
            m.inspect()
            stats = semopy.calc_stats(m)
        return float(stats["chi2"].iloc[0])

    return {name: _best(lambda model=model: fit(model), repeats) for name, model in MODELS.items()}


R_SCRIPT = """
suppressMessages(library(lavaan))
d <- read.csv(commandArgs(TRUE)[1])
out <- c()
for (name in c({names})) {{
  model <- readLines(paste0(commandArgs(TRUE)[2], "/", name, ".lav"))
  best <- Inf
  for (r in seq_len({repeats})) {{
    t <- system.time({{ fit <- sem(model, data = d); fm <- fitMeasures(fit, "chisq");
                        pe <- parameterEstimates(fit, standardized = TRUE) }})[["elapsed"]]
    best <- min(best, t)
  }}
  out <- c(out, sprintf('"%s": [%.6f, %.10f]', name, best, fm[["chisq"]]))
}}
cat("{{", paste(out, collapse = ", "), "}}\\n")
"""


def _lavaan(frame: pd.DataFrame, repeats: int) -> dict[str, tuple[float, float]] | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp)
        frame.to_csv(path / "data.csv", index=False)
        for name, model in MODELS.items():
            (path / f"{name}.lav").write_text(model + "\n", encoding="utf-8")
        script = R_SCRIPT.format(names=", ".join(f'"{n}"' for n in MODELS), repeats=repeats)
        (path / "bench.R").write_text(script, encoding="utf-8")
        done = subprocess.run(
            ["Rscript", "bench.R", "data.csv", "."],
            cwd=path,
            capture_output=True,
            text=True,
            timeout=1200,
            check=False,
        )
    if done.returncode != 0:
        return None
    raw = json.loads(done.stdout.strip().splitlines()[-1])
    return {name: (float(v[0]), float(v[1])) for name, v in raw.items()}


def _version(package: str) -> str:
    try:
        from importlib.metadata import version

        return version(package)
    except Exception:
        return "?"


def run(quick: bool) -> list[dict[str, Any]]:
    """CFA and SEM on 10,000 x 20, beside lavaan and semopy when installed."""
    repeats = 1 if quick else 3
    frame = data()
    ours = _tillit(frame, repeats)
    peers: dict[str, dict[str, tuple[float, float]]] = {}
    lavaan = _lavaan(frame, repeats)
    if lavaan is not None:
        peers["R lavaan"] = lavaan
    semopy = _semopy(frame, repeats)
    if semopy is not None:
        peers[f"semopy {_version('semopy')}"] = semopy
    entries: list[dict[str, Any]] = []
    for name in MODELS:
        seconds, chisq = ours[name]
        if not peers:
            entries.append(
                {
                    "name": f"sem.{name}",
                    "unit": "s",
                    "value": seconds,
                    "peer": None,
                    "peer_value": None,
                    "n": N_CASES,
                    "chisq": chisq,
                }
            )
        for peer, report in peers.items():
            entries.append(
                {
                    "name": f"sem.{name}",
                    "unit": "s",
                    "value": seconds,
                    "peer": peer,
                    "peer_value": report[name][0],
                    "n": N_CASES,
                    "chisq": chisq,
                    "peer_chisq": report[name][1],
                }
            )
    return entries


if __name__ == "__main__":
    for entry in run(quick=False):
        print(entry)
