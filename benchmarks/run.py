"""Run every benchmark module and record the figures.

Usage::

    python -m benchmarks.run [--quick] [--only NAME]

Each ``benchmarks/bench_*.py`` module has ``run(quick: bool) -> list[dict]``; every dict has
``name``, ``unit``, ``value``, ``peer``, ``peer_value`` and ``n`` (the harness adds ``ratio``
= value / peer_value, the module name and version information). Higher is better for rates
(``.../s``); for times (``s``, ``ms``) lower is better, and the ratio is then peer / ours so that
a ratio above 1 always means tillit is faster.

Results are printed as a table and written to ``benchmarks/results/<timestamp>.json`` and
``benchmarks/results/latest.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import platform
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
LOWER_IS_BETTER = {"s", "ms", "us", "µs", "MB", "MiB"}


def discover(only: str | None = None) -> list[str]:
    """Module names of the benchmarks (``bench_registry`` …), optionally one of them."""
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if only:
        wanted = only if only.startswith("bench_") else f"bench_{only}"
        names = [n for n in names if n == wanted]
        if not names:
            raise SystemExit(f"no benchmark module {wanted!r} in {HERE}")
    return names


def environment() -> dict[str, Any]:
    """Python, platform and library versions, stored with every run."""
    versions: dict[str, str] = {}
    for package in ("tillit", "pandas", "numpy", "django", "vl_convert"):
        try:
            module = importlib.import_module(package)
        except ImportError:
            continue
        versions[package] = str(getattr(module, "__version__", "?"))
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "versions": versions,
    }


def ratio(entry: dict[str, Any]) -> float | None:
    """How many times better tillit is than the peer (above 1: tillit wins)."""
    ours, peer = entry.get("value"), entry.get("peer_value")
    if not ours or not peer:
        return None
    if entry.get("unit") in LOWER_IS_BETTER:
        return float(peer) / float(ours)
    return float(ours) / float(peer)


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.3g}" if value < 100 else f"{value:,.0f}"
    return str(value)


def print_table(entries: list[dict[str, Any]]) -> None:
    headers = ["benchmark", "unit", "tillit", "peer", "peer value", "ratio", "n"]
    rows = [
        [
            e["name"],
            e["unit"],
            _fmt(e["value"]),
            e.get("peer") or "-",
            _fmt(e.get("peer_value")),
            "-" if e.get("ratio") is None else f"{e['ratio']:.2f}x",
            _fmt(e.get("n")),
        ]
        for e in entries
    ]
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    for n, row in enumerate([headers, *rows]):
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (smoke test)")
    parser.add_argument("--only", metavar="NAME", help="run one module, e.g. registry")
    parser.add_argument("--no-save", action="store_true", help="print only, write no files")
    args = parser.parse_args(argv)

    env = environment()
    started = dt.datetime.now(dt.UTC)
    entries: list[dict[str, Any]] = []
    for name in discover(args.only):
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"running {name} ...", file=sys.stderr)
        for entry in module.run(args.quick):
            entry = {**entry, "module": name, "ratio": None}
            entry["ratio"] = ratio(entry)
            entry["python"] = env["python"]
            entry["versions"] = env["versions"]
            entries.append(entry)
    print_table(entries)
    if not args.no_save:
        RESULTS.mkdir(exist_ok=True)
        record = {
            "started": started.isoformat(timespec="seconds"),
            "quick": args.quick,
            "environment": env,
            "results": entries,
        }
        text = json.dumps(record, indent=2, ensure_ascii=False)
        stamp = started.strftime("%Y%m%dT%H%M%SZ")
        (RESULTS / f"{stamp}.json").write_text(text + "\n", encoding="utf-8")
        (RESULTS / "latest.json").write_text(text + "\n", encoding="utf-8")
        print(f"wrote {RESULTS / f'{stamp}.json'} and latest.json", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
