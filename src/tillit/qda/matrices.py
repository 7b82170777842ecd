"""Code matrices: co-occurrence of codes, and codes crossed with cases, sources or attributes.

Both work on whole numpy arrays: :func:`cooccurrence` enumerates overlapping segment pairs with
:func:`tillit.qda.codings.overlap_pairs`; :func:`code_matrix` joins codings to cases and
attributes with integer keys (no pandas merge on 100,000 rows), so each answers a 100,000-coding
project in a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from tillit.qda.codings import (
    CodingsLike,
    QueryData,
    as_codings,
    merge_intervals,
    overlap_pairs,
    table_frame,
)
from tillit.qda.errors import QdaError
from tillit.qda.results import Summary

__all__ = [
    "CooccurrenceResult",
    "MatrixResult",
    "code_matrix",
    "code_relations",
    "cooccurrence",
]

Count = Literal["segments", "sources", "characters"]


@dataclass(frozen=True)
class CooccurrenceResult(Summary):
    """Code co-occurrence.

    Attributes
    ----------
    counts : DataFrame
        Codes x codes: overlapping segment pairs ``n12`` (diagonal: segments ``n_i`` per code).
    c_coefficient : DataFrame
        ``n12 / (n1 + n2 - n12)`` (ATLAS.ti); diagonal 1.
    jaccard : DataFrame
        Characters coded with both codes / characters coded with either (per coder layer when
        ``within_coder``); diagonal 1.
    pairs : DataFrame
        Long form: ``code_a, code_b, n12, n_a, n_b, c_coefficient, chars_both, chars_either,
        jaccard`` for every pair with ``n12 > 0``.
    within_coder : bool
    proximity : int
    """

    title = "Code co-occurrence"

    counts: pd.DataFrame
    c_coefficient: pd.DataFrame
    jaccard: pd.DataFrame
    pairs: pd.DataFrame
    within_coder: bool
    proximity: int

    def to_frame(self) -> pd.DataFrame:
        """The long table of pairs."""
        return self.pairs.copy()

    def sheets(self) -> dict[str, pd.DataFrame]:
        """Tables for an XLSX export."""
        return {
            "counts": self.counts.reset_index(),
            "c_coefficient": self.c_coefficient.reset_index(),
            "jaccard": self.jaccard.reset_index(),
            "pairs": self.pairs,
        }


def cooccurrence(
    codings: CodingsLike,
    *,
    codes: Sequence[Any] | None = None,
    within_coder: bool = True,
    proximity: int = 0,
) -> CooccurrenceResult:
    """Code co-occurrence matrix: counts, c-coefficient and Jaccard.

    Parameters
    ----------
    codings : DataFrame or iterable
    codes : sequence, optional
        Rows and columns, in this order (default: every code, sorted).
    within_coder : bool
        Pair only segments of the same coder (default), so that three coders coding the same
        passage do not triple the counts; ``False`` pairs across coders too.
    proximity : int
        Also count segments within this many characters as co-occurring (0: overlap only).

    Notes
    -----
    ``n12`` counts pairs of segments (one of each code, same source, sharing at least one
    character, or within ``proximity``). ``n_i`` counts the segments of code ``i``. The
    c-coefficient is ATLAS.ti's ``c = n12 / (n1 + n2 - n12)`` (0: never together, 1: always
    together; it can exceed 1 when one segment overlaps several of the other code, which
    ATLAS.ti flags too). Jaccard is measured on characters: ``|C1 & C2| / |C1 | C2|`` where
    ``C`` is the set of characters coded with a code (per coder when ``within_coder``).

    Examples
    --------
    >>> rows = [("s", 0, 10, "a", "x"), ("s", 5, 15, "b", "x"), ("s", 30, 40, "a", "x")]
    >>> r = cooccurrence(rows)
    >>> int(r.counts.loc["a", "b"]), round(float(r.c_coefficient.loc["a", "b"]), 3)
    (1, 0.5)
    >>> round(float(r.jaccard.loc["a", "b"]), 3)
    0.2
    """
    frame = as_codings(codings)
    code_list = list(codes) if codes is not None else sorted(frame["code_id"].unique(), key=str)
    frame = frame[frame["code_id"].isin(code_list)].reset_index(drop=True)
    k = len(code_list)
    code_idx = pd.Index(code_list).get_indexer(frame["code_id"])
    src = pd.factorize(frame["source_id"])[0].astype(np.int64)
    if within_coder:
        coder = pd.factorize(frame["coder"])[0].astype(np.int64)
        group = src * (int(coder.max()) + 1 if coder.size else 1) + coder
    else:
        coder = np.zeros(len(frame), dtype=np.int64)
        group = src
    s, e = frame["start"].to_numpy(), frame["end"].to_numpy()
    i, j = overlap_pairs(group, s, e, proximity)
    ci, cj = code_idx[i], code_idx[j]
    diff = ci != cj
    ci, cj = ci[diff], cj[diff]
    n12 = np.zeros((k, k), dtype=np.int64)
    n12 += np.bincount(ci * k + cj, minlength=k * k).reshape(k, k)
    n12 = n12 + n12.T
    freq = np.bincount(code_idx, minlength=k).astype(np.int64)
    # Characters: merge per (group, code), then intersect layers of different codes.
    layer = group * k + code_idx
    lg, ls, le = merge_intervals(layer, s, e)
    chars = np.bincount(lg % k, weights=le - ls, minlength=k)
    a, b = overlap_pairs(lg // k, ls, le)
    ka, kb = lg[a] % k, lg[b] % k
    inter = np.minimum(le[a], le[b]) - np.maximum(ls[a], ls[b])
    both = np.zeros((k, k), dtype=np.float64)
    keep = ka != kb
    both += np.bincount(ka[keep] * k + kb[keep], weights=inter[keep], minlength=k * k).reshape(k, k)
    both = both + both.T
    either = chars[:, None] + chars[None, :] - both
    with np.errstate(divide="ignore", invalid="ignore"):
        c_coef = n12 / (freq[:, None] + freq[None, :] - n12)
        jac = both / either
    np.fill_diagonal(n12, freq)
    np.fill_diagonal(c_coef, 1.0)
    np.fill_diagonal(jac, 1.0)
    labels = pd.Index(code_list, name="code_id")
    counts = pd.DataFrame(n12, index=labels, columns=labels)
    c_frame = pd.DataFrame(c_coef, index=labels, columns=labels)
    j_frame = pd.DataFrame(jac, index=labels, columns=labels)
    ua, ub = np.triu_indices(k, 1)
    sel = n12[ua, ub] > 0
    ua, ub = ua[sel], ub[sel]
    pairs = pd.DataFrame(
        {
            "code_a": np.array(code_list, dtype=object)[ua] if k else [],
            "code_b": np.array(code_list, dtype=object)[ub] if k else [],
            "n12": n12[ua, ub],
            "n_a": freq[ua],
            "n_b": freq[ub],
            "c_coefficient": c_coef[ua, ub],
            "chars_both": both[ua, ub].astype(np.int64),
            "chars_either": either[ua, ub].astype(np.int64),
            "jaccard": jac[ua, ub],
        }
    )
    pairs = pairs.sort_values(
        ["n12", "code_a", "code_b"], ascending=[False, True, True], key=None
    ).reset_index(drop=True)
    return CooccurrenceResult(counts, c_frame, j_frame, pairs, within_coder, proximity)


def code_relations(
    codings: CodingsLike,
    *,
    codes: Sequence[Any] | None = None,
    proximity: int = 0,
    within_coder: bool = True,
) -> pd.DataFrame:
    """Every pair of segments of different codes that touch, with the kind of relation.

    The relation (QualCoder's code relations, MAXQDA's Code Relations Browser) is ``exact``
    (same start and end), ``inclusion`` (one inside the other), ``overlap`` (share characters)
    or ``proximity`` (apart by at most ``proximity`` characters).

    Returns
    -------
    DataFrame
        ``source_id, coder, code_a, start_a, end_a, code_b, start_b, end_b, relation,
        overlap, gap`` (``overlap`` shared characters, ``gap`` characters between), one row
        per pair with ``code_a <= code_b`` as text.

    Examples
    --------
    >>> rows = [("s", 0, 10, "a", "x"), ("s", 0, 10, "b", "x"), ("s", 2, 5, "c", "x"),
    ...         ("s", 14, 20, "d", "x")]
    >>> r = code_relations(rows, proximity=5)
    >>> [f"{a}-{b}: {rel}" for a, b, rel in r[["code_a", "code_b", "relation"]].values]
    ['a-b: exact', 'a-c: inclusion', 'a-d: proximity', 'b-c: inclusion', 'b-d: proximity']
    """
    frame = as_codings(codings)
    if codes is not None:
        frame = frame[frame["code_id"].isin(list(codes))].reset_index(drop=True)
    src = pd.factorize(frame["source_id"])[0].astype(np.int64)
    if within_coder:
        coder = pd.factorize(frame["coder"])[0].astype(np.int64)
        group = src * (int(coder.max()) + 1 if coder.size else 1) + coder
    else:
        group = src
    s, e = frame["start"].to_numpy(), frame["end"].to_numpy()
    i, j = overlap_pairs(group, s, e, proximity)
    code_text = frame["code_id"].astype(str).to_numpy()
    keep = code_text[i] != code_text[j]
    i, j = i[keep], j[keep]
    swap = code_text[i] > code_text[j]
    i, j = np.where(swap, j, i), np.where(swap, i, j)
    inter = np.minimum(e[i], e[j]) - np.maximum(s[i], s[j])
    exact = (s[i] == s[j]) & (e[i] == e[j])
    inside = ((s[i] <= s[j]) & (e[j] <= e[i])) | ((s[j] <= s[i]) & (e[i] <= e[j]))
    relation = np.where(
        exact, "exact", np.where(inside, "inclusion", np.where(inter > 0, "overlap", "proximity"))
    )
    out = pd.DataFrame(
        {
            "source_id": frame["source_id"].to_numpy()[i],
            "coder": frame["coder"].to_numpy()[i],
            "code_a": frame["code_id"].to_numpy()[i],
            "start_a": s[i],
            "end_a": e[i],
            "code_b": frame["code_id"].to_numpy()[j],
            "start_b": s[j],
            "end_b": e[j],
            "relation": relation,
            "overlap": np.maximum(inter, 0),
            "gap": np.maximum(-inter, 0),
        }
    )
    out = out.sort_values(["source_id", "code_a", "code_b", "start_a", "start_b"], key=None)
    return out.reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Code-by-case / framework matrix


@dataclass(frozen=True)
class MatrixResult(Summary):
    """Codes crossed with cases, sources, coders or attribute values.

    Attributes
    ----------
    counts : DataFrame
        Codes (rows) x columns; the measure is ``count``.
    cells : DataFrame
        Long form, one row per coding and column value: ``code_id, column, source_id, start,
        end, coder`` and, when texts were given, ``text``: the segments of each cell, for a
        framework matrix.
    by : str
    count : str
    texts : mapping or None
        The source texts given to :func:`code_matrix`.
    """

    title = "Code matrix"

    counts: pd.DataFrame
    cells: pd.DataFrame
    by: str
    count: str
    texts: Mapping[Hashable, str] | None = None

    def to_frame(self) -> pd.DataFrame:
        """The counts with the code as first column."""
        return self.counts.reset_index()

    def cell(self, code_id: Any, column: Any) -> pd.DataFrame:
        """The segments in one cell."""
        sel = (self.cells["code_id"] == code_id) & (self.cells["column"] == column)
        return self.cells[sel].reset_index(drop=True)

    def segments(self) -> pd.DataFrame:
        """Every cell's segments (a copy of :attr:`cells`)."""
        return self.cells.copy()

    def sheets(self) -> dict[str, pd.DataFrame]:
        """Tables for an XLSX export."""
        return {"counts": self.to_frame(), "segments": self.segments()}


def code_matrix(
    codings: CodingsLike,
    by: str = "case",
    *,
    data: QueryData | None = None,
    texts: Mapping[Hashable, str] | None = None,
    codes: Sequence[Any] | None = None,
    count: Count = "segments",
) -> MatrixResult:
    """Code-by-case (or by source, coder, attribute) matrix with the segments of each cell.

    Parameters
    ----------
    codings : DataFrame or iterable
    by : str
        ``"case"`` (cases from ``data.cases``), ``"source"``, ``"coder"``, or the name of a
        case or source attribute (``"country"``, ``"actor_type"``...).
    data : QueryData, optional
    texts : mapping, optional
        Adds the segment texts to ``cells``.
    codes : sequence, optional
        Row order (default: every code, sorted); codes without codings get zero rows.
    count : {"segments", "sources", "characters"}
        What a cell counts: codings, distinct sources, or coded characters (overlaps once).

    Examples
    --------
    >>> rows = [("s1", 0, 5, "a", "x"), ("s2", 0, 5, "a", "x"), ("s2", 9, 12, "b", "x")]
    >>> cases = pd.DataFrame({"case_id": ["Oslo", "Bergen"], "source_id": ["s1", "s2"]})
    >>> code_matrix(rows, data=QueryData(cases=cases)).counts.to_dict()
    {'Bergen': {'a': 1, 'b': 1}, 'Oslo': {'a': 1, 'b': 0}}
    """
    if count not in ("segments", "sources", "characters"):
        raise QdaError(
            f"count={count!r} is not allowed; use segments, sources or characters",
            argument="count",
        )
    data = data or QueryData()
    frame = as_codings(codings)
    if by in ("source", "coder"):
        column = frame["source_id" if by == "source" else "coder"]
        rows = np.arange(len(frame), dtype=np.int64)
        labels = column.to_numpy(dtype=object)
    elif by == "case":
        rows, labels = _case_members(frame, data)
    else:
        rows, labels = _attribute_members(frame, data, by)
    code_list = list(codes) if codes is not None else sorted(frame["code_id"].unique(), key=str)
    code_key = pd.Index(code_list).get_indexer(pd.Index(frame["code_id"]))[rows]
    keep = code_key >= 0
    rows, labels, code_key = rows[keep], labels[keep], code_key[keep]
    col_key, col_uniques = pd.factorize(pd.Series(labels, dtype=object), sort=False)
    order_cols = sorted(range(len(col_uniques)), key=lambda i: str(col_uniques[i]))
    col_names = [col_uniques[i] for i in order_cols]
    rank = np.empty(len(col_uniques), dtype=np.int64)
    rank[order_cols] = np.arange(len(col_uniques))
    col_key = rank[col_key] if len(col_uniques) else col_key.astype(np.int64)
    k_codes, k_cols = len(code_list), len(col_names)
    cell_key = code_key * max(k_cols, 1) + col_key
    src_key = pd.factorize(frame["source_id"])[0].astype(np.int64)[rows]
    if count == "segments":
        flat = np.bincount(cell_key, minlength=k_codes * k_cols)
    elif count == "sources":
        n_src = int(src_key.max()) + 1 if src_key.size else 1
        unique = np.unique(cell_key * n_src + src_key)
        flat = np.bincount(unique // n_src, minlength=k_codes * k_cols)
    else:
        n_src = int(src_key.max()) + 1 if src_key.size else 1
        g, s, e = merge_intervals(
            cell_key * n_src + src_key,
            frame["start"].to_numpy()[rows],
            frame["end"].to_numpy()[rows],
        )
        flat = np.bincount(g // n_src, weights=e - s, minlength=k_codes * k_cols)
    counts = pd.DataFrame(
        np.asarray(flat, dtype=np.int64).reshape(k_codes, k_cols),
        index=pd.Index(code_list, name="code_id"),
        columns=pd.Index(col_names, name="column"),
    )
    starts = frame["start"].to_numpy()[rows]
    order = np.lexsort((starts, src_key, col_key, code_key))
    cells = pd.DataFrame(
        {
            "code_id": np.asarray(code_list, dtype=object)[code_key[order]]
            if k_codes
            else np.empty(0, dtype=object),
            "column": labels[order],
            "source_id": frame["source_id"].to_numpy()[rows[order]],
            "start": starts[order],
            "end": frame["end"].to_numpy()[rows[order]],
            "coder": frame["coder"].to_numpy()[rows[order]],
        }
    )
    if texts is not None:
        cells["text"] = _slices(texts, cells)
    return MatrixResult(counts, cells, by, count, texts)


def _slices(texts: Mapping[Hashable, str], frame: pd.DataFrame) -> list[str]:
    """``texts[source_id][start:end]`` for every row."""
    return [
        texts[s][a:b]
        for s, a, b in zip(
            frame["source_id"].tolist(), frame["start"].tolist(), frame["end"].tolist(), strict=True
        )
    ]


def _join(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inner join on integer keys: (left position, right position) for every matching pair."""
    if right.size == 0 or left.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty.copy()
    size = int(max(left.max(initial=-1), right.max(initial=-1))) + 1
    valid = right >= 0
    order = np.flatnonzero(valid)[np.argsort(right[valid], kind="stable")]
    per_key = np.bincount(right[valid], minlength=size)
    first = np.concatenate([[0], np.cumsum(per_key)[:-1]])
    lv = np.where(left >= 0, left, 0)
    hits = np.where(left >= 0, per_key[lv], 0)
    li = np.repeat(np.arange(left.size), hits)
    within = np.arange(int(hits.sum())) - np.repeat(np.cumsum(hits) - hits, hits)
    ri = order[first[lv[li]] + within]
    return li.astype(np.int64), ri.astype(np.int64)


def _source_keys(frame: pd.DataFrame, other: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Shared integer keys for the codings' sources and another table's sources (as text)."""
    key, _ = pd.factorize(
        pd.concat([frame["source_id"].astype(str), other.astype(str)], ignore_index=True)
    )
    return key[: len(frame)].astype(np.int64), key[len(frame) :].astype(np.int64)


def _case_members(frame: pd.DataFrame, data: QueryData) -> tuple[np.ndarray, np.ndarray]:
    """(coding row, case id) for every coding in a case's source or span."""
    cases = table_frame(data.cases, ["case_id", "source_id"], "cases")
    if cases is None:
        raise QdaError(
            "a code-by-case matrix needs cases", "Assign sources to cases first.", argument="data"
        )
    spans = "start" in cases.columns and "end" in cases.columns
    cases = cases.drop_duplicates(
        ["case_id", "source_id", *(["start", "end"] if spans else [])]
    ).reset_index(drop=True)
    left, right = _source_keys(frame, cases["source_id"])
    li, ri = _join(left, right)
    if spans:
        cs = pd.to_numeric(cases["start"]).to_numpy(dtype=np.float64)[ri]
        ce = pd.to_numeric(cases["end"]).to_numpy(dtype=np.float64)[ri]
        s = frame["start"].to_numpy()[li]
        e = frame["end"].to_numpy()[li]
        inside = np.isnan(cs) | ((s < ce) & (e > cs))
        li, ri = li[inside], ri[inside]
        pairs = pd.DataFrame({"row": li, "case": cases["case_id"].to_numpy(dtype=object)[ri]})
        pairs = pairs.drop_duplicates()
        return pairs["row"].to_numpy(dtype=np.int64), pairs["case"].to_numpy(dtype=object)
    return li, cases["case_id"].to_numpy(dtype=object)[ri]


def _attribute_members(
    frame: pd.DataFrame, data: QueryData, name: str
) -> tuple[np.ndarray, np.ndarray]:
    """(coding row, attribute value) through source attributes and case attributes."""
    rows_parts: list[np.ndarray] = []
    value_parts: list[np.ndarray] = []
    src = table_frame(data.source_attributes, ["source_id", "name", "value"], "source_attributes")
    if src is not None:
        table = src[src["name"].astype(str) == name].reset_index(drop=True)
        if not table.empty:
            left, right = _source_keys(frame, table["source_id"])
            li, ri = _join(left, right)
            rows_parts.append(li)
            value_parts.append(table["value"].to_numpy(dtype=object)[ri])
    cas = table_frame(data.case_attributes, ["case_id", "name", "value"], "case_attributes")
    if cas is not None and data.cases is not None:
        table = cas[cas["name"].astype(str) == name].reset_index(drop=True)
        if not table.empty:
            rows, case_ids = _case_members(frame, data)
            key, _ = pd.factorize(
                pd.concat(
                    [pd.Series(case_ids, dtype=object).astype(str), table["case_id"].astype(str)],
                    ignore_index=True,
                )
            )
            li, ri = _join(key[: len(case_ids)], key[len(case_ids) :])
            rows_parts.append(rows[li])
            value_parts.append(table["value"].to_numpy(dtype=object)[ri])
    if not rows_parts:
        raise QdaError(
            f"no source or case has the attribute {name!r}",
            "Use by='case', 'source', 'coder' or an attribute name.",
            argument="by",
        )
    pairs = pd.DataFrame(
        {"row": np.concatenate(rows_parts), "value": np.concatenate(value_parts)}
    ).drop_duplicates()
    return pairs["row"].to_numpy(dtype=np.int64), pairs["value"].to_numpy(dtype=object)
