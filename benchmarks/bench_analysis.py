"""Design-based estimation at scale: tillit against samplics and R survey, in the same run.

The workload (issue "survey analysis"): 100,000 respondents (10,000 with ``--quick``) x 50
numeric items, 2 strata with fpc (sampling fractions 1/3 and 1/2), 12 domains that cut across the
strata, and

* ``analysis.mean_by_domain``: weighted means with Taylor SEs of all 50 items in all 12 domains;
* ``analysis.total_by_domain``: the same for totals;
* ``analysis.rake``: raking the weights to two margins (the 12 domains and 4 size classes) to a
  relative tolerance of 1e-7.

Peers: samplics (``TaylorEstimator(PopParam.mean | total).estimate(...)`` once per item, as its
API takes one variable at a time; ``SampleWeight().rake``), and R's survey package
(``svyby(~y00 + ... + y49, ~domain, design, svymean | svytotal)``, ``rake(...)``) through
``Rscript`` when it and the package are installed. Every tool runs in its own subprocess on the
same data (generated from one seed; R reads it from a binary file), is warmed up on a small slice,
then timed once per task; the subprocess reports its peak resident memory (``VmHWM``), which
includes the interpreter and the data. The run also checks that the three tools agree on the
estimates and SEs (``agreement``: largest relative difference from tillit).

Entries are seconds (lower is better; the harness's ratio is peer / tillit) and peak memory in MB
(one entry per tool, no ratio).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SEED = 20240611
K_ITEMS = 50
K_DOMAINS = 12
ITEMS = [f"y{j:02d}" for j in range(K_ITEMS)]
TASKS = ("mean_by_domain", "total_by_domain", "rake")
CHECK_ITEMS = 3  # items whose estimates and SEs are compared across tools

R_SCRIPT = r"""
suppressMessages(library(survey))
args <- commandArgs(TRUE)
dir <- args[1]
meta <- read.csv(file.path(dir, "meta.csv"), stringsAsFactors = FALSE)
n <- nrow(meta)
p <- as.integer(args[2])
items <- sprintf("y%02d", 0:(p - 1))
y <- matrix(readBin(file.path(dir, "items.bin"), "double", n * p), nrow = n)
colnames(y) <- items
df <- cbind(meta, as.data.frame(y))
pop_domain <- read.csv(file.path(dir, "pop_domain.csv"))
pop_size <- read.csv(file.path(dir, "pop_size.csv"))
f <- as.formula(paste("~", paste(items, collapse = " + ")))
d <- svydesign(id = ~1, strata = ~stratum, fpc = ~N, data = df)
warm <- svydesign(id = ~1, strata = ~stratum, fpc = ~N, data = df[1:2000, ])
invisible(svyby(f, ~domain, warm, svymean))
tm <- system.time(m <- svyby(f, ~domain, d, svymean))[["elapsed"]]
tt <- system.time(s <- svyby(f, ~domain, d, svytotal))[["elapsed"]]
tr <- system.time(r <- rake(d, list(~domain, ~size), list(pop_domain, pop_size),
                            control = list(maxit = 100, epsilon = 1e-7)))[["elapsed"]]
status <- readLines("/proc/self/status")
hwm <- as.numeric(gsub("[^0-9]", "", status[grepl("^VmHWM", status)])) / 1024
k <- as.integer(args[3])
fmt <- function(x) paste(sprintf("%.17g", x), collapse = ", ")
cat(sprintf(paste0('{"seconds": {"mean_by_domain": %.6f, "total_by_domain": %.6f, "rake": %.6f},',
                   ' "peak_mb": %.1f, "mean": [%s], "mean_se": [%s], "total_se": [%s],',
                   ' "rake_weights_sum": %.17g}\n'),
            tm, tt, tr, hwm, fmt(as.matrix(m[, items[1:k]])), fmt(as.matrix(SE(m))[, 1:k]),
            fmt(as.matrix(SE(s))[, 1:k]), sum(weights(r))))
"""


# -- the data ---------------------------------------------------------------------------------


def make_data(n: int) -> tuple[pd.DataFrame, dict[int, float], dict[int, float]]:
    """Respondents, and the domain and size-class population counts for raking."""
    rng = np.random.default_rng(SEED)
    stratum = np.where(rng.random(n) < 0.6, "NO", "DK")
    domain = rng.integers(0, K_DOMAINS, n)
    size = rng.integers(0, 4, n)
    latent = rng.normal(size=n)
    items = 3 + 0.05 * domain[:, None] + 0.6 * latent[:, None] + rng.normal(size=(n, K_ITEMS))
    frame = pd.DataFrame(items, columns=ITEMS)
    n_no = int((stratum == "NO").sum())
    frame.insert(0, "N", np.where(stratum == "NO", 3 * n_no, 2 * (n - n_no)).astype(float))
    frame.insert(0, "size", size)
    frame.insert(0, "domain", domain)
    frame.insert(0, "stratum", stratum)
    base = frame["N"].to_numpy() / np.where(stratum == "NO", n_no, n - n_no)
    total_w = float(base.sum())
    dom = pd.Series(base).groupby(domain).sum() * (1 + 0.05 * np.sin(np.arange(K_DOMAINS)))
    siz = pd.Series(base).groupby(size).sum() * (1 + 0.08 * np.cos(np.arange(4)))
    pop_domain = {int(k): float(v) for k, v in (dom * total_w / dom.sum()).items()}
    pop_size = {int(k): float(v) for k, v in (siz * total_w / siz.sum()).items()}
    return frame, pop_domain, pop_size


def _peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- the tools (each runs in a child process) ---------------------------------------------------


def _tillit(
    frame: pd.DataFrame, pop_domain: dict[int, float], pop_size: dict[int, float]
) -> dict[str, Any]:
    from tillit.analysis import Design, mean, rake, total

    def design(data: pd.DataFrame) -> Design:
        return Design.from_data(data, strata="stratum", fpc="N")

    mean(design(frame.iloc[:2000]), ITEMS, by="domain")  # warm-up
    d = design(frame)
    seconds = {}
    start = time.perf_counter()
    m = mean(d, ITEMS, by="domain")
    seconds["mean_by_domain"] = time.perf_counter() - start
    start = time.perf_counter()
    t = total(d, ITEMS, by="domain")
    seconds["total_by_domain"] = time.perf_counter() - start
    start = time.perf_counter()
    r = rake(d, {"domain": pop_domain, "size": pop_size}, epsilon=1e-7, max_iter=100)
    seconds["rake"] = time.perf_counter() - start
    pick = [i for i, v in enumerate(m.variable) if v in ITEMS[:CHECK_ITEMS]]
    return {
        "seconds": seconds,
        "mean": m.estimate[pick].tolist(),
        "mean_se": m.se[pick].tolist(),
        "total_se": t.se[pick].tolist(),
        "rake_weights_sum": float(r.weights.sum()),
    }


def _samplics(
    frame: pd.DataFrame, pop_domain: dict[int, float], pop_size: dict[int, float]
) -> dict[str, Any]:
    warnings.simplefilter("ignore")
    from samplics.estimation import TaylorEstimator
    from samplics.utils.types import PopParam
    from samplics.weighting import SampleWeight

    def estimate(data: pd.DataFrame, param: Any) -> list[Any]:
        n_h = data.groupby("stratum").size()
        big_n = data.groupby("stratum")["N"].first()
        fpc = {s: float(1 - n_h[s] / big_n[s]) for s in sorted(n_h.index)}
        weights = (data["N"] / data["stratum"].map(n_h)).to_numpy()
        out = []
        for item in ITEMS:
            est = TaylorEstimator(param=param)
            est.estimate(
                y=data[item].to_numpy(),
                samp_weight=weights,
                stratum=data["stratum"].to_numpy(),
                domain=data["domain"].to_numpy(),
                fpc=fpc,
            )
            out.append(est)
        return out

    estimate(frame.iloc[:2000], PopParam.mean)  # warm-up
    seconds = {}
    start = time.perf_counter()
    means = estimate(frame, PopParam.mean)
    seconds["mean_by_domain"] = time.perf_counter() - start
    start = time.perf_counter()
    totals = estimate(frame, PopParam.total)
    seconds["total_by_domain"] = time.perf_counter() - start
    n_h = frame.groupby("stratum").size()
    weights = (frame["N"] / frame["stratum"].map(n_h)).to_numpy()
    start = time.perf_counter()
    raked = SampleWeight().rake(
        samp_weight=weights,
        margins={"domain": frame["domain"].to_numpy(), "size": frame["size"].to_numpy()},
        control={"domain": pop_domain, "size": pop_size},
        tol=1e-7,
        ctrl_tol=1e-7,
        max_iter=100,
    )
    seconds["rake"] = time.perf_counter() - start
    pick = ITEMS[:CHECK_ITEMS]
    domains = range(K_DOMAINS)
    return {
        "seconds": seconds,
        "mean": [float(means[j].point_est[d]) for d in domains for j in range(len(pick))],
        "mean_se": [float(means[j].stderror[d]) for d in domains for j in range(len(pick))],
        "total_se": [float(totals[j].stderror[d]) for d in domains for j in range(len(pick))],
        "rake_weights_sum": float(np.sum(raked)),
    }


def child(tool: str, n: int) -> None:
    """Entry point of a child process: run one tool and print its JSON report."""
    frame, pop_domain, pop_size = make_data(n)
    report = (_tillit if tool == "tillit" else _samplics)(frame, pop_domain, pop_size)
    report["peak_mb"] = _peak_mb()
    print(json.dumps(report))


def _run_child(tool: str, n: int) -> dict[str, Any]:
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(root / "src")])}
    code = f"from benchmarks.bench_analysis import child; child({tool!r}, {n})"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
        timeout=3600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{tool} benchmark failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _r_available() -> bool:
    if shutil.which("Rscript") is None:
        return False
    done = subprocess.run(
        ["Rscript", "-e", "library(survey)"], capture_output=True, timeout=120, check=False
    )
    return done.returncode == 0


def _run_r(n: int) -> dict[str, Any] | None:
    if not _r_available():
        return None
    frame, pop_domain, pop_size = make_data(n)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        frame[["stratum", "domain", "size", "N"]].to_csv(folder / "meta.csv", index=False)
        np.asfortranarray(frame[ITEMS].to_numpy()).T.tofile(folder / "items.bin")
        pd.DataFrame({"domain": list(pop_domain), "Freq": list(pop_domain.values())}).to_csv(
            folder / "pop_domain.csv", index=False
        )
        pd.DataFrame({"size": list(pop_size), "Freq": list(pop_size.values())}).to_csv(
            folder / "pop_size.csv", index=False
        )
        (folder / "bench.R").write_text(R_SCRIPT, encoding="utf-8")
        done = subprocess.run(
            ["Rscript", "bench.R", str(folder), str(K_ITEMS), str(CHECK_ITEMS)],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=3600,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"R benchmark failed:\n{done.stderr[-3000:]}")
    report = dict(json.loads(done.stdout.strip().splitlines()[-1]))
    # R's svyby orders coefficients item-major (all domains of y00, then y01, ...); ours and
    # samplics' lists are domain-major.
    for key in ("mean", "mean_se", "total_se"):
        values = np.asarray(report[key]).reshape(CHECK_ITEMS, K_DOMAINS)
        report[key] = values.T.ravel().tolist()
    return report


def _agreement(ours: dict[str, Any], peer: dict[str, Any]) -> float:
    worst = 0.0
    for key in ("mean", "mean_se", "total_se"):
        a, b = np.asarray(ours[key]), np.asarray(peer[key])
        worst = max(worst, float(np.max(np.abs(a - b) / np.abs(a))))
    return worst


def _version(package: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def run(quick: bool) -> list[dict[str, Any]]:
    """Means, totals and raking on 100,000 x 50 (``quick``: 10,000 x 50)."""
    n = 10_000 if quick else 100_000
    ours = _run_child("tillit", n)
    peers = {f"samplics {_version('samplics')}": _run_child("samplics", n)}
    r_report = _run_r(n)
    if r_report is not None:
        peers["R survey"] = r_report
    entries: list[dict[str, Any]] = []
    for task in TASKS:
        for peer_name, peer in peers.items():
            entries.append(
                {
                    "name": f"analysis.{task}",
                    "unit": "s",
                    "value": ours["seconds"][task],
                    "peer": peer_name,
                    "peer_value": peer["seconds"][task],
                    "n": n,
                    "agreement": _agreement(ours, peer),
                    "peak_mb": ours["peak_mb"],
                    "peer_peak_mb": peer["peak_mb"],
                }
            )
    for tool, report in {"tillit": ours, **peers}.items():
        entries.append(
            {
                "name": f"analysis.peak_memory.{tool.split()[0]}",
                "unit": "MB",
                "value": report["peak_mb"],
                "peer": None,
                "peer_value": None,
                "n": n,
            }
        )
    return entries


if __name__ == "__main__":  # pragma: no cover - manual use: python benchmarks/bench_analysis.py
    for entry in run("--quick" in sys.argv):
        print(entry)
