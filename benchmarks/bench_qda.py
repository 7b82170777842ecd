"""Qualitative analysis at project scale: queries and intercoder reliability in ``tillit.qda``.

The workload (issue "qda"): a synthetic project of 1,000 sources (10 MB of text; 100 with
``--quick``), 200 codes and 100,000 codings (10,000) by 3 coders, who code the same passages
with jittered boundaries and sometimes another code. One seed, so every run sees the same data.

* ``qda.cooccurrence``: co-occurrence matrix of all 200 codes (counts, c-coefficient, Jaccard).
  Peer: the obvious pandas way, a self-merge on (source, coder) filtered to overlapping pairs
  (counts only); the run checks both give the same counts.
* ``qda.query``: ``(c001 OR c002 OR c003) OVERLAPS c004 AND country=NO AND NOT coder:kari``
  with the segment texts, cases and attributes.
* ``qda.code_by_case``: code-by-case matrix (100 cases) with the segment texts of every cell.
  Peer: ``pandas.crosstab`` of the codings merged with the case table (counts only).
* ``qda.kappa_all_codes``: percent agreement and Cohen's kappa on characters, every code, one
  coder pair. Peer: per-code boolean character masks in numpy (the straightforward way), checked
  to give the same kappas.
* ``qda.alpha_all_codes``: Krippendorff's alpha on characters, every code, all 3 coders.
* ``qda.unitizing_alpha``: Krippendorff's (2004) unitizing alpha, every code, all 3 coders,
  the 1,000 sources as one continuum.
* ``qda.qdpx_export``: the whole project (sources, codebook, codings of 3 coders) written as a
  REFI-QDA ``.qdpx`` by :func:`tillit.interop.refiqda.write_qdpx`, validated against the XSD
  (goal: under 10 s at full size).
* ``qda.alpha_matrix_<level>``: Krippendorff's alpha on a 3 x 100,000 reliability matrix (10%
  missing) against the ``krippendorff`` package in the same run (asserted equal to 1e-9).

Entries are seconds (lower is better; the harness's ratio is peer / tillit).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

SEED = 20261127
CODERS = ("anna", "ola", "kari")
K_CODES = 200
K_CASES = 100


def _best(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def project(n_sources: int, n_codings: int, seed: int = SEED) -> dict[str, Any]:
    """The synthetic project: texts, codings, cases and attributes."""
    rng = np.random.default_rng(seed)
    length = 10_000
    vocabulary = "tillit reform kommune leder ansatte rapportering kontroll samarbeid innbygger"
    words = np.array([*vocabulary.split(), "politiker", "tjeneste", "kvalitet", "ansvar"])
    texts = {}
    for i in range(n_sources):
        w = words[rng.integers(0, words.size, size=length // 6)]
        texts[f"src{i:04d}"] = " ".join(w)[:length].ljust(length, ".")
    sources = np.array(list(texts))
    n_base = n_codings // len(CODERS)
    src = sources[rng.integers(0, n_sources, n_base)]
    start = rng.integers(0, length - 900, n_base)
    seg_len = rng.integers(50, 800, n_base)
    code = rng.integers(0, K_CODES, n_base)
    parts = []
    for coder in CODERS:
        jitter_s = rng.integers(-40, 40, n_base)
        jitter_e = rng.integers(-40, 40, n_base)
        s = np.clip(start + jitter_s, 0, length - 2)
        e = np.clip(start + seg_len + jitter_e, s + 1, length)
        swap = rng.random(n_base) < 0.15
        c = np.where(swap, rng.integers(0, K_CODES, n_base), code)
        parts.append(
            pd.DataFrame(
                {
                    "source_id": src,
                    "start": s,
                    "end": e,
                    "code_id": [f"c{x:03d}" for x in c],
                    "coder": coder,
                }
            )
        )
    codings = pd.concat(parts, ignore_index=True)
    extra = n_codings - len(codings)
    if extra > 0:
        codings = pd.concat([codings, codings.iloc[:extra].assign(coder="anna")], ignore_index=True)
    case_of = {s: f"case{i % K_CASES:03d}" for i, s in enumerate(sources)}
    cases = pd.DataFrame({"case_id": list(case_of.values()), "source_id": list(case_of)})
    case_attributes = pd.DataFrame(
        {
            "case_id": [f"case{i:03d}" for i in range(K_CASES)],
            "name": "country",
            "value": ["NO" if i % 3 else "DK" for i in range(K_CASES)],
        }
    )
    return {
        "texts": texts,
        "codings": codings,
        "cases": cases,
        "case_attributes": case_attributes,
        "lengths": {k: len(v) for k, v in texts.items()},
    }


def _peer_cooccurrence(codings: pd.DataFrame) -> pd.DataFrame:
    left = codings[["source_id", "coder", "start", "end", "code_id"]].reset_index()
    pairs = left.merge(left, on=["source_id", "coder"], suffixes=("_a", "_b"))
    pairs = pairs[
        (pairs["index_a"] < pairs["index_b"])
        & (pairs["start_a"] < pairs["end_b"])
        & (pairs["start_b"] < pairs["end_a"])
        & (pairs["code_id_a"] != pairs["code_id_b"])
    ]
    a = pd.concat([pairs["code_id_a"], pairs["code_id_b"]])
    b = pd.concat([pairs["code_id_b"], pairs["code_id_a"]])
    return pd.crosstab(a.to_numpy(), b.to_numpy())


def _peer_kappa(
    codings: pd.DataFrame, lengths: dict[str, int], pair: tuple[str, str]
) -> dict[str, float]:
    offsets, pos = {}, 0
    for key, n in lengths.items():
        offsets[key] = pos
        pos += n
    total = pos
    shift = codings["source_id"].map(offsets).to_numpy()
    out = {}
    for code, rows in codings.assign(
        _s=codings["start"] + shift, _e=codings["end"] + shift
    ).groupby("code_id"):
        masks = []
        for coder in pair:
            mask = np.zeros(total, dtype=bool)
            sel = rows[rows["coder"] == coder]
            for s, e in zip(sel["_s"].to_numpy(), sel["_e"].to_numpy(), strict=True):
                mask[s:e] = True
            masks.append(mask)
        a, b = masks
        pa, pb = a.mean(), b.mean()
        p_o = float((a == b).mean())
        p_e = pa * pb + (1 - pa) * (1 - pb)
        out[str(code)] = (p_o - p_e) / (1 - p_e) if p_e < 1 else float("nan")
    return out


def _qdpx_project(p: dict[str, Any]) -> Any:
    """The benchmark project as a REFI-QDA :class:`~tillit.interop.refiqda.QdaProject`."""
    import uuid

    from tillit.interop import refiqda as rq

    def guid(kind: str, key: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"tillit-bench:{kind}:{key}"))

    codings = p["codings"]
    codes = sorted(codings["code_id"].unique())
    return rq.QdaProject(
        name="SYNTHETIC benchmark project",
        users=tuple(rq.User(guid("user", c), c) for c in CODERS),
        codes=tuple(rq.Code(guid("code", c), c) for c in codes),
        sources=tuple(
            rq.TextSource(guid("source", name), name, text) for name, text in p["texts"].items()
        ),
        codings=tuple(
            rq.Coding(
                guid("coding", str(i)),
                guid("source", row.source_id),
                int(row.start),
                int(row.end),
                guid("code", row.code_id),
                user=guid("user", row.coder),
            )
            for i, row in enumerate(codings.itertuples(index=False))
        ),
    )


def _qdpx_export(project: Any) -> int:
    """Write the project as ``.qdpx`` (in memory); returns the archive's size in bytes."""
    import io

    from tillit.interop import refiqda as rq

    buffer = io.BytesIO()
    rq.write_qdpx(project, buffer)
    return buffer.tell()


def run(quick: bool) -> list[dict[str, Any]]:
    """The QDA benchmarks (``quick``: a tenth of the project, fewer repeats)."""
    import krippendorff

    from tillit.qda import (
        QueryData,
        agreement,
        code_alpha,
        code_matrix,
        cooccurrence,
        krippendorff_alpha,
        run_query,
        unitizing_alpha,
    )

    n_sources, n_codings, repeats = (100, 10_000, 2) if quick else (1000, 100_000, 3)
    p = project(n_sources, n_codings)
    codings, texts, lengths = p["codings"], p["texts"], p["lengths"]
    data = QueryData(cases=p["cases"], case_attributes=p["case_attributes"])
    n = len(codings)
    mb = sum(len(t) for t in texts.values()) / 1e6
    entries: list[dict[str, Any]] = []

    t, co = _best(lambda: cooccurrence(codings), repeats)
    tp, peer = _best(lambda: _peer_cooccurrence(codings), 1)
    some = list(peer.index[:5])
    for a in some:
        for b in some:
            if a != b:
                assert int(co.counts.loc[a, b]) == int(peer.loc[a, b]), (a, b)
    entries.append(
        {
            "name": "qda.cooccurrence",
            "unit": "s",
            "value": t,
            "peer": "pandas self-merge on (source, coder) + overlap filter",
            "peer_value": tp,
            "n": n,
        }
    )

    query = "(c001 OR c002 OR c003) OVERLAPS c004 AND country=NO AND NOT coder:kari"
    t, hits = _best(lambda: run_query(query, codings, texts=texts, data=data), repeats)
    entries.append(
        {
            "name": "qda.query",
            "unit": "s",
            "value": t,
            "peer": None,
            "peer_value": None,
            "n": n,
            "hits": len(hits),
        }
    )

    t, matrix = _best(lambda: code_matrix(codings, "case", data=data, texts=texts), repeats)

    def crosstab() -> pd.DataFrame:
        merged = codings.merge(p["cases"], on="source_id")
        return pd.crosstab(merged["code_id"], merged["case_id"])

    tp, peer_ct = _best(crosstab, repeats)
    assert int(peer_ct.to_numpy().sum()) == int(matrix.counts.to_numpy().sum())
    entries.append(
        {
            "name": "qda.code_by_case",
            "unit": "s",
            "value": t,
            "peer": "pandas merge + crosstab (counts only, no texts)",
            "peer_value": tp,
            "n": n,
        }
    )

    pair = ("anna", "ola")
    t, kappa = _best(lambda: agreement(codings, lengths, coders=pair), repeats)
    tp, peer_k = _best(lambda: _peer_kappa(codings, lengths, pair), 1)
    ours = kappa.table.set_index("code_id")["kappa"]
    for code, value in list(peer_k.items())[:20]:
        assert abs(float(ours.loc[code]) - value) < 1e-9, code
    entries.append(
        {
            "name": "qda.kappa_all_codes",
            "unit": "s",
            "value": t,
            "peer": "numpy boolean character masks per code",
            "peer_value": tp,
            "n": n,
            "text_mb": round(mb, 1),
            "codes": K_CODES,
        }
    )

    t, _ = _best(lambda: code_alpha(codings, lengths), repeats)
    entries.append(
        {
            "name": "qda.alpha_all_codes",
            "unit": "s",
            "value": t,
            "peer": None,
            "peer_value": None,
            "n": n,
            "coders": len(CODERS),
        }
    )

    t, _ = _best(lambda: unitizing_alpha(codings, lengths=lengths), repeats)
    entries.append(
        {
            "name": "qda.unitizing_alpha",
            "unit": "s",
            "value": t,
            "peer": None,
            "peer_value": None,
            "n": n,
            "coders": len(CODERS),
        }
    )

    qde = _qdpx_project(p)  # building the dataclasses is not part of the export
    t, size = _best(lambda: _qdpx_export(qde), 1)
    entries.append(
        {
            "name": "qda.qdpx_export",
            "unit": "s",
            "value": t,
            "peer": None,
            "peer_value": None,
            "n": n,
            "sources": n_sources,
            "archive_mb": round(size / 1e6, 1),
        }
    )

    rng = np.random.default_rng(SEED)
    units = 10_000 if quick else 100_000
    truth = rng.integers(1, 6, units).astype(float)
    matrix3 = np.vstack(
        [np.where(rng.random(units) < 0.8, truth, rng.integers(1, 6, units)) for _ in CODERS]
    ).astype(float)
    matrix3[rng.random(matrix3.shape) < 0.1] = np.nan
    for level in ("nominal", "interval"):
        t, mine = _best(lambda lv=level: krippendorff_alpha(matrix3, lv), repeats)  # type: ignore[misc]
        tp, theirs = _best(
            lambda lv=level: krippendorff.alpha(
                reliability_data=matrix3,  # type: ignore[misc]
                level_of_measurement=lv,
            ),
            repeats,
        )
        assert abs(mine.alpha - theirs) < 1e-9
        entries.append(
            {
                "name": f"qda.alpha_matrix_{level}",
                "unit": "s",
                "value": t,
                "peer": "krippendorff (PyPI)",
                "peer_value": tp,
                "n": units,
                "coders": len(CODERS),
            }
        )
    return entries


if __name__ == "__main__":  # pragma: no cover
    import sys

    for entry in run("--quick" in sys.argv):
        print(entry)
